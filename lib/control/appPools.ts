/**
 * Surgical operations on application pools: list, start, stop, recycle.
 *
 * Every operation: honour the restart toggle (start excepted), read the inventory once (pre-flight:
 * WAS/W3SVC running, names resolved in TypeScript), skip pools already in the wanted state
 * (`changed: false`), request all the others in ONE batch, then wait for all of them on the host,
 * ONE call per slice (wait.ts), until the state read back is right or the deadline passes. A stop is verified
 * only when no worker of the pool is left (docs/sources.md §U1); a recycle only when a new worker
 * replaced every old one (§U5: false success). On a stop timeout, `force` terminates only
 * the remaining workers of the pools that did not stop (Carbon.IIS's approach, §U16), then
 * verifies again. Transient refusals (0x80070425, 0x800710D8: docs/sources.md §4.1) are retried per
 * name; "The service has not been started" (0x80070426) on a stop means it is already stopped.
 */
import { HINTS } from '../hints';
import { checkNumber, LIMITS } from '../limits';
import { DEFAULTS } from '../defaults';
import { poolReached, readAppPools, readPoolStates, requestPools, setAutoStart, waitForPools, AppPoolInfo, AppPoolInventory, PoolAction, PoolState, PoolTarget } from '../scripts/appPools';
import { killProcesses } from '../scripts/processes';
import { IisctlError } from '../errors';
import { HRESULTS, isTransientOutcome, RequestOutcome } from '../scripts/webadmin';
import { OperationFrame, PlannedStep, SurgicalOptions, SurgicalPlan, TargetResult, SurgicalResult, WebOperations } from './webOperations';
import { resolveSelector, Selector, validateSelector } from './selectors';
import { pollUntil } from './wait';

export interface PoolOptions extends SurgicalOptions {
  /** recycle only: start a stopped pool instead of failing. */
  startIfStopped?: boolean;
}

export type PoolOperation = PoolAction;

export class AppPoolController {
  constructor(private readonly ops: WebOperations) {}

  /** Every pool with state, settings, workers and the sites/applications it serves: one round trip. */
  async list(): Promise<AppPoolInfo[]> {
    return (await this.ops.run(readAppPools())).pools;
  }

  start(selector: Selector, options: PoolOptions = {}): Promise<SurgicalResult> {
    return this.operate('start', selector, options);
  }

  stop(selector: Selector, options: PoolOptions = {}): Promise<SurgicalResult> {
    return this.operate('stop', selector, options);
  }

  recycle(selector: Selector, options: PoolOptions = {}): Promise<SurgicalResult> {
    return this.operate('recycle', selector, options);
  }

  /** The exact scripts an operation would run from the current state; changes nothing. */
  async plan(action: PoolOperation, selector: Selector, options: PoolOptions = {}): Promise<SurgicalPlan> {
    validateSelector(selector, 'application pool');
    checkNumber('timeoutSeconds', options.timeoutSeconds, LIMITS.timeoutSeconds);
    const inventory = await this.ops.run(readAppPools());
    const names = resolveSelector(selector, inventory.pools.map((p) => p.name), 'application pool', this.ops.host);
    const pools = names.map((n) => poolOf(inventory, n));
    const { act, skip } = split(action, pools, options);
    const steps: PlannedStep[] = [];
    const step = this.ops.planStep;
    if (!servicesRunning(inventory)) steps.push(step(options.ensureServices ? 'start WAS and W3SVC first (ensureServices)' : 'refuse: WAS/W3SVC not running', readAppPools()));
    if (options.stayStopped && action === 'stop') steps.push(step('set autoStart=false', setAutoStart(names, false), names));
    for (const a of ['start', 'stop', 'recycle'] as const) {
      const batch = act.filter((x) => x.action === a).map((x) => x.name);
      if (batch.length) steps.push(step(`request ${a} (one batch)`, requestPools(a, batch), batch));
    }
    if (act.length) steps.push(step(`poll until verified (deadline ${options.timeoutSeconds ?? DEFAULTS.webTimeoutSeconds} s, one read per interval)`, readPoolStates(act.map((a) => a.name)), act.map((a) => a.name)));
    if (options.force && action === 'stop') {
      const pids = act.flatMap((a) => poolOf(inventory, a.name).workerProcessIds);
      if (pids.length) steps.push(step("on timeout only: terminate these pools' worker processes", killProcesses(pids), act.map((a) => a.name)));
    }
    return { action, kind: 'application pool', host: this.ops.host, targets: names, unchanged: skip, steps };
  }

