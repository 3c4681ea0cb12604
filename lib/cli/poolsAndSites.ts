/**
 * `iisctl pool ...` and `iisctl site ...`: selectors from the command line (names, --match,
 * --all), the library's iis.appPools / iis.sites, and their rendering.
 */
import type { Argv } from 'yargs';
import { DEFAULTS } from '../defaults';
import type { IisClient, SurgicalOptions, SurgicalPlan, SurgicalResult, Selector, AppPoolInfo, SiteInfo } from '../index';
import { Context, forEachHost, Runtime, UsageError } from './context';
import type { ExitCode } from './exitCodes';
import { Args, CliCommand, handler } from './handler';
import type { GlobalOptions } from './options';
import { duration, Output, table } from './render';
import { disabledNote } from './views';
import { reason, single, timeoutSeconds } from './validate';

/** iisctl's own limit on a pool or site name typed on the command line (not an IIS limit). */
export const MAX_NAME = 255;

type Kind = 'pool' | 'site';
const ACTIONS: Record<Kind, readonly string[]> = { pool: ['list', 'recycle', 'start', 'stop'], site: ['list', 'start', 'stop', 'restart'] };
const NOUN: Record<Kind, string> = { pool: 'application pool', site: 'site' };

export const SURGICAL_USAGE: Record<Kind, string> = {
  pool: 'iisctl pool list | pool recycle|start|stop NAME... | --match PATTERN | --all [--timeout S] [--force] [--stay-stopped] [--reason TEXT] [--dry-run]',
  site: 'iisctl site list | site start|stop|restart NAME... | --match PATTERN | --all [--timeout S] [--stay-stopped] [--reason TEXT] [--dry-run]',
};

export interface SurgicalArgs {
  action: string;
  names?: string[];
  match?: string;
  all?: boolean;
  timeout?: number;
  force?: boolean;
  stayStopped?: boolean;
  reason?: string;
}

export function surgicalCommand(runtime: Runtime, kind: Kind): CliCommand {
  const usage = SURGICAL_USAGE[kind];
  return {
    builder: (y) => surgicalOptions(y, kind),
    run: handler<SurgicalArgs>(runtime, (a) => `${kind} ${a.action}`, usage, (ctx, args) => runSurgical(ctx, kind, args, usage)),
  };
}

/** The positionals and options of `pool|site list|start|stop|...` (pool.ts adds the settings ones). */
export function surgicalOptions(y: Argv<GlobalOptions>, kind: Kind) {
  const b = y
    .positional('action', { choices: ACTIONS[kind], describe: `${ACTIONS[kind].join(', ')}` })
    .positional('names', { type: 'string', array: true, describe: `${NOUN[kind]} names (exact, case-insensitive)` })
    .option('match', { type: 'string', requiresArg: true, describe: 'Every name matching this pattern (* and ? only)' })
    .option('all', { type: 'boolean', describe: `Every ${NOUN[kind]}` })
    .option('timeout', { type: 'number', requiresArg: true, describe: `Seconds to wait for the state read back (default ${DEFAULTS.webTimeoutSeconds})` })
    .option('stay-stopped', { type: 'boolean', describe: 'stop: also turn off auto-start, so it stays stopped after a WAS restart or reboot' })
    .option('reason', { type: 'string', requiresArg: true, describe: 'Why, recorded in the audit event' });
  return kind === 'pool' ? b.option('force', { type: 'boolean', describe: "stop: terminate the pool's remaining worker processes on timeout (only those)" }) : b;
}

/** `pool|site list|start|stop|...` on every host: the body of both commands' handlers. */
export function runSurgical(ctx: Context, kind: Kind, args: Args<SurgicalArgs>, usage: string): Promise<ExitCode> {
  const action = args.action;
  const names = (args.names ?? []).map(String);
  const match = single('match', args.match as string | string[] | undefined, usage);
  if (action === 'list') {
    if (names.length || match !== undefined || args.all || args.force || args.stayStopped || args.timeout !== undefined || args.reason !== undefined || args.dryRun) {
      throw new UsageError(`${kind} list takes no names and no options of its own.`, usage);
    }
    if (kind === 'pool') return forEachHost(ctx, { run: (iis) => iis.appPools.list(), human: (list) => renderPools(ctx.out, list) });
    return forEachHost(ctx, { run: (iis) => iis.sites.list(), human: (list) => renderSites(ctx.out, list) });
  }
  const selector = selectorOf(names, match, args.all === true, usage);
  if ((args.force || args.stayStopped) && action !== 'stop') throw new UsageError(`--force and --stay-stopped apply to ${kind} stop only.`, usage);
  const options: SurgicalOptions = {
    timeoutSeconds: timeoutSeconds(args.timeout, usage),
    force: args.force === true,
    stayStopped: args.stayStopped === true,
    reason: reason(args.reason, usage),
  };
  if (args.dryRun) {
    // Starting stays allowed while restarts are disabled; every other action would be refused.
    return forEachHost(ctx, {
      run: async (iis) => ({ plan: await plan(iis, kind, action, selector, options), refused: action !== 'start' && !(await iis.isEnabled()) }),
      human: (p) => renderSurgicalPlan(ctx.out, p.plan, p.refused),
      json: (p) => ({ ...p.plan, ...(p.refused ? { wouldBeRefused: 'DISABLED' } : {}) }),
    });
  }
  return forEachHost(ctx, {
    run: (iis, host) => {
      const call = { ...options, onProgress: (p: { pending: string[]; elapsedMs: number; timeoutMs: number }) => ctx.out.progress(host, `${action}: waiting for`, p.pending, p.elapsedMs, p.timeoutMs) };
      return operate(iis, kind, action, selector, call).finally(() => ctx.out.clearProgress());
    },
    human: (r) => renderSurgical(ctx.out, r),
  });
}

