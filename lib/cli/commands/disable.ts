/**
 * `iisctl disable` (iisreset /DISABLE, docs/sources.md §1.8): block stop and restart on the host,
 * for every iisctl (the toggle lives on the host), with who, when and why.
 */
import { forEachHost, Runtime } from '../context';
import { CliCommand, handler } from '../handler';
import { reason } from '../validate';
import { renderPlan } from '../views';

export const DISABLE_USAGE = 'iisctl disable [--reason TEXT] [--dry-run] [-c HOST]...';

export const disableCommand = (runtime: Runtime): CliCommand => ({
  builder: (y) => y.option('reason', { type: 'string', requiresArg: true, describe: 'Why, shown to whoever tries to restart' }),
  run: handler<{ reason?: string }>(runtime, 'disable', DISABLE_USAGE, (ctx, args) => {
    const why = reason(args.reason, DISABLE_USAGE);
    return args.dryRun
      ? forEachHost(ctx, { run: (iis) => iis.plan('disable', { reason: why }), human: (plan) => renderPlan(ctx.out, plan) })
      : forEachHost(ctx, {
          run: (iis) => iis.disable({ reason: why }),
          human: (state, host) => ctx.out.line(`Restarts ${ctx.out.state('disabled')} on ${host}${state.disabledBy ? ` by ${state.disabledBy}` : ''}${state.reason ? ` (${state.reason})` : ''}.`),
        });
  }),
});
