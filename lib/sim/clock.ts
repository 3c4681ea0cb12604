/**
 * The simulated machine's time. Everything in lib/sim that reads the time or waits goes through a
 * SimClock, so the same machine runs on real time (the process host: what a user of `--simulate`
 * expects) or on virtual time (in process: a restart whose services take seconds is settled in
 * microseconds, with the same event timestamps, because those come from the machine's timers, not
 * from when someone looked).
 */

export interface SimClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves once the clock has moved `ms` forward. */
  sleep(ms: number): Promise<void>;
}

/** Wall time. The only place in lib/sim that reads Date.now or arms a timer for simulated time. */
export const realClock: SimClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

interface Sleeper {
  at: number;
  seq: number;
  wake: () => void;
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

  constructor(start = Date.UTC(2024, 0, 1)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      this.sleepers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, wake });
    });
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
      await settle();
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
    let done = false;
    const result = work.finally(() => {
      done = true;
    });
    for (let i = 0; i < maxSteps; i++) {
      await settle();
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
