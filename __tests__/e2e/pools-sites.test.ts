/**
 * Surgical operations on pools and sites, end to end against the simulated host, in process on
 * virtual time (helpers/sim.ts inProcessClient): simulated seconds cost no real time.
 */
import { IisctlError } from '../../lib/errors';
import type { SurgicalResult } from '../../lib/control/webOperations';
import { closeClients, localComputer, scenarioFile, service, inProcessClient, failure } from '../helpers/sim';

afterEach(closeClients);

const resultOf = (e: IisctlError) => (e as IisctlError<SurgicalResult>).operation!;
const TIMING = { startMs: 50, stopMs: 100, overlapMs: 150, workerStartMs: 50 };
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const pool = (name: string, extra: Json = {}) => ({ name, workers: 1, timing: { ...TIMING }, ...extra });
const poolsOf = (s: Json) => localComputer(s).appPools as Json[];

describe('appPools.list', () => {
  it('reports state, settings, workers and the sites/applications served, in one round trip', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    const calls = iis.stats.calls;
    const pools = await iis.appPools.list();
    expect(iis.stats.calls - calls).toBe(1);
    const byName = Object.fromEntries(pools.map((p) => [p.name, p]));
    expect(byName.DefaultAppPool).toMatchObject({ state: 'Started', autoStart: true, startMode: 'OnDemand', runtimeVersion: 'v4.0', pipelineMode: 'Integrated', identityType: 'ApplicationPoolIdentity', sites: ['Default Web Site', 'Shop'] });
    expect(byName.DefaultAppPool.workerProcessIds).toHaveLength(1);
    expect(byName.ShopApi).toMatchObject({ startMode: 'AlwaysRunning', runtimeVersion: '', applications: [{ site: 'Shop', path: '/api' }] });
  });

  it('lists 200 pools in one round trip', async () => {
    const iis = await inProcessClient(scenarioFile('fast', (s) => {
      for (let i = 0; i < 198; i++) poolsOf(s).push(pool(`pool-${i}`, { workers: 0 }));
    }));
    const calls = iis.stats.calls;
    const pools = await iis.appPools.list();
    expect(iis.stats.calls - calls).toBe(1);
    expect(pools).toHaveLength(200);
    expect(pools.filter((p) => p.state === 'Started')).toHaveLength(200);
  });
});

