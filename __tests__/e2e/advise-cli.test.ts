/**
 * Issue 9 through the built CLI: advise on advise.json finds each planted problem, and running the
 * command it proposes (against the same state file) makes that finding go away; backup restore
 * needs --yes; recovery and pool show/set round trips.
 * In process (runCli), but backup restore across separate runs: separate processes, as a user has them.
 */
import * as path from 'node:path';
import { inProcessMachine, SCENARIOS, SimMachine } from '../helpers/cli';

jest.setTimeout(180_000);

type Finding = { id: string; target: string; fix: { command: string; argv: string[] } };

describe('iisctl advise', () => {
  it('each proposed command, when run, makes its finding go away', async () => {
    const m = inProcessMachine(path.join(SCENARIOS, 'advise.json'), { clock: 'virtual' });
    const first = await m.json(['advise']);
    expect(first.code).toBe(0);
    const findings = first.doc.result.findings as Finding[];
    expect(findings.map((f) => f.id).sort()).toEqual(['iisreset-often', 'no-automatic-restart', 'no-automatic-restart', 'no-recycle-schedule', 'overlapping-recycle-off', 'rapid-fail-off', 'shutdown-time-limit-exceeded']);
    for (const f of findings) {
      expect(f.fix.command.startsWith('iisctl ')).toBe(true);
      const run = await m.run(f.fix.argv);
      expect({ finding: f.id, code: run.code, stderr: run.stderr }).toEqual({ finding: f.id, code: 0, stderr: '' });
      const after = (await m.json(['advise'])).doc.result.findings as Finding[];
      expect(after.some((x) => x.id === f.id && x.target === f.target)).toBe(false);
    }
    const last = await m.json(['advise']);
    expect(last.doc.result.findings).toEqual([]);
    const human = await m.run(['advise']);
    expect(human.stdout).toMatch(/^No findings on localhost/);
  });

  it('human output shows evidence and the fixing command', async () => {
    const m = inProcessMachine(path.join(SCENARIOS, 'advise.json'), { clock: 'virtual' });
    const r = await m.run(['advise', '--days', '7']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[rapid-fail-off] Rapid-fail protection is off for NoRapidFail');
    expect(r.stdout).toContain('fix:      iisctl pool set NoRapidFail --rapid-fail 5/5m');
    expect((await m.run(['advise', '--days', '0'])).code).toBe(2);
  });
});

describe('iisctl backup / recovery / pool set', () => {
  it('backup restore is refused without --yes (exit 2) and restores with it, across separate runs', async () => {
    const m = new SimMachine();
    expect((await m.run(['backup', 'create', 'nightly'])).code).toBe(0);
    expect((await m.run(['pool', 'set', 'DefaultAppPool', '--cpu-limit', '80', '--cpu-action', 'KillW3wp'])).code).toBe(0);
    const list = await m.json(['backup', 'list']);
    expect(list.doc.result.map((b: { name: string }) => b.name)).toEqual(['nightly']);
    const refused = await m.run(['backup', 'restore', 'nightly']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    // --dry-run shows the exact scripts and changes nothing (no --yes needed).
    const dry = await m.run(['backup', 'restore', 'nightly', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Dry run: backup restore nightly would run these steps\. Nothing was changed\./);
    expect(dry.stdout).toMatch(/Restore-WebConfiguration -Name 'nightly'/);
    const dryCreate = await m.json(['backup', 'create', 'other', '--dry-run']);
    expect(dryCreate.code).toBe(0);
    expect(JSON.stringify(dryCreate.doc)).toMatch(/Backup-WebConfiguration -Name 'other'/);
    expect((await m.json(['backup', 'list'])).doc.result.map((b: { name: string }) => b.name)).toEqual(['nightly']);
    expect((await m.json(['pool', 'show', 'DefaultAppPool'])).doc.result.cpuLimitPercent).toBe(80);
    expect((await m.run(['backup', 'restore', 'nightly', '--yes'])).code).toBe(0);
    expect((await m.json(['pool', 'show', 'DefaultAppPool'])).doc.result).toMatchObject({ cpuLimitPercent: 0, cpuAction: 'NoAction' });
    expect((await m.run(['backup', 'restore', 'missing', '--yes'])).code).toBe(4);
  });

  it('pool set refuses bad values with exit 2 and shows before/after; --dry-run changes nothing', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    expect((await m.run(['pool', 'set', 'DefaultAppPool', '--idle-action', 'Sleep'])).code).toBe(2);
    expect((await m.run(['pool', 'set', 'DefaultAppPool', '--rapid-fail', '0/5m'])).code).toBe(2);
    expect((await m.run(['pool', 'set', 'DefaultAppPool'])).code).toBe(2);
    const dry = await m.run(['pool', 'set', 'DefaultAppPool', '--idle-action', 'Suspend', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Set-WebConfigurationProperty');
    expect((await m.json(['pool', 'show', 'DefaultAppPool'])).doc.result.idleTimeoutAction).toBe('Terminate');
    const set = await m.json(['pool', 'set', 'DefaultAppPool', '--idle-action', 'Suspend', '--recycle-at', '03:00,15:00', '--start-mode', 'AlwaysRunning']);
    expect(set.code).toBe(0);
    expect(set.doc.result.after).toMatchObject({ idleTimeoutAction: 'Suspend', recycleSchedule: ['03:00:00', '15:00:00'], startMode: 'AlwaysRunning' });
    expect(set.doc.result.before).toMatchObject({ idleTimeoutAction: 'Terminate', recycleSchedule: [], startMode: 'OnDemand' });
    expect((await m.run(['pool', 'show', 'nope'])).code).toBe(4);
  });

  it('recovery enable/disable and status shows Automatic Restart', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    expect((await m.run(['recovery', 'enable', 'WAS', '--delay', '30'])).code).toBe(0);
    const status = await m.run(['status']);
    expect(status.stdout).toMatch(/Automatic Restart \(service recovery\):\n  IISADMIN: not installed\n  WAS: on \(restart after 30s, restart after 30s, restart after 30s; reset after 86400s\)\n  W3SVC: off/);
    const json = await m.json(['recovery', 'show']);
    expect(json.doc.result.find((r: { service: string }) => r.service === 'WAS').automaticRestart).toBe(true);
    expect((await m.run(['recovery', 'disable', 'WAS'])).code).toBe(0);
    expect((await m.run(['recovery', 'enable', 'Spooler'])).code).toBe(2);
  });
});
