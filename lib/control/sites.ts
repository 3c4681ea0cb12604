/**
 * Surgical operations on sites: list, start, stop, restart (= stop, verify, start,
 * verify; docs/sources.md §U15: "restart" is never a recycle here).
 *
 * Same frame as pools (webOperations.ts): toggle, pre-flight, names resolved in TypeScript, idempotent
 * skips, one batch of requests, waited for on the host (one call per slice), verified by reading back.
 * Before any start, the bindings are checked against every other started site: a start that would
 * fail with 0x800700B7 "Cannot create a file when that file already exists" (docs/sources.md §U13)
 * is refused with an error naming the conflicting site and binding, before anything is changed.
 */
import { checkNumber, LIMITS } from '../limits';
import { DEFAULTS } from '../defaults';
import { readSites, readSiteStates, requestSites, setServerAutoStart, waitForSites, Binding, SiteAction, SiteInfo, SiteState } from '../scripts/sites';
import { HRESULTS, isTransientOutcome, RequestOutcome } from '../scripts/webadmin';
import { IisctlError } from '../errors';
import { OperationFrame, PlannedStep, SurgicalOptions, SurgicalPlan, SurgicalResult, TargetResult, WebOperations } from './webOperations';
import { resolveSelector, Selector, validateSelector } from './selectors';
import { pollUntil } from './wait';

export type SiteOptions = SurgicalOptions;
export type SiteOperation = 'start' | 'stop' | 'restart';

export interface BindingConflict {
  site: string;
  binding: Binding;
  /** The started site (or another site started in the same call) that holds the same binding. */
  conflictsWith: string;
}

export class SiteController {
  constructor(private readonly ops: WebOperations) {}

  /** Every site with id, state, bindings, physical path, applications and the pools they use. */
  async list(): Promise<SiteInfo[]> {
    return (await this.ops.run(readSites())).sites;
  }

  start(selector: Selector, options: SiteOptions = {}): Promise<SurgicalResult> {
    return this.operate('start', selector, options);
  }

  stop(selector: Selector, options: SiteOptions = {}): Promise<SurgicalResult> {
    return this.operate('stop', selector, options);
  }

  restart(selector: Selector, options: SiteOptions = {}): Promise<SurgicalResult> {
    return this.operate('restart', selector, options);
  }

  async plan(action: SiteOperation, selector: Selector, options: SiteOptions = {}): Promise<SurgicalPlan> {
    validateSelector(selector, 'site');
    checkNumber('timeoutSeconds', options.timeoutSeconds, LIMITS.timeoutSeconds);
    const { sites } = await this.ops.run(readSites());
    const names = resolveSelector(selector, sites.map((s) => s.name), 'site', this.ops.host);
    const steps: PlannedStep[] = [];
    const step = this.ops.planStep;
    const stopping = action === 'start' ? [] : names.filter((n) => siteOf(sites, n).state !== 'Stopped');
    const starting = action === 'stop' ? [] : names.filter((n) => action === 'restart' || siteOf(sites, n).state !== 'Started');
    if (action !== 'stop') {
      const conflicts = findBindingConflicts(sites, starting, stopping);
      if (conflicts.length) steps.push({ description: `refuse: ${describeConflicts(conflicts)}`, targets: conflicts.map((c) => c.site), script: '' });
    }
    if (options.stayStopped && action === 'stop') steps.push(step('set serverAutoStart=false', setServerAutoStart(names, false), names));
    if (stopping.length) steps.push(step('request stop (one batch), then poll until Stopped', requestSites('stop', stopping), stopping));
    if (starting.length) steps.push(step('request start (one batch), then poll until Started', requestSites('start', starting), starting));
    if (stopping.length || starting.length) steps.push(step('poll (one read per interval)', readSiteStates(names), names));
    const unchanged = names.filter((n) => !stopping.includes(n) && !starting.includes(n));
    return { action, kind: 'site', host: this.ops.host, targets: names, unchanged, steps };
  }

