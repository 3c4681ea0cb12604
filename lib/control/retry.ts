/**
 * Retries with exponential backoff and jitter, bounded by attempts and by the operation's deadline.
 *
 * Transient (retried): TRANSIENT (0x80070425 "cannot accept control messages", 0x800710D8; both
 * documented as working on a second try: docs/sources.md §1.5, §U3, §U4) and
 * SESSION_DIED (a new PowerShell process is started on the next call), and a WinRM time-out
 * (UNREACHABLE whose FullyQualifiedErrorId starts with WinRMOperationTimeout: opening or using the
 * PSSession timed out, docs/sources.md §6; a time-out says nothing about the next try, so it is
 * retried like the other transient failures). A name that
 * does not resolve (ComputerNotFound) stays permanent. Everything else is permanent and fails at
 * once: NOT_FOUND, ACCESS_DENIED, DISABLED, INVALID_ARGUMENT, ...
 */
import { ErrorCode, IisctlError } from '../errors';
import { DEFAULTS } from '../defaults';
import { Clock, realClock } from '../clock';
import { Logger, silentLogger } from '../log';
import { abortableSleep, throwIfCancelled } from './wait';

export interface RetryPolicy {
  /** Total attempts, the first included. Default: DEFAULTS.retryAttempts. */
  attempts: number;
  /** Delay before the first retry. Default: DEFAULTS.retryBaseDelayMs. */
  baseDelayMs: number;
  /** Upper bound of one delay. Default: DEFAULTS.retryMaxDelayMs. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: DEFAULTS.retryAttempts, baseDelayMs: DEFAULTS.retryBaseDelayMs, maxDelayMs: DEFAULTS.retryMaxDelayMs };

const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set(['TRANSIENT', 'SESSION_DIED']);

export function isTransient(error: unknown): boolean {
  if (!(error instanceof IisctlError)) return false;
  if (error.code === 'UNREACHABLE') return (error.powershell?.fullyQualifiedErrorId ?? '').startsWith('WinRMOperationTimeout,');
  // A death that lost the host lock is final: retrying would act on the host without the lock.
  // A process that died while starting would die the same way again.
  return TRANSIENT_CODES.has(error.code) && error.details?.lockLost !== true && error.details?.duringStartup !== true;
}

export interface RetryRecord {
  attempt: number;
  reason: string;
  code: ErrorCode;
  delayMs: number;
}

export interface RetryOptions {
  policy?: Partial<RetryPolicy>;
  /** Absolute time (ms since epoch) after which no new attempt starts. */
  deadline?: number;
  logger?: Logger;
  /** What is being tried, for logs. */
  what: string;
  /** Collects every retry for the operation's result. */
  retries?: RetryRecord[];
  /** Whose time the deadline and the back-offs are in (default real time). */
  clock?: Clock;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Aborting cuts a back-off short and ends with CANCELLED instead of another attempt. */
  signal?: AbortSignal;
  random?: () => number;
  now?: () => number;
}

/** Delay before retry number `retry` (1-based): base * 2^(retry-1), capped, with +-50% jitter. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(exponential * (0.5 + random()));
}

export async function withRetry<T>(action: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const logger = options.logger ?? silentLogger();
  const sleep = options.sleep ?? ((ms: number) => abortableSleep(ms, options.signal, options.clock));
  const now = options.now ?? (() => (options.clock ?? realClock).now());
  for (let attempt = 1; ; attempt++) {
    try {
      return await action(attempt);
    } catch (error) {
      if (!isTransient(error) || attempt >= policy.attempts) throw exhausted(error, attempt, policy.attempts);
      let delayMs = backoffDelay(attempt, policy, options.random);
      if (options.deadline !== undefined) {
        const left = options.deadline - now();
        if (left <= 0) throw exhausted(error, attempt, policy.attempts);
        delayMs = Math.min(delayMs, left);
      }
      const e = error as IisctlError;
      const record: RetryRecord = { attempt, reason: e.message, code: e.code, delayMs };
      options.retries?.push(record);
      logger.warn(`retrying ${options.what} in ${Math.round(delayMs)} ms after a transient error (${e.code}; attempt ${attempt + 1} of ${policy.attempts})`, record);
      await sleep(delayMs);
      throwIfCancelled(options.signal, e.host);
    }
  }
}

/**
 * A transient error that outlived the budget is reported with how often it was tried: as TRANSIENT,
 * except an unreachable host, which stays UNREACHABLE (its own exit code and hint).
 */
function exhausted(error: unknown, attempt: number, attempts: number): unknown {
  if (!isTransient(error) || attempt === 1) return error;
  const e = error as IisctlError;
  const unreachable = e.code === 'UNREACHABLE';
  return new IisctlError(unreachable ? 'UNREACHABLE' : 'TRANSIENT', `${e.message} (still failing after ${attempt} of ${attempts} attempts)`, {
    powershell: e.powershell,
    host: e.host,
    hint: unreachable ? e.hint : 'The host keeps refusing the request; try again later or raise the retry count.',
    details: { attempts: attempt, lastCode: e.code },
    cause: e,
  });
}
