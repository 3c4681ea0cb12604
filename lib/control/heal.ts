/**
 * `iis.heal(target)`: the escalation ladder (no peer tool chains these steps: docs/sources.md §U18). The least
 * disruptive step first, each with its own time budget, stopping at the first that leaves the
 * target verified healthy:
 *   recycle -> stop/start the pool -> kill that pool's workers (force only)
 *   -> restart IIS without force -> restart IIS with force (force only).
 * Microsoft's advice is to restart a single pool or site before resetting IIS
 * (docs/sources.md §1.11, §U12). The result names the rung that worked and what every rung cost.
 */
import { HINTS } from '../hints';
import { readAppPools, readPoolStates, PoolState } from '../scripts/appPools';
import { EventRecord } from '../scripts/events';
import { killProcesses } from '../scripts/processes';
import { IisctlError, invalidArgument, isIisctlError } from '../errors';
import { checkNumber, LIMITS } from '../limits';
import { DEFAULTS } from '../defaults';
import { AppPoolController } from './appPools';
import { validateTargetName } from './selectors';
import { SurgicalResult, WebOperations } from './webOperations';

export const HEAL_RUNGS = ['recycle', 'restart-pool', 'kill-workers', 'restart-iis', 'restart-iis-force'] as const;
export type HealRung = (typeof HEAL_RUNGS)[number];

/** A pool by name, or a site (its root application's pool). */
export type HealTarget = string | { pool: string } | { site: string };

export interface HealOptions {
  /** Allows the rungs that kill: the pool's workers, then a forced IIS restart. */
  force?: boolean;
  reason?: string;
  /** Budget of every rung, each step within it included (an IIS restart: half for the stop, the rest for the start). Default: DEFAULTS.healRungTimeoutSeconds. */
  timeoutSeconds?: number;
  /** Budget per rung, overriding timeoutSeconds. */
  rungTimeoutSeconds?: Partial<Record<HealRung, number>>;
  /**
   * Extra health check after each rung (e.g. an HTTP probe of the site). The pool must also read
   * Started, with a worker when its startMode is AlwaysRunning.
   */
  healthy?: (pool: PoolState) => boolean | Promise<boolean>;
}

/** What a heal did, as far as it got: its result, or the record on the error it failed with (no rung healed). */
export type HealRecord = Omit<HealResult, 'healedBy'> & { healedBy?: HealRung };

export interface RungRecord {
  rung: HealRung;
  outcome: 'healthy' | 'unhealthy' | 'failed' | 'skipped';
  durationMs: number;
  /** Why it was skipped, or the error of the step. */
  detail?: string;
  errorCode?: string;
  /** What the step disrupts. */
  disruption: string;
}

export interface HealResult {
  pool: string;
  host: string;
  /** The rung that left the pool verified healthy. */
  healedBy: HealRung;
  rungs: RungRecord[];
  durationMs: number;
  events: EventRecord[];
}

const DISRUPTION: Record<HealRung, string> = {
  recycle: 'overlapped recycle of one pool: in-flight requests finish on the old worker',
  'restart-pool': 'one pool stopped and started: its requests fail meanwhile',
  'kill-workers': "the pool's worker processes terminated: their in-flight requests are lost",
  'restart-iis': 'every site and pool on the host stopped and started gracefully',
  'restart-iis-force': 'every site and pool on the host; IIS processes terminated if they do not stop',
};

export class Healer {
  constructor(
    private readonly ops: WebOperations,
    private readonly pools: AppPoolController,
  ) {}

  heal(target: HealTarget, options: HealOptions = {}): Promise<HealResult> {
    try {
      // Before the lock and any round trip: a name that can never be sent is INVALID_ARGUMENT.
      if (typeof target === 'object' && target !== null && 'site' in target) validateTargetName(target.site, 'site');
      else validateTargetName(typeof target === 'string' ? target : target?.pool, 'application pool');
      checkNumber('timeoutSeconds', options.timeoutSeconds, LIMITS.timeoutSeconds);
      for (const [rung, seconds] of Object.entries(options.rungTimeoutSeconds ?? {})) {
        if (!(HEAL_RUNGS as readonly string[]).includes(rung)) throw invalidArgument(`rungTimeoutSeconds: no rung named ${JSON.stringify(rung)} (rungs: ${HEAL_RUNGS.join(', ')}).`);
        checkNumber(`rungTimeoutSeconds.${rung}`, seconds, LIMITS.timeoutSeconds);
      }
    } catch (e) {
      return Promise.reject(e);
    }
    let pool = '';
    const rungs: RungRecord[] = [];
    // In the frame: refused while restarts are disabled; no audit event of its own (each rung's
    // operation writes its own); the record (rungs so far) on the error it fails with.
    return this.ops.operation({
      action: 'heal',
      reason: options.reason,
      guarded: true,
      audit: false,
      events: () => [],
      body: async () => {
        pool = await this.resolve(target);
        return this.ladder(pool, rungs, options);
      },
      record: (frame, healedBy, _read, events): HealRecord => ({ pool, host: this.ops.host, healedBy, rungs, durationMs: this.ops.clock.now() - frame.started, events }),
      verify: (record) => {
        if (record.healedBy) return;
        throw new IisctlError('FAILED', `Application pool ${JSON.stringify(pool)} is still not healthy after ${rungs.filter((r) => r.outcome !== 'skipped').map((r) => r.rung).join(', ')}.`, {
          host: this.ops.host,
          hint: healHint(rungs, options),
        });
      },
    }) as Promise<HealResult>;
  }