describe('appPools.stop / start', () => {
  it('waits past the cmdlet\'s return until Stopped with no worker left', async () => {
    const iis = await inProcessClient(scenarioFile('fast', (s) => {
      poolsOf(s)[0].timing.stopMs = 4000;
    }));
    const [before] = await iis.appPools.list();
    const result = await iis.appPools.stop('DefaultAppPool');
    const request = result.steps.find((s) => s.step === 'request stop')!;
    // Stop-WebAppPool returned long before the pool stopped (4 s); iisctl waited for Stopped.
    expect(request.durationMs).toBeLessThan(4000);
    expect(result.durationMs).toBeGreaterThanOrEqual(3900);
    expect(result.targets).toEqual([expect.objectContaining({ name: 'DefaultAppPool', changed: true, before: 'Started', after: 'Stopped', workerProcessIdsBefore: before.workerProcessIds, workerProcessIdsAfter: [] })]);
    const after = await iis.appPools.list();
    expect(after.find((p) => p.name === 'DefaultAppPool')).toMatchObject({ state: 'Stopped', workerProcessIds: [] });
    expect(result.events.some((e) => e.kind === 'audit' && /apppool-stop succeeded/.test(e.message))).toBe(true);
  });

  it('stopping a stopped pool and starting a started one succeed with changed: false and request nothing', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    await iis.appPools.stop('ShopApi');
    const again = await iis.appPools.stop('shopapi');
    expect(again.changed).toBe(false);
    expect(again.targets[0]).toMatchObject({ name: 'ShopApi', changed: false, detail: 'already stopped' });
    expect(again.steps.map((s) => s.step)).toEqual(['nothing to do']);
    const start = await iis.appPools.start(['DefaultAppPool', 'ShopApi']);
    expect(start.targets.map((t) => [t.name, t.changed, t.after])).toEqual([
      ['DefaultAppPool', false, 'Started'],
      ['ShopApi', true, 'Started'],
    ]);
    expect(start.targets[1].workerProcessIdsAfter).toHaveLength(1); // AlwaysRunning
  });

  it('batches: many pools get one request and one status read per poll interval', async () => {
    const iis = await inProcessClient(scenarioFile('fast', (s) => {
      for (let i = 0; i < 20; i++) poolsOf(s).push(pool(`api-${i}`));
    }));
    const calls = iis.stats.calls;
    const result = await iis.appPools.stop({ match: 'api-*' });
    expect(result.targets).toHaveLength(20);
    expect(result.targets.every((t) => t.after === 'Stopped' && t.workerProcessIdsAfter!.length === 0)).toBe(true);
    expect(result.steps.filter((s) => s.step === 'request stop')).toHaveLength(1);
    // toggle + inventory + request + a few polls + final read + audit + events: far fewer than 20.
    expect(iis.stats.calls - calls).toBeLessThan(15);
  });

  it('stayStopped also sets autoStart false', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    await iis.appPools.stop('ShopApi', { stayStopped: true });
    expect((await iis.appPools.list()).find((p) => p.name === 'ShopApi')).toMatchObject({ state: 'Stopped', autoStart: false });
  });

  it('names with parentheses, quotes and Unicode are literal; { match } is the only wildcard', async () => {
    const names = ['api-(1)', "it's \u2019quoted\u2019", 'Ünïcode ☃ 日本', 'api-x'];
    const iis = await inProcessClient(scenarioFile('fast', (s) => {
      for (const n of names) poolsOf(s).push(pool(n));
    }));
    const literal = await iis.appPools.stop('api-(1)');
    expect(literal.targets.map((t) => [t.name, t.after])).toEqual([['api-(1)', 'Stopped']]);
    const states = Object.fromEntries((await iis.appPools.list()).map((p) => [p.name, p.state]));
    expect(states['api-x']).toBe('Started');
    const quoted = await iis.appPools.recycle(["it's \u2019quoted\u2019", 'ünïcode ☃ 日本']);
    expect(quoted.targets.map((t) => t.name)).toEqual(["it's \u2019quoted\u2019", 'Ünïcode ☃ 日本']);
    const pattern = await iis.appPools.stop({ match: 'api-*' });
    expect(pattern.targets.map((t) => [t.name, t.changed])).toEqual([
      ['api-(1)', false],
      ['api-x', true],
    ]);
  });

  it('names IIS forbids (a * or [ in a pool name, a / in a site name) are INVALID_ARGUMENT before anything is sent', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    const callsBefore = iis.stats.calls;
    for (const call of [() => iis.appPools.stop('api-*'), () => iis.appPools.recycle(['ok', 'api-[1]']), () => iis.sites.stop('shop/api'), () => iis.heal('a|b'), () => iis.heal({ site: 'x?y' })]) {
      const e = await failure(call());
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toMatch(/IIS does not allow/);
    }
    expect(iis.stats.calls).toBe(callsBefore);
    expect(await iis.events({ kinds: ['audit'] })).toEqual([]);
  });

  it('an unknown name is NOT_FOUND with close matches, before anything changes', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    const e = await failure(iis.appPools.stop(['ShopApi', 'DefaultAppPol']));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.hint).toContain('"DefaultAppPool"');
    expect((await iis.appPools.list()).every((p) => p.state === 'Started')).toBe(true);
  });

  it('times out without force (nothing killed), and with force kills only the hung pool\'s workers', async () => {
    const iis = await inProcessClient(scenarioFile('pool-hung-stop'));
    const before = Object.fromEntries((await iis.appPools.list()).map((p) => [p.name, p.workerProcessIds]));
    expect(before.DefaultAppPool).toHaveLength(1);
    expect(before.ShopApi).toHaveLength(1);
    const e = await failure(iis.appPools.stop('DefaultAppPool', { timeoutSeconds: 0.5 }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toMatch(/"DefaultAppPool" \(Stopping, worker\(s\) \d+\)/);
    expect(resultOf(e).killedProcessIds).toEqual([]);
    const forced = await iis.appPools.stop('DefaultAppPool', { timeoutSeconds: 0.5, force: true });
    expect(forced.forced).toBe(true);
    expect(forced.killedProcessIds).toEqual(before.DefaultAppPool);
    expect(forced.targets[0]).toMatchObject({ after: 'Stopped', workerProcessIdsAfter: [], killedProcessIds: before.DefaultAppPool });
    const after = Object.fromEntries((await iis.appPools.list()).map((p) => [p.name, p]));
    expect(after.ShopApi.workerProcessIds).toEqual(before.ShopApi); // the other pool's worker is untouched
    expect(after.ShopApi.state).toBe('Started');
    expect(forced.events.some((ev) => ev.id === 5009)).toBe(true); // WAS: the worker was terminated
  });
});

