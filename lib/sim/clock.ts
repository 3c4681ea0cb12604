/**
 * The simulated machine's time. Everything in lib/sim that reads the time or waits goes through a
 * SimClock, so the same machine runs on real time (the process host: what a user of `--simulate`
 * expects) or on virtual time (in process: a restart whose services take seconds is settled in
 * microseconds, with the same event timestamps, because those come from the machine's timers, not
 * from when someone looked).
 *
 * A SimClock has the shape of the library's Clock (lib/clock.ts, part of the seam), so one clock
 * drives the machine and the library's own waiting: `connect({ simulate: { inProcess: true, clock:
 * 'virtual' } })` shares one auto-advancing VirtualClock between them.
 */
import { abortError, realClock as libraryRealClock } from '../clock';

export interface SimClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves once the clock has moved `ms` forward; an abort rejects at once (AbortError). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Wall time: the library's one real-time clock (lib/clock.ts); nothing else in lib/sim arms a timer for simulated time. */
export const realClock: SimClock = libraryRealClock;

interface Sleeper {
  at: number;
  seq: number;
  wake: () => void;
}

export interface VirtualClockOptions {
  /**
   * Advance by itself: whenever every piece of work in this process waits on the clock (nothing
   * else can run), jump to the next sleeper's time. What a caller that does not drive the clock
   * needs (connect()'s `clock: 'virtual'`). Without it, time moves only through advance/run.
   */
  auto?: boolean;
}

/**
 * Time that moves only when told to. `advance(ms)` (or `advanceTo(t)`) wakes the sleepers in the
 * order of their wake-up time, setting the clock to each one's time first and letting the woken
 * code run until it waits again, so a poll loop observes the same sequence of instants a real run
 * would (minus the scheduling jitter). Deterministic: no wall clock is read.
 */
export class VirtualClock implements SimClock {
  private t: number;
  private seq = 0;
  private sleepers: Sleeper[] = [];
  private readonly auto: boolean;
  private pumping = false;
  /** Work that waits on something other than this clock (real I/O), during which time must not jump. */
  private busy = 0;
  private unbusy: Array<() => void> = [];

  constructor(start = Date.UTC(2024, 0, 1), options: VirtualClockOptions = {}) {
    this.t = start;
    this.auto = options.auto ?? false;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        wake: () => {
          signal?.removeEventListener('abort', aborted);
          resolve();
        },
      };
      // Aborted: gone from the sleepers at once, so it never holds the clock back or wakes later.
      const aborted = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(abortError());
      };
      signal?.addEventListener('abort', aborted, { once: true });
      this.sleepers.push(sleeper);
      if (this.auto) void this.pump();
    });
  }

  /**
   * Marks `work` as waiting on real I/O (compiling the parser, reading a file asynchronously): the
   * clock does not jump while it runs, or a deadline would pass in no time while nothing could
   * happen. Returns `work`.
   */
  whileBusy<T>(work: Promise<T>): Promise<T> {
    this.busy++;
    const done = (): void => {
      if (--this.busy > 0) return;
      for (const wake of this.unbusy.splice(0)) wake();
    };
    work.then(done, done);
    return work;
  }

  /** Lets everything that can run now run, after any busy work has ended. */
  private async quiet(): Promise<void> {
    await settle();
    while (this.busy > 0) {
      await new Promise<void>((wake) => this.unbusy.push(wake));
      await settle();
    }
  }

  /** Auto mode: while anyone sleeps, let everything runnable run, then jump to the next sleeper. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        await this.quiet();
        const at = this.nextWakeAt();
        if (at === null) return;
        await this.advanceTo(at);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** How many sleepers are waiting. */
  get waiting(): number {
    return this.sleepers.length;
  }

  /** When the next sleeper wakes (null: nobody waits). */
  nextWakeAt(): number | null {
    return this.sleepers.reduce<number | null>((m, s) => (m === null || s.at < m ? s.at : m), null);
  }

  /** Moves the clock to `target` (never backwards), waking every sleeper due on the way, in order. */
  async advanceTo(target: number): Promise<void> {
    for (;;) {
      await this.quiet();
      let next: Sleeper | undefined;
      for (const s of this.sleepers) if (s.at <= target && (!next || s.at < next.at || (s.at === next.at && s.seq < next.seq))) next = s;
      if (!next) break;
      this.sleepers = this.sleepers.filter((s) => s !== next);
      this.t = Math.max(this.t, next.at);
      next.wake();
    }
    this.t = Math.max(this.t, target);
  }

  advance(ms: number): Promise<void> {
    return this.advanceTo(this.t + ms);
  }

  /**
   * Runs `work` to completion, jumping the clock to the next sleeper whenever everything waits
   * (what an in-process test does instead of sleeping). Fails after `maxSteps` jumps.
   */
  async run<T>(work: Promise<T>, maxSteps = 100_000): Promise<T> {
    if (this.auto) return work; // it moves by itself
    let done = false;
    const result = work.finally(() => {
      done = true;
    });
    result.catch(() => undefined); // handled by the caller once returned, not unhandled while the clock runs
    for (let i = 0; i < maxSteps; i++) {
      await this.quiet();
      if (done) return result;
      const at = this.nextWakeAt();
      // null: nothing sleeps on this clock, the work waits on something else (real I/O): another turn.
      if (at !== null) await this.advanceTo(at);
    }
    throw new Error(`VirtualClock.run: not done after ${maxSteps} steps`);
  }
}

/** Lets every promise chain that can run now run (woken code runs until it waits again): a macrotask turn drains the microtask queue. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
