/**
 * stop, start and restart: option parsing, --dry-run, and rendering around the library's
 * iis.stop/start/restart. iisreset defaults (docs/sources.md §1.2): forcing is the iisreset
 * translation's business (it adds --force unless /NOFORCE); the timeouts default in the library
 * (lib/defaults.ts).
 */
import type { RestartOptions, ServiceOperationResult } from '../index';
import { DEFAULTS } from '../defaults';
import { forEachHost, Runtime, targets, UsageError } from './context';
import { CliCommand, handler } from './handler';
import { reason, timeoutSeconds } from './validate';
import { leftStoppedLine, Narration, renderOperation, renderPlan } from './views';

type Action = ServiceOperationResult['action'];

export interface OperationArgs {
  timeout?: number;
  force?: boolean;
  backup?: boolean;
  reason?: string;
  rebootOnError?: boolean;
}

export const OPERATION_USAGE: Record<Action, string> = {
  stop: 'iisctl stop [--timeout S] [--force [--no-backup]] [--reason TEXT] [--dry-run] [-c HOST]...',
  start: 'iisctl start [--timeout S] [--reason TEXT] [--dry-run] [-c HOST]...',
  restart: 'iisctl restart [--timeout S] [--force [--no-backup]] [--reason TEXT] [--reboot-on-error --yes] [--dry-run] [-c HOST]...',
};

export function operationCommand(runtime: Runtime, action: Action): CliCommand {
  const usage = OPERATION_USAGE[action];
  return {
    builder: (y) => {
      let b = y
        .option('timeout', { type: 'number', requiresArg: true, describe: `Seconds to wait for the ${action === 'start' ? 'start' : 'stop'} (default ${action === 'restart' ? DEFAULTS.restartStopTimeoutSeconds : action === 'stop' ? DEFAULTS.stopTimeoutSeconds : DEFAULTS.startTimeoutSeconds})` })
        .option('reason', { type: 'string', requiresArg: true, describe: 'Why, recorded in the audit event on the host' });
      if (action !== 'start') {
        b = b
          .option('force', { type: 'boolean', default: false, describe: action === 'stop' ? 'On timeout, back up the IIS configuration and terminate the IIS processes; their Automatic Restart is suspended until iisctl start' : 'On timeout, back up the IIS configuration and terminate the IIS processes' })
          .option('backup', { type: 'boolean', default: true, describe: 'With --force: back up the IIS configuration first (--no-backup: terminate without one)' });
      }
      // Accepted everywhere so that stop/start get a clear message instead of "unknown argument".
      b = b.option('reboot-on-error', { type: 'boolean', default: false, describe: action === 'restart' ? 'Reboot the computer if the stop or start fails (needs --yes)' : 'Only with restart', hidden: action !== 'restart' });
      return b;
    },
    run: handler<OperationArgs>(runtime, action, usage, async (ctx, args) => {
      const options: RestartOptions = {
        timeoutSeconds: timeoutSeconds(args.timeout, usage),
        reason: reason(args.reason, usage),
        force: args.force === true,
        skipBackup: args.backup === false,
      };
      if (args.rebootOnError) {
        if (action !== 'restart') throw new UsageError(`--reboot-on-error (iisreset /REBOOTONERROR) is supported with restart only, not with ${action}.`, usage);
        if (!args.yes) throw new UsageError('--reboot-on-error can reboot the computer: add --yes to confirm.', usage);
        options.rebootOnError = true;
      }
      if (args.dryRun) {
        return forEachHost(ctx, {
          run: async (iis) => ({ plan: await iis.plan(action, options), restartsEnabled: await iis.isEnabled() }),
          human: (r) => renderPlan(ctx.out, r.plan, r.restartsEnabled),
        });
      }
      // One host: live narration, iisreset style. Several hosts (one after another, or with
      // --parallel at once): no interleaved narration, each result is printed under its header.
      const several = targets(ctx).length > 1;
      const narrations = new Map<string, Narration>();
      return forEachHost(ctx, {
        takesHostDown: action !== 'start',
        run: async (iis, host) => {
          const narration = new Narration(ctx.out, action, host);
          if (!several) {
            narrations.set(host, narration);
            narration.begin();
          }
          const call = { ...options, onProgress: narration.onProgress };
          try {
            return await (action === 'stop' ? iis.stop(several ? options : call) : action === 'start' ? iis.start(several ? options : call) : iis.restart(several ? options : call));
          } catch (error) {
            if (!several) narration.fail();
            throw error;
          }
        },
        human: (r, host) => {
          if (several) ctx.out.say(`Internet services successfully ${action === 'stop' ? 'stopped' : action === 'start' ? 'started' : 'restarted'}`);
          else narrations.get(host)?.end();
          if (!args.iisreset) renderOperation(ctx.out, r);
          else if (r.leftStopped?.length) ctx.out.line(leftStoppedLine(r.leftStopped));
        },
      });
    }),
  };
}
