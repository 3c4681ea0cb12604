/**
 * iisreset done right, end to end: the library against the simulated Windows host, in process on
 * virtual time (a hung stop's timeout, a restart's service transitions and the retries' backoff cost
 * no real time; the durations the results report are the machine's clock, so exact).
 */
import { IisctlError } from '../../lib/errors';
import { ServiceOperationResult } from '../../lib/control/iisServices';
import { ConnectOptions, IisClient } from '../../lib/client';
import { closeClients, localComputer, scenarioFile, service, inProcessClient, failure } from '../helpers/sim';

afterEach(closeClients);

/** A client on a fresh in-process machine on virtual time, polling every 50 ms (of that clock). */
const simClient = (scenario: string, options: Partial<ConnectOptions> = {}): Promise<IisClient> => inProcessClient(scenario, { pollIntervalMs: 50, ...options });

const statusOf = (services: { name: string; status: string }[], name: string) => services.find((s) => s.name === name)?.status;

function resultOf(e: IisctlError): ServiceOperationResult {
  return (e as IisctlError<ServiceOperationResult>).operation!;
}

describe('status', () => {
  it('discovers the IIS service set on the host, with process ids and the toggle', async () => {
    const iis = await simClient(scenarioFile('fast'));
    const status = await iis.status();
    expect(status.services.map((s) => s.name).sort()).toEqual(['W3SVC', 'WAS']);
    const w3svc = status.services.find((s) => s.name === 'W3SVC')!;
    expect(w3svc).toMatchObject({ displayName: 'World Wide Web Publishing Service', status: 'Running', startType: 'Automatic', dependsOn: ['WAS'] });
    expect(w3svc.processId).toBeGreaterThan(0);
    // W3SVC and WAS share one svchost (docs/sources.md §3.6).
    expect(w3svc.sharedWith).toContain('WAS');
    expect(status.restarts).toEqual({ enabled: true });
  });
});

describe('restart', () => {
  it('stops dependents first, starts them last, and verifies the final state', async () => {
    const iis = await simClient(scenarioFile('fast'));
    const result = await iis.restart({ reason: 'deploy 1.2.3' });
    expect(result.steps.map((s) => [s.step, s.targets])).toEqual([
      ['stop', ['W3SVC']],
      ['stop', ['WAS']],
      ['start', ['WAS']],
      ['start', ['W3SVC']],
    ]);
    expect(statusOf(result.after, 'W3SVC')).toBe('Running');
    expect(statusOf(result.after, 'WAS')).toBe('Running');
    expect(result.forced).toBe(false);
    expect(result.killedProcessIds).toEqual([]);
    // Worker processes started after the restart are not orphans of the stop.
    expect((await iis.status()).workerProcessIds.length).toBeGreaterThan(0);
    expect(result.orphanWorkerProcessIds).toEqual([]);
    // The processes are new: a restart really happened.
    expect(result.after.find((s) => s.name === 'W3SVC')!.processId).not.toBe(result.before.find((s) => s.name === 'W3SVC')!.processId);
  });

  it('carries the events of its window, its own audit event included', async () => {
    const iis = await simClient(scenarioFile('fast'));
    const result = await iis.restart({ reason: 'deploy 1.2.3' });
    const audit = result.events.filter((e) => e.kind === 'audit');
    expect(audit).toHaveLength(1);
    expect(audit[0].message).toMatch(/iisctl restart succeeded; user=.+; reason=deploy 1\.2\.3;/);
    const scm = result.events.filter((e) => e.provider === 'Service Control Manager' && e.id === 7036);
    expect(scm.length).toBeGreaterThanOrEqual(4);
    // And they can be read back later.
    const later = await iis.events({ kinds: ['audit'] });
    expect(later[0].message).toContain('reason=deploy 1.2.3');
    expect(later[0].user).toBeDefined();
  });

  it('leaves stopped services stopped and brings back only what was running', async () => {
    const file = scenarioFile('fast', (s) => {
      localComputer(s).services.push({ name: 'NetPipeActivator', displayName: 'Net.Pipe Listener Adapter', startType: 'Automatic', dependsOn: ['WAS'], image: 'svchost', group: 'netpipe', startMs: 50, stopMs: 50, status: 'Stopped' });
    });
    const iis = await simClient(file);
    const result = await iis.restart();
    expect(statusOf(result.before, 'NetPipeActivator')).toBe('Stopped');
    expect(statusOf(result.after, 'NetPipeActivator')).toBe('Stopped');
    expect(statusOf(result.after, 'W3SVC')).toBe('Running');
  });

  it('retries "cannot accept control messages" (0x80070425) and succeeds', async () => {
    const iis = await simClient(scenarioFile('cannot-accept-control'));
    const result = await iis.restart();
    expect(result.retries.length).toBeGreaterThanOrEqual(2);
    expect(result.retries.every((r) => r.code === 'TRANSIENT')).toBe(true);
    expect(result.retries[0].reason).toMatch(/cannot accept control messages/i);
    expect(statusOf(result.after, 'W3SVC')).toBe('Running');
  });
});