  /** Climbs the rungs until one leaves the pool healthy: that rung, or undefined when none did. */
  private async ladder(pool: string, rungs: RungRecord[], options: HealOptions): Promise<HealRung | undefined> {
    const budget = (rung: HealRung) => options.rungTimeoutSeconds?.[rung] ?? options.timeoutSeconds ?? DEFAULTS.healRungTimeoutSeconds;
    for (const rung of HEAL_RUNGS) {
      const t = this.ops.clock.now();
      if ((rung === 'kill-workers' || rung === 'restart-iis-force') && !options.force) {
        rungs.push({ rung, outcome: 'skipped', durationMs: 0, detail: 'needs force', disruption: DISRUPTION[rung] });
        continue;
      }
      let error: unknown;
      try {
        await this.climb(rung, pool, budget(rung), options);
      } catch (e) {
        error = e;
      }
      // A rung whose own step failed (e.g. IIS left in StopPending) does not count, whatever the pool reads.
      const healthy = !error && (await this.isHealthy(pool, options).catch(() => false));
      const record: RungRecord = {
        rung,
        outcome: error ? 'failed' : healthy ? 'healthy' : 'unhealthy',
        durationMs: this.ops.clock.now() - t,
        detail: error ? (error as Error).message : undefined,
        errorCode: error instanceof IisctlError ? error.code : undefined,
        disruption: DISRUPTION[rung],
      };
      rungs.push(record);
      this.ops.logStep(undefined, { step: `heal ${pool}: ${rung}`, outcome: record.outcome === 'healthy' ? 'ok' : record.outcome, durationMs: record.durationMs, detail: record.detail });
      if (healthy) return rung;
      // Interrupted (Ctrl-C, a signal, close()) or the session is gone: climbing on would start
      // the next, more disruptive rung after the caller asked to stop.
      if (isIisctlError(error, 'CANCELLED') || this.ops.sessionLost) throw error;
    }
    return undefined;
  }

  private async resolve(target: HealTarget): Promise<string> {
    const inventory = await this.ops.run(readAppPools());
    if (typeof target === 'object' && 'site' in target) {
      const site = inventory.sites.find((s) => s.name.toLowerCase() === target.site.toLowerCase());
      if (!site) throw new IisctlError('NOT_FOUND', `No site named ${JSON.stringify(target.site)} on ${this.ops.host}.`, { host: this.ops.host });
      const root = site.applications[0]?.applicationPool;
      if (!root) throw invalidArgument(`Site ${JSON.stringify(site.name)} has no application pool.`);
      return root;
    }
    const name = typeof target === 'string' ? target : target.pool;
    const pool = inventory.pools.find((p) => p.name.toLowerCase() === name.toLowerCase());
    if (!pool) {
      // Same NOT_FOUND (with close matches) as the pool operations.
      await this.pools.plan('start', name);
    }
    return pool ? pool.name : name;
  }

  private async climb(rung: HealRung, pool: string, seconds: number, options: HealOptions): Promise<SurgicalResult | unknown> {
    const opts = { timeoutSeconds: seconds, reason: options.reason ?? `iisctl heal (${rung})` };
    // What is left of the rung's budget, for the steps after the first.
    const deadline = this.ops.clock.now() + seconds * 1000;
    const leftMs = () => Math.max(0, deadline - this.ops.clock.now());
    switch (rung) {
      case 'recycle':
        return this.pools.recycle(pool, opts);
      case 'restart-pool':
        await this.pools.stop(pool, opts);
        return this.pools.start(pool, { ...opts, timeoutSeconds: Math.max(1, leftMs() / 1000) });
      case 'kill-workers': {
        const [state] = await this.ops.run(readPoolStates([pool]));
        if (state.workerProcessIds.length) await this.ops.run(killProcesses(state.workerProcessIds));
        return this.pools.start(pool, opts);
      }
      case 'restart-iis':
      case 'restart-iis-force':
        // One budget for stop and start: the stop (the phase that hangs, cut short by the kill with
        // force) gets half of it; the restart's start phase and the pool's start get what is left.
        await this.ops.services.restart({ timeoutSeconds: seconds / 2, force: rung === 'restart-iis-force', reason: opts.reason }, leftMs);
        return this.pools.start(pool, { ...opts, timeoutSeconds: Math.max(1, leftMs() / 1000) });
    }
  }

  private async isHealthy(pool: string, options: HealOptions): Promise<boolean> {
    const inventory = await this.ops.run(readAppPools());
    const info = inventory.pools.find((p) => p.name === pool);
    if (!info || info.state !== 'Started') return false;
    if (info.startMode === 'AlwaysRunning' && info.workerProcessIds.length === 0) return false;
    if (!options.healthy) return true;
    return options.healthy({ name: info.name, exists: true, state: info.state, workerProcessIds: info.workerProcessIds });
  }
}

/**
 * Why the ladder did not work: a rung whose own step failed names the real cause (IIS that does
 * not start, a service that is disabled, ...); only when every rung ran and the pool still reads
 * unhealthy is the application itself suspected. Library wording: the CLI words the same advice.
 */
export function healHint(rungs: RungRecord[], options: HealOptions): string {
  const lastFailed = [...rungs].reverse().find((r) => r.outcome === 'failed');
  if (lastFailed) return `The last rung that ran, ${lastFailed.rung}, failed: ${lastFailed.detail ?? lastFailed.errorCode ?? 'unknown error'}`;
  if (!options.force) return HINTS.healNeedsForce;
  return 'Every rung ran and the pool is still unhealthy: look at the events in the result; the application itself may be failing.';
}
