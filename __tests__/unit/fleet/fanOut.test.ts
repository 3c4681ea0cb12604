/**
 * The one fan-out (lib/fleet/fanOut.ts) and the host list check (lib/fleet/hosts.ts), with work
 * the test controls: each host's work waits on a gate the test opens, so "at most N at once",
 * "in the order given", "nothing new after cancel" are observed, never timed.
 */
import { allOk, fanOut, FanOutOptions, hostConcurrency, HostResult } from '../../../lib/fleet/fanOut';
import { checkHosts, machineKey } from '../../../lib/fleet/hosts';
import { IisctlError } from '../../../lib/errors';

interface Gate {
  promise: Promise<void>;
  open(): void;
  fail(e: unknown): void;
}
function gate(): Gate {
  let open!: () => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

/** Work whose hosts each wait for their gate; records starts and the most running at once. */
class Hosts {
  readonly gates = new Map<string, Gate>();
  readonly started: string[] = [];
  running = 0;
  maxRunning = 0;
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  constructor(readonly names: string[]) {
    for (const n of names) this.gates.set(n, gate());
  }

  work = async (host: string): Promise<string> => {
    this.started.push(host);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.waiters = this.waiters.filter((w) => (this.started.length >= w.n ? (w.resolve(), false) : true));
    try {
      await this.gates.get(host)!.promise;
      return `done ${host}`;
    } finally {
      this.running--;
    }
  };

  /** Resolves once n hosts have started. */
  startedCount(n: number): Promise<void> {
    if (this.started.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  run(options: FanOutOptions): Promise<HostResult<string>[]> {
    return fanOut(this.names, this.work, options);
  }
}

/** Lets every pending promise callback run (no timer involved). */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('fanOut: scheduling', () => {
  it('never runs more hosts at once than the concurrency, and starts the next as one ends', async () => {
    const h = new Hosts(['A', 'B', 'C', 'D', 'E']);
    const run = h.run({ concurrency: 2 });
    await h.startedCount(2);
    await settle();
    expect(h.started).toEqual(['A', 'B']);
    h.gates.get('B')!.open();
    await h.startedCount(3);
    expect(h.started).toEqual(['A', 'B', 'C']);
    for (const g of h.gates.values()) g.open();
    const results = await run;
    expect(h.maxRunning).toBe(2);
    expect(allOk(results)).toBe(true);
  });

  it('one at a time with concurrency 1', async () => {
    const h = new Hosts(['A', 'B', 'C']);
    for (const g of h.gates.values()) g.open();
    await h.run({ concurrency: 1 });
    expect(h.maxRunning).toBe(1);
    expect(h.started).toEqual(['A', 'B', 'C']);
  });

  it('results are in the order given, whatever order the hosts end in', async () => {
    const h = new Hosts(['A', 'B', 'C']);
    const run = h.run({ concurrency: 3 });
    await h.startedCount(3);
    h.gates.get('C')!.open();
    h.gates.get('B')!.fail(new IisctlError('UNREACHABLE', 'B is down', { host: 'B' }));
    await settle();
    h.gates.get('A')!.open();
    const results = await run;
    expect(results.map((r) => [r.host, r.ok])).toEqual([
      ['A', true],
      ['B', false],
      ['C', true],
    ]);
    expect(results[0]).toMatchObject({ ok: true, value: 'done A' });
    expect(results[1]).toMatchObject({ ok: false, started: true, error: { code: 'UNREACHABLE' } });
  });

  it('batches: the next batch starts only once every host of the previous one has ended', async () => {
    const h = new Hosts(['A', 'B', 'C', 'D', 'E']);
    const batches: Array<[number, string[]]> = [];
    const run = h.run({ batch: 2, onBatch: (i, hosts) => batches.push([i, hosts]) });
    await h.startedCount(2);
    h.gates.get('B')!.open();
    await settle();
    expect(h.started).toEqual(['A', 'B']); // A still runs: C waits although B ended
    h.gates.get('A')!.open();
    await h.startedCount(4);
    expect(h.started).toEqual(['A', 'B', 'C', 'D']);
    for (const g of h.gates.values()) g.open();
    await run;
    expect(batches).toEqual([
      [0, ['A', 'B']],
      [1, ['C', 'D']],
      [2, ['E']],
    ]);
  });

  it('a thrown value that is not an IisctlError becomes FAILED for that host', async () => {
    const results = await fanOut(['A'], async () => {
      throw new Error('boom');
    });
    expect(results[0]).toMatchObject({ host: 'A', ok: false, started: true, error: { code: 'FAILED', message: 'boom', host: 'A' } });
  });

  it('hostConcurrency: one at a time for work that takes a host down unless asked, else 8', () => {
    expect(hostConcurrency(undefined, true)).toBe(1);
    expect(hostConcurrency(undefined, false)).toBe(8);
    expect(hostConcurrency(3, true)).toBe(3);
    expect(() => hostConcurrency(0, false)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('fanOut: failure policy', () => {
  const failing = (bad: string[]) => async (host: string) => {
    if (bad.includes(host)) throw new IisctlError('TIMEOUT', `${host} timed out`);
    return host;
  };

  it('by default every host is tried, whatever failed before', async () => {
    const started: string[] = [];
    const results = await fanOut(['A', 'B', 'C'], async (h) => (started.push(h), failing(['A', 'B'])(h)), { concurrency: 1 });
    expect(started).toEqual(['A', 'B', 'C']);
    expect(results.map((r) => r.ok)).toEqual([false, false, true]);
  });

  it('maxFailures 0: after the first failure nothing more starts; the rest are CANCELLED, not started', async () => {
    const started: string[] = [];
    const results = await fanOut(['A', 'B', 'C'], async (h) => (started.push(h), failing(['B'])(h)), { concurrency: 1, maxFailures: 0 });
    expect(started).toEqual(['A', 'B']);
    expect(results[2]).toMatchObject({ host: 'C', ok: false, started: false, ms: 0, error: { code: 'CANCELLED', host: 'C', details: { reason: 'failures' } } });
  });

  it('maxFailures 1 goes on past one failure and stops after the second', async () => {
    const started: string[] = [];
    await fanOut(['A', 'B', 'C', 'D'], async (h) => (started.push(h), failing(['A', 'B'])(h)), { concurrency: 1, maxFailures: 1 });
    expect(started).toEqual(['A', 'B']);
    const started2: string[] = [];
    await fanOut(['A', 'B', 'C'], async (h) => (started2.push(h), failing(['A'])(h)), { concurrency: 1, maxFailures: 1 });
    expect(started2).toEqual(['A', 'B', 'C']);
  });

  it('in batches the policy is applied between batches', async () => {
    const started: string[] = [];
    await fanOut(['A', 'B', 'C'], async (h) => (started.push(h), failing(['A'])(h)), { batch: 2, maxFailures: 0 });
    expect(started).toEqual(['A', 'B']);
  });

  it('numbers of the policy are checked before any host starts', async () => {
    const work = jest.fn(async () => 'x');
    await expect(fanOut(['A'], work, { maxFailures: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(fanOut(['A'], work, { batch: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(fanOut(['A'], work, { concurrency: 65 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(work).not.toHaveBeenCalled();
  });
});

describe('fanOut: cancellation', () => {
  it('stops starting new hosts; the running host finishes its read-back and its own result is kept', async () => {
    const controller = new AbortController();
    const started: string[] = [];
    const readBack = gate();
    const aborted = gate();
    let readBackDone = false;
    const work = async (host: string) => {
      started.push(host);
      // Like an operation: on abort it stops waiting, then reads the state back before it ends.
      await new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve()));
      aborted.open();
      await readBack.promise;
      readBackDone = true;
      throw new IisctlError('CANCELLED', `${host}: cancelled. Left: W3SVC Stopped.`, { host });
    };
    let finished = false;
    const run = fanOut(['A', 'B', 'C'], work, { concurrency: 1, signal: controller.signal }).then((r) => ((finished = true), r));
    await settle();
    controller.abort();
    await aborted.promise;
    await settle();
    expect(finished).toBe(false); // waits for A's read-back
    readBack.open();
    const results = await run;
    expect(readBackDone).toBe(true);
    expect(started).toEqual(['A']);
    expect(results[0]).toMatchObject({ ok: false, started: true, error: { message: 'A: cancelled. Left: W3SVC Stopped.' } });
    expect(results.slice(1)).toMatchObject([
      { host: 'B', ok: false, started: false, error: { code: 'CANCELLED', details: { reason: 'cancelled' } } },
      { host: 'C', ok: false, started: false, error: { code: 'CANCELLED', details: { reason: 'cancelled' } } },
    ]);
  });

  it('a host that ended well before the abort keeps its result; running hosts of the window are all waited for', async () => {
    const controller = new AbortController();
    const h = new Hosts(['A', 'B', 'C', 'D']);
    const run = h.run({ concurrency: 2, signal: controller.signal });
    await h.startedCount(2);
    h.gates.get('A')!.open();
    await h.startedCount(3); // C took A's place
    controller.abort();
    h.gates.get('B')!.open();
    h.gates.get('C')!.open();
    const results = await run;
    expect(h.started).toEqual(['A', 'B', 'C']);
    expect(results.map((r) => (r.ok ? 'ok' : r.started ? 'failed' : 'not started'))).toEqual(['ok', 'ok', 'ok', 'not started']);
  });

  it('aborted before the start: no host is started', async () => {
    const work = jest.fn(async () => 'x');
    const results = await fanOut(['A', 'B'], work, { signal: AbortSignal.abort(), batch: 1 });
    expect(work).not.toHaveBeenCalled();
    expect(results.every((r) => !r.ok && !r.started)).toBe(true);
  });

  it('the caller decides the error type: toError sees what was thrown and the not-started error', async () => {
    const thrown = { weird: true };
    const results = await fanOut<string, unknown>(['A', 'B'], async () => Promise.reject(thrown), { concurrency: 1, maxFailures: 0 }, (e) => e);
    expect(results[0]).toMatchObject({ ok: false, error: thrown });
    expect(results[1]).toMatchObject({ ok: false, started: false, error: expect.any(IisctlError) });
  });
});

describe('checkHosts: the host list, checked once', () => {
  it('trims the names and keeps their order', () => {
    expect(checkHosts([' WEB01 ', 'web02.contoso.local'])).toEqual(['WEB01', 'web02.contoso.local']);
  });

  it.each([
    [['WEB01', 'web01'], /WEB01 is given twice|web01 is given twice/],
    [['web01.contoso.local', 'WEB01.contoso.local.'], /are the same computer/],
    [['localhost', '.'], /are the same computer/],
    [['127.0.0.1', 'LOCALHOST'], /are the same computer/],
    [['::1', 'localhost.'], /are the same computer/],
  ])('%j name one machine twice: INVALID_ARGUMENT before anything runs', (names, message) => {
    expect(() => checkHosts(names)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(message) }));
  });

  it('names only DNS could match are different hosts (README, Known limits)', () => {
    expect(checkHosts(['WEB01', 'web01.contoso.local', '10.0.0.1'])).toHaveLength(3);
    expect(machineKey('WEB01')).not.toBe(machineKey('web01.contoso.local'));
    expect(machineKey('127.0.0.2')).toBe(machineKey('localhost'));
  });

  it('an empty or too long name, or no name at all, is INVALID_ARGUMENT', () => {
    for (const names of [['WEB01', ' '], ['x'.repeat(256)], []]) expect(() => checkHosts(names)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
