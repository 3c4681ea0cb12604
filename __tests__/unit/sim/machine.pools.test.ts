import * as fs from 'node:fs';
import * as path from 'node:path';
import { ObjectState } from '../../../lib/sim/machine';
import { faultOf, local, status, T0, world } from './machine.helpers';

// fast.json pools: timing start 50 / stop 100 / overlap 150 / workerStart 50 ms.
const workers = (m: ReturnType<typeof local>, pool: string) => m.pool(pool)!.workerProcesses.map((w) => w.processId);

describe('recycle', () => {
  test('overlapped: a new w3wp starts at once, the old one exits after the overlap; WAS logs 5079', () => {
    const m = local();
    const [old] = workers(m, 'DefaultAppPool');
    expect(m.process(old)?.processName).toBe('w3wp');
    m.requestPoolRecycle('DefaultAppPool');
    const both = workers(m, 'DefaultAppPool');
    expect(both).toHaveLength(2);
    const fresh = both.find((p) => p !== old)!;
    expect(m.process(fresh)).toMatchObject({ processName: 'w3wp', appPool: 'DefaultAppPool', startTime: T0 });
    m.advance(T0 + 149);
    expect(m.process(old)).toBeDefined();
    m.advance(T0 + 150);
    expect(m.process(old)).toBeUndefined();
    expect(workers(m, 'DefaultAppPool')).toEqual([fresh]);
    const e = m.events({ id: 5079 })[0];
    expect(e).toMatchObject({ providerName: 'Microsoft-Windows-WAS', logName: 'System', timeCreated: T0 });
    expect(e.message).toBe("An administrator has requested a recycle of all worker processes in application pool 'DefaultAppPool'.");
  });

  test('disallowOverlappingRotation: old exits first, then a gap with no worker, then a new pid', () => {
    const w = world();
    w.state.computers.WEB01.pools['defaultapppool'].recycling.disallowOverlappingRotation = true;
    const m = w.local;
    const [old] = workers(m, 'DefaultAppPool');
    m.requestPoolRecycle('DefaultAppPool');
    expect(workers(m, 'DefaultAppPool')).toEqual([old]);
    m.advance(T0 + 100);
    expect(workers(m, 'DefaultAppPool')).toEqual([]); // the gap
    m.advance(T0 + 150);
    const after = workers(m, 'DefaultAppPool');
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(old);
  });

  test('logEventOnRecycle without OnDemand: no 5079', () => {
    const w = world();
    w.state.computers.WEB01.pools['defaultapppool'].recycling.logEventOnRecycle = 'Time, Memory, PrivateMemory';
    w.local.requestPoolRecycle('DefaultAppPool');
    expect(w.local.events({ id: 5079 })).toHaveLength(0);
  });

  test('recycling a stopped pool fails with 0x80070426', () => {
    const m = local();
    m.requestPoolStop('DefaultAppPool');
    m.advance(T0 + 100);
    expect(faultOf(() => m.requestPoolRecycle('DefaultAppPool')).hresult).toBe(0x80070426);
  });
});

