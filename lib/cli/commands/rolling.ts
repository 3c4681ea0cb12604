/**
 * `iisctl rolling restart|recycle POOL|heal NAME --computer a,b,c ...`: the library's
 * rollingRestart (lib/fleet/rolling.ts): batches, optional drain, act, health gate, stop after
 * more than --max-failures failures. Exit 0 when every host is done; 8 when some are done and some
 * failed or are untouched; when none is done, the first failure's own exit code.
 */
import { LIMITS } from '../../limits';
import { DEFAULTS } from '../../defaults';
import { cliNumber } from '../validate';
import { IisctlError } from '../../errors';
import { healthUrl, rollingRestart, RollingAction, RollingEvent, RollingResult } from '../../index';
import { errorExitCode, errorJson, fleetOf, remoteHosts, reportError, Runtime, UsageError } from '../context';
import { EXIT, ExitCode } from '../exitCodes';
import { CliCommand, handler } from '../handler';
import { duration, Output } from '../render';

export const ROLLING_USAGE =
  `iisctl rolling restart|recycle POOL|heal NAME -c HOST[,HOST...] [--batch ${DEFAULTS.rollingBatch}] [--health URL|HOST=URL]... [--expect ${DEFAULTS.expectStatus}] [--health-timeout S] [--drain S] [--drain-site SITE] [--max-failures ${DEFAULTS.rollingMaxFailures}]`;

interface RollingArgs {
  action: string;
  name?: string;
  batch?: number;
  health?: string[];
  expect?: number;
  healthTimeout?: number;
  drain?: number;
  drainSite?: string;
  maxFailures?: number;
}


/** --health URL (with {host}) or HOST=URL per host. */
export function parseHealth(values: string[] | undefined): string | Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  // No prototype: a host named __proto__ is a key like any other.
  const perHost = Object.create(null) as Record<string, string>;
  let common: string | undefined;
  for (const v of values) {
    const m = /^([^=/:\s]+)=(https?:\/\/.+)$/i.exec(v);
    if (m) perHost[m[1]] = m[2];
    else if (common === undefined) common = v;
    else throw new UsageError('--health without HOST= is given twice: give one URL (it may contain {host}) or one HOST=URL per host.', ROLLING_USAGE);
  }
  if (common !== undefined && Object.keys(perHost).length) throw new UsageError('--health: give either one URL for all hosts or HOST=URL per host, not both.', ROLLING_USAGE);
  return common ?? perHost;
}