describe('appPools.recycle', () => {
  it('verifies that a new worker replaced the old one (overlapped), and carries WAS 5079', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    const old = (await iis.appPools.list()).find((p) => p.name === 'DefaultAppPool')!.workerProcessIds;
    const result = await iis.appPools.recycle('DefaultAppPool');
    const t = result.targets[0];
    expect(t.workerProcessIdsAfter).toHaveLength(1);
    expect(t.workerProcessIdsAfter!.some((p) => old.includes(p))).toBe(false);
    expect(result.events.some((e) => e.id === 5079 && e.message.includes("'DefaultAppPool'"))).toBe(true);
  });

  it('waits through a non-overlapped rotation too', async () => {
    const iis = await inProcessClient(scenarioFile('fast', (s) => {
      poolsOf(s)[0].recycling = { disallowOverlappingRotation: true };
    }));
    const old = (await iis.appPools.list())[0].workerProcessIds;
    const result = await iis.appPools.recycle('DefaultAppPool');
    expect(result.targets[0].workerProcessIdsAfter).toHaveLength(1);
    expect(result.targets[0].workerProcessIdsAfter).not.toEqual(old);
  });

  it('refuses a stopped pool with a clear message, or starts it with startIfStopped', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    await iis.appPools.stop('ShopApi');
    const e = await failure(iis.appPools.recycle('ShopApi'));
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/"ShopApi" is Stopped: a recycle needs a started pool/);
    const started = await iis.appPools.recycle('ShopApi', { startIfStopped: true });
    expect(started.targets[0]).toMatchObject({ changed: true, after: 'Started' });
  });
});

describe('pre-flight and toggle', () => {
  it('W3SVC stopped: a clear error, or started first with ensureServices', async () => {
    const iis = await inProcessClient(scenarioFile('fast', (s) => {
      service(s, 'W3SVC').status = 'Stopped';
    }));
    const e = await failure(iis.appPools.recycle('DefaultAppPool'));
    expect(e.message).toMatch(/IIS is not running .*W3SVC is Stopped/);
    const r = await iis.appPools.start('DefaultAppPool', { ensureServices: true });
    expect(r.servicesStarted).toBe(true);
    expect(r.targets[0].after).toBe('Started');
  });

  it('honours the restart toggle (start is still allowed)', async () => {
    // The toggle as `iisctl disable` stores it (lib/scripts/toggle.ts).
    const iis = await inProcessClient(scenarioFile('fast', (s) => {
      localComputer(s).registry = { 'HKLM:\\SOFTWARE\\iisctl': { RestartsDisabled: 1, DisabledBy: 'WEB01\\ops', DisabledAt: '2024-01-01T00:00:00Z', DisabledReason: 'freeze' } };
    }));
    expect((await failure(iis.appPools.stop('ShopApi'))).code).toBe('DISABLED');
    expect((await failure(iis.sites.restart('Shop'))).code).toBe('DISABLED');
    expect((await failure(iis.heal('ShopApi'))).code).toBe('DISABLED');
    expect((await iis.appPools.start('ShopApi')).changed).toBe(false);
  });

  it('plan returns the exact scripts and changes nothing', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    const plan = await iis.appPools.plan('stop', { match: '*' }, { force: true, stayStopped: true });
    expect(plan.targets).toEqual(['DefaultAppPool', 'ShopApi']);
    expect(plan.steps.map((s) => s.description)).toEqual(['set autoStart=false', 'request stop (one batch)', expect.stringMatching(/^poll until verified/), expect.stringMatching(/^on timeout only: terminate/)]);
    expect(plan.steps[1].script).toContain("Stop-WebAppPool -Name $name");
    expect((await iis.appPools.list()).every((p) => p.state === 'Started' && p.autoStart)).toBe(true);
  });
});