  private operate(action: PoolOperation, selector: Selector, options: PoolOptions): Promise<SurgicalResult> {
    // Names that can never be sent fail before the host lock, the toggle or the inventory are read.
    try {
      validateSelector(selector, 'application pool');
    } catch (e) {
      return Promise.reject(e);
    }
    return this.ops.frame(`apppool-${action}`, 'application pool', action !== 'start', options, readAppPools(), async (frame, first) => {
      let inventory = await first();
      frame.eventServices(inventory.services.map((s) => s.displayName));
      if (!servicesRunning(inventory)) {
        await frame.ensureServices(inventory.services, options);
        inventory = await frame.run(readAppPools());
      }
      const names = resolveSelector(selector, inventory.pools.map((p) => p.name), 'application pool', this.ops.host);
      frame.readLeftWith(readPoolStates(names));
      const before = new Map(names.map((n) => [n.toLowerCase(), poolOf(inventory, n)]));
      const { act, skip } = split(action, [...before.values()], options);
      const results = new Map<string, TargetResult>();
      for (const p of before.values()) {
        results.set(p.name.toLowerCase(), { name: p.name, changed: false, before: p.state, after: p.state, workerProcessIdsBefore: p.workerProcessIds, workerProcessIdsAfter: p.workerProcessIds, killedProcessIds: [] });
      }
      for (const s of skip) results.get(s.toLowerCase())!.detail = `already ${action === 'stop' ? 'stopped' : 'started'}`;

      if (options.stayStopped && action === 'stop') {
        const flip = names.filter((n) => before.get(n.toLowerCase())!.autoStart);
        if (flip.length) await frame.run(setAutoStart(flip, false));
      }
      if (act.length === 0) {
        frame.step('nothing to do', names, 0, 'skipped', 'every pool is already in the wanted state');
      } else {
        await this.requestAll(frame, act, results);
        await this.waitAll(frame, action, act, before, results, options);
      }
      return {
        targets: [...results.values()],
        // Read back in the frame's last round trip (with the audit event and the events).
        final: readPoolStates(names),
        apply: (final: PoolState[]) => {
          for (const s of final) {
            const r = results.get(s.name.toLowerCase())!;
            r.after = s.state;
            r.workerProcessIdsAfter = s.workerProcessIds;
          }
        },
        verify: (final: PoolState[]) => verifyFinal(action, final, before, this.ops.host),
      };
    });
  }

  /** One batch per action; transient refusals retried per name with backoff until the deadline. */
  private async requestAll(frame: OperationFrame, act: Planned[], results: Map<string, TargetResult>): Promise<void> {
    for (const action of ['start', 'stop', 'recycle'] as const) {
      let pending = act.filter((a) => a.action === action).map((a) => a.name);
      for (let attempt = 1; pending.length > 0; attempt++) {
        const started = this.ops.clock.now();
        const outcomes = await frame.run(requestPools(action, pending));
        const transient = outcomes.filter(isTransientOutcome);
        const failed = outcomes.filter((o) => !o.ok && !isTransientOutcome(o) && !(action === 'stop' && o.hresult === HRESULTS.notActive));
        frame.step(`request ${action}`, pending, this.ops.clock.now() - started, failed.length ? 'failed' : 'ok', transient.length ? `${transient.length} refused for now (retrying)` : undefined);
        for (const o of outcomes) if (o.ok || (action === 'stop' && o.hresult === HRESULTS.notActive)) results.get(o.name.toLowerCase())!.changed = true;
        if (failed.length) throw requestFailure(action, failed, this.ops.host);
        pending = transient.map((o) => o.name);
        if (pending.length === 0) break;
        await frame.backoff(attempt, transient[0]);
      }
    }
  }

