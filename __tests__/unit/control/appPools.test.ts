jest.mock('../../../lib/scripts/command', () => require('./fake-host').commandModule());

import { AppPoolController } from '../../../lib/control/appPools';
import type { IisServiceController } from '../../../lib/control/iisServices';
import { WebOperations } from '../../../lib/control/webOperations';
import { audits, failure, FakeSession, recordingLogger, run } from './fake-host';
import { FakePools, FakePoolsOptions } from './fake-iis';

const T0 = Date.UTC(2026, 11, 6, 10, 0, 0);
beforeEach(() => jest.useFakeTimers({ now: T0 }));
afterEach(() => jest.useRealTimers());

function setup(options: FakePoolsOptions & { toggle?: { enabled: boolean } } = {}) {
  const session = new FakeSession();
  const fake = new FakePools(session, [
    { name: 'ShopApi', workers: [101] },
    { name: 'Admin', workers: [202] },
    { name: 'Old', state: 'Stopped', autoStart: false },
  ], options);
  if (options.toggle) session.on('read whether restarts are enabled', options.toggle);
  const started: unknown[] = [];
  const services = { start: async (o: unknown) => void started.push(o) } as unknown as IisServiceController;
  const ops = new WebOperations({ session: session.asSession, services, logger: recordingLogger(), user: 'CONTOSO\\ops' });
  return { session, fake, pools: new AppPoolController(ops), started };
}

const requests = (s: FakeSession) => s.purposes(/^(request|terminate|set autoStart)/);