function selectorOf(names: string[], match: string | undefined, all: boolean, usage: string): Selector {
  const given = [names.length > 0 && 'NAME', match !== undefined && '--match', all && '--all'].filter(Boolean);
  if (given.length === 0) throw new UsageError('Say which: one or more names, --match PATTERN, or --all.', usage);
  if (given.length > 1) throw new UsageError(`Conflicting selectors: ${given.join(' and ')}; give one.`, usage);
  for (const n of [...names, ...(match === undefined ? [] : [match])]) {
    if (n.trim() === '') throw new UsageError('A name is empty.', usage);
    if (n.length > MAX_NAME) throw new UsageError(`A name is longer than ${MAX_NAME} characters (${n.length}).`, usage);
  }
  if (match !== undefined) return { match };
  if (all) return { all: true };
  return names.length === 1 ? names[0] : names;
}

function operate(iis: IisClient, kind: Kind, action: string, selector: Selector, options: SurgicalOptions): Promise<SurgicalResult> {
  if (kind === 'pool') return action === 'recycle' ? iis.appPools.recycle(selector, options) : action === 'start' ? iis.appPools.start(selector, options) : iis.appPools.stop(selector, options);
  return action === 'restart' ? iis.sites.restart(selector, options) : action === 'start' ? iis.sites.start(selector, options) : iis.sites.stop(selector, options);
}

function plan(iis: IisClient, kind: Kind, action: string, selector: Selector, options: SurgicalOptions): Promise<SurgicalPlan> {
  return kind === 'pool' ? iis.appPools.plan(action as 'start' | 'stop' | 'recycle', selector, options) : iis.sites.plan(action as 'start' | 'stop' | 'restart', selector, options);
}

function renderPools(out: Output, pools: AppPoolInfo[]): void {
  const rows = pools.map((p) => [p.name, out.state(p.state), p.startMode, p.runtimeVersion || 'none', p.workerProcessIds.join(',') || '-', p.sites.join(', ') || '-']);
  for (const l of table(['POOL', 'STATE', 'START MODE', 'RUNTIME', 'WORKERS', 'SITES'], rows)) out.line(l);
}

function renderSites(out: Output, sites: SiteInfo[]): void {
  const rows = sites.map((s) => [String(s.id), s.name, out.state(s.state), s.bindings.map((b) => `${b.protocol}/${b.bindingInformation}`).join(' ') || '-', s.pools.join(', ') || '-']);
  for (const l of table(['ID', 'SITE', 'STATE', 'BINDINGS', 'POOLS'], rows)) out.line(l);
}

export function renderSurgical(out: Output, r: SurgicalResult): void {
  const rows = r.targets.map((t) => [t.name, out.state(t.before), out.state(t.after), t.killedProcessIds?.length ? 'yes (workers terminated)' : t.changed ? 'yes' : 'no (already so)', workers(t.workerProcessIdsBefore, t.workerProcessIdsAfter)]);
  for (const l of table([r.kind === 'site' ? 'SITE' : 'POOL', 'BEFORE', 'AFTER', 'CHANGED', 'WORKERS'], rows)) out.line(l);
  const forced = r.forced ? `forced: terminated ${r.killedProcessIds.join(', ') || 'nothing'}` : 'nothing terminated';
  out.line('');
  out.line(`${r.action} on ${r.host} took ${duration(r.durationMs)} (${forced}${r.servicesStarted ? '; WAS/W3SVC were started first' : ''}).`);
  if (r.retries.length) out.line(`Retried ${r.retries.length} time(s): ${[...new Set(r.retries.map((x) => x.reason))].join('; ')}`);
}

function workers(before?: number[], after?: number[]): string {
  if (!before && !after) return '-';
  const b = before?.join(',') || '-';
  const a = after?.join(',') || '-';
  return b === a ? a : `${b} -> ${a}`;
}

export function renderSurgicalPlan(out: Output, p: SurgicalPlan, refused = false): void {
  out.line(`Dry run on ${p.host}: ${p.kind} ${p.action} of ${p.targets.join(', ')} would run these steps. Nothing was changed.`);
  if (refused) disabledNote(out, p.host, `${p.kind} ${p.action}`);
  if (p.unchanged.length) out.line(`Already in the wanted state (nothing requested): ${p.unchanged.join(', ')}`);
  p.steps.forEach((step, i) => {
    out.line('');
    out.line(`${i + 1}. ${step.description}${step.targets?.length ? ` [${step.targets.join(', ')}]` : ''}`);
    for (const l of step.script.split(/\r?\n/)) out.line(`     ${l}`);
  });
}
