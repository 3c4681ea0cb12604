jest.mock('../../../lib/scripts/command', () => require('./fake-host').commandModule());

import type { AcquireResult, LockHolder } from '../../../lib/scripts/lock';
import { describeHolder, HostLock, HostLockOptions, lockedError, LockOptions, parseLockOptions } from '../../../lib/control/lock';
import { parseRemoteTarget } from '../../../lib/scripts/remote';
import { HINTS } from '../../../lib/hints';
import { IisctlError } from '../../../lib/errors';
import { failure, FakeSession, recordingLogger, run } from './fake-host';

const T0 = Date.UTC(2026, 11, 6, 10, 0, 0);
beforeEach(() => jest.useFakeTimers({ now: T0 }));
afterEach(() => jest.useRealTimers());

const HOLDER: LockHolder = { user: 'CONTOSO\\ann', clientProcessId: 4242, clientComputer: 'BUILD01', hostProcessId: 777, operation: 'restart', since: '2026-12-06T09:59:00Z' };
const free: AcquireResult = { acquired: true, abandoned: false, expired: false, hostProcessId: 555 };
const busy: AcquireResult = { acquired: false, abandoned: false, expired: false, holder: HOLDER };

function setup(given: Partial<Omit<HostLockOptions, keyof LockOptions>> & LockOptions = {}) {
  // The lock options are checked where a caller gives them (parseLockOptions), as connect() does.
  const { wait, timeoutSeconds, leaseSeconds, ...rest } = given;
  const options = { ...parseLockOptions({ wait, timeoutSeconds, leaseSeconds }), ...rest };
  const session = new FakeSession();
  session.on(/^acquire the host lock/, free).on(/^release the host lock/, undefined).on(/^renew the host lock/, { renewed: true });
  const logger = recordingLogger();
  const lock = new HostLock({ session: session.asSession, target: options.remote?.computerName ?? 'localhost', user: 'CONTOSO\\ops', logger, ...options });
  return { session, logger, lock };
}

/** The per-call blocking wait asked of the host (the lock call's deadline is that wait + 60 s). */
const waits = (s: FakeSession) => s.calls.filter((c) => c.purpose.startsWith('acquire')).map((c) => c.timeoutMs! - 60_000);

