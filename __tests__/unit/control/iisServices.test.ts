jest.mock('../../../lib/scripts/command', () => require('./fake-host').commandModule());

import { IisServiceController, type ServiceOperationResult } from '../../../lib/control/iisServices';
import { IisctlError } from '../../../lib/errors';
import { audits, failure, FakeSession, recordingLogger, run, service } from './fake-host';
import { FakeIis, FakeIisOptions, runningIis } from './fake-iis';

const T0 = Date.UTC(2026, 11, 6, 10, 0, 0);
beforeEach(() => jest.useFakeTimers({ now: T0 }));
afterEach(() => jest.useRealTimers());

function setup(options: FakeIisOptions & { services?: ReturnType<typeof runningIis>; signal?: AbortSignal } = {}) {
  const session = new FakeSession();
  const iis = new FakeIis(session, options.services ?? runningIis(), options);
  const logger = recordingLogger();
  const controller = new IisServiceController({ session: session.asSession, logger, user: 'CONTOSO\\ops', signal: options.signal });
  return { session, iis, logger, controller };
}

/** The changing requests, in order. */
const changes = (s: FakeSession) => s.purposes(/^(request|terminate|back up|set the recovery|save the recovery|reboot)/);

describe('IisServiceController: order and verification', () => {
  it('restart: checks the toggle, stops dependents first, starts dependencies first, audits, and reports the state read back', async () => {
    const { session, controller } = setup({ stopMs: { W3SVC: 2500, WAS: 1500 } });
    const result = await run(controller.restart({ reason: 'deploy 42' }));
    expect(session.purposes()[0]).toBe('read whether restarts are enabled');
    expect(changes(session)).toEqual(['request stop of W3SVC', 'request stop of WAS', 'request start of WAS', 'request start of W3SVC']);
    // The next wave is requested only once the previous one read back as Stopped.
    const stopWas = session.calls.find((c) => c.purpose === 'request stop of WAS')!;
    expect(stopWas.at - T0).toBeGreaterThanOrEqual(2500);
    expect(result.after.map((s) => `${s.name} ${s.status}`)).toEqual(['WAS Running', 'W3SVC Running']);
    expect(result.steps.map((s) => `${s.step} ${s.targets!.join(',')} ${s.outcome}`)).toEqual(['stop W3SVC ok', 'stop WAS ok', 'start WAS ok', 'start W3SVC ok']);
    expect(result.forced).toBe(false);
    expect(audits(session)).toEqual(['restart succeeded']);
    // Audit after the last read-back of the state, then the events of the window.
    const p = session.purposes();
    expect(p.indexOf('read IIS events')).toBeGreaterThan(p.lastIndexOf('request start of W3SVC'));
    expect(p.indexOf('write the audit event for restart')).toBeLessThan(p.indexOf('read IIS events'));
  });

  it('stop: services already stopped are not requested again', async () => {
    const { session, controller } = setup({ services: [service('WAS', 'Running', { processId: 11 }), service('W3SVC', 'Stopped', { dependsOn: ['WAS'] })] });
    await run(controller.stop());
    expect(changes(session)).toEqual(['request stop of WAS']);
  });

  it('a service already StopPending is waited for, not requested again', async () => {
    const { session, controller, iis } = setup({});
    iis.services.get('w3svc')!.info.status = 'StopPending';
    iis.services.get('w3svc')!.to = 'Stopped';
    iis.services.get('w3svc')!.at = T0 + 500;
    await run(controller.stop());
    expect(changes(session)).toEqual(['request stop of WAS']);
  });

  it('restart brings the roots back but leaves a dependent that was stopped before stopped, and says so', async () => {
    const svcs = [...runningIis(), service('W3LOGSVC', 'Stopped', { dependsOn: ['W3SVC'], startType: 'Manual' })];
    const { session, controller } = setup({ services: svcs });
    const result = await run(controller.restart());
    expect(changes(session)).not.toContain('request start of W3LOGSVC');
    expect(result.leftStopped).toEqual(['W3LOGSVC']);
  });

  it('start while restarts are disabled is allowed; stop and restart are refused with DISABLED before anything changes', async () => {
    const toggle = { enabled: false, disabledBy: 'CONTOSO\\ann', reason: 'release freeze' };
    const { session, controller } = setup({ toggle, services: [service('WAS', 'Stopped'), service('W3SVC', 'Stopped', { dependsOn: ['WAS'] })] });
    const e = await failure(controller.stop());
    expect(e.code).toBe('DISABLED');
    expect(e.message).toContain('release freeze');
    expect(changes(session)).toEqual([]);
    await run(controller.start());
    expect(changes(session)).toEqual(['request start of WAS', 'request start of W3SVC']);
  });

  it('a root that cannot start (start type Disabled) fails the restart, with the hint to change the start type', async () => {
    const svcs = [service('WAS', 'Running', { processId: 11 }), service('W3SVC', 'Stopped', { dependsOn: ['WAS'], startType: 'Disabled' })];
    const { controller } = setup({ services: svcs });
    const e = await failure(controller.restart());
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/W3SVC is Stopped \(start type Disabled\)/);
    expect(e.hint).toMatch(/Set-Service -StartupType/);
  });

  it('a service that goes back to Stopped after StartPending fails the start at once, naming it', async () => {
    const { session, controller } = setup({ services: [service('WAS', 'Stopped'), service('W3SVC', 'Stopped', { dependsOn: ['WAS'] })], failStart: ['W3SVC'] });
    const e = await failure(controller.start());
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/^W3SVC failed to start/);
    // Well before the 60 s deadline: it did not wait the timeout out.
    expect(session.calls[session.calls.length - 1].at - T0).toBeLessThan(10_000);
    expect(audits(session)).toEqual(['start failed']);
  });
});

