/**
 * `iis.advise()` / `iisctl advise`: what to change instead of resetting IIS, each finding
 * with its evidence and the exact iisctl command that fixes it. Read-only.
 *
 * Rules (docs/sources.md §7, §2.1, §2.2; thresholds are iisctl's own):
 * - rapid-fail-off: a pool with failure/@rapidFailProtection false (§7.3: default true, 5 in 5 min);
 * - overlapping-recycle-off: recycling/@disallowOverlappingRotation true (§7.4: a recycle leaves a gap);
 * - no-recycle-schedule: a pool that crashed or leaked in the window (WAS 5009, 5002, 5117) and has
 *   no scheduled recycle (recycling/periodicRestart/schedule empty);
 * - no-automatic-restart: IISADMIN, WAS or W3SVC without a restart on the first failure (§3.7, §7.1);
 * - iisreset-often: IISReset 3201/3202 events at least `iisresetThreshold` times in the window
 *   (§2.1) while restarts are enabled (the fix blocks them: iisctl disable);
 * - shutdown-time-limit-exceeded: WAS 5013 (KB 2634635) for a pool whose processModel/@shutdownTimeLimit is
 *   still below twice the default (00:03:00).
 */
import { checkNumbers, LIMITS } from '../limits';
import { DEFAULTS } from '../defaults';
import { readAppPools } from '../scripts/appPools';
import { readRecovery, ServiceRecoveryInfo } from '../scripts/recovery';
import { formatTimeSpan, PoolSettings, readPoolSettings, timeSpanSeconds } from '../scripts/settings';
import { AdviseEvent, IISRESET_IDS, readAdviseEvents } from '../scripts/settings-advise';
import { readToggle } from '../scripts/toggle';
import type { WebOperations } from './webOperations';

export type FindingId = 'rapid-fail-off' | 'overlapping-recycle-off' | 'no-recycle-schedule' | 'no-automatic-restart' | 'iisreset-often' | 'shutdown-time-limit-exceeded';

export interface Finding {
  id: FindingId;
  severity: 'warning' | 'info';
  /** The pool or service concerned ("host" for host-wide findings). */
  target: string;
  title: string;
  evidence: string[];
  fix: {
    /** The exact command line. */
    command: string;
    /** The same as an argument vector (for automation). */
    argv: string[];
    description: string;
  };
}

export interface AdviseOptions {
  /** Days of events to look at. Default: DEFAULTS.adviseDays. */
  days?: number;
  /** IISReset commands in the window that count as "often". Default: DEFAULTS.iisresetThreshold. */
  iisresetThreshold?: number;
}

export interface AdviseResult {
  host: string;
  since: string;
  days: number;
  findings: Finding[];
  checked: { pools: number; services: string[]; events: number };
}

export const SHUTDOWN_LIMIT_ADVICE = formatTimeSpan(DEFAULTS.adviseShutdownTimeLimitSeconds);

