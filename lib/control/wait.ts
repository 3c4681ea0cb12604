/**
 * Waiting with a deadline. Cmdlets such as Stop-Service or Stop-WebAppPool either block without a
 * timeout or return before the change is done (PowerShell/PowerShell Service.cs, docs/sources.md
 * §3.2; §U1), so iisctl requests without waiting and then waits for the state read back, on the
 * host: each read is one call that loops there (lib/scripts/wait.ts) for at most one slice
 * (DEFAULTS.waitSliceMs) and returns as soon as the state is reached. Between slices Node reports
 * progress and sees the caller's AbortSignal (at most one slice late) and the deadline (the last
 * slice is cut to it, so no wait passes it).
 */
import { HINTS } from '../hints';
import { IisctlError } from '../errors';
import { DEFAULTS } from '../defaults';
import { Clock, realClock } from '../clock';

export interface PollOptions<T> {
  /**
   * Reads the state (one PowerShell round trip), after waiting on the host for it at most
   * `waitMs` (0: read at once). A read that does not wait may ignore it.
   */
  read: (waitMs: number) => Promise<T>;
  /** True when the state is the one wanted. */
  done: (state: T) => boolean;
  /** Absolute deadline (ms since epoch). */
  deadline: number;
  /**
   * The slice: the longest one read waits on the host, and the shortest time between the starts of
   * two reads (a read that comes back early without the state is not repeated before its slice is
   * over: one round trip per slice at most). Default: DEFAULTS.waitSliceMs.
   */
  intervalMs?: number;
  /** Called with every state read, e.g. for a progress line. */
  onPoll?: (state: T, elapsedMs: number) => void;
  /** Whose time the deadline and the slices are in (default real time). */
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
  const slice = options.intervalMs ?? DEFAULTS.waitSliceMs;
  const started = now();
  let polls = 0;
  for (;;) {
    throwIfCancelled(options.signal);
    const readAt = now();
    // Never wait past the deadline: the last slice ends at it, and the last read is made there.
    const state = await options.read(Math.max(0, Math.min(slice, options.deadline - readAt)));
    polls++;
    const elapsedMs = now() - started;
    options.onPoll?.(state, elapsedMs);
    if (options.done(state)) return { reached: true, state, polls, elapsedMs };
    const left = options.deadline - now();
    if (left <= 0) return { reached: false, state, polls, elapsedMs };
    const rest = Math.min(slice - (now() - readAt), left);
    if (rest > 0) await sleep(rest);
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
