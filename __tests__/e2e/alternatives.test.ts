/**
 * Issue 9 through the library against the simulated host: rapid-fail observed after injected
 * crashes, Automatic Restart (sc.exe qfailure/failure), configuration backups, advise.
 * In process (the simulated host in this Node process; on virtual time unless the test changes the
 * machine from outside as time passes), except what needs separate processes: backups that
 * persist from one session's host process to the next, and the host lock.
 */
import * as path from 'node:path';
import { withMachine } from '../../lib/sim/state';
import { closeClients, inProcessClient, scenarioFile, simClient, tempDir, failure, readUntil } from '../helpers/sim';

afterEach(closeClients);

describe('rapid-fail protection (rapid-fail.json)', () => {
  it('a pool configured for 3 crashes is stopped after the 3rd injected crash, with WAS 5009 x3 and 5002', async () => {
    const scenario = scenarioFile('rapid-fail');
    const stateFile = path.join(tempDir(), 'state.json');
    const iis = await inProcessClient(scenario, { simulatorStateFile: stateFile }, 'real');
    const r = await iis.appPools.configure('DefaultAppPool', { rapidFailMaxCrashes: 3, rapidFailInterval: '00:10:00' });
    expect(r.after).toMatchObject({ rapidFailProtection: true, rapidFailMaxCrashes: 3, rapidFailInterval: '00:10:00' });
    const since = new Date(Date.now() - 1000);
    await withMachine({ scenario, stateFile }, (m) => m.demandWorker('DefaultAppPool')); // a request arrives; each worker crashes
    const pools = await readUntil(() => iis.appPools.list(), (l) => l.find((p) => p.name === 'DefaultAppPool')!.state === 'Stopped');
    expect(pools.find((p) => p.name === 'DefaultAppPool')!.state).toBe('Stopped');
    const events = await iis.events({ since, kinds: ['crash'] });
    expect(events.filter((e) => e.id === 5009)).toHaveLength(3);
    expect(events.filter((e) => e.id === 5002)).toHaveLength(1);
  });

  it('with rapid-fail protection off the pool keeps crashing and stays Started', async () => {
    const scenario = scenarioFile('rapid-fail');
    const stateFile = path.join(tempDir(), 'state.json');
    const iis = await inProcessClient(scenario, { simulatorStateFile: stateFile }, 'real');
    await iis.appPools.configure('DefaultAppPool', { rapidFailProtection: false });
    const since = new Date(Date.now() - 1000);
    await withMachine({ scenario, stateFile }, (m) => m.demandWorker('DefaultAppPool'));
    const events = await readUntil(() => iis.events({ since, kinds: ['crash'] }), (e) => e.filter((x) => x.id === 5009).length >= 6);
    expect(events.filter((e) => e.id === 5009).length).toBeGreaterThanOrEqual(6);
    expect(events.filter((e) => e.id === 5002)).toHaveLength(0);
    expect((await iis.appPools.list()).find((p) => p.name === 'DefaultAppPool')!.state).toBe('Started');
  });
});

describe('Automatic Restart (recovery)', () => {
  it('shows, enables and disables the recovery actions of WAS and W3SVC, read back through sc.exe qfailure', async () => {
    const iis = await inProcessClient(scenarioFile('advise'));
    const before = await iis.recovery.show();
    expect(before.map((r) => [r.service, r.exists, r.automaticRestart])).toEqual([['IISADMIN', false, false], ['WAS', true, false], ['W3SVC', true, false]]);
    const on = await iis.recovery.enable(['W3SVC'], { delayMs: 30_000, resetSeconds: 3600 });
    expect(on.services).toEqual([expect.objectContaining({ service: 'W3SVC', changed: true })]);
    expect(on.services[0].after).toMatchObject({ automaticRestart: true, resetSeconds: 3600, actions: [{ type: 'restart', delayMs: 30000 }, { type: 'restart', delayMs: 30000 }, { type: 'restart', delayMs: 30000 }] });
    const status = await iis.status();
    expect(status.recovery?.find((r) => r.service === 'W3SVC')?.automaticRestart).toBe(true);
    expect(status.recovery?.find((r) => r.service === 'WAS')?.automaticRestart).toBe(false);
    const off = await iis.recovery.disable(['w3svc']);
    expect(off.services[0].after).toMatchObject({ automaticRestart: false, actions: [] });
  });

  it('refuses unknown services and bad values before any PowerShell runs; ACCESS_DENIED for a non-administrator', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    const calls = iis.stats.calls;
    expect((await failure(iis.recovery.enable(['Spooler']))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(iis.recovery.enable(['WAS'], { delayMs: -1 }))).code).toBe('INVALID_ARGUMENT');
    expect(iis.stats.calls).toBe(calls);
    const user = await inProcessClient(scenarioFile('not-admin'));
    expect((await failure(user.recovery.enable(['WAS']))).code).toBe('ACCESS_DENIED');
  });

  it('a crashed service with a restart action comes back (SCM 7031), without one it stays stopped (7034)', async () => {
    const scenario = scenarioFile('fast');
    const stateFile = path.join(tempDir(), 'state.json');
    const iis = await inProcessClient(scenario, { simulatorStateFile: stateFile }, 'real');
    await iis.recovery.enable(['W3SVC'], { delayMs: 100 });
    const since = new Date(Date.now() - 1000);
    const status = await iis.status();
    const pid = status.services.find((s) => s.name === 'W3SVC')!.processId!;
    await withMachine({ scenario, stateFile }, (m) => m.kill(pid));
    const back = await readUntil(() => iis.status(), (s) => s.services.find((x) => x.name === 'W3SVC')!.status === 'Running');
    expect(back.services.find((x) => x.name === 'W3SVC')!.status).toBe('Running');
    expect((await iis.events({ since, kinds: ['crash'] })).some((e) => e.id === 7031)).toBe(true);
  });
});