/** Quotes one argument for the command line shown (POSIX shells and PowerShell alike for simple cases). */
export function shellArg(a: string): string {
  return /^[A-Za-z0-9_./:%=,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

function fix(argv: string[], description: string): Finding['fix'] {
  return { command: ['iisctl', ...argv].map(shellArg).join(' '), argv, description };
}

export class Advisor {
  constructor(private readonly ops: WebOperations) {}

  async advise(options: AdviseOptions = {}): Promise<AdviseResult> {
    const days = options.days ?? DEFAULTS.adviseDays;
    const threshold = options.iisresetThreshold ?? DEFAULTS.iisresetThreshold;
    checkNumbers([
      ['days', options.days, LIMITS.adviseDays],
      ['iisresetThreshold', options.iisresetThreshold, LIMITS.iisresetThreshold],
    ]);
    const since = new Date(this.ops.clock.now() - days * 86_400_000);
    const inventory = await this.ops.run(readAppPools());
    const settings: PoolSettings[] = [];
    for (const p of inventory.pools) {
      const s = await this.ops.run(readPoolSettings(p.name));
      if (s) settings.push(s);
    }
    const recovery = await this.ops.run(readRecovery());
    const events = await this.ops.run(readAdviseEvents(since));
    const toggle = await this.ops.run(readToggle());
    const findings = [...poolFindings(settings, events, days), ...recoveryFindings(recovery), ...resetFindings(events, days, threshold, toggle.enabled)];
    return { host: this.ops.host, since: since.toISOString(), days, findings, checked: { pools: settings.length, services: recovery.filter((r) => r.exists).map((r) => r.service), events: events.length } };
  }
}

const poolOf = (e: AdviseEvent) => (e.properties[0] ?? '').toLowerCase();

function poolFindings(pools: PoolSettings[], events: AdviseEvent[], days: number): Finding[] {
  const out: Finding[] = [];
  for (const p of pools) {
    const mine = events.filter((e) => e.id !== 3201 && e.id !== 3202 && poolOf(e) === p.name.toLowerCase());
    const count = (id: number) => mine.filter((e) => e.id === id).length;
    if (!p.rapidFailProtection) {
      out.push({ id: 'rapid-fail-off', severity: 'warning', target: p.name, title: `Rapid-fail protection is off for ${p.name}`, evidence: ['failure/@rapidFailProtection = false (IIS default: true, 5 failures in 5 minutes)', ...(count(5009) ? [`${count(5009)} worker crash(es) (WAS 5009) in the last ${days} day(s)`] : [])], fix: fix(['pool', 'set', p.name, '--rapid-fail', '5/5m'], 'Turn rapid-fail protection on: after 5 crashes in 5 minutes the pool is stopped (503) instead of crash-looping.') });
    }
    if (!p.overlappingRecycle) {
      out.push({ id: 'overlapping-recycle-off', severity: 'warning', target: p.name, title: `Recycles of ${p.name} leave a gap`, evidence: ['recycling/@disallowOverlappingRotation = true: the old worker stops before the new one starts'], fix: fix(['pool', 'set', p.name, '--overlapping-recycle', 'on'], 'Overlapped recycling: the new worker starts before the old one stops, so requests keep being served.') });
    }
    const trouble = count(5009) + count(5002) + count(5117);
    if (trouble > 0 && p.recycleSchedule.length === 0) {
      const ev = [count(5009) && `${count(5009)} worker crash(es) (WAS 5009)`, count(5002) && `${count(5002)} rapid-fail shutdown(s) (WAS 5002)`, count(5117) && `${count(5117)} private-memory recycle(s) (WAS 5117)`].filter(Boolean) as string[];
      out.push({ id: 'no-recycle-schedule', severity: 'warning', target: p.name, title: `${p.name} crashes or leaks and has no recycle schedule`, evidence: [...ev.map((e) => `${e} in the last ${days} day(s)`), 'recycling/periodicRestart/schedule is empty'], fix: fix(['pool', 'set', p.name, '--recycle-at', '03:00'], 'Recycle the pool every night at 03:00 (overlapped) instead of resetting IIS when it degrades.') });
    }
    const limit = timeSpanSeconds(p.shutdownTimeLimit) ?? 0;
    if (count(5013) > 0 && limit < DEFAULTS.adviseShutdownTimeLimitSeconds) {
      out.push({ id: 'shutdown-time-limit-exceeded', severity: 'warning', target: p.name, title: `Workers of ${p.name} exceeded their shutdown time limit`, evidence: [`${count(5013)} WAS 5013 event(s) in the last ${days} day(s)`, `processModel/@shutdownTimeLimit = ${formatTimeSpan(limit)}`], fix: fix(['pool', 'set', p.name, '--shutdown-time-limit', SHUTDOWN_LIMIT_ADVICE], 'Give workers more time to finish requests before they are terminated on a recycle or stop.') });
    }
  }
  return out;
}

function recoveryFindings(recovery: ServiceRecoveryInfo[]): Finding[] {
  return recovery
    .filter((r) => r.exists && !r.error && !r.automaticRestart)
    .map((r) => ({
      id: 'no-automatic-restart' as const,
      severity: 'warning' as const,
      target: r.service,
      title: `${r.service} is not restarted automatically after a failure`,
      evidence: [r.actions.length ? `sc.exe qfailure ${r.service}: first action ${r.actions[0].type.toUpperCase()}` : `sc.exe qfailure ${r.service}: no FAILURE_ACTIONS`],
      fix: fix(['recovery', 'enable', r.service], 'Restart the service after the first, second and subsequent failures (1 minute delay), so a crash does not need an iisreset.'),
    }));
}

function resetFindings(events: AdviseEvent[], days: number, threshold: number, enabled: boolean): Finding[] {
  const resets = events.filter((e) => IISRESET_IDS.includes(e.id));
  const starts = resets.filter((e) => e.id === 3201).length;
  const stops = resets.filter((e) => e.id === 3202).length;
  const runs = Math.max(starts, stops);
  if (runs < threshold || !enabled) return [];
  return [
    {
      id: 'iisreset-often',
      severity: 'warning',
      target: 'host',
      title: `iisreset was run ${runs} time(s) in the last ${days} day(s)`,
      evidence: [`${starts} IISReset start (3201) and ${stops} stop (3202) event(s)`, 'A reset stops every site and pool; the findings above fix the causes one pool at a time.'],
      fix: fix(['disable', '--reason', 'Use iisctl pool recycle NAME instead of resetting IIS (iisctl advise)'], 'Block whole-IIS restarts through iisctl until the causes are fixed; recycle single pools instead.'),
    },
  ];
}
