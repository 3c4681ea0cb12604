/**
 * Polling with a deadline. Cmdlets such as Stop-Service or Stop-WebAppPool either block without a
 * timeout or return before the change is done (PowerShell/PowerShell Service.cs, docs/sources.md
 * §3.2; §U1), so
 * iisctl requests without waiting and reads the state back until it is right or time is up.
 */
import { HINTS } from '../hints';
import { IisctlError } from '../errors';
import { DEFAULTS } from '../defaults';
import { Clock, realClock } from '../clock';

export interface PollOptions<T> {
  /** Reads the current state (one PowerShell round trip). */
  read: () => Promise<T>;
  /** True when the state is the one wanted. */
  done: (state: T) => boolean;
  /** Absolute deadline (ms since epoch). */
  deadline: number;
  /** Time between reads. Default: DEFAULTS.pollIntervalMs. */
  intervalMs?: number;
  /** Called with every state read, e.g. for a progress line. */
  onPoll?: (state: T, elapsedMs: number) => void;
  /** Whose time the deadline and the intervals are in (default real time). */
  clock?: Clock;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Aborting stops the waiting (CANCELLED) before the next read. */
  signal?: AbortSignal;
}

export interface PollResult<T> {
  /** True when `done` held before the deadline. */
  reached: boolean;
  /** The last state read: what the host was left in. */
  state: T;
  polls: number;
  elapsedMs: number;
}

export async function pollUntil<T>(options: PollOptions<T>): Promise<PollResult<T>> {
  const clock = options.clock ?? realClock;
  const now = options.now ?? (() => clock.now());
  const sleep = options.sleep ?? ((ms: number) => abortableSleep(ms, options.signal, clock));
  const interval = options.intervalMs ?? DEFAULTS.pollIntervalMs;
  const started = now();
  let polls = 0;
  for (;;) {
    throwIfCancelled(options.signal);
    const state = await options.read();
    polls++;
    const elapsedMs = now() - started;
    options.onPoll?.(state, elapsedMs);
    if (options.done(state)) return { reached: true, state, polls, elapsedMs };
    const left = options.deadline - now();
    if (left <= 0) return { reached: false, state, polls, elapsedMs };
    // Never sleep past the deadline: the last read happens at the deadline, not an interval later.
    await sleep(Math.min(interval, left));
  }
}

/** Thrown where iisctl waits, once the caller's AbortSignal fired. */
export function throwIfCancelled(signal: AbortSignal | undefined, host?: string): void {
  if (!signal?.aborted) return;
  throw new IisctlError('CANCELLED', 'Interrupted: iisctl stopped waiting; what was already requested on the host may still complete.', {
    host,
    hint: HINTS.checkState,
  });
}

/** A sleep on the clock that ends early when the signal fires (the caller then checks throwIfCancelled). */
export function abortableSleep(ms: number, signal?: AbortSignal, clock: Clock = realClock): Promise<void> {
  return clock.sleep(ms, signal).catch((error: unknown) => {
    if (!signal?.aborted) throw error;
  });
}

/** Sleeps on the clock; an abort ends it at once with CANCELLED. */
export async function pause(clock: Clock, ms: number, signal: AbortSignal | undefined, host?: string): Promise<void> {
  await abortableSleep(ms, signal, clock);
  throwIfCancelled(signal, host);
}