describe('configuration backups', () => {
  it('persist across sessions and a restore puts the pool settings back', async () => {
    const scenario = scenarioFile('fast');
    const stateFile = path.join(tempDir(), 'state.json');
    const a = await simClient(scenario, { simulatorStateFile: stateFile });
    const created = await a.backups.create('before-tuning');
    expect(created.name).toBe('before-tuning');
    expect(Number.isNaN(Date.parse(created.createdAt))).toBe(false);
    await a.appPools.configure('DefaultAppPool', { cpuLimitPercent: 50, overlappingRecycle: false });
    await a.close();
    const b = await simClient(scenario, { simulatorStateFile: stateFile });
    expect((await b.backups.list()).map((x) => x.name)).toEqual(['before-tuning']);
    await b.backups.restore('before-tuning');
    expect(await b.appPools.settings('DefaultAppPool')).toMatchObject({ cpuLimitPercent: 0, overlappingRecycle: true });
    expect((await failure(b.backups.restore('nope'))).code).toBe('NOT_FOUND');
    const calls = b.stats.calls;
    expect((await failure(b.backups.create('a/b'))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(b.backups.create(''))).code).toBe('INVALID_ARGUMENT');
    expect(b.stats.calls).toBe(calls);
  });
});

describe('pool settings, Automatic Restart and backups are changing operations: host lock and audit', () => {
  it('each writes an audit event (who, what, outcome) and waits for, or with wait:false refuses, the host lock', async () => {
    const scenario = scenarioFile('fast');
    const stateFile = path.join(tempDir(), 'state.json');
    const since = new Date(Date.now() - 1000);
    const iis = await simClient(scenario, { simulatorStateFile: stateFile });
    await iis.appPools.configure('DefaultAppPool', { cpuLimitPercent: 40 });
    await iis.recovery.enable(['W3SVC']);
    await iis.backups.create('audited');
    await iis.backups.restore('audited');
    expect((await failure(iis.backups.create('a/b'))).code).toBe('INVALID_ARGUMENT'); // refused before: no event
    const audit = (await iis.events({ since, kinds: ['audit'] })).sort((x, y) => x.time.getTime() - y.time.getTime());
    expect(audit.map((e) => [e.id, e.message.replace(/; user=[^;]*;/, '; user=U;')])).toEqual([
      [1016, 'iisctl apppool-configure succeeded; user=U; reason=(none); pool=DefaultAppPool'],
      [1017, 'iisctl recovery-enable succeeded; user=U; reason=(none); services=W3SVC'],
      [1019, 'iisctl backup-create succeeded; user=U; reason=(none); backup=audited'],
      [1020, 'iisctl backup-restore succeeded; user=U; reason=(none); backup=audited'],
    ]);
    // Another iisctl holds the host lock (a stop of IIS in progress): these wait, or refuse at once.
    const slow = scenarioFile('fast', (sc) => {
      for (const svc of (Object.values(sc.computers as Record<string, { services: Array<Record<string, unknown>> }>)[0]).services) svc.stopMs = 3000;
    });
    const lockedFile = path.join(tempDir(), 'state.json');
    const holder = await simClient(slow, { simulatorStateFile: lockedFile, pollIntervalMs: 50 });
    const other = await simClient(slow, { simulatorStateFile: lockedFile, lock: { wait: false } });
    const stopping = holder.stop();
    await readUntil(() => other.status(), (st) => st.services.some((x) => x.status === 'StopPending'));
    for (const attempt of [() => other.appPools.configure('DefaultAppPool', { cpuLimitPercent: 30 }), () => other.recovery.disable(['W3SVC']), () => other.backups.create('while-locked')]) {
      expect((await failure(attempt())).code).toBe('LOCKED');
    }
    await stopping;
    expect((await other.appPools.configure('DefaultAppPool', { cpuLimitPercent: 30 })).changed).toBe(true);
  });
});

describe('advise', () => {
  it('finds every planted problem of advise.json, with evidence and a fixing command', async () => {
    const iis = await inProcessClient(scenarioFile('advise'));
    const r = await iis.advise();
    expect(r.findings.map((f) => [f.id, f.target])).toEqual([
      ['rapid-fail-off', 'NoRapidFail'],
      ['overlapping-recycle-off', 'Gappy'],
      ['no-recycle-schedule', 'Leaky'],
      ['shutdown-time-limit-exceeded', 'SlowStop'],
      ['no-automatic-restart', 'WAS'],
      ['no-automatic-restart', 'W3SVC'],
      ['iisreset-often', 'host'],
    ]);
    const leaky = r.findings.find((f) => f.id === 'no-recycle-schedule')!;
    expect(leaky.evidence.join('\n')).toMatch(/3 worker crash\(es\) \(WAS 5009\)[\s\S]*1 private-memory recycle\(s\) \(WAS 5117\)/);
    expect(leaky.fix.command).toBe('iisctl pool set Leaky --recycle-at 03:00');
  });

  it('finds nothing on a healthy host once Automatic Restart is on', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    await iis.recovery.enable();
    expect((await iis.advise()).findings).toEqual([]);
  });
});
