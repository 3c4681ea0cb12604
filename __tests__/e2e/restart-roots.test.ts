/**
 * iisreset /RESTART "stops and then starts all Internet services": after a restart the IIS roots
 * (IISADMIN where installed, WAS, W3SVC) run, whatever they were before, or the result is a
 * failure naming what does not run. Dependents stopped before stay stopped, and the result says so.
 * The same holds for heal, whose restart-iis rungs go through restart.
 * In process on virtual time: the library tests (helpers/sim.ts inProcessClient) and the CLI tests
 * (helpers/cli.ts inProcessMachine): results, output and exit codes, nothing only a process shows.
 */
import { IisctlError } from '../../lib/errors';
import type { ServiceOperationResult } from '../../lib/control/iisServices';
import { closeClients, failure, localComputer, scenarioFile, service, inProcessClient } from '../helpers/sim';
import { inProcessMachine } from '../helpers/cli';

afterEach(closeClients);

const statusOf = (services: { name: string; status: string }[], name: string) => services.find((s) => s.name === name)?.status;
const resultOf = (e: IisctlError) => (e as IisctlError<ServiceOperationResult>).operation!;

describe('restart brings IIS back', () => {
  it('after a stop, restart starts the roots again (library)', async () => {
    const iis = await inProcessClient(scenarioFile('with-iisadmin'));
    await iis.stop();
    const result = await iis.restart();
    for (const root of ['IISADMIN', 'WAS', 'W3SVC']) expect(statusOf(result.after, root)).toBe('Running');
    expect((await iis.status()).services.filter((s) => ['IISADMIN', 'WAS', 'W3SVC'].includes(s.name)).map((s) => s.status)).toEqual(['Running', 'Running', 'Running']);
  });

  it('a dependent stopped before stays stopped and the result says so', async () => {
    const file = scenarioFile('fast', (s) => {
      localComputer(s).services.push({ name: 'NetPipeActivator', displayName: 'Net.Pipe Listener Adapter', startType: 'Automatic', dependsOn: ['WAS'], image: 'svchost', group: 'netpipe', startMs: 50, stopMs: 50, status: 'Stopped' });
    });
    const iis = await inProcessClient(file);
    await iis.stop();
    const result = await iis.restart();
    expect(statusOf(result.after, 'W3SVC')).toBe('Running');
    expect(statusOf(result.after, 'WAS')).toBe('Running');
    expect(statusOf(result.after, 'NetPipeActivator')).toBe('Stopped');
    expect(result.leftStopped).toEqual(['NetPipeActivator']);
  });

  it('a root that cannot start (Disabled) is a failure naming it, not success', async () => {
    const file = scenarioFile('fast', (s) => {
      Object.assign(service(s, 'W3SVC'), { startType: 'Disabled', status: 'Stopped' });
    });
    const iis = await inProcessClient(file);
    const e = await failure(iis.restart());
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/W3SVC is Stopped \(start type Disabled\)/);
    expect(e.details!.notRunning).toEqual(['W3SVC']);
    expect(statusOf(resultOf(e).after, 'WAS')).toBe('Running');
  });

  it('CLI: stop, then restart and iisreset /restart leave WAS and W3SVC Running', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    for (const restart of [['restart'], ['/restart']]) {
      expect((await m.run(['stop'])).code).toBe(0);
      const r = await m.run(restart);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Internet services successfully restarted');
      const status = await m.json(['status']);
      expect(status.doc.result.services.map((s: { name: string; status: string }) => `${s.name} ${s.status}`).sort()).toEqual(['W3SVC Running', 'WAS Running']);
    }
  });

  it('CLI: a restart that leaves a stopped dependent stopped says so', async () => {
    const m = inProcessMachine(
      scenarioFile('fast', (s) => {
        localComputer(s).services.push({ name: 'NetPipeActivator', displayName: 'Net.Pipe Listener Adapter', startType: 'Automatic', dependsOn: ['WAS'], image: 'svchost', group: 'netpipe', startMs: 50, stopMs: 50, status: 'Stopped' });
      }),
      { clock: 'virtual' },
    );
    const r = await m.run(['restart']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Left stopped, as before the restart: NetPipeActivator/);
  });
});

describe('heal on a host whose IIS is stopped', () => {
  it('its restart-iis rung starts IIS and heals the pool', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    await iis.stop();
    const result = await iis.heal('DefaultAppPool');
    expect(result.healedBy).toBe('restart-iis');
    expect((await iis.status()).services.every((s) => s.status === 'Running')).toBe(true);
  });

  it('when IIS cannot start, the hint names the real cause and the CLI prints the rung table', async () => {
    const file = scenarioFile('fast', (s) => {
      Object.assign(service(s, 'W3SVC'), { startType: 'Disabled', status: 'Stopped' });
    });
    const iis = await inProcessClient(file);
    const e = await failure(iis.heal('DefaultAppPool', { force: true, timeoutSeconds: 5 }));
    expect(e.code).toBe('FAILED');
    expect(e.hint).toMatch(/restart-iis-force, failed: .*W3SVC is Stopped \(start type Disabled\)/);
    expect(e.hint).not.toMatch(/application itself/);

    const m = inProcessMachine(file, { clock: 'virtual' });
    const r = await m.run(['heal', 'DefaultAppPool', '--force', '--timeout', '5']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^RUNG\s+OUTCOME/m);
    expect(r.stdout).toMatch(/^restart-iis-force\s+failed/m);
    expect(r.stderr).toMatch(/hint: .*W3SVC is Stopped \(start type Disabled\)/);
  });
});
