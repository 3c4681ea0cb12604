/**
 * Waits loop on the host (lib/scripts/wait.ts): pollUntil hands each read the time it may wait
 * there (one slice, cut to the deadline), makes at most one call per slice, and sees an abort when
 * the slice's call comes back.
 */
import { DEFAULTS } from '../../../lib/defaults';
import { pollUntil } from '../../../lib/control/wait';
import { runCommand } from '../../../lib/scripts/command';
import { onComputer, parseRemoteTarget } from '../../../lib/scripts/remote';
import { waitForServices } from '../../../lib/scripts/services';
import type { PowerShellSession } from '../../../lib/powershell/session';

/** A fake clock: sleep advances time instantly. */
function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms) };
}

describe('pollUntil on the host', () => {
  it('each read waits at most one slice, never past the deadline: the last slice ends at it', async () => {
    const clock = fakeClock();
    const start = clock.now();
    const reads: Array<[number, number]> = [];
    const r = await pollUntil({
      // A host that waits its whole slice without seeing the state.
      read: async (waitMs) => {
        reads.push([clock.now() - start, waitMs]);
        clock.advance(waitMs);
        return 'StopPending';
      },
      done: (s) => s === 'Stopped',
      deadline: start + 2500,
      intervalMs: 1000,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(r.reached).toBe(false);
    expect(reads).toEqual([[0, 1000], [1000, 1000], [2000, 500]]);
    expect(clock.now() - start).toBe(2500);
  });

  it('a host that sees the state returns at once; the wait ends with it', async () => {
    const clock = fakeClock();
    const start = clock.now();
    let reads = 0;
    const r = await pollUntil({
      // The state arrives 1300 ms in: the second slice's call sees it 300 ms into its slice.
      read: async (waitMs) => {
        reads++;
        const arrives = start + 1300;
        if (clock.now() + waitMs < arrives) {
          clock.advance(waitMs);
          return 'StopPending';
        }
        clock.advance(Math.max(0, arrives - clock.now()));
        return 'Stopped';
      },
      done: (s) => s === 'Stopped',
      deadline: start + 60_000,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(r).toMatchObject({ reached: true, polls: 2, elapsedMs: 1300 });
    expect(reads).toBe(2);
  });

  it('a read that comes back early without the state is not repeated before its slice is over: one call per slice', async () => {
    const clock = fakeClock();
    const start = clock.now();
    const at: number[] = [];
    await pollUntil({
      read: async () => (at.push(clock.now() - start), 'StopPending'),
      done: () => false,
      deadline: start + 3 * DEFAULTS.waitSliceMs,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(at).toEqual([0, 1, 2, 3].map((k) => k * DEFAULTS.waitSliceMs));
  });

  it('an abort during a slice: CANCELLED once that call returns (at most one slice late), and no further read', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const abort = new AbortController();
      let reads = 0;
      let endedAt = 0;
      const waiting = pollUntil({
        read: (waitMs) => (reads++, new Promise<string>((resolve) => setTimeout(() => resolve('StopPending'), waitMs))),
        done: () => false,
        deadline: Date.now() + 60_000,
        signal: abort.signal,
      });
      const ended = waiting.catch((e: unknown) => ((endedAt = Date.now()), e));
      await jest.advanceTimersByTimeAsync(300);
      abort.abort();
      await jest.advanceTimersByTimeAsync(DEFAULTS.waitSliceMs);
      expect(await ended).toMatchObject({ code: 'CANCELLED' });
      expect(reads).toBe(1);
      expect(endedAt - 1_000_000).toBeLessThanOrEqual(DEFAULTS.waitSliceMs);
    } finally {
      jest.useRealTimers();
    }
  });

  it("a wait call's deadline is the session's plus its own wait (a slice never times out its call), twice that remotely (one retry)", async () => {
    const run = jest.fn(async () => ({ Services: [], WorkerProcessIds: [], SeenPending: ['WAS'] }));
    const session = { run } as unknown as PowerShellSession;
    const wait = waitForServices(['WAS'], 'Running', { waitMs: 900, intervalMs: 100 }, { pending: 'StartPending', failed: 'Stopped', seen: [] });
    const snapshot = await runCommand(session, wait);
    expect(snapshot.seenPending).toEqual(['WAS']);
    await runCommand(session, onComputer(parseRemoteTarget('WEB02'), wait)).catch(() => undefined);
    expect(run.mock.calls.map((c) => (c as unknown[])[1])).toEqual([expect.objectContaining({ waitsMs: 900 }), expect.objectContaining({ waitsMs: 1800 })]);
  });
});
