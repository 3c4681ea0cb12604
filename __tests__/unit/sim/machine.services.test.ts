import { SimFault } from '../../../lib/sim/machine';
import { faultOf, local, status, T0, world } from './machine.helpers';

// fast.json: WAS (start 100 / stop 150 ms) <- W3SVC (150 / 250 ms), both in svchost -k iissvcs.

describe('service dependencies and the force rule', () => {
  test('stopping WAS while W3SVC runs fails without force, naming the running dependent', () => {
    const m = local();
    const f = faultOf(() => m.requestStop('WAS'));
    expect(f).toBeInstanceOf(SimFault);
    expect(f.kind).toBe('DependentServices');
    expect(f.win32Code).toBe(1051);
    expect(f.target).toEqual({ type: 'service', name: 'WAS', displayName: 'Windows Process Activation Service' });
    expect(f.related?.map((r) => r.name)).toEqual(['W3SVC']);
    expect(status(m, 'WAS')).toBe('Running');
    expect(status(m, 'W3SVC')).toBe('Running');
  });

  test('forced stop stops the dependent first, then the service', () => {
    const m = local();
    m.requestStop('was', { force: true }); // names are case-insensitive
    expect(status(m, 'W3SVC')).toBe('StopPending');
    expect(status(m, 'WAS')).toBe('Running'); // waits for W3SVC
    m.advance(T0 + 250);
    expect(status(m, 'W3SVC')).toBe('Stopped');
    expect(status(m, 'WAS')).toBe('StopPending');
    m.advance(T0 + 399);
    expect(status(m, 'WAS')).toBe('StopPending');
    m.advance(T0 + 400);
    expect(status(m, 'WAS')).toBe('Stopped');
    const stops = m.events({ id: 7036, startTime: T0 }).reverse();
    expect(stops.map((e) => [e.message, e.timeCreated])).toEqual([
      ['The World Wide Web Publishing Service service entered the stopped state.', T0 + 250],
      ['The Windows Process Activation Service service entered the stopped state.', T0 + 400],
    ]);
  });

  test('starting W3SVC starts WAS first; W3SVC waits in StartPending', () => {
    const m = local();
    m.requestStop('WAS', { force: true });
    m.advance(T0 + 1000);
    const t1 = T0 + 1000;
    m.requestStart('W3SVC');
    expect(status(m, 'WAS')).toBe('StartPending');
    expect(status(m, 'W3SVC')).toBe('StartPending');
    m.advance(t1 + 100);
    expect(status(m, 'WAS')).toBe('Running');
    expect(status(m, 'W3SVC')).toBe('StartPending');
    m.advance(t1 + 249);
    expect(status(m, 'W3SVC')).toBe('StartPending');
    m.advance(t1 + 250);
    expect(status(m, 'W3SVC')).toBe('Running');
    const running = m.events({ id: 7036, startTime: t1 }).reverse();
    expect(running.map((e) => [e.properties[0], e.properties[1], e.timeCreated])).toEqual([
      ['Windows Process Activation Service', 'running', t1 + 100],
      ['World Wide Web Publishing Service', 'running', t1 + 250],
    ]);
  });

  test('DependentServices / ServicesDependedOn are reported both ways', () => {
    const m = local();
    expect(m.service('W3SVC')?.servicesDependedOn).toEqual(['WAS']);
    expect(m.service('WAS')?.dependentServices).toEqual(['W3SVC']);
    expect(m.dependentServices('WAS', { recursive: true }).map((s) => s.name)).toEqual(['W3SVC']);
  });
});

describe('pending states over time', () => {
  test('Win32 state strings and enum values follow the status', () => {
    const m = local();
    m.requestStop('W3SVC');
    const v = m.service('W3SVC')!;
    expect([v.status, v.state, v.startMode, v.startType]).toEqual([3, 'Stop Pending', 'Auto', 2]);
    m.advance(T0 + 250);
    const s = m.service('W3SVC')!;
    expect([s.status, s.state, s.processId]).toEqual([1, 'Stopped', 0]);
    expect(m.service('WAS')!.startMode).toBe('Manual');
  });

  test('a control request while pending fails with 0x80070425', () => {
    const m = local();
    m.requestStop('W3SVC');
    const f = faultOf(() => m.requestStop('W3SVC'));
    expect([f.kind, f.win32Code, f.hresult]).toEqual(['CannotAcceptControl', 1061, 0x80070425]);
    expect(f.message).toBe('The service cannot accept control messages at this time.');
  });

  test('stopping a stopped service and starting a running one fail with their SCM errors', () => {
    const m = local();
    expect(faultOf(() => m.requestStart('W3SVC')).win32Code).toBe(1056);
    m.requestStop('W3SVC');
    m.advance(T0 + 300);
    const f = faultOf(() => m.requestStop('W3SVC'));
    expect([f.kind, f.hresult]).toEqual(['NotActive', 0x80070426]);
  });

  test('unknown services fail with 1060', () => {
    const f = faultOf(() => local().requestStart('NoSuchSvc'));
    expect([f.kind, f.win32Code, f.target?.name]).toEqual(['NotFound', 1060, 'NoSuchSvc']);
  });
});

