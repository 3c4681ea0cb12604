/**
 * `iisctl pool show NAME` and `iisctl pool set NAME --recycle-at 03:00 --rapid-fail 5/5m ...`
 * (library: iis.appPools.settings / configure / planConfigure). Every value is turned
 * into the library's change set here; the library validates ranges and accepted values before
 * anything is sent (exit 2 on a bad value, nothing run).
 */
import type { Argv } from 'yargs';
import { SETTING_NAMES, PoolConfigurePlan, PoolConfigureResult, type PoolSettings, type PoolSettingsChanges, type SettingName } from '../../index';
import { Context, forEachHost, UsageError } from '../context';
import type { ExitCode } from '../exitCodes';
import type { Args } from '../handler';
import { Output, table } from '../render';
import { single } from '../validate';

export const POOL_SETTINGS_USAGE =
  'iisctl pool show NAME | pool set NAME [--recycle-at HH:MM[,HH:MM...]|none] [--recycle-time DUR] [--recycle-requests N] [--recycle-private-memory KB] [--recycle-virtual-memory KB] [--overlapping-recycle on|off] [--log-recycle-events FLAGS] [--rapid-fail N/DUR|on|off] [--cpu-limit PCT] [--cpu-action NoAction|KillW3wp|Throttle|ThrottleUnderLoad] [--cpu-reset-interval DUR] [--idle-timeout DUR] [--idle-action Terminate|Suspend] [--start-mode OnDemand|AlwaysRunning] [--auto-start on|off] [--startup-time-limit DUR] [--shutdown-time-limit DUR] [--dry-run]';

/** CLI option -> how it becomes changes. */
const OPTIONS: Record<string, { describe: string; apply: (v: string, c: PoolSettingsChanges, usage: string) => void }> = {
  'recycle-at': { describe: 'Recycle at these local times (comma-separated HH:MM), or none', apply: (v, c) => (c.recycleSchedule = v.trim().toLowerCase() === 'none' ? [] : v.split(',').map((s) => s.trim())) },
  'recycle-time': { describe: 'Recycle after this long (00:00:00 or 0s = off; e.g. 29h, 1.05:00:00)', apply: (v, c) => (c.recycleTime = v) },
  'recycle-requests': { describe: 'Recycle after N requests (0 = off)', apply: (v, c, u) => (c.recycleRequests = num('recycle-requests', v, u)) },
  'recycle-private-memory': { describe: 'Recycle at this private memory in KB (0 = off)', apply: (v, c, u) => (c.recyclePrivateMemoryKB = num('recycle-private-memory', v, u)) },
  'recycle-virtual-memory': { describe: 'Recycle at this virtual memory in KB (0 = off)', apply: (v, c, u) => (c.recycleVirtualMemoryKB = num('recycle-virtual-memory', v, u)) },
  'overlapping-recycle': { describe: 'Start the new worker before the old one stops (on, the default) or not (off: a gap)', apply: (v, c, u) => (c.overlappingRecycle = onOff('overlapping-recycle', v, u)) },
  'log-recycle-events': { describe: 'Recycle reasons to log: comma-separated Time,Requests,Schedule,Memory,IsapiUnhealthy,OnDemand,ConfigChange,PrivateMemory, or none', apply: (v, c) => (c.logEventOnRecycle = v.trim().toLowerCase() === 'none' ? [] : (v.split(',').map((s) => s.trim()) as PoolSettings['logEventOnRecycle'])) },
  'rapid-fail': { describe: 'Rapid-fail protection: N/DURATION (e.g. 5/5m: on, 5 crashes in 5 minutes), on or off', apply: rapidFail },
  'cpu-limit': { describe: 'CPU limit in percent (0 = off)', apply: (v, c, u) => (c.cpuLimitPercent = num('cpu-limit', v, u, true)) },
  'cpu-action': { describe: 'At the CPU limit: NoAction, KillW3wp, Throttle, ThrottleUnderLoad', apply: (v, c) => (c.cpuAction = v as PoolSettings['cpuAction']) },
  'cpu-reset-interval': { describe: 'CPU accounting reset interval (e.g. 5m)', apply: (v, c) => (c.cpuResetInterval = v) },
  'idle-timeout': { describe: 'Idle time-out (0s = off; e.g. 20m)', apply: (v, c) => (c.idleTimeout = v) },
  'idle-action': { describe: 'At the idle time-out: Terminate or Suspend', apply: (v, c) => (c.idleTimeoutAction = v as PoolSettings['idleTimeoutAction']) },
  'start-mode': { describe: 'OnDemand or AlwaysRunning', apply: (v, c) => (c.startMode = v as PoolSettings['startMode']) },
  'auto-start': { describe: 'Start the pool with IIS: on or off', apply: (v, c, u) => (c.autoStart = onOff('auto-start', v, u)) },
  'startup-time-limit': { describe: 'Startup time limit (e.g. 90s)', apply: (v, c) => (c.startupTimeLimit = v) },
  'shutdown-time-limit': { describe: 'Shutdown time limit (e.g. 90s)', apply: (v, c) => (c.shutdownTimeLimit = v) },
};

