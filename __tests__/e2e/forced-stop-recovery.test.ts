/**
 * A forced stop stays stopped: with Automatic Restart (SCM recovery actions) enabled, the services
 * a forced stop terminates would be started again by the SCM (simulated: a killed service host
 * logs 7031 and schedules the recovery restart). The forced stop suspends the recovery actions
 * first; the next start restores them.
 */
import { closeClients, scenarioFile, inProcessClient } from '../helpers/sim';

afterEach(closeClients);
jest.setTimeout(120_000);

describe('forced stop and Automatic Restart', () => {
  it('suspends the recovery actions of the services it kills, so the SCM does not start them again; start restores them', async () => {
    const iis = await inProcessClient(scenarioFile('hung-stop'));
    await iis.recovery.enable(['WAS', 'W3SVC'], { delayMs: 200, resetSeconds: 3600 });

    const stopped = await iis.stop({ force: true, timeoutSeconds: 1, skipBackup: true });
    expect(stopped.forced).toBe(true);
    expect(stopped.recoverySuspended?.sort()).toEqual(['W3SVC', 'WAS']);
    // The SCM saw the terminated services fail with no recovery action (7034), not a scheduled restart (7031).
    const scm = stopped.events.filter((e) => e.id === 7031 || e.id === 7034).map((e) => e.id);
    expect(scm.length).toBeGreaterThan(0);
    expect(scm).not.toContain(7031);
    const suspended = await iis.recovery.show(['WAS', 'W3SVC']);
    expect(suspended.map((r) => r.automaticRestart)).toEqual([false, false]);

    const started = await iis.start();
    expect(started.recoveryRestored?.sort()).toEqual(['W3SVC', 'WAS']);
    const restored = await iis.recovery.show(['WAS', 'W3SVC']);
    expect(restored.map((r) => [r.automaticRestart, r.resetSeconds, r.actions[0]?.delayMs])).toEqual([[true, 3600, 200], [true, 3600, 200]]);
    // Restored once: a second start has nothing to restore.
    const again = await iis.start();
    expect(again.recoveryRestored).toBeUndefined();
  });

  it('a forced restart does not suspend them (the services come back anyway)', async () => {
    const iis = await inProcessClient(scenarioFile('hung-stop'));
    await iis.recovery.enable(['W3SVC'], { delayMs: 60_000 });
    const r = await iis.restart({ force: true, timeoutSeconds: 1, skipBackup: true });
    expect(r.recoverySuspended).toBeUndefined();
    expect((await iis.recovery.show(['W3SVC']))[0].automaticRestart).toBe(true);
  });
});
