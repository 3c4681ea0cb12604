/** `iisctl enable` (iisreset /ENABLE, docs/sources.md §1.8): allow restarts on the host again. */
import { forEachHost, Runtime } from '../context';
import { CliCommand, handler } from '../handler';
import { renderPlan } from '../views';

export const ENABLE_USAGE = 'iisctl enable [--dry-run] [-c HOST]...';

export const enableCommand = (runtime: Runtime): CliCommand => ({
  run: handler(runtime, 'enable', ENABLE_USAGE, (ctx, args) =>
    args.dryRun
      ? forEachHost(ctx, { run: (iis) => iis.plan('enable'), human: (plan) => renderPlan(ctx.out, plan) })
      : forEachHost(ctx, {
          run: (iis) => iis.enable(),
          human: (_state, host) => ctx.out.line(`Restarts ${ctx.out.state('enabled')} on ${host}.`),
        }),
  ),
});
