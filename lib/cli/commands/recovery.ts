/**
 * `iisctl recovery show|enable|disable [SERVICE...]`: Automatic Restart of IISADMIN, WAS and W3SVC
 * (SCM recovery actions through sc.exe; library: iis.recovery).
 */
import { RECOVERY_SERVICES, type ServiceRecoveryInfo, type RecoveryChangeResult } from '../../index';
import { DEFAULTS } from '../../defaults';
import { renderSteps } from '../views';
import { forEachHost, Runtime, UsageError } from '../context';
import { CliCommand, handler } from '../handler';
import { Output, table } from '../render';
import { cliNumber } from '../validate';
import { LIMITS } from '../../limits';

export const RECOVERY_USAGE = `iisctl recovery show|enable|disable [${RECOVERY_SERVICES.join('|')}]... [--delay SECONDS] [--reset SECONDS] [--dry-run]`;

interface RecoveryArgs {
  action: string;
  services?: string[];
  delay?: number;
  reset?: number;
}

export const recoveryCommand = (runtime: Runtime): CliCommand => ({
  builder: (y) =>
    y
      .positional('action', { choices: ['show', 'enable', 'disable'] })
      .positional('services', { type: 'string', array: true, describe: `${RECOVERY_SERVICES.join(', ')} (default: all)` })
      .option('delay', { type: 'number', requiresArg: true, describe: `enable: seconds before each restart (default ${DEFAULTS.recoveryDelayMs / 1000})` })
      .option('reset', { type: 'number', requiresArg: true, describe: `enable: seconds without failure before the failure count resets (default ${DEFAULTS.recoveryResetSeconds})` }),
  run: handler<RecoveryArgs>(runtime, (a) => `recovery ${a.action}`, RECOVERY_USAGE, (ctx, args) => {
    const services = (args.services ?? []).map(String);
    for (const s of services) if (!RECOVERY_SERVICES.some((r) => r.toLowerCase() === s.toLowerCase())) throw new UsageError(`${JSON.stringify(s)} is not one of ${RECOVERY_SERVICES.join(', ')}.`, RECOVERY_USAGE);
    const list = services.length ? services : [...RECOVERY_SERVICES];
    const delay = cliNumber('delay', args.delay, LIMITS.recoveryDelaySeconds, RECOVERY_USAGE);
    const reset = cliNumber('reset', args.reset, LIMITS.recoveryResetSeconds, RECOVERY_USAGE);
    if (args.action !== 'enable' && (delay !== undefined || reset !== undefined)) throw new UsageError('--delay and --reset apply to recovery enable only.', RECOVERY_USAGE);
    if (args.action === 'show') {
      if (args.dryRun) throw new UsageError('recovery show changes nothing; --dry-run does not apply.', RECOVERY_USAGE);
      return forEachHost(ctx, { run: (iis) => iis.recovery.show(list), human: (r) => renderRecovery(ctx.out, r) });
    }
    const action = args.action as 'enable' | 'disable';
    const options = { delayMs: delay === undefined ? undefined : delay * 1000, resetSeconds: reset };
    if (args.dryRun) {
      return forEachHost(ctx, {
        run: (iis) => iis.recovery.plan(action, list, options),
        human: (steps) => renderSteps(ctx.out, `Dry run: recovery ${action} of ${list.join(', ')} would run these steps. Nothing was changed.`, steps),
      });
    }
    return forEachHost(ctx, { run: (iis) => (action === 'enable' ? iis.recovery.enable(list, options) : iis.recovery.disable(list)), human: (r) => renderChange(ctx.out, r) });
  }),
});

export function recoveryText(r: ServiceRecoveryInfo): string {
  if (!r.exists) return 'not installed';
  if (r.error) return `unknown (sc.exe exit ${r.error.exitCode})`;
  const actions = r.actions.length ? r.actions.map((a) => (a.type === 'none' ? 'none' : `${a.type} after ${a.delayMs / 1000}s`)).join(', ') : 'no action';
  return `${r.automaticRestart ? 'on' : 'off'} (${actions}; reset after ${r.resetSeconds}s)`;
}

export function renderRecovery(out: Output, list: ServiceRecoveryInfo[]): void {
  const rows = list.map((r) => [r.service, r.exists ? (r.automaticRestart ? out.state('on') : out.state('off')) : '-', recoveryText(r)]);
  for (const l of table(['SERVICE', 'AUTOMATIC RESTART', 'DETAILS'], rows)) out.line(l);
}

function renderChange(out: Output, r: RecoveryChangeResult): void {
  const rows = r.services.map((s) => [s.service, recoveryText(s.before), recoveryText(s.after), s.changed ? 'yes' : 'no (already so)']);
  for (const l of table(['SERVICE', 'BEFORE', 'AFTER (read back)', 'CHANGED'], rows)) out.line(l);
}
