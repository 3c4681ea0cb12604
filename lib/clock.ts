/**
 * The library's time: every wait, poll, back-off, deadline and duration of lib/control and the
 * session's call deadline go through one Clock, given with the connection (ConnectOptions.clock,
 * default real time). With the simulated host in process on the same virtual clock
 * (`connect({ simulate: { inProcess: true, clock: 'virtual' } })`), a restart whose services
 * take seconds completes in milliseconds of real time, reporting the durations and event times
 * of the machine's own clock.
 *
 * The simulator's clocks (lib/sim/clock.ts VirtualClock) have this shape, so one clock can drive
 * both sides of the seam.
 */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Resolves once the clock has moved `ms` forward. When `signal` aborts (before or during the
   * sleep), it rejects at once with an AbortError and leaves nothing armed.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The error an aborted sleep rejects with (DOM's AbortError name, as Node's timers/promises use). */
export function abortError(): Error {
  const error = new Error('The sleep was aborted.');
  error.name = 'AbortError';
  return error;
}

/**
 * Wall time: the one place in the library that reads Date.now or arms a timer for waiting. The
 * timer keeps Node alive while it runs (a wait is work in progress), and is cleared on abort.
 */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        signal?.removeEventListener('abort', aborted);
        resolve();
      }
      function aborted(): void {
        clearTimeout(timer);
        reject(abortError());
      }
      signal?.addEventListener('abort', aborted, { once: true });
    }),
};

/**
 * A real-time bound on real I/O (a dying process's last stderr, a kill that takes its time): not the
 * connection's clock, since virtual time does not pass while a process or a pipe is waited for.
 * Does not keep Node alive on its own.
 */
export function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