describe('stop with a service hung in StopPending', () => {
  it('without force: kills nothing, fails with TIMEOUT naming what is pending, within one poll interval', async () => {
    const iis = await simClient(scenarioFile('hung-stop'));
    const e = await failure(iis.stop({ timeoutSeconds: 1 }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toMatch(/W3SVC \(StopPending\)/);
    expect(e.details!.pending).toEqual(['W3SVC']);
    const result = resultOf(e);
    expect(result.killedProcessIds).toEqual([]);
    expect(result.forced).toBe(false);
    expect(statusOf(result.after, 'W3SVC')).toBe('StopPending');
    const stopStep = result.steps.find((s) => s.step === 'stop')!;
    expect(stopStep.outcome).toBe('timeout');
    expect(stopStep.durationMs).toBeGreaterThanOrEqual(1000);
    // One poll interval (50 ms) plus one status round trip, with room for a slow machine.
    expect(stopStep.durationMs).toBeLessThan(1000 + 50 + 1500);
  });

  it('with force: backs up the configuration, kills only IIS processes, and verifies everything stopped', async () => {
    const iis = await simClient(scenarioFile('hung-stop'));
    const before = await iis.status();
    const result = await iis.stop({ timeoutSeconds: 1, force: true });
    expect(result.forced).toBe(true);
    expect(result.backup).toMatch(/^iisctl-/);
    const w3svcPid = before.services.find((s) => s.name === 'W3SVC')!.processId;
    expect(result.killedProcessIds).toContain(w3svcPid);
    expect(result.after.every((s) => s.status === 'Stopped')).toBe(true);
    expect(result.steps.map((s) => s.step)).toEqual(['stop', 'backup configuration', 'kill']);
  });

  it('never kills a shared service host that also runs a non-IIS service', async () => {
    const file = scenarioFile('shared-svchost', (s) => {
      service(s, 'W3SVC').faults = { hangOnStop: true };
    });
    const iis = await simClient(file);
    const e = await failure(iis.stop({ timeoutSeconds: 1, force: true }));
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/Refusing to terminate process \d+ \(.*W3SVC.*\): it also hosts ContosoAgent/);
    expect(resultOf(e).killedProcessIds).toEqual([]);
    const status = await iis.status();
    expect(statusOf(status.services, 'W3SVC')).toBe('StopPending');
  });
});

describe('permissions and the toggle', () => {
  it('fails with ACCESS_DENIED for a non-administrator and changes nothing', async () => {
    const iis = await simClient(scenarioFile('not-admin'));
    const e = await failure(iis.stop());
    expect(e.code).toBe('ACCESS_DENIED');
    const status = await iis.status();
    expect(status.services.every((s) => s.status === 'Running')).toBe(true);
  });

  it('a disabled host refuses stop and restart with who/when/why, allows start and status; enable restores', async () => {
    const iis = await simClient(scenarioFile('fast'));
    const state = await iis.disable({ reason: "change freeze 'Q4'" });
    expect(state.enabled).toBe(false);
    expect(state.reason).toBe("change freeze 'Q4'");
    expect(state.disabledBy).toBeTruthy();
    expect(await iis.isEnabled()).toBe(false);
    for (const op of [() => iis.stop(), () => iis.restart()]) {
      const e = await failure(op());
      expect(e.code).toBe('DISABLED');
      expect(e.message).toContain("change freeze 'Q4'");
    }
    const started = await iis.start();
    expect(statusOf(started.after, 'W3SVC')).toBe('Running');
    expect((await iis.status()).restarts.enabled).toBe(false);
    await iis.enable();
    expect(await iis.isEnabled()).toBe(true);
    await expect(iis.restart()).resolves.toMatchObject({ action: 'restart' });
  });
});

describe('start', () => {
  it('reports a service that fails to start as FAILED with the SCM events', async () => {
    const iis = await simClient(scenarioFile('start-fails'));
    const e = await failure(iis.start({ timeoutSeconds: 5 }));
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/WAS failed to start/);
    const result = resultOf(e);
    expect(result.events.some((ev) => ev.id === 7000)).toBe(true);
  });
});

