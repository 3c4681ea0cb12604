/**
 * The one fan-out of iisctl: the same work on several hosts, used by the library's Fleet
 * (connectMany), rollingRestart and the CLI's --computer a,b,c. It knows nothing of IIS nor of
 * connections: a host is a name, the work a function.
 *
 * - Scheduling: a window of at most `concurrency` hosts at once (the next host starts as soon as
 *   one ends), or batches of `batch` hosts (a batch starts when the previous one has ended).
 * - One result per host, in the order given, never one host's failure for all.
 * - Cancellation: once `signal` is aborted no further host is started; hosts already running are
 *   waited for (their operation, which has the same signal, reads the state back and releases its
 *   lock before it ends). A host never started ends CANCELLED with `started: false`.
 * - Failure policy: once more than `maxFailures` hosts have failed, no further host is started
 *   (default: no limit, every host is tried).
 */
import { checkNumber, LIMITS } from '../limits';
import { DEFAULTS } from '../defaults';
import { Clock, realClock } from '../clock';
import { IisctlError, isIisctlError } from '../errors';

/** Hosts worked on at once when the caller does not say (library concurrency, CLI --parallel). */
export const DEFAULT_CONCURRENCY = DEFAULTS.concurrency;
export const MAX_CONCURRENCY = LIMITS.concurrency.max;

/**
 * One host's outcome. `started: false` on a failure: the host was never worked on (the run was
 * cancelled, or more hosts had failed than the policy tolerates).
 */
export type HostResult<T, E = IisctlError> =
  | { host: string; ok: true; value: T; ms: number }
  | { host: string; ok: false; error: E; ms: number; started: boolean };

export interface FanOutOptions {
  /** Hosts running at once (a sliding window). Default: DEFAULTS.concurrency, or DEFAULTS.hostDownConcurrency with takesHostDown. Ignored when `batch` is given. */
  concurrency?: number;
  /**
   * The work takes a host's IIS (or an application) down: without `concurrency`, one host after
   * another (DEFAULTS.hostDownConcurrency), so that a farm is never down at once by default.
   */
  takesHostDown?: boolean;
  /** Hosts per batch: each batch starts once the previous one has ended. */
  batch?: number;
  /** Failed hosts tolerated: once more have failed, no further host (or batch) starts. Default: no limit. */
  maxFailures?: number;
  /** Once aborted, no further host starts; running hosts are waited for. */
  signal?: AbortSignal;
  /** Called as each batch starts (batch mode only), with its index and hosts. */
  onBatch?: (index: number, hosts: string[]) => void;
  /** What each host's `ms` is measured on (default: real time). */
  clock?: Clock;
}

export function checkConcurrency(value: number | undefined): number {
  if (value === undefined) return DEFAULT_CONCURRENCY;
  checkNumber('concurrency', value, LIMITS.concurrency);
  return value;
}

/**
 * How many hosts at once: what the caller asked for, else one at a time for work that takes a
 * host's IIS (or an application) down, so a farm is never down at once by default, else the default.
 */
export function hostConcurrency(requested: number | undefined, takesHostDown: boolean): number {
  return requested === undefined && takesHostDown ? DEFAULTS.hostDownConcurrency : checkConcurrency(requested);
}

/** Any thrown value as the IisctlError of one host (IisctlErrors are kept as they are). */
export function hostError(e: unknown, host: string): IisctlError {
  if (isIisctlError(e)) return e;
  return new IisctlError('FAILED', e instanceof Error ? e.message : String(e), { host, cause: e instanceof Error ? e : undefined });
}

function notStarted(host: string, cancelled: boolean, failures: number): IisctlError {
  const why = cancelled ? 'the run was cancelled' : `${failures} host(s) failed before it`;
  return new IisctlError('CANCELLED', `${host} was not started: ${why}.`, { host, details: { started: false, reason: cancelled ? 'cancelled' : 'failures' } });
}

/**
 * Runs `work` on every host as the options say; one result per host in the order given.
 * `toError` turns what a host threw into its error (default: hostError); it also receives the
 * CANCELLED error of a host never started.
 */
export async function fanOut<T, E = IisctlError>(
  hosts: readonly string[],
  work: (host: string, index: number) => Promise<T>,
  options: FanOutOptions = {},
  toError: (e: unknown, host: string) => E = hostError as unknown as (e: unknown, host: string) => E,
): Promise<HostResult<T, E>[]> {
  const maxFailures = options.maxFailures ?? Infinity;
  if (options.maxFailures !== undefined) checkNumber('maxFailures', options.maxFailures, LIMITS.maxFailures);
  if (options.batch !== undefined) checkNumber('batch', options.batch, LIMITS.batch);
  const clock = options.clock ?? realClock;
  const results = new Array<HostResult<T, E> | undefined>(hosts.length);
  let failures = 0;
  const mayStart = () => failures <= maxFailures && !options.signal?.aborted;

  const one = async (i: number): Promise<void> => {
    const host = hosts[i];
    const started = clock.now();
    try {
      const value = await work(host, i);
      results[i] = { host, ok: true, value, ms: clock.now() - started };
    } catch (e) {
      failures++;
      results[i] = { host, ok: false, error: toError(e, host), ms: clock.now() - started, started: true };
    }
  };

  if (options.batch !== undefined) {
    for (let first = 0; first < hosts.length && mayStart(); first += options.batch) {
      const indexes = hosts.slice(first, first + options.batch).map((_h, k) => first + k);
      options.onBatch?.(first / options.batch, indexes.map((i) => hosts[i]));
      await Promise.all(indexes.map(one));
    }
  } else {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < hosts.length && mayStart()) await one(next++);
    };
    await Promise.all(Array.from({ length: Math.min(hostConcurrency(options.concurrency, options.takesHostDown === true), hosts.length) }, worker));
  }
  const cancelled = options.signal?.aborted === true;
  return hosts.map((host, i) => results[i] ?? { host, ok: false, error: toError(notStarted(host, cancelled, failures), host), ms: 0, started: false });
}

/** True when every host succeeded. */
export function allOk(results: readonly HostResult<unknown, unknown>[]): boolean {
  return results.every((r) => r.ok);
}