describe('pool start/stop', () => {
  test('Stopping then Stopped with workers gone; controls while Stopping fail with 0x80070425; stop of Stopped fails 0x80070426', () => {
    const m = local();
    const [pid] = workers(m, 'DefaultAppPool');
    m.requestPoolStop('DefaultAppPool');
    expect(m.pool('DefaultAppPool')!.state).toBe(ObjectState.Stopping);
    expect(faultOf(() => m.requestPoolStart('DefaultAppPool')).hresult).toBe(0x80070425);
    m.advance(T0 + 100);
    expect(m.pool('DefaultAppPool')!.stateName).toBe('Stopped');
    expect(m.process(pid)).toBeUndefined();
    expect(faultOf(() => m.requestPoolStop('DefaultAppPool')).hresult).toBe(0x80070426);
    m.requestPoolStart('DefaultAppPool');
    expect(m.pool('DefaultAppPool')!.stateName).toBe('Starting');
    m.advance(T0 + 150);
    expect(m.pool('DefaultAppPool')!.stateName).toBe('Started');
    expect(workers(m, 'DefaultAppPool')).toEqual([]); // OnDemand: no worker until a request
    const pid2 = m.demandWorker('DefaultAppPool');
    expect(pid2).not.toBeNull();
    expect(workers(m, 'DefaultAppPool')).toEqual([pid2]);
  });

  test('AlwaysRunning pools get a worker as soon as they start', () => {
    const m = local();
    m.requestPoolStop('ShopApi');
    m.advance(T0 + 100);
    m.requestPoolStart('ShopApi');
    m.advance(T0 + 150);
    expect(workers(m, 'ShopApi')).toHaveLength(1);
  });

  test('hung pool stays Stopping', () => {
    const m = local('pool-hung-stop');
    m.requestPoolStop('DefaultAppPool');
    m.advance(T0 + 3600_000);
    expect(m.pool('DefaultAppPool')!.stateName).toBe('Stopping');
    expect(faultOf(() => m.requestPoolStop('DefaultAppPool')).kind).toBe('CannotAcceptControl');
  });

  test('pools and sites report Unknown while W3SVC is down and come back per autoStart', () => {
    const w = world();
    w.state.computers.WEB01.pools['shopapi'].autoStart = false;
    const m = w.local;
    m.requestStop('W3SVC');
    m.advance(T0 + 250);
    expect(m.pools().map((p) => p.stateName)).toEqual(['Unknown', 'Unknown']);
    expect(m.site('Default Web Site')!.stateName).toBe('Unknown');
    expect(m.processes().filter((p) => p.processName === 'w3wp')).toHaveLength(0);
    expect(faultOf(() => m.requestPoolStart('DefaultAppPool')).kind).toBe('NotActive');
    m.requestStart('W3SVC');
    m.advance(T0 + 400);
    expect(m.pool('DefaultAppPool')!.stateName).toBe('Started');
    expect(m.pool('ShopApi')!.stateName).toBe('Stopped');
    expect(m.site('Default Web Site')!.stateName).toBe('Started');
  });
});

describe('worker failures and rapid-fail protection', () => {
  test('after maxCrashes within the interval the pool is Stopped and WAS logs 5002', () => {
    const m = local('rapid-fail');
    expect(workers(m, 'DefaultAppPool')).toEqual([]);
    m.demandWorker('DefaultAppPool');
    m.advance(T0 + 10_000);
    expect(m.pool('DefaultAppPool')!.stateName).toBe('Stopped');
    expect(workers(m, 'DefaultAppPool')).toEqual([]);
    const terminated = m.events({ id: 5009 });
    expect(terminated).toHaveLength(5);
    expect(terminated[0].message).toMatch(/^A process serving application pool 'DefaultAppPool' terminated unexpectedly\. The process id was '\d+'\. The process exit code was '0xc0000005'\.$/);
    const rf = m.events({ id: 5002 });
    expect(rf).toHaveLength(1);
    expect(rf[0]).toMatchObject({ providerName: 'Microsoft-Windows-WAS', level: 2, levelDisplayName: 'Error' });
    expect(rf[0].message).toBe(
      "Application pool 'DefaultAppPool' is being automatically disabled due to a series of failures in the process(es) serving that application pool.",
    );
    // crash n at 100 + (n-1) * 150 ms (100 ms life + 50 ms relaunch): the 5th at +700
    expect(rf[0].timeCreated).toBe(T0 + 700);
    expect(m.demandWorker('DefaultAppPool')).toBeNull();
  });

  test('crashes spread wider than the interval do not trip rapid-fail', () => {
    const w = world('rapid-fail');
    w.state.computers.WEB01.pools['defaultapppool'].failure.rapidFailProtectionInterval = '00:00:00.5';
    const m = w.local;
    m.demandWorker('DefaultAppPool');
    m.advance(T0 + 1600); // 10 crashes, 150 ms apart: never 5 within 0.5 s
    expect(m.events({ id: 5002 })).toHaveLength(0);
    expect(m.pool('DefaultAppPool')!.stateName).toBe('Started');
  });

  test('Stop-Process on a w3wp: WAS logs 5009; OnDemand pools start a new worker only on the next request', () => {
    const m = local();
    const [pid] = workers(m, 'DefaultAppPool');
    m.kill(pid);
    expect(workers(m, 'DefaultAppPool')).toEqual([]);
    expect(m.events({ id: 5009 })[0].properties).toEqual(['DefaultAppPool', String(pid), '0xffffffff']);
    m.advance(T0 + 10_000);
    expect(workers(m, 'DefaultAppPool')).toEqual([]);
    expect(m.pool('DefaultAppPool')!.stateName).toBe('Started');
  });
});