  private async waitAll(frame: OperationFrame, action: PoolOperation, act: Planned[], before: Map<string, AppPoolInfo>, results: Map<string, TargetResult>, options: PoolOptions): Promise<void> {
    const timeoutMs = (options.timeoutSeconds ?? DEFAULTS.webTimeoutSeconds) * 1000;
    const targets = new Map(act.map((a) => [a.name.toLowerCase(), poolTarget(a, before.get(a.name.toLowerCase())!)]));
    const done = (s: PoolState): boolean => poolReached(targets.get(s.name.toLowerCase())!, s);
    const started = this.ops.clock.now();
    let last = await this.poll(frame, [...targets.values()], done, started + timeoutMs, timeoutMs, options);
    frame.step('wait', act.map((a) => a.name), this.ops.clock.now() - started, last.reached ? 'ok' : 'timeout');
    if (last.reached) return;
    const pending = last.state.filter((s) => !done(s));
    if (!(options.force && action === 'stop')) throw timeoutError(action, pending, timeoutMs, this.ops.host, !!options.force);
    // Force: only the workers of the pools that did not stop; pools that stopped are not touched.
    const killStart = this.ops.clock.now();
    const pids = [...new Set(pending.flatMap((s) => s.workerProcessIds))];
    if (pids.length) {
      const killed = await frame.run(killProcesses(pids));
      frame.forced(killed.killed);
      for (const s of pending) {
        const r = results.get(s.name.toLowerCase())!;
        r.killedProcessIds = s.workerProcessIds.filter((p) => killed.killed.includes(p));
        // A pool already stopping whose workers were terminated was changed by this stop.
        if (r.killedProcessIds.length) r.changed = true;
      }
    }
    last = await this.poll(frame, pending.map((s) => targets.get(s.name.toLowerCase())!), done, this.ops.clock.now() + timeoutMs, timeoutMs, options);
    frame.step('kill workers', pending.map((s) => s.name), this.ops.clock.now() - killStart, last.reached ? 'ok' : 'failed', `terminated ${pids.join(', ') || 'nothing'}`);
    if (!last.reached) throw timeoutError(action, last.state.filter((s) => !done(s)), timeoutMs, this.ops.host, true);
  }

  /** Waits on the host, one slice per call, until every pool reached its target or the deadline. */
  private poll(frame: OperationFrame, targets: PoolTarget[], done: (s: PoolState) => boolean, deadline: number, timeoutMs: number, options: PoolOptions) {
    // What the wait is for, said when it begins: its first read may take a whole slice.
    options.onProgress?.({ pending: targets.map((t) => t.name), elapsedMs: 0, timeoutMs });
    return pollUntil({
      read: (waitMs) => frame.run(waitForPools(targets, { waitMs, intervalMs: this.ops.pollIntervalMs })),
      done: (states) => states.every(done),
      deadline,
      signal: this.ops.signal,
      clock: this.ops.clock,
      onPoll: (states, elapsedMs) => options.onProgress?.({ pending: states.filter((s) => !done(s)).map((s) => s.name), elapsedMs, timeoutMs }),
    });
  }
}

interface Planned {
  name: string;
  /** What is requested ('wait': already on its way, nothing to request; a recycle of a stopped pool with startIfStopped becomes a start). */
  action: PoolAction | 'wait';
}

function poolOf(inventory: AppPoolInventory, name: string): AppPoolInfo {
  return inventory.pools.find((p) => p.name.toLowerCase() === name.toLowerCase())!;
}

function servicesRunning(inventory: AppPoolInventory): boolean {
  return inventory.services.length > 0 && inventory.services.every((s) => s.status === 'Running');
}