export const SETTING_OPTIONS = Object.keys(OPTIONS);

function num(name: string, v: string, usage: string, decimals = false): number {
  const t = v.trim();
  if (!(decimals ? /^\d+(\.\d+)?$/ : /^\d+$/).test(t)) throw new UsageError(`--${name} must be a ${decimals ? 'number' : 'whole number'}; got ${JSON.stringify(v)}.`, usage);
  return Number(t);
}

function onOff(name: string, v: string, usage: string): boolean {
  const t = v.trim().toLowerCase();
  if (['on', 'true', 'yes'].includes(t)) return true;
  if (['off', 'false', 'no'].includes(t)) return false;
  throw new UsageError(`--${name} must be on or off; got ${JSON.stringify(v)}.`, usage);
}

function rapidFail(v: string, c: PoolSettingsChanges, usage: string): void {
  const t = v.trim().toLowerCase();
  if (t === 'on' || t === 'off') {
    c.rapidFailProtection = t === 'on';
    return;
  }
  const m = /^(\d+)\/(.+)$/.exec(v.trim());
  if (!m) throw new UsageError(`--rapid-fail must be N/DURATION (e.g. 5/5m), on or off; got ${JSON.stringify(v)}.`, usage);
  c.rapidFailProtection = true;
  c.rapidFailMaxCrashes = Number(m[1]);
  c.rapidFailInterval = m[2];
}

export function addSettingOptions(y: Argv): Argv {
  let b = y;
  for (const [name, o] of Object.entries(OPTIONS)) b = b.option(name, { type: 'string', requiresArg: true, describe: `pool set: ${o.describe}` });
  return b;
}

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The settings options given on the command line. */
export function givenSettingOptions(args: Record<string, unknown>): string[] {
  return SETTING_OPTIONS.filter((o) => args[camel(o)] !== undefined);
}

export function runPoolSettings(ctx: Context, args: Args<{ action: string; names?: string[] }>, usage = POOL_SETTINGS_USAGE): Promise<ExitCode> {
  const names = (args.names ?? []).map(String);
  if (names.length !== 1) throw new UsageError(`pool ${args.action} takes exactly one pool name.`, usage);
  const name = names[0];
  const given = givenSettingOptions(args);
  if (args.action === 'show') {
    if (given.length || args.dryRun) throw new UsageError('pool show takes no setting options.', usage);
    return forEachHost(ctx, {
      run: async (iis) => ({ settings: await iis.appPools.settings(name), attributes: SETTING_NAMES.map((k) => iis.appPools.attributeOf(k)) }),
      human: (r) => renderSettings(ctx.out, r.settings, r.attributes),
      json: (r) => r.settings,
    });
  }
  if (given.length === 0) throw new UsageError('pool set needs at least one setting option.', usage);
  const changes: PoolSettingsChanges = {};
  for (const o of given) OPTIONS[o].apply(String(single(o, args[camel(o)] as string | string[], usage)), changes, usage);
  if (args.dryRun) return forEachHost(ctx, { run: (iis) => iis.appPools.planConfigure(name, changes), human: (p) => renderPlan(ctx.out, p) });
  return forEachHost(ctx, { run: (iis) => iis.appPools.configure(name, changes), human: (r) => renderResult(ctx.out, r) });
}

export function formatSetting(key: SettingName, v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.join(', ') : 'none';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (key === 'cpuLimitPercent') return v === 0 ? '0 (off)' : `${v} %`;
  return String(v);
}

/** attributes: the IIS attribute of each of SETTING_NAMES, in its order. */
function renderSettings(out: Output, s: PoolSettings, attributes: readonly string[]): void {
  out.line(`Application pool ${s.name}`);
  const rows = SETTING_NAMES.map((k, i) => [k, formatSetting(k, s[k]), attributes[i]]);
  for (const l of table(['SETTING', 'VALUE', 'IIS ATTRIBUTE'], rows)) out.line(l);
}

function renderResult(out: Output, r: PoolConfigureResult): void {
  if (!r.changed) {
    out.line(`${r.pool} on ${r.host}: already so, nothing changed (${r.unchanged.join(', ')}).`);
    return;
  }
  const rows = r.changes.map((c) => [c.setting, formatSetting(c.setting, c.before), formatSetting(c.setting, c.after)]);
  for (const l of table(['SETTING', 'BEFORE', 'AFTER (read back)'], rows)) out.line(l);
  if (r.unchanged.length) out.line(`Already so: ${r.unchanged.join(', ')}`);
}

function renderPlan(out: Output, p: PoolConfigurePlan): void {
  out.line(`Dry run on ${p.host}: pool set ${p.pool} would change ${p.changes.length ? p.changes.map((c) => `${c.setting} ${formatSetting(c.setting, c.before)} -> ${formatSetting(c.setting, c.after)}`).join('; ') : 'nothing'}. Nothing was changed.`);
  p.steps.forEach((step, i) => {
    out.line('');
    out.line(`${i + 1}. ${step.description}`);
    for (const l of step.script.split(/\r?\n/)) out.line(`     ${l}`);
  });
}