describe('reboot', () => {
  test('all processes end, the computer is unreachable, then Automatic services and autoStart pools come back', () => {
    const w = world('fast');
    w.state.computers.WEB01.pools['shopapi'].autoStart = false;
    const m = w.local;
    const before = new Set(m.processes().map((p) => p.id));
    m.advance(T0 + 1000);
    m.reboot();
    expect(m.processes()).toEqual([]);
    expect(m.services().every((s) => s.statusName === 'Stopped')).toBe(true);
    expect(faultOf(() => w.connect('WEB01')).reason).toBe('rebooting');
    expect(faultOf(() => m.requestStart('W3SVC')).kind).toBe('Unreachable');
    m.advance(T0 + 1500); // rebootMs 500: boot completes
    expect(m.bootTime).toBe(T0 + 1500);
    expect(status(m, 'W3SVC')).toBe('StartPending');
    m.advance(T0 + 1500 + 250);
    expect(status(m, 'WAS')).toBe('Running'); // Manual, but started as W3SVC's dependency
    expect(status(m, 'W3SVC')).toBe('Running');
    expect(status(m, 'AppHostSvc')).toBe('Running');
    expect(m.pool('DefaultAppPool')!.stateName).toBe('Started');
    expect(m.pool('ShopApi')!.stateName).toBe('Stopped');
    const system = m.processes().find((p) => p.processName === 'System');
    expect(system?.id).toBe(4);
    const svchosts = m.processes().filter((p) => p.processName === 'svchost');
    expect(svchosts.every((p) => !before.has(p.id) && p.startTime >= T0 + 1500)).toBe(true);
  });
});

describe('sites', () => {
  test('site view: bindings, applications and their pools', () => {
    const m = local();
    const shop = m.site('shop')!;
    expect(shop).toMatchObject({ id: 2, stateName: 'Started', applicationPool: 'DefaultAppPool', httpPort: 18081 });
    expect(shop.applications.map((a) => [a.path, a.applicationPool])).toEqual([
      ['/', 'DefaultAppPool'],
      ['/api', 'ShopApi'],
    ]);
    m.requestSiteStop('Shop');
    expect(m.site('Shop')!.state).toBe(ObjectState.Stopped);
  });

  test('pool configuration carries the documented IIS 10 defaults', () => {
    const p = local().pool('DefaultAppPool')!;
    expect(p.recycling.periodicRestart.time).toBe('1.05:00:00');
    expect(p.recycling.disallowOverlappingRotation).toBe(false);
    expect(p.failure).toMatchObject({ rapidFailProtection: true, rapidFailProtectionMaxCrashes: 5, rapidFailProtectionInterval: '00:05:00' });
    expect(p.cpu).toMatchObject({ limit: 0, action: 'NoAction', resetInterval: '00:05:00' });
    expect(p.processModel).toMatchObject({
      identityType: 'ApplicationPoolIdentity',
      idleTimeout: '00:20:00',
      idleTimeoutAction: 'Terminate',
      startupTimeLimit: '00:01:30',
      shutdownTimeLimit: '00:01:30',
    });
    expect([p.autoStart, p.startMode, p.managedPipelineMode, p.managedRuntimeVersion]).toEqual([true, 'OnDemand', 'Integrated', 'v4.0']);
  });
});

describe('names that are also Object.prototype members', () => {
  test('"constructor", "toString" or "__proto__" are not found unless they exist; a pool named "__proto__" is a pool like any other', () => {
    const m = local();
    for (const n of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(m.pool(n)).toBeUndefined();
      expect(m.service(n)).toBeUndefined();
    }
    const scenario = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../lib/sim/scenarios/fast.json'), 'utf8')) as { computers: Record<string, { appPools: Array<Record<string, unknown>> }> };
    const comp = Object.values(scenario.computers)[0];
    comp.appPools.push({ ...comp.appPools[0], name: '__proto__' }, { ...comp.appPools[0], name: 'constructor' });
    const w = local(scenario);
    expect(w.pool('__proto__')?.name).toBe('__proto__');
    expect(w.pool('constructor')?.name).toBe('constructor');
    expect(w.pool('toString')).toBeUndefined();
    w.requestPoolStop('__proto__');
    w.advance(T0 + 5000);
    expect(w.poolState('__proto__')).toBe('Stopped');
    expect(w.poolState('DefaultAppPool')).toBe('Started');
  });
});