describe('faults', () => {
  test('hung stop: W3SVC stays StopPending however long we wait; killing its svchost ends it', () => {
    const m = local('hung-stop');
    m.requestStop('W3SVC');
    m.advance(T0 + 24 * 3600_000);
    expect(status(m, 'W3SVC')).toBe('StopPending');
    expect(faultOf(() => m.requestStop('W3SVC')).kind).toBe('CannotAcceptControl');
    m.kill(m.service('W3SVC')!.processId);
    expect(status(m, 'W3SVC')).toBe('Stopped');
  });

  test('setHangOnStop: ending the hang lets the held stop finish after stopMs and later stops do not hang; setting it makes them hang', () => {
    const m = local('hung-stop');
    expect(m.setHangOnStop('WAS', false)).toBe(false); // no hung stop to release
    m.requestStop('W3SVC');
    m.advance(T0 + 10_000);
    expect(m.setHangOnStop('w3svc', false)).toBe(true);
    expect(status(m, 'W3SVC')).toBe('StopPending');
    m.advance(T0 + 10_249);
    expect(status(m, 'W3SVC')).toBe('StopPending');
    m.advance(T0 + 10_250);
    expect(status(m, 'W3SVC')).toBe('Stopped');
    m.requestStart('W3SVC');
    m.advance(T0 + 20_000);
    m.requestStop('W3SVC');
    m.advance(T0 + 20_250);
    expect(status(m, 'W3SVC')).toBe('Stopped');
    m.requestStart('W3SVC');
    m.advance(T0 + 30_000);
    expect(m.setHangOnStop('W3SVC', true)).toBe(false);
    m.requestStop('W3SVC');
    m.advance(T0 + 90_000);
    expect(status(m, 'W3SVC')).toBe('StopPending');
  });

  test('cannot-accept-control for the first N requests, then success', () => {
    const m = local('cannot-accept-control');
    expect(faultOf(() => m.requestStop('W3SVC')).hresult).toBe(0x80070425);
    expect(faultOf(() => m.requestStop('W3SVC')).hresult).toBe(0x80070425);
    expect(status(m, 'W3SVC')).toBe('Running');
    m.requestStop('W3SVC');
    expect(status(m, 'W3SVC')).toBe('StopPending');
  });

  test('access denied for a non-administrator on every change, reads still work', () => {
    const m = local('not-admin');
    for (const change of [
      () => m.requestStop('W3SVC'),
      () => m.requestStart('AppHostSvc'),
      () => m.setStartType('W3SVC', 'Manual'),
      () => m.requestPoolRecycle('DefaultAppPool'),
      () => m.requestSiteStop('Default Web Site'),
      () => m.kill(m.service('W3SVC')!.processId),
      () => m.reboot(),
      () => m.setRegistryValue('HKLM:\\SOFTWARE', 'x', 1),
      () => m.registerEventSource('Application', 'iisctl'),
    ]) {
      const f = faultOf(change);
      expect(f.kind).toBe('AccessDenied');
    }
    const f = faultOf(() => m.requestStop('W3SVC'));
    expect([f.win32Code, f.hresult, f.message, f.computer]).toEqual([5, 0x80070005, 'Access is denied.', 'WEB01']);
    expect(status(m, 'W3SVC')).toBe('Running');
    expect(m.isAdministrator).toBe(false);
  });

  test('starting a Disabled service fails with 1058; a disabled dependency fails the dependent with 1068 and SCM 7001', () => {
    const m = local();
    m.requestStop('WAS', { force: true });
    m.advance(T0 + 1000);
    m.setStartType('WAS', 'Disabled');
    const direct = faultOf(() => m.requestStart('WAS'));
    expect([direct.kind, direct.win32Code, direct.hresult]).toEqual(['Disabled', 1058, 0x80070422]);
    const viaDep = faultOf(() => m.requestStart('W3SVC'));
    expect([viaDep.kind, viaDep.win32Code, viaDep.related?.[0].name]).toEqual(['DependencyFailed', 1068, 'WAS']);
    const e7001 = m.events({ id: 7001 })[0];
    expect(e7001.message).toMatch(/^The World Wide Web Publishing Service service depends on the Windows Process Activation Service service which failed to start/);
    expect(status(m, 'W3SVC')).toBe('Stopped');
    // 7040 with the caller's SID (docs/sources.md §2.3)
    const e7040 = m.events({ id: 7040 })[0];
    expect(e7040.message).toBe('The start type of the Windows Process Activation Service service was changed from demand start to disabled.');
    expect(e7040.userId).toBe(m.user.sid);
  });

  test('a service that fails to start goes back to Stopped; SCM logs 7000 for it and 7001 for its waiting dependent', () => {
    const m = local('start-fails');
    m.requestStart('W3SVC');
    m.advance(T0 + 100);
    expect(status(m, 'WAS')).toBe('Stopped');
    expect(status(m, 'W3SVC')).toBe('Stopped');
    const e7000 = m.events({ id: 7000 });
    expect(e7000).toHaveLength(1);
    expect(e7000[0]).toMatchObject({
      providerName: 'Service Control Manager',
      logName: 'System',
      level: 2,
      levelDisplayName: 'Error',
      timeCreated: T0 + 100,
    });
    expect(e7000[0].message).toBe('The Windows Process Activation Service service failed to start due to the following error: \r\nThe parameter is incorrect.');
    expect(m.events({ id: 7001 })[0].properties).toEqual([
      'World Wide Web Publishing Service',
      'Windows Process Activation Service',
      'The parameter is incorrect.',
    ]);
    expect(m.processes().filter((p) => p.processName === 'svchost' && p.services.includes('WAS'))).toHaveLength(0);
  });
});