export const rollingCommand = (runtime: Runtime): CliCommand => ({
  builder: (y) =>
    y
      .positional('action', { type: 'string', choices: ['restart', 'recycle', 'heal'], describe: 'What to do on each host' })
      .positional('name', { type: 'string', describe: 'Pool (recycle, heal)' })
      .option('batch', { type: 'number', requiresArg: true, describe: `Hosts per batch (default ${DEFAULTS.rollingBatch})` })
      .option('health', { type: 'string', array: true, requiresArg: true, describe: 'Health URL ({host} is replaced) or HOST=URL, repeatable' })
      .option('expect', { type: 'number', requiresArg: true, describe: `Expected HTTP status (default ${DEFAULTS.expectStatus})` })
      .option('health-timeout', { type: 'number', requiresArg: true, describe: `Seconds a host may take to become healthy (default ${DEFAULTS.healthTimeoutMs / 1000})` })
      .option('drain', { type: 'number', requiresArg: true, describe: 'Seconds to wait for the current connections to reach 0 before acting (default: no drain)' })
      .option('drain-site', { type: 'string', requiresArg: true, describe: 'Site whose connections are drained (default: all sites)' })
      .option('max-failures', { type: 'number', requiresArg: true, describe: `Failed hosts tolerated before stopping (default ${DEFAULTS.rollingMaxFailures})` }),
  run: handler<RollingArgs>(runtime, 'rolling', ROLLING_USAGE, async (ctx, args) => {
    // Split, checked and free of duplicates (lib/fleet/hosts.ts); undefined = no --computer.
    const hosts = remoteHosts(ctx);
    if (hosts === undefined) throw new UsageError('rolling needs the hosts: --computer a,b,c (or -c a -c b).', ROLLING_USAGE);
    if (args.dryRun) throw new UsageError('rolling has no --dry-run: each batch depends on the health of the previous one. Try `iisctl restart --dry-run -c HOST`.', ROLLING_USAGE);
    const name = args.name === undefined ? undefined : String(args.name);
    let action: RollingAction;
    if (args.action === 'restart') {
      if (name !== undefined) throw new UsageError('rolling restart takes no name.', ROLLING_USAGE);
      action = { kind: 'restart' };
    } else {
      if (!name || !name.trim()) throw new UsageError(`rolling ${args.action} needs a pool name.`, ROLLING_USAGE);
      action = args.action === 'recycle' ? { kind: 'recycle', pool: name } : { kind: 'heal', target: { pool: name } };
    }
    const healthTimeout = cliNumber('health-timeout', args.healthTimeout, LIMITS.waitSeconds, ROLLING_USAGE);
    const drain = cliNumber('drain', args.drain, LIMITS.waitSeconds, ROLLING_USAGE);
    const out = ctx.out;
    const health = parseHealth(args.health);
    const progress = (e: RollingEvent) => {
      if (ctx.args.json) return;
      if (e.type === 'batch') out.line(`batch ${e.index + 1}: ${e.hosts.join(', ')}`);
      else if (e.type === 'drained') out.line(`  ${e.host}: drained (${e.connections} connection(s) left after ${duration(e.waitedMs)}${e.timedOut ? ', drain time over' : ''})`);
      else if (e.type === 'acted') out.line(`  ${e.host}: ${action.kind} done in ${duration(e.ms)}`);
      // "healthy" only when a health URL was checked for the host.
      else if (e.type === 'done') out.line(`  ${e.host}: ${healthUrl(health, e.host) ? out.paint('healthy', 'green') : 'done (no health gate)'}`);
      else if (e.type === 'failed') reportError(out, e.error, { host: e.host });
      else if (e.type === 'stopped') out.line(`stopped after ${e.failures} failure(s); untouched: ${e.untouched.join(', ') || 'none'}`);
    };
    const rolling = {
      action,
      batch: cliNumber('batch', args.batch, LIMITS.batch, ROLLING_USAGE),
      health,
      // An HTTP status code is 100-599 (RFC 9110, section 15).
      expectStatus: cliNumber('expect', args.expect, LIMITS.expectStatus, ROLLING_USAGE),
      healthTimeoutMs: healthTimeout === undefined ? undefined : healthTimeout * 1000,
      drainMs: drain === undefined ? undefined : drain * 1000,
      drainSite: args.drainSite,
      maxFailures: cliNumber('max-failures', args.maxFailures, LIMITS.maxFailures, ROLLING_USAGE),
      onProgress: progress,
    };
    // The hosts and their connection options are parsed once, into the fleet rolling works through.
    const fleet = fleetOf(ctx, hosts, { concurrency: ctx.checked.parallel });
    let result: RollingResult;
    try {
      result = await rollingRestart(fleet.hosts, { ...rolling, fleet });
    } finally {
      await fleet.close();
    }
    const code = rollingExitCode(result);
    if (ctx.args.json) out.document(rollingJson(result, code, ctx.usage));
    else renderSummary(out, result);
    return code;
  }),
});

export function rollingExitCode(r: RollingResult): ExitCode {
  if (r.ok) return EXIT.OK;
  if (r.done.length > 0) return EXIT.PARTIAL;
  const first = r.hosts.find((h) => h.status === 'failed');
  return first?.error ? errorExitCode(first.error) : EXIT.FAILED;
}

function rollingJson(r: RollingResult, code: ExitCode, usage: string): Record<string, unknown> {
  return {
    ok: r.ok,
    command: 'rolling',
    action: r.action,
    exitCode: code,
    done: r.done,
    failed: r.failed,
    untouched: r.untouched,
    stoppedEarly: r.stoppedEarly,
    hosts: r.hosts.map((h) => ({ host: h.host, status: h.status, ...(h.phase ? { phase: h.phase } : {}), ...(h.drain ? { drain: h.drain } : {}), ...(h.actionMs !== undefined ? { actionMs: h.actionMs } : {}), ...(h.health ? { health: h.health } : {}), ...(h.error ? { error: errorJson(h.error as IisctlError, usage) } : {}) })),
    ...(r.ok ? {} : { error: { code: r.done.length ? 'PARTIAL' : 'FAILED', message: `${r.failed.length} host(s) failed (${r.failed.join(', ')}); ${r.untouched.length} untouched${r.untouched.length ? ` (${r.untouched.join(', ')})` : ''}.`, exitCode: code, failed: r.failed, untouched: r.untouched } }),
  };
}

function renderSummary(out: Output, r: RollingResult): void {
  out.line('');
  out.line(`done: ${r.done.join(', ') || 'none'}`);
  if (r.failed.length) out.line(`failed: ${r.failed.join(', ')}`);
  if (r.untouched.length) out.line(`untouched: ${r.untouched.join(', ')}`);
}