describe('HostLock (local: the mutex is held by the pinned PowerShell process)', () => {
  it('acquires without blocking first, pins the process, runs the operation, then releases and unpins', async () => {
    const { session, lock } = setup();
    session.on('work', 'done');
    let heldDuring = false;
    const r = await run(lock.hold('restart', async () => {
      heldDuring = lock.held && session.pinned;
      return session.handle({ purpose: 'work', script: { safeText: '' } as never, parse: (x) => x }, {});
    }));
    expect(r).toBe('done');
    expect(heldDuring).toBe(true);
    expect(session.purposes()).toEqual(['acquire the host lock (restart)', 'work', 'release the host lock']);
    expect(waits(session)).toEqual([0]);
    expect(session.pinned).toBe(false);
    expect(lock.held).toBe(false);
  });

  it('is re-entrant: a nested hold (heal runs a recycle) neither acquires nor releases again', async () => {
    const { session, lock } = setup();
    await run(lock.hold('heal', () => lock.hold('apppool-recycle', async () => undefined)));
    expect(session.purposes()).toEqual(['acquire the host lock (heal)', 'release the host lock']);
  });

  it('two operations started at once on one client share one acquisition', async () => {
    const { session, lock } = setup();
    await run(Promise.all([lock.hold('stop', async () => 1), lock.hold('stop', async () => 2)]));
    expect(session.purposes(/^acquire/)).toHaveLength(1);
  });

  it('releases when the operation fails too, and passes its error on', async () => {
    const { session, lock } = setup();
    const e = await failure(lock.hold('stop', async () => {
      throw new IisctlError('TIMEOUT', 'stop timed out');
    }));
    expect(e.code).toBe('TIMEOUT');
    expect(session.purposes()).toEqual(['acquire the host lock (stop)', 'release the host lock']);
  });

  it('wait: false and a held lock: LOCKED at once naming the holder; the operation never runs and nothing is released', async () => {
    const { session, lock } = setup({ wait: false });
    session.on(/^acquire/, busy);
    let ran = false;
    const e = await failure(lock.hold('restart', async () => void (ran = true)));
    expect(e.code).toBe('LOCKED');
    expect(e.message).toBe('Another iisctl holds the lock on localhost: CONTOSO\\ann, iisctl pid 4242 on BUILD01, PowerShell pid 777, running restart, since 2026-12-06T09:59:00Z.');
    expect(e.hint).toBe(HINTS.lockNoWait);
    expect(ran).toBe(false);
    expect(session.purposes()).toEqual(['acquire the host lock (restart)']);
    expect(session.pins).toBe(0);
  });

  it('waits in slices (blocking on the host) and takes the lock once it is free, warning once who it waits for', async () => {
    const { session, lock, logger } = setup({ sliceMs: 2000 });
    session.once(/^acquire/, busy, 3);
    await run(lock.hold('restart', async () => undefined));
    expect(waits(session)).toEqual([0, 2000, 2000, 2000]);
    const warnings = logger.records.filter((r) => r.level === 'warn').map((r) => r.message);
    expect(warnings).toEqual(['waiting up to 300 s for the host lock held by CONTOSO\\ann, iisctl pid 4242 on BUILD01, PowerShell pid 777, running restart, since 2026-12-06T09:59:00Z']);
  });

  it('gives up with LOCKED after timeoutSeconds of waiting, saying how long it waited; the last slice ends at the deadline', async () => {
    const { session, lock } = setup({ timeoutSeconds: 5, sliceMs: 2000 });
    session.on(/^acquire/, busy);
    const e = await failure(lock.hold('stop', async () => undefined));
    expect(e.code).toBe('LOCKED');
    expect(e.message).toMatch(/^Another iisctl holds the lock on localhost after waiting 5 s: /);
    expect(e.hint).toBe(HINTS.lockWaited);
    // Slices fill the 5 s; a host that answers at once (a lease holder) does not make it spin.
    expect(waits(session)).toEqual([0, 2000, 2000, 1000, 0]);
    expect(session.calls[session.calls.length - 1].at - T0).toBe(5000);
  });

  it('an abort while waiting for the lock ends with CANCELLED before the next attempt; nothing ran', async () => {
    const abort = new AbortController();
    const { session, lock } = setup({ signal: abort.signal });
    session.on(/^acquire/, busy);
    const p = lock.hold('stop', async () => undefined);
    setTimeout(() => abort.abort(), 3000);
    const e = await failure(p);
    expect(e.code).toBe('CANCELLED');
    expect(session.purposes(/^acquire/).length).toBeLessThanOrEqual(3);
    expect(session.purposes(/^release/)).toEqual([]);
  });

  it('taking over an abandoned lock is a warning naming the dead holder', async () => {
    const { session, lock, logger } = setup();
    session.on(/^acquire/, { ...free, abandoned: true, holder: HOLDER });
    await run(lock.hold('stop', async () => undefined));
    const w = logger.records.find((r) => r.level === 'warn')!;
    expect(w.message).toBe('took over the host lock of an iisctl that died without releasing it');
    expect(w.meta).toMatchObject({ previousHolder: HOLDER });
  });

  it('a lock whose PowerShell process is gone is released with it: no release command, only unpinned', async () => {
    const { session, lock, logger } = setup();
    await run(lock.hold('stop', async () => void (session.lost = true)));
    expect(session.purposes()).toEqual(['acquire the host lock (stop)']);
    expect(session.unpins).toBe(1);
    expect(logger.records.some((r) => r.message === 'host lock released with its PowerShell process')).toBe(true);
  });

  it('a release that fails is a warning, not an error of the operation', async () => {
    const { session, lock, logger } = setup();
    session.on(/^release/, () => {
      throw new IisctlError('SESSION_TIMEOUT', 'no answer');
    });
    await expect(run(lock.hold('stop', async () => 'ok'))).resolves.toBe('ok');
    expect(logger.records.find((r) => r.level === 'warn')!.message).toBe('could not release the host lock; it is released when the PowerShell process ends');
  });

  it('a release sent with the operation\'s last call is not sent again; only the outermost hold gets one', async () => {
    const { session, lock } = setup();
    const offered: boolean[] = [];
    await run(lock.hold('heal', async () => {
      await lock.hold('apppool-recycle', async () => void offered.push(lock.releaseInLastCall() !== undefined));
      const release = lock.releaseInLastCall();
      offered.push(release !== undefined);
      expect(release!.purpose).toBe('release the host lock');
      lock.releasedWith(true);
    }));
    expect(offered).toEqual([false, true]);
    expect(session.purposes()).toEqual(['acquire the host lock (heal)']);
    expect(session.pinned).toBe(false);
    expect(lock.held).toBe(false);
  });

  it('a release sent with the last call that did not get through is sent on its own', async () => {
    const { session, lock } = setup();
    await run(lock.hold('stop', async () => {
      lock.releaseInLastCall();
      lock.releasedWith(false);
    }));
    expect(session.purposes()).toEqual(['acquire the host lock (stop)', 'release the host lock']);
  });

  it('an operation that starts while the release travels with the last call waits for it and acquires afresh', async () => {
    const { session, lock } = setup();
    let finish!: () => void;
    const first = lock.hold('stop', async () => {
      lock.releaseInLastCall();
      await new Promise<void>((r) => (finish = r)); // the last call is on its way
      lock.releasedWith(true);
    });
    await jest.advanceTimersByTimeAsync(10);
    let secondRan = false;
    const second = lock.hold('start', async () => void (secondRan = true));
    await jest.advanceTimersByTimeAsync(10);
    expect(secondRan).toBe(false);
    finish();
    await run(Promise.all([first, second]));
    expect(secondRan).toBe(true);
    expect(session.purposes()).toEqual(['acquire the host lock (stop)', 'acquire the host lock (start)', 'release the host lock']);
  });

  it('settled() waits until no operation holds or waits for the lock', async () => {
    const { lock } = setup();
    let finish!: () => void;
    const p = lock.hold('stop', () => new Promise<void>((r) => (finish = r)));
    await jest.advanceTimersByTimeAsync(10);
    expect(lock.busy).toBe(true);
    let settled = false;
    void lock.settled().then(() => (settled = true));
    await jest.advanceTimersByTimeAsync(10);
    expect(settled).toBe(false);
    finish();
    await run(p);
    await jest.advanceTimersByTimeAsync(10);
    expect(settled).toBe(true);
    expect(lock.busy).toBe(false);
  });
});