/** Which pools need a request and which are already where the caller wants them. */
function split(action: PoolOperation, pools: AppPoolInfo[], options: PoolOptions): { act: Planned[]; skip: string[] } {
  const act: Planned[] = [];
  const skip: string[] = [];
  for (const p of pools) {
    if (action === 'stop') {
      if (p.state === 'Stopped' && p.workerProcessIds.length === 0) skip.push(p.name);
      else act.push({ name: p.name, action: p.state === 'Stopping' || p.state === 'Stopped' ? 'wait' : 'stop' });
    } else if (action === 'start') {
      if (p.state === 'Started') skip.push(p.name);
      else act.push({ name: p.name, action: p.state === 'Starting' ? 'wait' : 'start' });
    } else if (p.state === 'Stopped' || p.state === 'Stopping') {
      if (!options.startIfStopped) {
        throw new IisctlError('FAILED', `Application pool ${JSON.stringify(p.name)} is ${p.state}: a recycle needs a started pool. Nothing was changed.`, {
          hint: HINTS.recycleStopped,
          details: { pool: p.name, state: p.state },
        });
      }
      act.push({ name: p.name, action: 'start' }); // a Stopping pool refuses (0x80070425) until Stopped: retried
    } else act.push({ name: p.name, action: 'recycle' });
  }
  return { act, skip };
}

/** What a pool's request asked for, as the state read back must show it (scripts/appPools.ts poolReached). */
function poolTarget(planned: Planned, before: AppPoolInfo): PoolTarget {
  const { name, action } = planned;
  if (action === 'stop' || (action === 'wait' && (before.state === 'Stopping' || before.state === 'Stopped'))) return { name, state: 'Stopped', noWorkers: true, gone: [], needWorker: false };
  if (action === 'start' || action === 'wait') return { name, state: 'Started', noWorkers: false, gone: [], needWorker: false };
  // Recycle: every old worker gone; when one was running, a new one replaced it.
  return { name, state: 'Started', noWorkers: false, gone: [...before.workerProcessIds], needWorker: before.workerProcessIds.length > 0 };
}

function verifyFinal(action: PoolOperation, final: PoolState[], before: Map<string, AppPoolInfo>, host: string): void {
  const wrong = final.filter((s) => {
    const b = before.get(s.name.toLowerCase())!;
    if (action === 'stop') return !(s.state === 'Stopped' && s.workerProcessIds.length === 0);
    if (action === 'start') return s.state !== 'Started';
    return s.state !== 'Started' || (b.state === 'Started' && b.workerProcessIds.some((p) => s.workerProcessIds.includes(p)));
  });
  if (wrong.length) {
    throw new IisctlError('FAILED', `After ${action}, ${wrong.map((s) => `${JSON.stringify(s.name)} is ${s.state}${s.workerProcessIds.length ? ` with worker(s) ${s.workerProcessIds.join(', ')}` : ''}`).join('; ')}.`, { host });
  }
}

function requestFailure(action: string, failed: RequestOutcome[], host: string): IisctlError {
  const f = failed[0];
  const code = f.category === 'PermissionDenied' || f.hresult === (0x80070005 | 0) ? 'ACCESS_DENIED' : f.category === 'ObjectNotFound' ? 'NOT_FOUND' : 'FAILED';
  return new IisctlError(code, `The ${action} request failed for ${failed.map((o) => `${JSON.stringify(o.name)} (${o.message ?? 'no message'})`).join('; ')}.`, {
    host,
    powershell: { message: f.message ?? '', fullyQualifiedErrorId: f.errorId, category: f.category, hresult: f.hresult },
    details: { failed: failed.map((o) => o.name) },
  });
}

function timeoutError(action: string, pending: PoolState[], timeoutMs: number, host: string, forced: boolean): IisctlError {
  const left = pending.map((s) => `${JSON.stringify(s.name)} (${s.state}${s.workerProcessIds.length ? `, worker(s) ${s.workerProcessIds.join(', ')}` : ''})`).join(', ');
  return new IisctlError('TIMEOUT', `${action} of application pool(s) timed out after ${timeoutMs / 1000} s; not done: ${left}.${forced ? '' : ' Nothing was killed.'}`, {
    host,
    hint: action === 'stop' && !forced ? HINTS.poolStopTimedOut : 'Raise the timeout; see the events in the result.',
    details: { pending: pending.map((s) => ({ name: s.name, state: s.state, workerProcessIds: s.workerProcessIds })) },
  });
}
