/**
 * Issue 8, host lock: a second iisctl on the same host waits, or with --no-wait-lock fails at once
 * with LOCKED (exit 9) naming the holder; a dead holder's lock is taken over; two concurrent
 * restarts never interleave on the host (asserted from the simulated host's command log).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Transport from 'winston-transport';
import { createLogger, format } from 'winston';
import { IisctlError } from '../../lib/errors';
import { connect } from '../../lib/client';
import { changedScenario, localComputer, SimMachine, parseOneDocument, runCli, CLI } from '../helpers/cli';
import { commandLog, lockHeld, mutexes, strays, until } from './faults-helpers';
import { spawn } from 'node:child_process';
import { tempDir } from '../helpers/sim';

jest.setTimeout(120_000);

const LOCK_NAME = 'Global\\iisctl-host-lock-localhost';

class Capture extends Transport {
  readonly lines: Array<Record<string, unknown>> = [];
  override log(info: Record<string, unknown>, next: () => void): void {
    this.lines.push(info);
    next();
  }
}

function slowScenario(stopMs: number): string {
  return changedScenario('fast', (s) => {
    s.commandLogLimit = 5000;
    for (const svc of localComputer(s).services as Array<Record<string, unknown>>) svc.stopMs = stopMs;
  });
}

describe('host lock (library)', () => {
  it('--no-wait-lock style: LOCKED at once naming user, process, operation, since; waiting: runs after the holder', async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    const scenario = slowScenario(1500);
    const a = await connect({ simulate: scenario, simulatorStateFile: stateFile, pollIntervalMs: 50 });
    const b = await connect({ simulate: scenario, simulatorStateFile: stateFile, pollIntervalMs: 50, lock: { wait: false } });
    const c = await connect({ simulate: scenario, simulatorStateFile: stateFile, pollIntervalMs: 50, lockTimeoutSeconds: 60 });
    try {
      const first = a.restart({ reason: 'first' });
      await until(() => lockHeld(stateFile), 30_000, 'the first restart to hold the lock');
      const e = await b.restart().then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(IisctlError);
      const locked = e as IisctlError;
      expect(locked.code).toBe('LOCKED');
      const holder = (locked.details as { holder: Record<string, unknown> }).holder;
      expect(holder).toMatchObject({ operation: 'restart', clientProcessId: process.pid });
      expect(typeof holder.user).toBe('string');
      expect(holder.hostProcessId).toBe(mutexes(stateFile)[LOCK_NAME]?.ownerPid);
      expect(Date.parse(holder.since as string)).toBeGreaterThan(Date.now() - 60_000);
      expect(locked.message).toMatch(/Another iisctl holds the lock on localhost: .*running restart, since /);
      // Reads do not take the lock.
      expect((await b.status()).services.length).toBeGreaterThan(0);
      // A waiting client gets its turn once the holder is done.
      const second = c.restart({ reason: 'second' });
      const [r1, r2] = await Promise.all([first, second]);
      expect(r1.after.every((s) => s.status === 'Running')).toBe(true);
      expect(r2.after.every((s) => s.status === 'Running')).toBe(true);
      // Nothing interleaved: stop, stop, start, start of the first, then of the second.
      expect(changeSequence(commandLog(stateFile))).toEqual([...RESTART, ...RESTART]);
      expect(mutexes(stateFile)[LOCK_NAME]).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
    expect(await strays(stateFile)).toEqual([]);
  });

  it('a lock whose holder died is taken over and the dead holder is logged', async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    const scenario = slowScenario(300);
    const capture = new Capture();
    const logger = createLogger({ level: 'debug', format: format.json(), transports: [capture] });
    const a = await connect({ simulate: scenario, simulatorStateFile: stateFile, pollIntervalMs: 50 });
    const b = await connect({ simulate: scenario, simulatorStateFile: stateFile, pollIntervalMs: 50, lock: { wait: false }, logger });
    try {
      // A's PowerShell dies in the middle of a stop while holding the lock.
      const stopping = a.stop().then(() => undefined, (err: unknown) => err);
      await until(() => lockHeld(stateFile), 30_000, 'the stop to hold the lock');
      const holderPid = mutexes(stateFile)[LOCK_NAME].ownerPid;
      process.kill(holderPid, 'SIGKILL');
      const e = (await stopping) as IisctlError;
      expect(e).toBeInstanceOf(IisctlError);
      expect(e.code).toBe('SESSION_DIED');
      const r = await b.start();
      expect(r.after.every((s) => s.status === 'Running')).toBe(true);
      const takeover = capture.lines.find((l) => String(l.message).includes('died without releasing'));
      expect(takeover).toMatchObject({ level: 'warn', previousHolder: { operation: 'stop', hostProcessId: holderPid } });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(await strays(stateFile)).toEqual([]);
  });

  it('rejects a bad lock timeout before anything runs', async () => {
    await expect(connect({ simulate: true, lockTimeoutSeconds: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(connect({ simulate: true, lock: { timeoutSeconds: Number.NaN } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('host lock (CLI)', () => {
  it('two iisctl restarts at once: with --no-wait-lock the second exits 9 naming the holder; waiting, both run, never interleaved', async () => {
    const machine = new SimMachine(slowScenario(1500));
    const env = machine.env();
    const first = spawnCli([`--simulate=${machine.scenario}`, 'restart', '--reason', 'deploy A'], env);
    await until(() => lockHeld(machine.stateFile), 60_000, 'the first iisctl to hold the lock');
    const refused = await machine.run(['restart', '--no-wait-lock', '--json']);
    expect(refused.code).toBe(9);
    const doc = parseOneDocument(refused.stdout);
    expect(doc.error).toMatchObject({ code: 'LOCKED', exitCode: 9, details: { holder: { operation: 'restart', clientProcessId: first.pid } } });
    const human = await machine.run(['restart', '--no-wait-lock']);
    expect(human.code).toBe(9);
    expect(human.stderr).toMatch(new RegExp(`^iisctl: Another iisctl holds the lock on localhost: .*iisctl pid ${first.pid} .*running restart, since .* \\[LOCKED, exit 9\\]`, 'm'));
    expect(human.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // A waiting second restart runs after the first.
    const second = await machine.run(['restart', '--lock-timeout', '120']);
    const firstDone = await first.done;
    expect(firstDone.code).toBe(0);
    expect(second.code).toBe(0);
    expect(changeSequence(commandLog(machine.stateFile))).toEqual([...RESTART, ...RESTART]);
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  it('--lock-timeout is checked (exit 2)', async () => {
    const machine = new SimMachine();
    const r = await machine.run(['restart', '--lock-timeout', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--lock-timeout must be a number of seconds/);
  });
});

const RESTART = ['stop W3SVC', 'stop WAS', 'start WAS', 'start W3SVC'];

/** The service changes the host saw, in order. */
function changeSequence(log: string[]): string[] {
  const out: string[] = [];
  for (const text of log) {
    const stop = /foreach \(\$name in @?\(?([^)]*?)\)?\) \{ Stop-Service -Name \$name -NoWait \}/.exec(text);
    const start = /foreach \(\$name in @?\(?([^)]*?)\)?\) \{ \(Get-Service -Name \$name\)\.Start\(\) \}/.exec(text);
    const m = stop ?? start;
    if (!m) continue;
    const names = m[1].split(',').map((n) => n.trim().replace(/^'|'$/g, ''));
    for (const n of names) out.push(`${stop ? 'stop' : 'start'} ${n}`);
  }
  return out;
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv): { pid: number; done: Promise<{ code: number; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  return { pid: child.pid!, done };
}

void fs;
void runCli;
