/**
 * Polling with a deadline. Cmdlets such as Stop-Service or Stop-WebAppPool either block without a
 * timeout or return before the change is done (iis-reference.md 3.2; peers.md pain point 1), so
 * iisctl requests without waiting and reads the state back until it is right or time is up.
 */

export interface PollOptions<T> {
  /** Reads the current state (one PowerShell round trip). */
  read: () => Promise<T>;
  /** True when the state is the one wanted. */
  done: (state: T) => boolean;
  /** Absolute deadline (ms since epoch). */
  deadline: number;
  /** Time between reads. Default 250 ms. */
  intervalMs?: number;
  /** Called with every state read, e.g. for a progress line. */
  onPoll?: (state: T, elapsedMs: number) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
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
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const interval = options.intervalMs ?? 250;
  const started = now();
  let polls = 0;
  for (;;) {
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
