import { classifyPowerShellError } from '../../../lib/powershell/classify';
import { IisctlError } from '../../../lib/errors';
import { backoffDelay, DEFAULT_RETRY_POLICY, isTransient, RetryRecord, withRetry } from '../../../lib/control/retry';
import { abortableSleep, pollUntil } from '../../../lib/control/wait';

/** A fake clock: sleep advances time instantly. */
function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms) };
}

const transient = () => new IisctlError('TRANSIENT', 'The service cannot accept control messages at this time.');

describe('withRetry', () => {
  it('retries transient errors with growing delays and records every retry', async () => {
    const clock = fakeClock();
    const retries: RetryRecord[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls <= 2) throw transient();
        return 'done';
      },
      { what: 'stop W3SVC', retries, sleep: clock.sleep, now: clock.now, random: () => 0.5 },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(retries.map((r) => [r.attempt, r.code, r.delayMs])).toEqual([
      [1, 'TRANSIENT', 500],
      [2, 'TRANSIENT', 1000],
    ]);
  });

  it('fails at once on a permanent error', async () => {
    let calls = 0;
    const err = await withRetry(async () => {
      calls++;
      throw new IisctlError('ACCESS_DENIED', 'Access is denied');
    }, { what: 'x', sleep: async () => undefined }).catch((e: unknown) => e as IisctlError);
    expect(calls).toBe(1);
    expect(err.code).toBe('ACCESS_DENIED');
  });

  it('gives up after the attempt budget with TRANSIENT and the attempt count', async () => {
    let calls = 0;
    const err = (await withRetry(async () => {
      calls++;
      throw new IisctlError('SESSION_DIED', 'died');
    }, { what: 'x', policy: { attempts: 4 }, sleep: async () => undefined }).catch((e: unknown) => e)) as IisctlError;
    expect(calls).toBe(4);
    expect(err.code).toBe('TRANSIENT');
    expect(err.details).toMatchObject({ attempts: 4, lastCode: 'SESSION_DIED' });
  });

  it('never sleeps past the deadline and stops retrying there', async () => {
    const clock = fakeClock();
    const deadline = clock.now() + 700;
    const retries: RetryRecord[] = [];
    let calls = 0;
    const err = (await withRetry(async () => {
      calls++;
      throw transient();
    }, { what: 'x', deadline, retries, policy: { attempts: 10 }, sleep: clock.sleep, now: clock.now, random: () => 0.5 }).catch((e: unknown) => e)) as IisctlError;
    expect(err.code).toBe('TRANSIENT');
    expect(retries.map((r) => r.delayMs)).toEqual([500, 200]);
    expect(clock.now()).toBe(deadline);
    expect(calls).toBe(3);
  });

  it('computes capped exponential backoff with jitter between 50% and 150%', () => {
    expect(backoffDelay(1, DEFAULT_RETRY_POLICY, () => 0)).toBe(250);
    expect(backoffDelay(1, DEFAULT_RETRY_POLICY, () => 1)).toBe(750);
    expect(backoffDelay(10, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(5000);
  });

  it('classifies transient codes', () => {
    expect(isTransient(transient())).toBe(true);
    expect(isTransient(new IisctlError('SESSION_DIED', 'x'))).toBe(true);
    expect(isTransient(new IisctlError('SESSION_TIMEOUT', 'x'))).toBe(false);
    expect(isTransient(new Error('x'))).toBe(false);
  });

  it('a WinRM time-out is transient (retried); a name that does not resolve, or access denied, is not', () => {
    const remoting = (code: 'UNREACHABLE' | 'ACCESS_DENIED', fqeid: string) =>
      classifyPowerShellError({ message: 'Connecting to remote server WEB03 failed', type: 'System.Management.Automation.Remoting.PSRemotingTransportException', fullyQualifiedErrorId: fqeid, category: 'OpenError' }, 'WEB03');
    expect(remoting('UNREACHABLE', 'WinRMOperationTimeout,PSSessionStateBroken').code).toBe('UNREACHABLE');
    expect(isTransient(remoting('UNREACHABLE', 'WinRMOperationTimeout,PSSessionStateBroken'))).toBe(true);
    expect(isTransient(remoting('UNREACHABLE', 'WinRMOperationTimeout,PSSessionOpenFailed'))).toBe(true);
    expect(isTransient(remoting('UNREACHABLE', 'ComputerNotFound,PSSessionStateBroken'))).toBe(false);
    expect(isTransient(remoting('ACCESS_DENIED', 'AccessDenied,PSSessionStateBroken'))).toBe(false);
  });

  it('an unreachable host that stays unreachable through the retries is still UNREACHABLE (exit 7), with its hint and the attempts', async () => {
    const timeout = classifyPowerShellError({ message: 'Connecting to remote server WEB03 failed', type: 'System.Management.Automation.Remoting.PSRemotingTransportException', fullyQualifiedErrorId: 'WinRMOperationTimeout,PSSessionStateBroken', category: 'OpenError' }, 'WEB03');
    const retries: RetryRecord[] = [];
    const e = (await withRetry(() => Promise.reject(timeout), { what: 'read', policy: { attempts: 3 }, retries, sleep: async () => undefined }).catch((x: unknown) => x)) as IisctlError;
    expect(e.code).toBe('UNREACHABLE');
    expect(e.hint).toBe(timeout.hint);
    expect(e.message).toMatch(/still failing after 3 of 3 attempts/);
    expect(retries).toHaveLength(2);
  });
});

describe('pollUntil', () => {
  it('an aborted signal ends the waiting with CANCELLED before the next read; abortableSleep wakes early', async () => {
    // Fake timers: the 30 s interval and the 60 s sleep are virtual, and an early wake-up is seen
    // as the virtual time at which each promise settled, not as a wall-clock bound.
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const abort = new AbortController();
      let reads = 0;
      let endedAt = 0;
      const polling = pollUntil({ read: async () => (reads++, 'StopPending'), done: () => false, deadline: Date.now() + 60_000, intervalMs: 30_000, signal: abort.signal });
      const ended = polling.catch((e: unknown) => ((endedAt = Date.now()), e));
      await jest.advanceTimersByTimeAsync(50);
      abort.abort();
      await jest.advanceTimersByTimeAsync(0);
      expect(await ended).toMatchObject({ code: 'CANCELLED' });
      expect(reads).toBe(1); // the interval was cut short and no further read was made
      expect(endedAt - 1_000_000).toBe(50);
      const sleeper = new AbortController();
      let woke = 0;
      const slept = abortableSleep(60_000, sleeper.signal).then(() => (woke = Date.now()));
      await jest.advanceTimersByTimeAsync(10);
      expect(woke).toBe(0);
      sleeper.abort();
      await slept;
      expect(woke - 1_000_000).toBe(60);
      expect(jest.getTimerCount()).toBe(0); // its timer was cleared, not left to fire later
    } finally {
      jest.useRealTimers();
    }
  });

  it('returns as soon as the state is reached', async () => {
    const clock = fakeClock();
    const states = ['StopPending', 'StopPending', 'Stopped'];
    const r = await pollUntil({ read: async () => states.shift()!, done: (s) => s === 'Stopped', deadline: clock.now() + 10_000, intervalMs: 100, now: clock.now, sleep: clock.sleep });
    expect(r).toEqual({ reached: true, state: 'Stopped', polls: 3, elapsedMs: 200 });
  });

  it('reports the state left behind when the deadline passes, within one interval', async () => {
    const clock = fakeClock();
    const start = clock.now();
    const seen: number[] = [];
    const r = await pollUntil({
      read: async () => 'StopPending',
      done: (s) => s === 'Stopped',
      deadline: start + 1000,
      intervalMs: 300,
      now: clock.now,
      sleep: clock.sleep,
      onPoll: (_s, elapsed) => seen.push(elapsed),
    });
    expect(r.reached).toBe(false);
    expect(r.state).toBe('StopPending');
    expect(seen).toEqual([0, 300, 600, 900, 1000]);
    expect(clock.now() - start).toBe(1000);
  });
});