  private operate(action: SiteOperation, selector: Selector, options: SiteOptions): Promise<SurgicalResult> {
    // Names that can never be sent fail before the host lock, the toggle or the inventory are read.
    try {
      validateSelector(selector, 'site');
    } catch (e) {
      return Promise.reject(e);
    }
    return this.ops.frame(`site-${action}`, 'site', action !== 'start', options, readSites(), async (frame, first) => {
      let inventory = await first();
      frame.eventServices(inventory.services.map((s) => s.displayName));
      if (inventory.services.length === 0 || inventory.services.some((s) => s.status !== 'Running')) {
        await frame.ensureServices(inventory.services, options);
        inventory = await frame.run(readSites());
      }
      const { sites } = inventory;
      const names = resolveSelector(selector, sites.map((s) => s.name), 'site', this.ops.host);
      frame.readLeftWith(readSiteStates(names));
      const results = new Map<string, TargetResult>(names.map((n) => [n.toLowerCase(), { name: n, changed: false, before: siteOf(sites, n).state, after: siteOf(sites, n).state }]));
      const stopping = action === 'start' ? [] : names.filter((n) => siteOf(sites, n).state !== 'Stopped');
      const starting = action === 'stop' ? [] : names.filter((n) => action === 'restart' || siteOf(sites, n).state !== 'Started');
      if (action !== 'stop') {
        const conflicts = findBindingConflicts(sites, starting, stopping);
        if (conflicts.length) {
          throw new IisctlError('FAILED', `Cannot start: ${describeConflicts(conflicts)}. Nothing was changed.`, {
            host: this.ops.host,
            hint: 'Stop the conflicting site first, or change one of the bindings (IIS would fail with 0x800700B7).',
            details: { conflicts },
          });
        }
      }
      if (options.stayStopped && action === 'stop') {
        const flip = names.filter((n) => siteOf(sites, n).serverAutoStart);
        if (flip.length) await frame.run(setServerAutoStart(flip, false));
      }
      const timeoutMs = (options.timeoutSeconds ?? DEFAULTS.webTimeoutSeconds) * 1000;
      if (stopping.length) await this.change(frame, 'stop', stopping, results, timeoutMs, options);
      if (starting.length) await this.change(frame, 'start', starting, results, timeoutMs, options);
      if (!stopping.length && !starting.length) frame.step('nothing to do', names, 0, 'skipped', `every site is already ${action === 'stop' ? 'stopped' : 'started'}`);
      for (const n of names) if (!stopping.includes(n) && !starting.includes(n)) results.get(n.toLowerCase())!.detail = `already ${action === 'stop' ? 'stopped' : 'started'}`;
      const want = action === 'stop' ? 'Stopped' : 'Started';
      return {
        targets: [...results.values()],
        // Read back in the frame's last round trip (with the audit event and the events).
        final: readSiteStates(names),
        apply: (final: SiteState[]) => {
          for (const s of final) results.get(s.name.toLowerCase())!.after = s.state;
        },
        verify: (final: SiteState[]) => {
          const wrong = final.filter((s) => s.state !== want);
          if (wrong.length) throw new IisctlError('FAILED', `After ${action}, ${wrong.map((s) => `${JSON.stringify(s.name)} is ${s.state}`).join(', ')} (expected ${want}).`, { host: this.ops.host });
        },
      };
    });
  }