describe('sites', () => {
  it('list: id, state, bindings, physical path, pools', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    const sites = await iis.sites.list();
    expect(sites[1]).toMatchObject({ id: 2, name: 'Shop', state: 'Started', physicalPath: 'D:\\sites\\shop', bindings: [{ protocol: 'http', bindingInformation: '*:80:shop.contoso.local' }], pools: ['DefaultAppPool', 'ShopApi'] });
  });

  it('stop/start are idempotent and verified; restart stops then starts; stayStopped clears serverAutoStart', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    expect((await iis.sites.start('Shop')).changed).toBe(false);
    const stop = await iis.sites.stop('Shop', { stayStopped: true });
    expect(stop.targets[0]).toMatchObject({ changed: true, before: 'Started', after: 'Stopped' });
    expect((await iis.sites.list())[1]).toMatchObject({ state: 'Stopped', serverAutoStart: false });
    expect((await iis.sites.stop('Shop')).changed).toBe(false);
    const restart = await iis.sites.restart('Default Web Site');
    expect(restart.steps.map((s) => s.step)).toEqual(['stop', 'start']);
    expect(restart.targets[0].after).toBe('Started');
  });

  it('refuses a start whose binding is in use, naming the conflicting site', async () => {
    const iis = await inProcessClient(scenarioFile('fast', (s) => {
      (localComputer(s).sites as Json[]).push({ id: 3, name: 'Copy [old]', state: 'Stopped', physicalPath: 'D:\\copy', applicationPool: 'DefaultAppPool', bindings: [{ protocol: 'http', bindingInformation: '*:80:' }] });
    }));
    const e = await failure(iis.sites.start('Copy [old]'));
    expect(e.message).toMatch(/site "Copy \[old\]" binding http\/\*:80: is already in use by site "Default Web Site"/);
    expect((await iis.sites.list())[2].state).toBe('Stopped');
    await iis.sites.stop('Default Web Site');
    expect((await iis.sites.start('Copy [old]')).targets[0].after).toBe('Started');
  });
});

