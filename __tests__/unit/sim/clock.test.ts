import { realClock, VirtualClock } from '../../../lib/sim/clock';
import type { EventRecord } from '../../../lib/sim/machine/types';
import { simRunspace } from './simhost.helpers';

const T0 = Date.parse('2026-11-20T12:00:00.000Z');

describe('VirtualClock', () => {
  test('sleepers wake in the order of their times, each seeing the clock at its own wake-up time', async () => {
    const clock = new VirtualClock(T0);
    const woke: Array<[string, number]> = [];
    const sleeper = (name: string, ms: number) => clock.sleep(ms).then(() => void woke.push([name, clock.now()]));
    const done = Promise.all([sleeper('b', 200), sleeper('a', 100), sleeper('c', 200)]);
    await clock.advance(150);
    expect(woke).toEqual([['a', T0 + 100]]);
    expect(clock.now()).toBe(T0 + 150);
    await clock.advance(1000);
    await done;
    expect(woke).toEqual([['a', T0 + 100], ['b', T0 + 200], ['c', T0 + 200]]);
    expect(clock.now()).toBe(T0 + 1150);
    await clock.advanceTo(T0); // never backwards
    expect(clock.now()).toBe(T0 + 1150);
  });

  test('a poll loop that sleeps again after waking runs its whole course within one advance', async () => {
    const clock = new VirtualClock(T0);
    const seen: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 5; i++) {
        await clock.sleep(100);
        seen.push(clock.now() - T0);
      }
    })();
    await clock.advance(450);
    expect(seen).toEqual([100, 200, 300, 400]);
    expect(clock.waiting).toBe(1);
    expect(clock.nextWakeAt()).toBe(T0 + 500);
    await clock.run(loop);
    expect(seen).toEqual([100, 200, 300, 400, 500]);
  });
});

// fast.json: WAS (start 100 / stop 150 ms) <- W3SVC (start 150 / stop 250 ms).
const SCRIPT = 'Stop-Service -Name WAS -Force; Start-Service -Name W3SVC';

/** The 7036 events the script produced, oldest first, as [message, ms after the first one]. */
function relative(events: EventRecord[]): Array<[string, number]> {
  const list = [...events].reverse();
  return list.map((e) => [e.message, e.timeCreated - list[0].timeCreated]);
}

async function runOn(clock: VirtualClock | typeof realClock) {
  const rs = simRunspace('fast', clock);
  const start = await rs.machine((m) => m.now);
  const work = rs.interp.runLine(SCRIPT);
  const result = clock instanceof VirtualClock ? await clock.run(work) : await work;
  const events = await rs.machine((m) => m.events({ id: 7036, startTime: start }));
  const states = await rs.machine((m) => [m.service('WAS')!.statusName, m.service('W3SVC')!.statusName]);
  return { result, start, events, states };
}

describe('the machine on virtual time', () => {
  test('a stop and start that wait on the services complete by advancing the clock, deterministically', async () => {
    const a = await runOn(new VirtualClock(T0));
    expect(a.result.stderr).toBe('');
    expect(a.states).toEqual(['Running', 'Running']);
    expect(a.start).toBe(T0);
    const stamps = [...a.events].reverse().map((e) => [e.properties[0], e.properties[1], e.timeCreated - T0]);
    // The stop chain is the scenario's durations to the millisecond; the start follows the poll that saw WAS stopped.
    expect(stamps.slice(0, 2)).toEqual([
      ['World Wide Web Publishing Service', 'stopped', 250],
      ['Windows Process Activation Service', 'stopped', 400],
    ]);
    const startAt = (stamps[2][2] as number) - 100;
    expect(startAt).toBeGreaterThanOrEqual(400);
    expect(stamps.slice(2)).toEqual([
      ['Windows Process Activation Service', 'running', startAt + 100],
      ['World Wide Web Publishing Service', 'running', startAt + 250],
    ]);
    const b = await runOn(new VirtualClock(T0));
    expect(b.events.map((e) => [e.message, e.timeCreated])).toEqual(a.events.map((e) => [e.message, e.timeCreated]));
  });

  test('the durations between transitions are the ones a real-time run reports', async () => {
    const virtual = await runOn(new VirtualClock(T0));
    const real = await runOn(realClock);
    expect(real.states).toEqual(['Running', 'Running']);
    const v = relative(virtual.events);
    const r = relative(real.events);
    expect(r.map(([m]) => m)).toEqual(v.map(([m]) => m));
    // Within the stop chain and within the start chain the gaps are the machine's own timers;
    // between the chains a real run adds its polling delay, so that gap is not compared.
    const gaps = (xs: Array<[string, number]>) => [xs[1][1] - xs[0][1], xs[3][1] - xs[2][1]];
    expect(gaps(r)).toEqual(gaps(v));
    expect(gaps(v)).toEqual([150, 150]);
  });
});

describe('VirtualClock as the library clock (lib/clock.ts)', () => {
  it('an aborted sleep rejects at once and no longer holds a place among the sleepers', async () => {
    const clock = new VirtualClock(0);
    const abort = new AbortController();
    const slept = clock.sleep(60_000, abort.signal);
    expect(clock.waiting).toBe(1);
    abort.abort();
    await expect(slept).rejects.toMatchObject({ name: 'AbortError' });
    expect(clock.waiting).toBe(0);
    expect(clock.nextWakeAt()).toBeNull();
    await expect(clock.sleep(1, abort.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(clock.now()).toBe(0);
  });

  it('run() of work that fails rejects with its error (and leaves no unhandled rejection behind)', async () => {
    const clock = new VirtualClock(0);
    const work = (async () => {
      await clock.sleep(1000);
      throw new Error('failed after a second');
    })();
    await expect(clock.run(work)).rejects.toThrow('failed after a second');
    expect(clock.now()).toBe(1000);
  });

  it('auto: jumps from sleeper to sleeper by itself whenever everything waits on it', async () => {
    const clock = new VirtualClock(0, { auto: true });
    const seen: number[] = [];
    const a = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(250);
        seen.push(clock.now());
      }
    })();
    const b = clock.sleep(600).then(() => seen.push(-clock.now()));
    await Promise.all([a, b]);
    expect(seen).toEqual([250, 500, -600, 750]);
  });

  it('auto: does not jump while work marked busy (real I/O) runs', async () => {
    const clock = new VirtualClock(0, { auto: true });
    let release!: () => void;
    const io = clock.whileBusy(new Promise<void>((r) => (release = r)));
    const deadline = clock.sleep(60_000).then(() => 'deadline');
    const answer = io.then(() => 'answered');
    // Real time passes (several event-loop turns) while the I/O is pending: the clock stays put.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(clock.now()).toBe(0);
    release();
    expect(await Promise.race([answer, deadline])).toBe('answered');
    expect(await deadline).toBe('deadline');
    expect(clock.now()).toBe(60_000);
  });
});

describe('realClock', () => {
  it('an aborted sleep rejects at once', async () => {
    const abort = new AbortController();
    const slept = realClock.sleep(60_000, abort.signal);
    abort.abort();
    await expect(slept).rejects.toMatchObject({ name: 'AbortError' });
  });
});
