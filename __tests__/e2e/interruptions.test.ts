/**
 * Issue 12, items 1, 5 and 6, one behaviour each (every changing command against a closed
 * stdout and SIGHUP is in interrupt-all-commands.test.ts):
 * - a stdout that closes after the first line (`iisctl restart | head -1`) does not abort the restart;
 * - a host process killed, or its state file corrupted or deleted, in the middle of a restart:
 *   SESSION_DIED naming the cause, the state read back on a fresh process, the audit event written;
 * - close(): an idle session does not keep Node alive; `await using`; close() during an operation
 *   makes it CANCELLED with the state read back and audited; calls after close are SESSION_CLOSED.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connect } from '../../lib/client';
import { IisctlError, isIisctlError } from '../../lib/errors';
import { changedScenario, localComputer, parseOneDocument, ROOT, runCli, SimMachine } from '../helpers/cli';
import { tempDir } from '../helpers/sim';
import { commandLog, hungW3svc, lockHeld, mutexes, strays, until, w3svcHung } from './faults-helpers';
import { auditMessages, startCli, underSimLock } from './interrupt-helpers';

jest.setTimeout(180_000);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The fast scenario with services that take `ms` to stop and start. */
function slowServices(ms: number): string {
  return changedScenario('fast', (s) => {
    for (const svc of localComputer(s).services as Json[]) Object.assign(svc, { stopMs: ms, startMs: ms });
  });
}

/** fast, W3SVC's stop hanging: a restart is provably in its first stop, WAS untouched, when the test interrupts it. */
function hungW3svcStop(): string {
  return changedScenario('fast', (s) => hungW3svc(s));
}

const stopRequested = (stateFile: string) => commandLog(stateFile).some((t) => /Stop-Service -Name \$name -NoWait/.test(t));
const statusOf = (services: Json[], name: string) => services.find((s) => s.name === name)?.status;

describe('a closed stdout (item 1)', () => {
  it('`iisctl restart | head -1`: the restart completes, exit 0, audited, IIS running', async () => {
    const machine = new SimMachine(slowServices(400));
    const run = startCli([`--simulate=${machine.scenario}`, 'restart'], machine.env());
    // head -1: the first line is read, then the pipe is closed.
    await new Promise<void>((resolve) => run.child.stdout!.once('data', () => resolve()));
    run.child.stdout!.destroy();
    const done = await run.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toBe('');
    expect(auditMessages(machine.stateFile)).toEqual([expect.stringMatching(/^iisctl restart succeeded;/)]);
    const st = await machine.json(['status']);
    expect(st.doc.result.services.map((s: Json) => `${s.name} ${s.status}`)).toEqual(expect.arrayContaining(['WAS Running', 'W3SVC Running']));
    expect(await strays(machine.stateFile)).toEqual([]);
  });
});

describe('a closed terminal (item 2)', () => {
  /** A restart on `machine`, SIGHUP twice to its whole job once `ready`: CANCELLED, exit 130, audited once, W3SVC left as `w3svc`. */
  async function hangUpRestart(machine: SimMachine, extra: string[], ready: () => boolean, w3svc: string): Promise<void> {
    const run = startCli([`--simulate=${machine.scenario}`, 'restart', '--json', ...extra], machine.env(), { ownProcessGroup: true });
    await until(ready, 60_000, 'the restart to be stopping W3SVC');
    // The kernel signals the foreground process group, then the shell signals its jobs again.
    process.kill(-run.child.pid!, 'SIGHUP');
    process.kill(-run.child.pid!, 'SIGHUP');
    const done = await run.done;
    expect(done.code).toBe(130);
    const error = parseOneDocument(done.stdout).error as Json;
    expect(error.code).toBe('CANCELLED');
    expect(error.message).toMatch(new RegExp(`^Interrupted: .* Left: WAS Running, W3SVC ${w3svc}\\.$`));
    expect(auditMessages(machine.stateFile)).toEqual([expect.stringMatching(/^iisctl restart failed;.*Interrupted/)]);
    expect(await strays(machine.stateFile)).toEqual([]);
  }

  it('SIGHUP twice to the whole foreground job (iisctl and its PowerShell): CANCELLED, exit 130, state read back on a new process, audited, lock free', async () => {
    const machine = new SimMachine(slowServices(1500));
    await hangUpRestart(machine, [], () => lockHeld(machine.stateFile) && stopRequested(machine.stateFile), '(Running|StopPending|Stopped)');
    const st = await machine.json(['status']);
    expect(st.code).toBe(0);
    expect(st.doc.result.lock).toMatchObject({ held: false });
  });

  it('SIGHUP twice to the whole job while the restart is held in a hung stop: the end runs on a new process even when PowerShell died before Node saw it; audited once', async () => {
    const machine = new SimMachine(hungW3svcStop());
    await hangUpRestart(machine, ['--timeout', '600'], () => lockHeld(machine.stateFile) && w3svcHung(machine.stateFile), 'StopPending');
  });
});

