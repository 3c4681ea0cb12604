jest.mock('../../../lib/scripts/command', () => require('./fake-host').commandModule());

import { AppPoolController } from '../../../lib/control/appPools';
import type { IisServiceController } from '../../../lib/control/iisServices';
import { WebOperations, type SurgicalResult } from '../../../lib/control/webOperations';
import { IisctlError } from '../../../lib/errors';
import { audits, failure, FakeSession, recordingLogger } from './fake-host';
import { FakePools, FakePoolsOptions } from './fake-iis';

const T0 = Date.UTC(2026, 11, 6, 10);
beforeEach(() => jest.useFakeTimers({ now: T0 }));
afterEach(() => jest.useRealTimers());

/** The frame every pool and site operation runs in, driven through the pool controller. */
function setup(options: FakePoolsOptions & { signal?: AbortSignal } = {}) {
  const session = new FakeSession();
  const fake = new FakePools(session, [{ name: 'ShopApi', workers: [101] }], options);
  const ops = new WebOperations({ session: session.asSession, services: {} as IisServiceController, logger: recordingLogger(), signal: options.signal });
  return { session, fake, pools: new AppPoolController(ops) };
}

describe('WebOperations.frame', () => {
  it('an abort while waiting: CANCELLED, no further request, audited as failed, events attached', async () => {
    const abort = new AbortController();
    const { session, pools } = setup({ hungStop: ['ShopApi'], signal: abort.signal });
    const p = pools.stop('ShopApi', { timeoutSeconds: 60 });
    setTimeout(() => abort.abort(), 2000);
    const e = await failure(p);
    expect(e.code).toBe('CANCELLED');
    expect(audits(session)).toEqual(['apppool-stop failed']);
    expect(session.purposes(/^request/)).toEqual(['request stop of application pool(s) ShopApi']);
    expect((e as IisctlError<SurgicalResult>).operation!.events).toEqual([]);
    // Stopped at the abort, not at the 60 s deadline.
    expect(session.calls[session.calls.length - 1].at - T0).toBeLessThan(3000);
  });

  // Known gap: the frame passes the body's targets to withStateLeft, but a body that threw returned
  // none, so an interrupted pool or site operation does not name the state it left (the README
  // promises it for every changing command; the service operations do). When that is fixed this
  // test fails: turn it into a plain test.
  it('an interrupted pool stop names the state it left the pool in', async () => {
    const abort = new AbortController();
    const { pools } = setup({ hungStop: ['ShopApi'], signal: abort.signal });
    const p = pools.stop('ShopApi', { timeoutSeconds: 60 });
    setTimeout(() => abort.abort(), 2000);
    expect((await failure(p)).message).toMatch(/Left: ShopApi Stopping\.$/);
  });

  it('an abort during a retry back-off ends with CANCELLED instead of another request', async () => {
    const abort = new AbortController();
    const { session, pools } = setup({ refuse: { ShopApi: 99 }, signal: abort.signal });
    const p = pools.recycle('ShopApi');
    setTimeout(() => abort.abort(), 100);
    expect((await failure(p)).code).toBe('CANCELLED');
    expect(session.purposes(/^request/)).toHaveLength(1);
  });

  it('the session lost in the middle: the pool read back, audit and events on a fresh process, the error passed on', async () => {
    const { session, pools } = setup();
    session.on(/^request recycle/, () => {
      session.lost = true;
      throw new IisctlError('SESSION_DIED', 'PowerShell exited', { details: { lockLost: true } });
    });
    expect((await failure(pools.recycle('ShopApi'))).code).toBe('SESSION_DIED');
    expect(session.calls.filter((c) => c.readBack).map((c) => c.purpose)).toEqual(['read the state of 1 application pool(s)', 'write the audit event for apppool-recycle', 'read IIS events']);
  });

  it('no WAS/W3SVC installed: FAILED with the hint to install the role, even with ensureServices', async () => {
    const { session, pools } = setup();
    session.on('read the IIS application pools', { services: [], pools: [], sites: [] });
    const e = await failure(pools.start('ShopApi', { ensureServices: true }));
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/WAS is not installed, W3SVC is not installed/);
    expect(e.hint).toBe('Install the Web Server (IIS) role.');
  });

  it('a timeout out of range is INVALID_ARGUMENT before any round trip', async () => {
    const { session, pools } = setup();
    expect((await failure(pools.recycle('ShopApi', { timeoutSeconds: -5 }))).code).toBe('INVALID_ARGUMENT');
    expect(session.calls).toEqual([]);
  });
});