describe('AppPoolController', () => {
  it('recycle: toggle, one inventory, one batch request, verified only once a new worker replaced the old one, audited with the pools', async () => {
    const { session, pools } = setup();
    const result = await run(pools.recycle(['ShopApi', 'Admin'], { reason: 'leak' }));
    expect(session.purposes()[0]).toBe('read whether restarts are enabled');
    expect(requests(session)).toEqual(['request recycle of application pool(s) ShopApi, Admin']);
    expect(result.targets.map((t) => [t.name, t.changed, t.workerProcessIdsBefore, t.workerProcessIdsAfter])).toEqual([
      ['ShopApi', true, [101], [5000]],
      ['Admin', true, [202], [5001]],
    ]);
    // Polls kept reading until the new workers were there (1 s in the fake).
    const polls = session.calls.filter((c) => /^read the state of/.test(c.purpose));
    expect(polls.length).toBeGreaterThan(2);
    expect(audits(session)).toEqual(['apppool-recycle succeeded']);
    expect(session.calls.find((c) => c.purpose.startsWith('write the audit'))!.script).toContain('pools=ShopApi,Admin');
  });

  it('a pool already in the wanted state is not requested (changed: false) and says why', async () => {
    const { session, pools } = setup();
    const result = await run(pools.stop('Old'));
    expect(requests(session)).toEqual([]);
    expect(result.changed).toBe(false);
    expect(result.targets[0]).toMatchObject({ name: 'Old', changed: false, detail: 'already stopped' });
    expect(result.steps.map((s) => s.step)).toEqual(['nothing to do']);
  });

  it('recycling a stopped pool is FAILED before anything is requested; with startIfStopped it is started instead', async () => {
    const a = setup();
    const e = await failure(a.pools.recycle('Old'));
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/"Old" is Stopped: a recycle needs a started pool\. Nothing was changed\./);
    expect(requests(a.session)).toEqual([]);
    expect(audits(a.session)).toEqual(['apppool-recycle failed']);
    const b = setup();
    await run(b.pools.recycle('Old', { startIfStopped: true }));
    expect(requests(b.session)).toEqual(['request start of application pool(s) Old']);
  });

  it('a stop that does not finish in time, without force: TIMEOUT naming the pool and its workers, nothing killed', async () => {
    const { session, pools, fake } = setup({ hungStop: ['ShopApi'] });
    const e = await failure(pools.stop(['ShopApi', 'Admin'], { timeoutSeconds: 10 }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toBe('stop of application pool(s) timed out after 10 s; not done: "ShopApi" (Stopping, worker(s) 101). Nothing was killed.');
    expect(fake.killed).toEqual([]);
    expect(requests(session)).toEqual(['request stop of application pool(s) ShopApi, Admin']);
  });

  it('with force only the workers of the pools that did not stop are terminated, then it is verified again', async () => {
    const { pools, fake } = setup({ hungStop: ['ShopApi'] });
    const result = await run(pools.stop(['ShopApi', 'Admin'], { timeoutSeconds: 10, force: true }));
    expect(fake.killed).toEqual([101]);
    expect(result.forced).toBe(true);
    expect(result.killedProcessIds).toEqual([101]);
    expect(result.targets.find((t) => t.name === 'ShopApi')).toMatchObject({ after: 'Stopped', killedProcessIds: [101] });
    expect(result.targets.find((t) => t.name === 'Admin')).toMatchObject({ after: 'Stopped', killedProcessIds: [] });
    expect(result.steps.map((s) => `${s.step} ${s.outcome}`)).toEqual(['request stop ok', 'wait timeout', 'kill workers ok']);
  });

  it('a transient refusal is retried for that name only, after a back-off, and recorded', async () => {
    const { session, pools } = setup({ refuse: { Admin: 1 } });
    const result = await run(pools.recycle(['ShopApi', 'Admin']));
    expect(requests(session)).toEqual(['request recycle of application pool(s) ShopApi, Admin', 'request recycle of application pool(s) Admin']);
    const [first, second] = session.calls.filter((c) => c.purpose.startsWith('request'));
    expect(second.at - first.at).toBe(result.retries[0].delayMs);
    expect(result.retries).toEqual([expect.objectContaining({ attempt: 1, code: 'TRANSIENT', reason: expect.stringMatching(/^Admin: /) })]);
  });

  it('refusals beyond the retry budget: TRANSIENT, with the refusal and the attempts', async () => {
    const { session, pools } = setup({ refuse: { Admin: 99 } });
    const e = await failure(pools.recycle('Admin'));
    expect(e.code).toBe('TRANSIENT');
    expect(e.message).toMatch(/still refused after 3 attempts/);
    expect(requests(session)).toHaveLength(3);
  });

  it('a permanent refusal (access denied) fails at once with its code; nothing is waited for', async () => {
    const { session, pools } = setup({ fail: { Admin: { category: 'PermissionDenied', hresult: 0x80070005 | 0, message: 'Access is denied.' } } });
    const e = await failure(pools.recycle('Admin'));
    expect(e.code).toBe('ACCESS_DENIED');
    expect(session.purposes(/^read the state of/)).toEqual([]);
  });

  it('WAS/W3SVC not running: FAILED with a hint, nothing requested; ensureServices starts IIS first and reads the pools again', async () => {
    const a = setup({ services: 'Stopped' });
    const e = await failure(a.pools.start('ShopApi'));
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/IIS is not running on localhost: WAS is Stopped, W3SVC is Stopped/);
    expect(a.started).toEqual([]);
    const b = setup({ services: 'Stopped' });
    b.session.on('read the IIS application pools', () => ((b.fake.options.services = b.started.length ? 'Running' : 'Stopped'), b.fake.inventory()));
    const result = await run(b.pools.start('Old', { ensureServices: true }));
    expect(b.started).toHaveLength(1);
    expect(result.servicesStarted).toBe(true);
    expect(b.session.purposes(/^read the IIS application pools/)).toHaveLength(2);
  });

  it('stayStopped clears autoStart before the stop request, only where it is set', async () => {
    const { session, pools } = setup();
    await run(pools.stop(['ShopApi', 'Old'], { stayStopped: true }));
    expect(requests(session)).toEqual(['set autoStart=false on application pool(s) ShopApi', 'request stop of application pool(s) ShopApi']);
  });

  it('start is allowed while restarts are disabled; stop and recycle are refused with DISABLED in the round trip of the toggle check, before anything else', async () => {
    const { session, pools } = setup({ toggle: { enabled: false } });
    expect((await failure(pools.recycle('ShopApi'))).code).toBe('DISABLED');
    // The inventory is read only alongside the toggle (one round trip), and nothing follows it.
    const toggleTrip = session.calls.find((c) => c.purpose === 'read whether restarts are enabled')!.trip;
    expect(session.calls.filter((c) => c.trip >= toggleTrip).map((c) => [c.purpose, c.trip])).toEqual([['read whether restarts are enabled', toggleTrip], ['read the IIS application pools', toggleTrip]]);
    await run(pools.start('Old'));
    expect(requests(session)).toEqual(['request start of application pool(s) Old']);
  });

  it('an unknown name is NOT_FOUND with close matches; an empty one is INVALID_ARGUMENT before any round trip', async () => {
    const a = setup();
    const e = await failure(a.pools.recycle('ShopAPI2'));
    expect(e.code).toBe('NOT_FOUND');
    const b = setup();
    expect((await failure(b.pools.recycle(''))).code).toBe('INVALID_ARGUMENT');
    expect(b.session.calls).toEqual([]);
  });

  it('plan reads the inventory only and lists the batch and the poll', async () => {
    const { session, pools } = setup();
    const plan = await run(pools.plan('stop', { match: '*' }, { force: true }));
    expect(plan.unchanged).toEqual(['Old']);
    expect(plan.steps.map((s) => s.description)).toEqual(['request stop (one batch)', 'poll until verified (deadline 30 s, one read per interval)', "on timeout only: terminate these pools' worker processes"]);
    expect(session.purposes()).toEqual(['read the IIS application pools']);
  });
});
