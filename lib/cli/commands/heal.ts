/**
 * `iisctl heal POOL|SITE`: the library's escalation ladder (iis.heal): recycle, restart the pool,
 * then (only with --force) kill its workers, restart IIS, restart IIS forced; it stops at the
 * first rung that leaves the pool verified healthy.
 *
 * No --dry-run: which rung runs depends on the health read after the previous one, so there is
 * no fixed plan to print (`pool recycle NAME --dry-run` shows the first rung's script).
 */
import type { HealRecord, HealResult } from '../../index';
import { DEFAULTS } from '../../defaults';
import { IisctlError, isIisctlError } from '../../errors';
import { forEachHost, Runtime, UsageError } from '../context';
import { CliCommand, handler } from '../handler';
import { duration, Output, table } from '../render';
import { MAX_NAME } from '../poolsAndSites';
import { reason, timeoutSeconds } from '../validate';

export const HEAL_USAGE = 'iisctl heal NAME [--site] [--force] [--timeout S] [--reason TEXT]';

interface HealArgs {
  name: string;
  site?: boolean;
  timeout?: number;
  reason?: string;
  force?: boolean;
}

export const healCommand = (runtime: Runtime): CliCommand => ({
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'Application pool name (or site name with --site)' })
      .option('site', { type: 'boolean', describe: "NAME is a site: heal its root application's pool" })
      .option('force', { type: 'boolean', describe: 'Allow the rungs that kill processes (the pool\'s workers, then a forced IIS restart)' })
      .option('timeout', { type: 'number', requiresArg: true, describe: `Seconds each rung may take, all its steps included (default ${DEFAULTS.healRungTimeoutSeconds})` })
      .option('reason', { type: 'string', requiresArg: true, describe: 'Why, recorded in the audit events' }),
  run: handler<HealArgs>(runtime, 'heal', HEAL_USAGE, (ctx, args) => {
    if (args.dryRun) throw new UsageError('heal has no --dry-run: each rung depends on the health read after the previous one. Try `iisctl pool recycle NAME --dry-run`.', HEAL_USAGE);
    const name = String(args.name);
    if (name.trim() === '') throw new UsageError('The name is empty.', HEAL_USAGE);
    if (name.length > MAX_NAME) throw new UsageError(`The name is longer than ${MAX_NAME} characters (${name.length}).`, HEAL_USAGE);
    const options = { force: args.force === true, timeoutSeconds: timeoutSeconds(args.timeout, HEAL_USAGE), reason: reason(args.reason, HEAL_USAGE) };
    return forEachHost(ctx, {
      takesHostDown: true,
      run: (iis) => iis.heal(args.site ? { site: name } : { pool: name }, options),
      human: (r) => renderHeal(ctx.out, r),
      // A failed heal shows what every rung did too, not only the one-line error.
      humanFailure: (error) => {
        const partial = isIisctlError(error) ? (error as IisctlError<HealRecord>).operation : undefined;
        if (partial?.rungs) renderRungs(ctx.out, partial.rungs);
      },
    });
  }),
});

function renderHeal(out: Output, r: HealResult): void {
  renderRungs(out, r.rungs);
  out.line('');
  out.line(`Application pool ${r.pool} on ${r.host} is healthy after ${r.healedBy} (${duration(r.durationMs)}).`);
}

function renderRungs(out: Output, rungs: HealResult['rungs']): void {
  const rows = rungs.map((g) => [g.rung, g.outcome === 'healthy' ? out.paint('healthy', 'green') : g.outcome === 'failed' ? out.paint('failed', 'red') : g.outcome, g.durationMs ? duration(g.durationMs) : '-', g.detail ?? g.disruption]);
  for (const l of table(['RUNG', 'OUTCOME', 'TIME', 'DETAIL'], rows)) out.line(l);
}