describe('HostLock (remote: a lease on the target, renewed while held)', () => {
  const remote = parseRemoteTarget('WEB01');

  it('takes a lease on the remote computer, renews it every quarter of the lease, and stops renewing after the release', async () => {
    const { session, lock } = setup({ remote, leaseSeconds: 40 });
    await run(lock.hold('restart', async () => {
      await new Promise((r) => setTimeout(r, 35_000));
    }));
    const p = session.purposes();
    expect(p[0]).toBe('acquire the host lock (restart) on WEB01');
    expect(session.calls[0].script).toMatch(/40/);
    expect(p.filter((x) => x.startsWith('renew'))).toHaveLength(3); // at 10, 20 and 30 s
    expect(p[p.length - 1]).toBe('release the host lock on WEB01');
    expect(session.pins).toBe(0); // a lease is not tied to the local process
    await jest.advanceTimersByTimeAsync(60_000);
    expect(session.purposes(/^renew/)).toHaveLength(3);
  });

  it('a renewal refused (the lease expired) is logged as an error; one that fails is a warning', async () => {
    const { session, lock, logger } = setup({ remote, leaseSeconds: 40 });
    session.once(/^renew/, { renewed: false }).once(/^renew/, () => {
      throw new IisctlError('UNREACHABLE', 'WinRM timed out');
    });
    await run(lock.hold('restart', () => new Promise((r) => setTimeout(r, 25_000))));
    const messages = logger.records.filter((r) => r.level === 'error' || r.level === 'warn').map((r) => `${r.level} ${r.message}`);
    expect(messages).toEqual([
      'warn could not renew the host lock; it expires unless a later renewal gets through',
      'error lost the host lock: its lease expired and another iisctl may hold it now',
    ]);
  });

  it('a lease outlives the process, so with the session lost it is released on a fresh one', async () => {
    const { session, lock } = setup({ remote });
    await run(lock.hold('restart', async () => void (session.lost = true)));
    expect(session.readBacks).toBe(1);
    expect(session.calls[session.calls.length - 1]).toMatchObject({ purpose: 'release the host lock on WEB01', readBack: true });
  });

  it('a lease taken over from an iisctl that stopped renewing says so', async () => {
    const { session, lock, logger } = setup({ remote });
    session.on(/^acquire/, { ...free, abandoned: true, expired: true, holder: HOLDER });
    await run(lock.hold('restart', async () => undefined));
    expect(logger.records.find((r) => r.level === 'warn')!.message).toMatch(/whose lease expired/);
  });
});

describe('lock messages and validation', () => {
  it('describeHolder says what is known and no more', () => {
    expect(describeHolder(undefined)).toBe('another process (no details recorded)');
    expect(describeHolder({ operation: 'stop' })).toBe('an unknown user, running stop');
  });

  it('lockedError rounds the wait to tenths of a second and keeps the holder in details', () => {
    const e = lockedError('WEB01', HOLDER, 12_345);
    expect(e.message).toMatch(/after waiting 12.3 s/);
    expect(e.details).toEqual({ holder: HOLDER });
  });

  it('out-of-range lock options are INVALID_ARGUMENT when the lock is built', () => {
    expect(() => setup({ timeoutSeconds: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => setup({ leaseSeconds: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