describe('a dead or corrupted host in the middle of a restart (item 6)', () => {
  it('the PowerShell process killed: SESSION_DIED, the state read back on a new process, audit event written, no "idle" warning', async () => {
    const machine = new SimMachine(hungW3svcStop());
    const run = startCli([`--simulate=${machine.scenario}`, 'restart', '--json', '--timeout', '600'], machine.env());
    await until(() => lockHeld(machine.stateFile) && w3svcHung(machine.stateFile), 60_000, 'the restart to be stopping W3SVC');
    process.kill(mutexes(machine.stateFile)['Global\\iisctl-host-lock'].ownerPid, 'SIGKILL');
    const done = await run.done;
    expect(done.code).toBe(1);
    const error = parseOneDocument(done.stdout).error as Json;
    expect(error.code).toBe('SESSION_DIED');
    expect(error.message).toMatch(/PowerShell process that held the host lock ended \(exit code null, signal SIGKILL\); the operation .* Left: WAS Running, W3SVC StopPending\.$/);
    const after = error.operation.after as Json[];
    expect(statusOf(after, 'WAS')).toBe('Running');
    expect(done.stderr).not.toMatch(/idle|between calls/);
    expect(auditMessages(machine.stateFile)).toEqual([expect.stringMatching(/^iisctl restart failed;.*held the host lock ended/)]);
    const st = await machine.json(['status']);
    expect(st.code).toBe(0);
    expect(st.doc.result.lock).toMatchObject({ held: false });
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  it('the state file corrupted: SESSION_DIED at once, naming the file and `iisctl sim reset`; sim reset brings it back', async () => {
    const machine = new SimMachine(hungW3svcStop());
    const run = startCli([`--simulate=${machine.scenario}`, 'restart', '--json', '--timeout', '600'], machine.env());
    await until(() => w3svcHung(machine.stateFile), 60_000, 'the restart to be stopping W3SVC');
    await underSimLock(machine.stateFile, () => fs.writeFileSync(machine.stateFile, '{ not json'));
    const done = await run.done;
    expect(done.code).toBe(1);
    const error = parseOneDocument(done.stdout).error as Json;
    expect(error.code).toBe('SESSION_DIED');
    expect(error.message).toContain(machine.stateFile);
    // The exact command: this machine's scenario and state file.
    expect(error.message).toContain(`corrupted`);
    expect(error.message).toContain(`Run \`iisctl sim reset --simulate=${machine.scenario}\` with IISCTL_SIM_STATE=${machine.stateFile}`);
    expect(error.message).not.toMatch(/\n\s+at /);
    expect(done.stderr).not.toMatch(/idle|between calls/);
    // Run as the message says, it brings the machine back.
    const command = /`iisctl (sim reset[^`]*)`/.exec(error.message)![1].split(' ');
    expect((await runCli(command, machine.env({ IISCTL_SIM_STATE: machine.stateFile }))).code).toBe(0);
    expect((await machine.run(['status'])).code).toBe(0);
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  it('the state file deleted: an error at once (not a new machine and a TIMEOUT), naming the file; the new machine gets the audit event', async () => {
    const machine = new SimMachine(hungW3svcStop());
    const run = startCli([`--simulate=${machine.scenario}`, 'restart', '--json', '--timeout', '600'], machine.env());
    await until(() => w3svcHung(machine.stateFile), 60_000, 'the restart to be stopping W3SVC');
    await underSimLock(machine.stateFile, () => fs.rmSync(machine.stateFile));
    const done = await run.done;
    expect(done.code).toBe(1);
    const error = parseOneDocument(done.stdout).error as Json;
    expect(error.code).toBe('SESSION_DIED');
    expect(error.message).toContain(`${machine.stateFile} was deleted`);
    expect(error.message).toContain(`Run \`iisctl sim reset --simulate=${machine.scenario}\``);
    // Read back on a fresh process, which (like any new run) found no file and made the machine anew.
    expect(auditMessages(machine.stateFile)).toEqual([expect.stringMatching(/^iisctl restart failed;.*was deleted/)]);
    expect(await strays(machine.stateFile)).toEqual([]);
  });
});