  private async change(frame: OperationFrame, action: SiteAction, names: string[], results: Map<string, TargetResult>, timeoutMs: number, options: SiteOptions): Promise<void> {
    const started = this.ops.clock.now();
    let pending = names;
    for (let attempt = 1; pending.length; attempt++) {
      const outcomes = await frame.run(requestSites(action, pending));
      const failed = outcomes.filter((o) => !o.ok && !isTransientOutcome(o) && !(action === 'stop' && o.hresult === HRESULTS.notActive));
      for (const o of outcomes) if (o.ok || (action === 'stop' && o.hresult === HRESULTS.notActive)) results.get(o.name.toLowerCase())!.changed = true;
      if (failed.length) throw requestFailure(action, failed, this.ops.host);
      const transient = outcomes.filter(isTransientOutcome);
      pending = transient.map((o) => o.name);
      if (pending.length) await frame.backoff(attempt, transient[0]);
    }
    const want = action === 'stop' ? 'Stopped' : 'Started';
    const done = (s: SiteState) => s.exists && s.state === want;
    // Waited for on the host, one call per slice (wait.ts); what it is for is said when it begins.
    options.onProgress?.({ pending: names, elapsedMs: 0, timeoutMs });
    const polled = await pollUntil({
      read: (waitMs) => frame.run(waitForSites(names, want, { waitMs, intervalMs: this.ops.pollIntervalMs })),
      done: (states) => states.every(done),
      deadline: started + timeoutMs,
      signal: this.ops.signal,
      clock: this.ops.clock,
      onPoll: (states, elapsedMs) => options.onProgress?.({ pending: states.filter((s) => !done(s)).map((s) => s.name), elapsedMs, timeoutMs }),
    });
    frame.step(action, names, this.ops.clock.now() - started, polled.reached ? 'ok' : 'timeout');
    if (!polled.reached) {
      const left = polled.state.filter((s) => !done(s));
      throw new IisctlError('TIMEOUT', `${action} of site(s) timed out after ${timeoutMs / 1000} s; not ${want}: ${left.map((s) => `${JSON.stringify(s.name)} (${s.state})`).join(', ')}.`, {
        host: this.ops.host,
        details: { pending: left },
      });
    }
  }
}

function siteOf(sites: SiteInfo[], name: string): SiteInfo {
  return sites.find((s) => s.name.toLowerCase() === name.toLowerCase())!;
}

/** http and https share HTTP.sys's ip:port:host space; other protocols compare within their own. */
function bindingKey(b: Binding): string {
  const family = /^https?$/i.test(b.protocol) ? 'http' : b.protocol.toLowerCase();
  return `${family}|${b.bindingInformation.toLowerCase()}`;
}

/**
 * Bindings of `starting` sites that an already started site (not being stopped) or another site
 * started in the same call also has: exactly the same protocol family and ip:port:host.
 */
export function findBindingConflicts(sites: SiteInfo[], starting: string[], stopping: string[]): BindingConflict[] {
  const startingSet = new Set(starting.map((n) => n.toLowerCase()));
  const stoppingSet = new Set(stopping.map((n) => n.toLowerCase()));
  const holders = new Map<string, string>();
  for (const s of sites) {
    const key = s.name.toLowerCase();
    if (startingSet.has(key) || stoppingSet.has(key) || s.state !== 'Started') continue;
    for (const b of s.bindings) holders.set(bindingKey(b), s.name);
  }
  const conflicts: BindingConflict[] = [];
  for (const name of starting) {
    const site = siteOf(sites, name);
    for (const b of site.bindings) {
      const holder = holders.get(bindingKey(b));
      if (holder && holder.toLowerCase() !== name.toLowerCase()) conflicts.push({ site: site.name, binding: b, conflictsWith: holder });
    }
    for (const b of site.bindings) if (!holders.has(bindingKey(b))) holders.set(bindingKey(b), site.name);
  }
  return conflicts;
}

function describeConflicts(conflicts: BindingConflict[]): string {
  return conflicts.map((c) => `site ${JSON.stringify(c.site)} binding ${c.binding.protocol}/${c.binding.bindingInformation} is already in use by site ${JSON.stringify(c.conflictsWith)}`).join('; ');
}

function requestFailure(action: string, failed: RequestOutcome[], host: string): IisctlError {
  const f = failed[0];
  const code = f.category === 'PermissionDenied' ? 'ACCESS_DENIED' : f.category === 'ObjectNotFound' ? 'NOT_FOUND' : 'FAILED';
  return new IisctlError(code, `The ${action} request failed for ${failed.map((o) => `${JSON.stringify(o.name)} (${o.message ?? 'no message'})`).join('; ')}.`, {
    host,
    powershell: { message: f.message ?? '', fullyQualifiedErrorId: f.errorId, category: f.category, hresult: f.hresult },
  });
}
