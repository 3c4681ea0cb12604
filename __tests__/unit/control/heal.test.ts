jest.mock('../../../lib/scripts/command', () => require('./fake-host').commandModule());

import type { AppPoolController } from '../../../lib/control/appPools';
import { Healer, HealOptions, healHint, type HealRecord } from '../../../lib/control/heal';
import type { IisServiceController } from '../../../lib/control/iisServices';
import { WebOperations } from '../../../lib/control/webOperations';
import { IisctlError } from '../../../lib/errors';
import { HINTS } from '../../../lib/hints';
import { failure, FakeSession, recordingLogger, run } from './fake-host';

const T0 = Date.UTC(2026, 11, 6, 10, 0, 0);
beforeEach(() => jest.useFakeTimers({ now: T0 }));
afterEach(() => jest.useRealTimers());

type Step = 'recycle' | 'stop' | 'start' | 'restart-iis' | 'restart-iis-force';

/**
 * The ladder against stand-in pool and service controllers: `healsAt` is the step after which the
 * pool reads healthy (never when absent); `throws` makes a step fail with that error.
 */
function setup(healsAt?: Step, throws: Partial<Record<Step, IisctlError>> = {}, pool: { startMode?: string } = {}) {
  const session = new FakeSession();
  let healthy = false;
  const did: string[] = [];
  const step = (name: Step, options?: unknown) => {
    did.push(name);
    if (name === healsAt) healthy = true;
    if (throws[name]) throw throws[name];
    return { options };
  };
  const pools = {
    recycle: async (_p: string, o: unknown) => step('recycle', o),
    stop: async (_p: string, o: unknown) => step('stop', o),
    start: async (_p: string, o: unknown) => step('start', o),
    plan: async (name: string) => {
      throw new IisctlError('NOT_FOUND', `No application pool named ${JSON.stringify(name)}.`);
    },
  } as unknown as AppPoolController;
  const restarts: unknown[] = [];
  const services = {
    restart: async (o: { force: boolean; timeoutSeconds: number }, startWithinMs?: () => number) => {
      restarts.push({ ...o, startWithinMs: startWithinMs?.() });
      step(o.force ? 'restart-iis-force' : 'restart-iis');
    },
  } as unknown as IisServiceController;
  session
    .on('read whether restarts are enabled', { enabled: true })
    .on('read IIS events', [])
    .on('read the IIS application pools', () => ({
      services: [],
      pools: [{ name: 'ShopApi', state: healthy ? 'Started' : 'Stopped', startMode: pool.startMode ?? 'OnDemand', workerProcessIds: healthy ? [] : [31, 32], autoStart: true }],
      sites: [{ name: 'Shop', applications: [{ path: '/', applicationPool: 'ShopApi' }] }],
    }))
    .on(/^read the state of 1 application pool/, [{ name: 'ShopApi', exists: true, state: 'Started', workerProcessIds: [31, 32] }])
    .on(/^terminate processes /, (c) => (did.push(c.purpose), { killed: [31, 32], alreadyGone: [] }));
  const ops = new WebOperations({ session: session.asSession, services, logger: recordingLogger() });
  const healer = new Healer(ops, pools);
  const heal = (options: HealOptions = {}, target: Parameters<Healer['heal']>[0] = 'ShopApi') => healer.heal(target, options);
  return { session, did, restarts, heal };
}

const rungs = (r: { rungs: Array<{ rung: string; outcome: string }> }) => r.rungs.map((x) => `${x.rung} ${x.outcome}`);