describe('plan (dry run)', () => {
  it('lists the exact scripts in order and changes nothing', async () => {
    const iis = await simClient(scenarioFile('fast'));
    const before = await iis.status();
    const plan = await iis.plan('restart', { force: true, timeoutSeconds: 5 });
    expect(plan.steps.map((s) => s.targets ?? [])).toEqual([['W3SVC'], ['WAS'], [], [], ['WAS'], ['W3SVC'], []]);
    expect(plan.steps[0].script).toContain("Stop-Service -Name $name -NoWait");
    expect(plan.steps[0].script).toContain("'W3SVC'");
    expect(plan.steps[3].description).toMatch(/on timeout only: terminate/);
    const after = await iis.status();
    expect(after.services.map((s) => [s.name, s.status, s.processId])).toEqual(before.services.map((s) => [s.name, s.status, s.processId]));
  });
});

describe('clear errors and hints', () => {
  it('tells a non-administrator what to do', async () => {
    const iis = await simClient(scenarioFile('not-admin'));
    const e = await failure(iis.stop());
    expect(e.hint).toMatch(/Run as administrator/);
    expect(e.message).toMatch(/Access is denied/);
  });
});

describe('worker processes left behind by a stop (orphans)', () => {
  const orphaning = (change?: (s: Record<string, any>) => void) => // eslint-disable-line @typescript-eslint/no-explicit-any
    scenarioFile('fast', (s) => {
      const comp = Object.values(s.computers as Record<string, { appPools: Array<Record<string, unknown>> }>)[0];
      comp.appPools.find((p) => p.name === 'DefaultAppPool')!.faults = { workerOutlivesIis: true };
      change?.(s);
    });

  it('without force: the stop succeeds and reports the orphaned w3wp by process id; nothing is killed', async () => {
    const iis = await simClient(orphaning());
    const before = (await iis.status()).workerProcessIds;
    expect(before.length).toBeGreaterThan(0);
    const result = await iis.stop();
    expect(result.after.every((s) => s.status === 'Stopped')).toBe(true);
    expect(result.orphanWorkerProcessIds.length).toBeGreaterThan(0);
    expect(before).toEqual(expect.arrayContaining(result.orphanWorkerProcessIds));
    expect(result.killedProcessIds).toEqual([]);
    expect((await iis.status()).workerProcessIds).toEqual(result.orphanWorkerProcessIds); // still there
  });

  it('with force: the orphan is terminated (after a configuration backup) and none is left', async () => {
    const iis = await simClient(orphaning());
    const result = await iis.stop({ force: true });
    expect(result.orphanWorkerProcessIds).toEqual([]);
    expect(result.killedProcessIds.length).toBeGreaterThan(0);
    expect(result.backup).toMatch(/^iisctl-/);
    expect((await iis.status()).workerProcessIds).toEqual([]);
  });
});

describe('rebootOnError', () => {
  it('reboots only after a failed restart, only when asked, and says so', async () => {
    const iis = await simClient(scenarioFile('hung-stop'));
    const without = await failure(iis.restart({ timeoutSeconds: 1 }));
    expect(without.code).toBe('TIMEOUT');
    expect(without.details!.rebooted).toBeUndefined();
    expect(resultOf(without).steps.some((s) => s.step === 'reboot')).toBe(false);
    const e = await failure(iis.restart({ timeoutSeconds: 1, rebootOnError: true }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.details!.rebooted).toBe(true);
    expect(resultOf(e).steps.map((s) => s.step)).toContain('reboot');
  });

  it('a reboot that fails too does not hide why the restart failed', async () => {
    const iis = await simClient(scenarioFile('not-admin'));
    const e = await failure(iis.restart({ timeoutSeconds: 1, rebootOnError: true }));
    expect(e.code).toBe('ACCESS_DENIED'); // the restart's own failure, not the reboot's
    expect(e.details).toMatchObject({ rebooted: false, rebootError: expect.any(String) });
    expect(resultOf(e).steps.find((s) => s.step === 'reboot')).toMatchObject({ outcome: 'failed' });
  });
});

describe('remote computers through PowerShell remoting', () => {
  it('acts on the named computer of a farm', async () => {
    const iis = await simClient(scenarioFile('farm'), { computerName: 'WEB02' });
    expect(iis.host).toBe('WEB02');
    const result = await iis.restart();
    expect(statusOf(result.after, 'W3SVC')).toBe('Running');
  });

  it('reports an unreachable computer as UNREACHABLE with a hint', async () => {
    const iis = await simClient(scenarioFile('farm'), { computerName: 'WEB03', retry: { attempts: 1 } });
    const e = await failure(iis.status());
    expect(e.code).toBe('UNREACHABLE');
    expect(e.host).toBe('WEB03');
    expect(e.hint).toMatch(/WinRM/);
  });
});