describe('heal', () => {
  it('stops at recycle when that leaves the pool healthy', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    const r = await iis.heal('DefaultAppPool');
    expect(r.healedBy).toBe('recycle');
    expect(r.rungs.map((x) => [x.rung, x.outcome])).toEqual([['recycle', 'healthy']]);
  });

  it('heals a site through the pool of its root application', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    const before = (await iis.appPools.list()).find((p) => p.name === 'DefaultAppPool')!.workerProcessIds;
    const r = await iis.heal({ site: 'Shop' });
    expect(r.pool).toBe('DefaultAppPool');
    expect(r.healedBy).toBe('recycle');
    const after = (await iis.appPools.list()).find((p) => p.name === 'DefaultAppPool')!.workerProcessIds;
    expect(after.some((pid) => before.includes(pid))).toBe(false);
    await expect(iis.heal({ site: 'No such site' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('goes on to stop/start when the recycle fails', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    await iis.appPools.stop('ShopApi');
    const r = await iis.heal('ShopApi');
    expect(r.rungs.map((x) => [x.rung, x.outcome])).toEqual([
      ['recycle', 'failed'],
      ['restart-pool', 'healthy'],
    ]);
  });

  it('kills only that pool\'s workers with force when the pool hangs in Stopping', async () => {
    const iis = await inProcessClient(scenarioFile('pool-hung-stop'));
    await iis.appPools.stop('DefaultAppPool', { timeoutSeconds: 0.2 }).catch(() => undefined); // now hung in Stopping
    const shopApi = (await iis.appPools.list()).find((p) => p.name === 'ShopApi')!.workerProcessIds;
    const r = await iis.heal('DefaultAppPool', { force: true, timeoutSeconds: 0.5 });
    expect((await iis.appPools.list()).find((p) => p.name === 'ShopApi')!.workerProcessIds).toEqual(shopApi);
    expect(r.rungs.map((x) => [x.rung, x.outcome])).toEqual([
      ['recycle', 'failed'],
      ['restart-pool', 'failed'],
      ['kill-workers', 'healthy'],
    ]);
    expect(r.healedBy).toBe('kill-workers');
  });

  it('without force skips the killing rungs and restarts IIS gracefully', async () => {
    const iis = await inProcessClient(scenarioFile('pool-hung-stop'));
    await iis.appPools.stop('DefaultAppPool', { timeoutSeconds: 0.2 }).catch(() => undefined);
    // The IIS restart rung gets a generous budget: it must not fail because a shared machine is slow.
    const r = await iis.heal('DefaultAppPool', { timeoutSeconds: 0.5, rungTimeoutSeconds: { 'restart-iis': 20 } });
    expect(r.rungs.map((x) => [x.rung, x.outcome])).toEqual([
      ['recycle', 'failed'],
      ['restart-pool', 'failed'],
      ['kill-workers', 'skipped'],
      ['restart-iis', 'healthy'],
    ]);
  });

  it('ends with a forced IIS restart when nothing gentler works', async () => {
    const iis = await inProcessClient(scenarioFile('fast', (s) => {
      service(s, 'W3SVC').faults = { hangOnStop: true };
    }));
    let probes = 0;
    // The forced restart's budget covers its stop (half of it), the kill and the start: enough for a slow shared machine.
    const r = await iis.heal('DefaultAppPool', { force: true, timeoutSeconds: 0.5, rungTimeoutSeconds: { 'restart-iis-force': 10 }, healthy: () => ++probes > 3 });
    expect(r.rungs.map((x) => [x.rung, x.outcome])).toEqual([
      ['recycle', 'unhealthy'],
      ['restart-pool', 'unhealthy'],
      ['kill-workers', 'unhealthy'],
      ['restart-iis', 'failed'],
      ['restart-iis-force', 'healthy'],
    ]);
    expect(r.rungs.every((x) => x.durationMs >= 0 && x.disruption.length > 0)).toBe(true);
  });
});

describe('audit events of pool and site operations', () => {
  it('name what was acted on, so a site start is not logged as an IIS start', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    await iis.appPools.recycle('DefaultAppPool', { reason: 'leak' });
    await iis.sites.stop('Shop', { reason: 'maintenance' });
    const audit = await iis.events({ kinds: ['audit'] });
    expect(audit.map((e) => [e.id, e.message.split(';')[0]])).toEqual([
      [1014, 'iisctl site-stop succeeded'],
      [1010, 'iisctl apppool-recycle succeeded'],
    ]);
    expect(audit[1].message).toContain('reason=leak');
    // ... and which pool or site: "who recycled DefaultAppPool, and why".
    expect(audit[0].message).toMatch(/; sites=Shop$/);
    expect(audit[1].message).toMatch(/; reason=leak; pools=DefaultAppPool$/);
  });
});