describe('close() is honest (item 5)', () => {
  it('a session left idle without close() does not keep Node alive (the host process ends with it)', async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    const script = `const { connect } = require(${JSON.stringify(path.join(ROOT, 'dist/index.js'))});
connect({ simulate: ${JSON.stringify(slowServices(100))}, simulatorStateFile: ${JSON.stringify(stateFile)} })
  .then((iis) => iis.status())
  .then((s) => console.log('read', s.services.length));`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // Bounded: on the old code the process never ends.
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const [code, signal] = (await new Promise((resolve) => child.on('exit', (c, s) => resolve([c, s])))) as [number | null, string | null];
    clearTimeout(guard);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(out).toMatch(/^read \d+/);
    expect(await strays(stateFile)).toEqual([]);
  });

  it('`await using` closes the client at the end of the block; a call after close is SESSION_CLOSED at once, not retried', async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    let outside: Awaited<ReturnType<typeof connect>> | undefined;
    {
      await using iis = await connect({ simulate: slowServices(100), simulatorStateFile: stateFile });
      outside = iis;
      expect((await iis.status()).services.length).toBeGreaterThan(0);
    }
    const spawns = outside.stats.spawns;
    const e = await outside.status().then(() => undefined, (err: unknown) => err);
    expect(isIisctlError(e, 'SESSION_CLOSED')).toBe(true);
    expect(outside.stats.spawns).toBe(spawns);
    expect(await strays(stateFile)).toEqual([]);
  });

  it('close() during a restart: CANCELLED with the state read back on a fresh process, audit event written, close() waits for it, nothing left running', async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    const scenario = hungW3svcStop();
    const iis = await connect({ simulate: scenario, simulatorStateFile: stateFile, pollIntervalMs: 50 });
    const restarting = iis.restart({ reason: 'closed under it', timeoutSeconds: 600 }).then(() => undefined, (err: unknown) => err);
    await until(() => w3svcHung(stateFile), 60_000, 'the restart to be stopping W3SVC');
    await iis.close();
    const e = (await restarting) as IisctlError;
    expect(e).toBeInstanceOf(IisctlError);
    expect(e.code).toBe('CANCELLED');
    expect(e.message).toMatch(/connection was closed \(close\(\)\).* Left: WAS Running, W3SVC StopPending\.$/);
    const after = (e as IisctlError<{ host: string; durationMs: number; after: Json[] }>).operation!.after;
    expect(statusOf(after, 'W3SVC')).toBe('StopPending');
    expect(auditMessages(stateFile)).toEqual([expect.stringMatching(/^iisctl restart failed; user=[^;]*; reason=closed under it; Interrupted: the connection was closed/)]);
    expect(await strays(stateFile, 0)).toEqual([]); // already gone when close() resolved
    // The lock died with the process close() ended: free for the next client.
    const next = await connect({ simulate: scenario, simulatorStateFile: stateFile });
    try {
      expect((await next.status()).lock.held).toBe(false);
    } finally {
      await next.close();
    }
    const later = await iis.stop().then(() => undefined, (err: unknown) => err);
    expect(isIisctlError(later, 'SESSION_CLOSED')).toBe(true);
  });
});