describe('shared svchost', () => {
  test('killing the svchost shared by WAS, W3SVC and another service stops all of them and logs 7034 each', () => {
    const m = local('shared-svchost');
    const pid = m.service('W3SVC')!.processId;
    expect(m.service('WAS')!.processId).toBe(pid);
    expect(m.service('ContosoAgent')!.processId).toBe(pid);
    expect(m.process(pid)!.services.sort()).toEqual(['ContosoAgent', 'W3SVC', 'WAS']);
    const workersBefore = m.processes().filter((p) => p.processName === 'w3wp');
    expect(workersBefore.length).toBeGreaterThan(0);

    m.advance(T0 + 10);
    m.kill(pid);
    for (const n of ['WAS', 'W3SVC', 'ContosoAgent']) expect(status(m, n)).toBe('Stopped');
    expect(m.process(pid)).toBeUndefined();
    expect(m.processes().filter((p) => p.processName === 'w3wp')).toHaveLength(0);
    expect(m.pool('DefaultAppPool')!.stateName).toBe('Unknown');
    const crashes = m.events({ id: 7034 });
    expect(crashes.map((e) => e.properties[0]).sort()).toEqual([
      'Contoso Monitoring Agent',
      'Windows Process Activation Service',
      'World Wide Web Publishing Service',
    ]);
    expect(crashes[0].message).toMatch(/^The .+ service terminated unexpectedly\.  It has done this 1 time\(s\)\.$/);
    expect(crashes.every((e) => e.timeCreated === T0 + 10 && e.providerName === 'Service Control Manager')).toBe(true);
    expect(m.service('AppHostSvc')!.statusName).toBe('Running'); // other svchost untouched
  });

  test('a recovery action makes SCM log 7031 and restart the service after the delay', () => {
    const w = world('fast');
    const svc = w.state.computers.WEB01.services['apphostsvc'];
    svc.recovery = { action: 'restart', delayMs: 1000 };
    const m = w.local;
    m.kill(m.service('AppHostSvc')!.processId);
    const e = m.events({ id: 7031 })[0];
    expect(e.message).toBe(
      'The Application Host Helper Service service terminated unexpectedly.  It has done this 1 time(s).  The following corrective action will be taken in 1000 milliseconds: Restart the service.',
    );
    m.advance(T0 + 1000);
    expect(status(m, 'AppHostSvc')).toBe('StartPending');
    m.advance(T0 + 1050);
    expect(status(m, 'AppHostSvc')).toBe('Running');
  });
});

describe('events', () => {
  test('records carry ids, providers, logs, levels, machine name and increasing record ids', () => {
    const m = local();
    m.requestStop('W3SVC');
    m.advance(T0 + 5000);
    m.logIisResetCommand('start');
    const all = m.events({ logName: 'System' });
    const ids = all.map((e) => e.recordId);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids); // newest first
    const stop = m.events({ id: 7036, providerName: 'service control manager', startTime: T0 })[0];
    expect(stop).toMatchObject({
      id: 7036,
      providerName: 'Service Control Manager',
      logName: 'System',
      level: 4,
      levelDisplayName: 'Information',
      machineName: 'WEB01.contoso.local',
      userId: null,
      timeCreated: T0 + 250, // when it happened, not when observed (T0 + 5000)
    });
    const reset = m.events({ providerName: 'Microsoft-Windows-IIS-IISReset' })[0];
    expect(reset.id).toBe(3201);
    expect(reset.message).toBe('IIS start command received from user WEB01\\Administrator. The logged data is the status code.');
  });

  test('scenario history is in the log, oldest first by record id', () => {
    const m = local('default');
    const resets = m.events({ providerName: 'Microsoft-Windows-IIS-IISReset' });
    expect(resets.map((e) => e.id).sort()).toEqual([3201, 3202]);
    const recycle = m.events({ id: 5079 });
    expect(recycle.map((e) => e.message)).toContain(
      "An administrator has requested a recycle of all worker processes in application pool 'DefaultAppPool'.",
    );
    const sys = m.events({ logName: 'System' });
    for (let i = 1; i < sys.length; i++) expect(sys[i - 1].timeCreated).toBeGreaterThanOrEqual(sys[i].timeCreated);
  });
});
