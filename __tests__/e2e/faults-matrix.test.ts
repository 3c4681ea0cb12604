/**
 * Issue 8, the fault matrix, end to end: every row asserts the typed error, the exit code (through
 * the CLI where a user meets it), the state reported, and that no process is left behind
 * (no simulated host process of the run's state file is alive afterwards). The host lock rows
 * (two iisctl at once, a dead holder) are in faults-lock.test.ts.
 *
 * The CLI rows run in process (runCli, the simulated host in process) on a virtual clock: a
 * service that takes seconds, or a --timeout, costs no real time, so a loaded machine cannot turn
 * a FAILED into a TIMEOUT. What only processes show stays spawned: a frozen host process (SIGSTOP)
 * and a state file corrupted between two separate runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connect } from '../../lib/client';
import { IisctlError } from '../../lib/errors';
import { changedScenario, inProcessMachine, localComputer, parseOneDocument, SCENARIOS, SimMachine } from '../helpers/cli';
import { isAlive } from '../helpers/standins';
import { tempDir } from '../helpers/sim';
import { peekState } from '../../lib/sim/state';
import { hungW3svc, lockHeld, mutexes, releaseW3svcStop, scaledWaitMs, strays, until, w3svcHung } from './faults-helpers';

jest.setTimeout(120_000);
/** How long the frozen-host case waits for its restart to hold the lock (scaled on the pwsh engine). */
const LOCK_WAIT_MS = 30_000;

const scenario = (name: string) => path.join(SCENARIOS, `${name}.json`);
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** A machine whose CLI runs are in this process, on virtual time. */
const machineHere = (scenarioFile: string) => inProcessMachine(scenarioFile, { clock: 'virtual' });
const statusOf = (services: Json[], name: string) => services.find((s) => s.name === name)?.status;

async function state(machine: SimMachine): Promise<Json[]> {
  const r = await machine.json(['status']);
  expect(r.code).toBe(0);
  return r.doc.result.services as Json[];
}