describe('Healer: the escalation ladder', () => {
  it('stops at the first rung that leaves the pool healthy', async () => {
    const { did, heal } = setup('recycle');
    const result = await run(heal());
    expect(result.healedBy).toBe('recycle');
    expect(did).toEqual(['recycle']);
    expect(rungs(result)).toEqual(['recycle healthy']);
  });

  it('climbs rung by rung: recycle, then stop and start the pool', async () => {
    const { did, heal } = setup('start');
    const result = await run(heal());
    expect(did).toEqual(['recycle', 'stop', 'start']);
    expect(rungs(result)).toEqual(['recycle unhealthy', 'restart-pool healthy']);
    expect(result.healedBy).toBe('restart-pool');
  });

  it('without force the killing rungs are skipped: IIS is restarted only gracefully, and the failure says force would go further', async () => {
    const { did, restarts, heal } = setup();
    const e = await failure(heal());
    expect(e.code).toBe('FAILED');
    expect(e.message).toBe('Application pool "ShopApi" is still not healthy after recycle, restart-pool, restart-iis.');
    expect(e.hint).toBe(HINTS.healNeedsForce);
    expect(did.some((d) => d.startsWith('terminate'))).toBe(false);
    expect(restarts).toEqual([expect.objectContaining({ force: false })]);
    const result = (e as IisctlError<HealRecord>).operation!;
    expect(rungs(result)).toEqual(['recycle unhealthy', 'restart-pool unhealthy', 'kill-workers skipped', 'restart-iis unhealthy', 'restart-iis-force skipped']);
  });

  it('with force: terminates only that pool\'s workers, then a forced IIS restart as the last rung', async () => {
    const { did, restarts, heal } = setup('restart-iis-force');
    const result = await run(heal({ force: true }));
    expect(did).toEqual(['recycle', 'stop', 'start', 'terminate processes 31, 32', 'start', 'restart-iis', 'start', 'restart-iis-force', 'start']);
    expect(restarts).toEqual([expect.objectContaining({ force: false }), expect.objectContaining({ force: true })]);
    expect(result.healedBy).toBe('restart-iis-force');
  });

  it('a rung whose own step failed does not count even when the pool reads healthy; the hint names that failure', async () => {
    const { heal } = setup('recycle', { recycle: new IisctlError('TIMEOUT', 'recycle timed out') });
    const result = await run(heal());
    expect(rungs(result)).toEqual(['recycle failed', 'restart-pool healthy']);
    expect(result.rungs[0]).toMatchObject({ errorCode: 'TIMEOUT', detail: 'recycle timed out' });
    expect(healHint([{ rung: 'restart-iis', outcome: 'failed', durationMs: 1, detail: 'W3SVC is disabled', disruption: '' }], {})).toBe('The last rung that ran, restart-iis, failed: W3SVC is disabled');
  });

  it('an interrupted rung (CANCELLED) ends the ladder: no more disruptive rung starts after the caller asked to stop', async () => {
    const { did, heal } = setup(undefined, { stop: new IisctlError('CANCELLED', 'Interrupted') });
    const e = await failure(heal({ force: true }));
    expect(e.code).toBe('CANCELLED');
    expect(did).toEqual(['recycle', 'stop']);
    const result = (e as IisctlError<HealRecord>).operation!;
    expect(result.healedBy).toBeUndefined();
    expect(rungs(result)).toEqual(['recycle unhealthy', 'restart-pool failed']);
  });

  it('every rung gets its own budget: rungTimeoutSeconds wins over timeoutSeconds (the stop half of it, the start what is left)', async () => {
    const { restarts, heal } = setup();
    await failure(heal({ timeoutSeconds: 12, rungTimeoutSeconds: { 'restart-iis': 90 } }));
    expect(restarts).toEqual([expect.objectContaining({ timeoutSeconds: 45, startWithinMs: 90_000 })]);
  });

  it('bad budgets and target names are INVALID_ARGUMENT before any round trip', async () => {
    const a = setup();
    expect((await failure(a.heal({ rungTimeoutSeconds: { reboot: 5 } as never }))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(a.heal({}, ''))).code).toBe('INVALID_ARGUMENT');
    expect(a.session.calls).toEqual([]);
  });

  it('refused while restarts are disabled, before any rung', async () => {
    const { session, did, heal } = setup('recycle');
    session.on('read whether restarts are enabled', { enabled: false, reason: 'freeze' });
    expect((await failure(heal())).code).toBe('DISABLED');
    expect(did).toEqual([]);
  });

  it('a site is healed through its root application\'s pool; an unknown pool is NOT_FOUND', async () => {
    const a = setup('recycle');
    expect((await run(a.heal({}, { site: 'shop' }))).pool).toBe('ShopApi');
    const b = setup('recycle');
    expect((await failure(b.heal({}, 'Nope'))).code).toBe('NOT_FOUND');
    expect(b.did).toEqual([]);
  });

  it('healthy means Started, plus a worker for AlwaysRunning, plus the caller\'s own check', async () => {
    const a = setup('recycle', {}, { startMode: 'AlwaysRunning' });
    expect(rungs((await failure(a.heal())).operation as never).slice(0, 1)).toEqual(['recycle unhealthy']);
    const b = setup('recycle');
    const checked: string[] = [];
    const result = await run(b.heal({ healthy: (p) => (checked.push(p.name), checked.length > 1) }));
    expect(rungs(result)).toEqual(['recycle unhealthy', 'restart-pool healthy']);
  });
});