describe('IisServiceController: timeouts and escalation', () => {
  it('a hung stop without force: TIMEOUT at the deadline naming what is pending, nothing killed, no backup, audited as failed', async () => {
    const { session, controller, iis } = setup({ hung: ['W3SVC'] });
    const progress: string[][] = [];
    const e = await failure(controller.stop({ timeoutSeconds: 30, onProgress: (p) => progress.push(p.pending) }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toMatch(/timed out after 30 s; still not stopped: W3SVC \(StopPending\)\. Nothing was killed\./);
    expect(e.details).toMatchObject({ pending: ['W3SVC'] });
    expect(iis.killed).toEqual([]);
    expect(session.purposes(/^(terminate|back up)/)).toEqual([]);
    // WAS was never asked to stop: W3SVC, which depends on it, did not stop.
    expect(changes(session)).toEqual(['request stop of W3SVC']);
    const polls = session.calls.filter((c) => c.purpose === 'read the IIS service set');
    expect(polls[polls.length - 2].at - T0).toBe(30_000); // the last poll is at the deadline, not an interval later
    expect(progress[progress.length - 1]).toEqual(['W3SVC']);
    expect(audits(session)).toEqual(['stop failed']);
    const result = (e as IisctlError<ServiceOperationResult>).operation!;
    expect(result.after.find((s) => s.name === 'W3SVC')!.status).toBe('StopPending');
  });

  it('a hung stop with force: backs up the configuration first, then terminates only the IIS processes, then verifies Stopped', async () => {
    const { session, controller, iis } = setup({ hung: ['W3SVC'], workers: [901, 902] });
    const result = await run(controller.stop({ force: true, timeoutSeconds: 5 }));
    const p = changes(session);
    const backup = p.findIndex((x) => x.startsWith('back up the IIS configuration'));
    const kill = p.findIndex((x) => x.startsWith('terminate processes'));
    expect(backup).toBeGreaterThan(-1);
    expect(kill).toBeGreaterThan(backup);
    expect(iis.killed).toEqual([11, 22]); // the processes of the IIS services still running, and only those
    expect(result.forced).toBe(true);
    expect(result.backup).toMatch(/^iisctl-2026-12-06T10-00-05/);
    expect(result.after.every((s) => s.status === 'Stopped')).toBe(true);
    expect(result.steps.map((s) => `${s.step} ${s.outcome}`)).toEqual(['stop timeout', 'backup configuration ok', 'kill ok']);
    expect(audits(session)).toEqual(['stop succeeded']);
  });

  it('force never terminates a shared service host that also runs a non-IIS service', async () => {
    const svcs = [service('WAS', 'Running', { processId: 11 }), service('W3SVC', 'Running', { processId: 7, dependsOn: ['WAS'], sharedWith: ['Dnscache'] })];
    const { session, controller, iis } = setup({ services: svcs, hung: ['W3SVC'] });
    const e = await failure(controller.stop({ force: true, timeoutSeconds: 5 }));
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/Refusing to terminate process 7 \(W3SVC\): it also hosts Dnscache/);
    expect(iis.killed).toEqual([]);
    expect(session.purposes(/^back up/)).toEqual([]);
  });

  it('force without a possible backup kills nothing (FAILED, hint to opt out); with skipBackup it kills', async () => {
    const a = setup({ hung: ['W3SVC'] });
    a.session.on(/^back up the IIS configuration/, () => {
      throw new IisctlError('FAILED', 'The term Backup-WebConfiguration is not recognized');
    });
    const e = await failure(a.controller.stop({ force: true, timeoutSeconds: 5 }));
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/Could not back up the IIS configuration .* so nothing was terminated/);
    expect(a.iis.killed).toEqual([]);

    const b = setup({ hung: ['W3SVC'] });
    const result = await run(b.controller.stop({ force: true, skipBackup: true, timeoutSeconds: 5 }));
    expect(b.iis.killed).toEqual([11, 22]);
    expect(b.session.purposes(/^back up/)).toEqual([]);
    expect(result.backup).toBeUndefined();
  });

  it('a forced stop suspends the services\' restart recovery actions before killing; one with a reboot action refuses the kill', async () => {
    const a = setup({ hung: ['W3SVC'] });
    const w3 = { service: 'W3SVC', exists: true, resetSeconds: 86400, actions: [{ type: 'restart', delayMs: 60000 }] };
    a.session.once(/^read the recovery actions of WAS, W3SVC/, [w3]).on(/^save the recovery actions/, undefined).on(/^set the recovery actions of/, { exitCode: 0, output: '' });
    const result = await run(a.controller.stop({ force: true, timeoutSeconds: 5 }));
    const p = changes(a.session);
    expect(p.indexOf('save the recovery actions of W3SVC before suspending them')).toBeLessThan(p.indexOf('set the recovery actions of W3SVC'));
    expect(p.indexOf('set the recovery actions of W3SVC')).toBeLessThan(p.findIndex((x) => x.startsWith('terminate')));
    expect(result.recoverySuspended).toEqual(['W3SVC']);

    const b = setup({ hung: ['W3SVC'] });
    b.session.on(/^read the recovery actions of /, [{ ...w3, actions: [{ type: 'reboot', delayMs: 60000 }] }]);
    const e = await failure(b.controller.stop({ force: true, timeoutSeconds: 5 }));
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/include reboot.*Nothing was terminated\./);
    expect(b.iis.killed).toEqual([]);
  });

  it('force kills leftover IIS workers after a clean stop; without force they are only reported as orphans', async () => {
    const a = setup({ workers: [901] });
    // Workers that outlive the stop of W3SVC.
    a.session.on(/^request stop of/, (c) => {
      for (const n of c.purpose.replace('request stop of ', '').split(', ')) {
        const s = a.iis.services.get(n.toLowerCase())!;
        s.info.status = 'StopPending';
        s.to = 'Stopped';
        s.at = Date.now() + 100;
      }
      return undefined;
    });
    const plain = await run(a.controller.stop());
    expect(plain.orphanWorkerProcessIds).toEqual([901]);
    expect(a.iis.killed).toEqual([]);
    a.iis.services.get('was')!.info.status = 'Running';
    a.iis.services.get('w3svc')!.info.status = 'Running';
    const forced = await run(a.controller.stop({ force: true }));
    expect(a.iis.killed).toEqual([901]);
    expect(forced.orphanWorkerProcessIds).toEqual([]);
    expect(forced.forced).toBe(true);
  });

  it('a start that does not reach Running in time: TIMEOUT naming the service and its state', async () => {
    const { controller } = setup({ services: [service('WAS', 'Stopped'), service('W3SVC', 'Stopped', { dependsOn: ['WAS'] })], startMs: { WAS: 999_999 } });
    const e = await failure(controller.start({ timeoutSeconds: 10 }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toMatch(/Starting IIS timed out after 10 s; not running yet: WAS \(StartPending\)/);
  });

  it('rebootOnError: a failed restart restarts the computer, audited as a reboot, and the error says so; without it, no reboot', async () => {
    const a = setup({ hung: ['W3SVC'] });
    a.session.on('reboot the host', undefined);
    const e = await failure(a.controller.restart({ rebootOnError: true, timeoutSeconds: 5 }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toMatch(/The computer is being restarted/);
    expect(e.message).not.toMatch(/Nothing was killed/);
    expect(a.session.purposes(/^reboot/)).toEqual(['reboot the host']);
    expect(audits(a.session)).toEqual(['reboot succeeded', 'restart failed']);

    const b = setup({ hung: ['W3SVC'] });
    await failure(b.controller.restart({ timeoutSeconds: 5 }));
    expect(b.session.purposes(/^reboot/)).toEqual([]);
  });
});

describe('IisServiceController: retries, cancellation, a lost session', () => {
  it('a transient refusal of the stop request is retried with a back-off and recorded', async () => {
    const { session, controller } = setup({});
    session.once('request stop of W3SVC', () => {
      throw new IisctlError('TRANSIENT', 'The service cannot accept control messages at this time.');
    });
    const result = await run(controller.stop());
    expect(session.purposes(/^request stop of W3SVC/)).toHaveLength(2);
    expect(result.retries).toEqual([expect.objectContaining({ attempt: 1, code: 'TRANSIENT' })]);
  });

  it('a permanent failure of a request is not retried and fails the operation with its code', async () => {
    const { session, controller } = setup({});
    session.on('request stop of W3SVC', () => {
      throw new IisctlError('ACCESS_DENIED', 'Access is denied');
    });
    const e = await failure(controller.stop());
    expect(e.code).toBe('ACCESS_DENIED');
    expect(session.purposes(/^request stop/)).toEqual(['request stop of W3SVC']);
    expect(audits(session)).toEqual(['stop failed']);
  });

  it('a request travels with the first slice of its wait (one round trip); after a failed request that wait does not run', async () => {
    const ok = setup({});
    await run(ok.controller.stop());
    const request = ok.session.calls.find((c) => c.purpose === 'request stop of W3SVC')!;
    expect(ok.session.calls.filter((c) => c.trip === request.trip).map((c) => c.purpose)).toEqual(['request stop of W3SVC', 'read the IIS service set']);
    const denied = setup({});
    denied.session.on('request stop of W3SVC', () => {
      throw new IisctlError('ACCESS_DENIED', 'Access is denied');
    });
    await failure(denied.controller.stop());
    const refused = denied.session.calls.find((c) => c.purpose === 'request stop of W3SVC')!;
    expect(denied.session.calls.filter((c) => c.trip === refused.trip).map((c) => c.purpose)).toEqual(['request stop of W3SVC']);
  });

  it('an abort while waiting: CANCELLED, no further request, the state read back in the message and audited', async () => {
    const abort = new AbortController();
    const { session, controller } = setup({ hung: ['W3SVC'], signal: abort.signal });
    const p = controller.stop();
    setTimeout(() => abort.abort(), 3000);
    const e = await failure(p);
    expect(e.code).toBe('CANCELLED');
    expect(e.message).toMatch(/Left: WAS Running, W3SVC StopPending\.$/);
    expect(changes(session)).toEqual(['request stop of W3SVC']);
    expect(audits(session)).toEqual(['stop failed']);
    // Stopped waiting at the abort, not at the 60 s deadline.
    expect(session.calls[session.calls.length - 1].at - T0).toBeLessThan(4000);
  });

  it('when the session was lost during the operation, the state, audit event and events are read on a fresh process', async () => {
    const { session, controller } = setup({});
    session.on('request stop of WAS', () => {
      session.lost = true;
      throw new IisctlError('SESSION_DIED', 'PowerShell exited', { details: { lockLost: true } });
    });
    const e = await failure(controller.stop());
    expect(e.code).toBe('SESSION_DIED');
    expect(session.readBacks).toBe(1);
    const tail = session.calls.filter((c) => c.readBack).map((c) => c.purpose);
    expect(tail).toEqual(['read the IIS service set', 'write the audit event for stop', 'read IIS events']);
    expect(e.message).toMatch(/Left: WAS Running, W3SVC Stopped/);
  });
});

describe('IisServiceController: toggle and dry run', () => {
  it('disable writes the toggle, audits, and verifies it reads back disabled', async () => {
    const { session, controller, iis } = setup({});
    session.on('disable restarts', () => ((iis.toggle = { enabled: false, reason: 'freeze' }), { ran: false }));
    const state = await run(controller.disable('freeze'));
    expect(state.enabled).toBe(false);
    expect(session.purposes()).toEqual(['disable restarts', 'write the audit event for disable', 'read whether restarts are enabled']);
  });

  it('a toggle that does not read back as changed is FAILED, not success', async () => {
    const { session, controller } = setup({});
    session.on('enable restarts', { ran: false });
    session.on('read whether restarts are enabled', { enabled: false });
    const e = await failure(controller.enable());
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/still disabled/);
  });

  it('plan reads the state and lists the scripts in order; nothing that changes is sent', async () => {
    const { session, controller } = setup({ workers: [901] });
    const plan = await run(controller.plan('restart', { force: true }));
    expect(plan.steps.map((s) => s.description.replace(/\(deadline.*\)/, '(deadline)'))).toEqual([
      'request stop, then poll until Stopped (deadline)',
      'request stop, then poll until Stopped (deadline)',
      'on timeout only: back up the IIS configuration',
      'on timeout only: terminate the IIS service and worker processes',
      'request start, then poll until Running',
      'request start, then poll until Running',
      'verify the final state',
    ]);
    expect(plan.steps[0].targets).toEqual(['W3SVC']);
    expect(plan.steps[0].description).toMatch(/deadline 20 s/);
    expect(changes(session)).toEqual([]);
  });
});