describe('fault matrix', () => {
  it('PowerShell dies mid-stop: SESSION_DIED, exit 1, the lock is not carried on by a new process; status tells the state', async () => {
    // Calls: init, lock, toggle + snapshot, stop request W3SVC + its wait, stop request WAS + its wait <- dies here.
    const machine = machineHere(changedScenario('host-crash', (s) => (s.host.crashOnCall = 5)));
    const r = await machine.json(['stop']);
    expect(r.code).toBe(1);
    expect(r.doc.error).toMatchObject({ code: 'SESSION_DIED', exitCode: 1 });
    expect(r.doc.error.message).toMatch(/PowerShell process that held the host lock ended/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const after = await state(machine);
    expect(['Stopped', 'StopPending']).toContain(statusOf(after, 'W3SVC')); // half-stopped, and said so
    expect(statusOf(after, 'WAS')).toBe('Running');
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  // Its timeout covers the waits below, which the pwsh engine's tier lets run five times longer
  // (lib/sim/README.md, "The end-to-end tier on it").
  it('PowerShell hangs mid-restart (the host process is frozen): SESSION_TIMEOUT, the hung process is killed, the lock is freed', async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    // W3SVC's stop hangs: the restart provably holds the lock, polling, when its host is frozen.
    const hung = changedScenario('fast', (sc) => hungW3svc(sc));
    // The frozen host is found by the call timeout. It also bounds the session's start (its first
    // call), which on the pwsh engine starts a pwsh: scaled there like the waits, or a start under
    // load timed out before the restart began (a fresh-clone CI run).
    const iis = await connect({ simulate: hung, simulatorStateFile: stateFile, callTimeoutMs: scaledWaitMs(3000), pollIntervalMs: 50 });
    const other = await connect({ simulate: hung, simulatorStateFile: stateFile, lock: { wait: false }, pollIntervalMs: 50 });
    try {
      let ended: { error: unknown } | undefined;
      const restarting = iis.restart({ timeoutSeconds: 600 }).then(
        () => undefined,
        (err: unknown) => {
          ended = { error: err };
          return err;
        },
      );
      await until(() => {
        // A restart that failed before holding the lock says why here, not as a wait that runs out.
        if (ended) throw new Error(`the restart failed before it held the lock: ${(ended.error as Error)?.message ?? String(ended.error)}`);
        return lockHeld(stateFile) && w3svcHung(stateFile);
      }, LOCK_WAIT_MS, 'the restart to hold the lock, stopping W3SVC');
      const pid = mutexes(stateFile)['Global\\iisctl-host-lock'].ownerPid;
      process.kill(pid, 'SIGSTOP');
      const e = (await restarting) as IisctlError;
      expect(e).toBeInstanceOf(IisctlError);
      expect(e.code).toBe('SESSION_TIMEOUT');
      expect(iis.stats.timeouts).toBeGreaterThanOrEqual(1);
      expect(isAlive(pid)).toBe(false);
      // The frozen holder was killed: its mutex is abandoned and another iisctl gets it (once W3SVC's stop is let go).
      await releaseW3svcStop(stateFile, hung);
      const r = await other.start();
      expect(r.after.every((svc) => svc.status === 'Running')).toBe(true);
    } finally {
      await Promise.all([iis.close(), other.close()]);
    }
    expect(await strays(stateFile)).toEqual([]);
  }, scaledWaitMs(LOCK_WAIT_MS) + scaledWaitMs(3000) + 90_000);

  it('service hung in StopPending, no force: TIMEOUT, exit 3, nothing killed, the pending state reported', async () => {
    const machine = machineHere(scenario('hung-stop'));
    const r = await machine.json(['stop', '--timeout', '2']);
    expect(r.code).toBe(3);
    expect(r.doc.error).toMatchObject({ code: 'TIMEOUT', exitCode: 3, details: { pending: ['W3SVC'] } });
    const result = r.doc.error.operation;
    expect(statusOf(result.after, 'W3SVC')).toBe('StopPending');
    expect(result.killedProcessIds).toEqual([]);
    expect(statusOf(await state(machine), 'W3SVC')).toBe('StopPending');
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  it('service hung in StopPending, with force: exit 0, backup, IIS processes killed, verified stopped', async () => {
    const machine = machineHere(scenario('hung-stop'));
    const r = await machine.json(['stop', '--timeout', '2', '--force']);
    expect(r.code).toBe(0);
    expect(r.doc.result.forced).toBe(true);
    expect(r.doc.result.killedProcessIds.length).toBeGreaterThan(0);
    expect(r.doc.result.backup).toMatch(/^iisctl-/);
    expect((r.doc.result.after as Json[]).every((s) => s.status === 'Stopped')).toBe(true);
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  it('service fails to start: FAILED, exit 1, naming it, with the SCM event; state reported', async () => {
    const machine = machineHere(scenario('start-fails'));
    const r = await machine.json(['start']);
    expect(r.code).toBe(1);
    expect(r.doc.error).toMatchObject({ code: 'FAILED', details: { failed: ['WAS'] } });
    const result = r.doc.error.operation;
    expect(statusOf(result.after, 'WAS')).toBe('Stopped');
    expect((result.events as Json[]).some((e) => e.id === 7000)).toBe(true);
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  it('transient errors beyond the retry budget: exit 1, TRANSIENT, nothing changed', async () => {
    const machine = machineHere(scenario('cannot-accept-control'));
    const r = await machine.json(['stop', '--retries', '0']);
    expect(r.code).toBe(1);
    expect(r.doc.error.code).toBe('TRANSIENT');
    expect(r.doc.error.powershell.win32Code).toBe(1061); // ERROR_SERVICE_CANNOT_ACCEPT_CTRL
    expect(statusOf(await state(machine), 'W3SVC')).toBe('Running');
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  it('access denied: ACCESS_DENIED, exit 5, nothing changed', async () => {
    const machine = machineHere(scenario('not-admin'));
    const r = await machine.json(['restart']);
    expect(r.code).toBe(5);
    expect(r.doc.error.code).toBe('ACCESS_DENIED');
    // Read the machine itself: `iisctl status` needs elevation too (it exits 5 here).
    const computers = Object.values(peekState({ stateFile: machine.stateFile })!.computers) as Json[];
    expect(Object.values(computers[0].services as Json).every((s: Json) => s.status === 'Running')).toBe(true);
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  it('WebAdministration missing: FAILED, exit 1, with the module error and a hint; pools untouched', async () => {
    const machine = machineHere(scenario('no-webadministration'));
    const r = await machine.json(['pool', 'recycle', 'DefaultAppPool']);
    expect(r.code).toBe(1);
    expect(r.doc.error).toMatchObject({ code: 'FAILED', powershell: { fullyQualifiedErrorId: expect.stringMatching(/^Modules_ModuleNotFound/) } });
    expect(r.doc.error.hint).toMatch(/WebAdministration/);
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  it('WebAdministration missing, W3SVC hung, --force: no backup possible, so nothing is killed (FAILED, exit 1, hint --no-backup); with --no-backup it is terminated', async () => {
    const machine = machineHere(changedScenario('no-webadministration', (sc) => {
      const w3svc = (localComputer(sc).services as Json[]).find((x) => x.name === 'W3SVC')!;
      w3svc.faults = { hangOnStop: true };
    }));
    const r = await machine.json(['stop', '--force', '--timeout', '1']);
    expect(r.code).toBe(1);
    expect(r.doc.error.code).toBe('FAILED');
    expect([...r.doc.error.details.pending].sort()).toEqual(['W3SVC', 'WAS']); // WAS waits behind its dependent
    expect(r.doc.error.message).toMatch(/^Could not back up the IIS configuration before terminating IIS processes, so nothing was terminated: .*WebAdministration/);
    expect(r.doc.error.hint).toMatch(/--no-backup/);
    expect(r.doc.error.operation.killedProcessIds).toEqual([]);
    expect((await state(machine)).find((x) => x.name === 'W3SVC')!.status).toBe('StopPending');
    const forced = await machine.json(['stop', '--force', '--no-backup', '--timeout', '1']);
    expect(forced.code).toBe(0);
    expect(forced.doc.result?.killedProcessIds ?? forced.doc.killedProcessIds).not.toEqual([]);
    expect((await state(machine)).every((x) => x.status === 'Stopped')).toBe(true);
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  it('remote host unreachable mid-rolling: the reachable host is done, the rolling stops at the unreachable one', async () => {
    const machine = machineHere(scenario('farm'));
    const r = await machine.json(['rolling', 'restart', '-c', 'WEB02', '-c', 'WEB03', '-c', 'WEB01']);
    expect(r.code).toBe(8); // partial: one host done
    expect(r.doc).toMatchObject({ ok: false, exitCode: 8, done: ['WEB02'], failed: ['WEB03'], untouched: ['WEB01'] });
    expect(r.doc.hosts.find((h: Json) => h.host === 'WEB03').error.code).toBe('UNREACHABLE');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  it('event log query with no matches: exit 0 and an empty list', async () => {
    const machine = machineHere(scenario('fast'));
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const r = await machine.json(['events', '--since', future]);
    expect(r.code).toBe(0);
    expect(JSON.stringify(r.doc.result)).toMatch(/\[\]/);
    const human = await machine.run(['events', '--since', future]);
    expect(human.code).toBe(0);
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  it('state file corrupted between runs: a clear error naming the file and `iisctl sim reset` (exit 1, not retried); sim reset fixes it; deleted: recreated', async () => {
    const machine = new SimMachine(scenario('fast'));
    expect((await machine.run(['status'])).code).toBe(0);
    fs.writeFileSync(machine.stateFile, '{ not json');
    const r = await machine.json(['restart']);
    expect(r.code).toBe(1);
    expect(r.doc.error).toMatchObject({ code: 'SESSION_DIED', details: { duringStartup: true } });
    expect(r.doc.error.message).toContain(machine.stateFile);
    expect(r.doc.error.message).toMatch(/corrupted.*iisctl sim reset/);
    const human = await machine.run(['status']);
    expect(human.code).toBe(1);
    expect(human.stderr).not.toMatch(/retrying/);
    expect(human.stderr).toMatch(/corrupted/);
    expect(human.stderr).not.toMatch(/\n\s+at /);
    expect((await machine.run(['sim', 'reset'])).code).toBe(0);
    expect((await machine.run(['status'])).code).toBe(0);
    fs.rmSync(machine.stateFile);
    expect((await machine.run(['restart'])).code).toBe(0);
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  (fs.existsSync('/dev/full') ? it : it.skip)('disk full when writing the log file: the command still does its job and says once, in one line, that the log was not written; no stack trace', async () => {
    const machine = machineHere(scenario('fast'));
    const r = await machine.run(['--log-file', '/dev/full', '--log-level', 'debug', '-q', 'restart', '--json']);
    expect(r.code).toBe(0);
    expect(parseOneDocument(r.stdout).ok).toBe(true);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const warnings = r.stderr.split('\n').filter((l) => /log file/.test(l));
    expect(warnings).toEqual([expect.stringMatching(/^iisctl: warning: could not write the log file \/dev\/full: .*ENOSPC/)]);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // A log file that works gets no warning.
    const log = path.join(tempDir(), 'iisctl.log');
    const ok = await machine.run(['--log-file', log, '--log-level', 'debug', '-q', 'status', '--json']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toBe('');
    expect(fs.readFileSync(log, 'utf8')).toMatch(/"level":"debug"/);
    expect(await strays(machine.stateFile)).toEqual([]);
  });
});

