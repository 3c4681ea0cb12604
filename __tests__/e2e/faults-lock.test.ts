/**
 * Issue 8, host lock: a second iisctl on the same host waits, or with --no-wait-lock fails at once
 * with LOCKED (exit 9) naming the holder; a dead holder's lock is taken over; two concurrent
 * restarts never interleave on the host (asserted from the simulated host's command log).
 *
 * The library cases run in process: each client its own in-process simulated host (its own $PID,
 * which owns its mutexes: lib/sim/cmdlets/mutex.ts), all of a test on one virtual clock. The test's
 * own reads of the state file freeze that clock (whileBusy), so nothing moves on while it looks; a
 * lease's end is waited for on the clock. The CLI cases are the cross-process lock and stay spawned.
 */
import * as path from 'node:path';
import Transport from 'winston-transport';
import { createLogger, format } from 'winston';
import { IisctlError } from '../../lib/errors';
import { connect } from '../../lib/client';
import { changedScenario, inProcessMachine, SimMachine, parseOneDocument, CLI } from '../helpers/cli';
import { commandLog, hungW3svc, lockHeld, lockInfo, mutexes, output, releaseW3svcStop, setW3svcHang, strays, until, untilOn, w3svcHung } from './faults-helpers';
import { VirtualClock } from '../../lib/sim/clock';
import { killInProcessHost } from '../../lib/sim/cmdlets/simhost';
import type { ConnectOptions, IisClient } from '../../lib/client';
import { resetState, withMachineSync } from '../../lib/sim/state';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { tempDir } from '../helpers/sim';

jest.setTimeout(120_000);

const LOCK_NAME = 'Global\\iisctl-host-lock';

class Capture extends Transport {
  readonly lines: Array<Record<string, unknown>> = [];
  private readonly waiters: Array<{ text: string; resolve: () => void }> = [];
  override log(info: Record<string, unknown>, next: () => void): void {
    this.lines.push(info);
    for (const w of this.waiters.filter((x) => String(info.message).includes(x.text))) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
    next();
  }
  /** Resolves once a line containing `text` has been logged. */
  seen(text: string): Promise<void> {
    if (this.lines.some((l) => String(l.message).includes(text))) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ text, resolve }));
  }
}

/** One auto-advancing virtual clock for every client of a test: the machine's time and each iisctl's waits. */
const virtualClock = () => new VirtualClock(Date.now(), { auto: true });

/** A client whose simulated host (a PowerShell process of its own) runs in this process on `clock`. */
const here = (clock: VirtualClock, scenario: string, stateFile: string, options: Partial<ConnectOptions> = {}): Promise<IisClient> =>
  connect({ simulate: { scenario, stateFile, inProcess: true, clock }, pollIntervalMs: 50, ...options });

const captureLogger = (capture: Capture) => createLogger({ level: 'debug', format: format.json(), transports: [capture] });

/** fast, with W3SVC's stop hanging until setW3svcHang(..., false). */
function hungScenario(): string {
  return changedScenario('fast', (s) => {
    s.commandLogLimit = 5000;
    hungW3svc(s);
  });
}

describe('host lock (library)', () => {
  it('--no-wait-lock style: LOCKED at once naming user, process, operation, since; waiting: runs after the holder', async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    const clock = virtualClock();
    const scenario = hungScenario();
    const waits = new Capture();
    const a = await here(clock, scenario, stateFile);
    const b = await here(clock, scenario, stateFile, { lock: { wait: false } });
    const c = await here(clock, scenario, stateFile, { lockTimeoutSeconds: 60, logger: captureLogger(waits) });
    try {
      // Holds the lock, hung in W3SVC's stop, until the test ends the hang.
      const asked = clock.now();
      const first = a.restart({ reason: 'first', timeoutSeconds: 600 });
      await clock.whileBusy(until(() => lockHeld(stateFile) && w3svcHung(stateFile), 30_000, 'the first restart to hold the lock, stopping W3SVC'));
      const e = await b.restart().then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(IisctlError);
      const locked = e as IisctlError;
      expect(locked.code).toBe('LOCKED');
      const holder = (locked.details as { holder: Record<string, unknown> }).holder;
      expect(holder).toMatchObject({ operation: 'restart', clientProcessId: process.pid });
      expect(typeof holder.user).toBe('string');
      expect(holder.hostProcessId).toBe(mutexes(stateFile)[LOCK_NAME]?.ownerPid);
      // Taken after it was asked for, on the machine's clock (ISO text: whole seconds at worst).
      expect(Date.parse(holder.since as string)).toBeGreaterThanOrEqual(asked - 1000);
      expect(Date.parse(holder.since as string)).toBeLessThanOrEqual(clock.now());
      expect(locked.message).toMatch(/Another iisctl holds the lock on localhost: .*running restart, since /);
      // Reads do not take the lock; status says who holds it.
      const seen = await b.status();
      expect(seen.services.length).toBeGreaterThan(0);
      expect(seen.lock).toMatchObject({ held: true, holder: { operation: 'restart', clientProcessId: process.pid, kind: 'held' } });
      // A waiting client gets its turn once the holder is done.
      const second = c.restart({ reason: 'second' });
      await clock.whileBusy(waits.seen('waiting up to 60 s for the host lock'));
      setW3svcHang(stateFile, scenario, false, undefined, clock);
      const [r1, r2] = await Promise.all([first, second]);
      expect(r1.after.every((s) => s.status === 'Running')).toBe(true);
      expect(r2.after.every((s) => s.status === 'Running')).toBe(true);
      // Nothing interleaved: stop, stop, start, start of the first, then of the second.
      expect(changeSequence(commandLog(stateFile))).toEqual([...RESTART, ...RESTART]);
      expect(mutexes(stateFile)[LOCK_NAME]).toBeUndefined();
      expect((await b.status()).lock).toEqual({ held: false });
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
    expect(await strays(stateFile)).toEqual([]);
  });

  it('a lock whose holder died is taken over and the dead holder is logged', async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    const clock = virtualClock();
    const scenario = hungScenario();
    const capture = new Capture();
    const a = await here(clock, scenario, stateFile);
    const b = await here(clock, scenario, stateFile, { lock: { wait: false }, logger: captureLogger(capture) });
    try {
      // A's PowerShell dies in the middle of a (hung) stop while holding the lock.
      const stopping = a.stop({ timeoutSeconds: 600 }).then(() => undefined, (err: unknown) => err);
      await clock.whileBusy(until(() => lockHeld(stateFile) && w3svcHung(stateFile), 30_000, 'the stop to hold the lock, stopping W3SVC'));
      const holderPid = mutexes(stateFile)[LOCK_NAME].ownerPid;
      expect(killInProcessHost(holderPid)).toBe(true); // as SIGKILL ends a host process
      const e = (await stopping) as IisctlError;
      expect(e).toBeInstanceOf(IisctlError);
      expect(e.code).toBe('SESSION_DIED');
      // Its record still says held, but its mutex is abandoned: status does not name a dead holder.
      expect(lockHeld(stateFile)).toBe(true);
      expect((await b.status()).lock).toEqual({ held: false });
      await releaseW3svcStop(stateFile, scenario, clock);
      const r = await b.start();
      expect(r.after.every((s) => s.status === 'Running')).toBe(true);
      const takeover = capture.lines.find((l) => String(l.message).includes('died without releasing'));
      expect(takeover).toMatchObject({ level: 'warn', previousHolder: { operation: 'stop', hostProcessId: holderPid } });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(await strays(stateFile)).toEqual([]);
  });

  it('a client waiting for the lock stops waiting when its signal is aborted: CANCELLED at once, nothing changed', async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    const clock = virtualClock();
    const scenario = hungScenario();
    const waits = new Capture();
    const a = await here(clock, scenario, stateFile);
    const abort = new AbortController();
    const b = await here(clock, scenario, stateFile, { signal: abort.signal, logger: captureLogger(waits) });
    try {
      let holderDone = false;
      const stopping = a.stop({ timeoutSeconds: 600 }).finally(() => (holderDone = true));
      await clock.whileBusy(until(() => lockHeld(stateFile) && w3svcHung(stateFile), 30_000, 'the stop to hold the lock, stopping W3SVC'));
      const waiting = b.restart().then(() => undefined, (err: unknown) => err);
      await clock.whileBusy(waits.seen('for the host lock held by'));
      abort.abort();
      const e = (await waiting) as IisctlError;
      expect(e.code).toBe('CANCELLED');
      // It ended while the holder was still hung in its stop, not when the holder was done.
      expect(holderDone).toBe(false);
      setW3svcHang(stateFile, scenario, false, undefined, clock);
      await stopping;
      expect(changeSequence(commandLog(stateFile))).toEqual(['stop W3SVC', 'stop WAS']); // b requested nothing
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('rejects a bad lock timeout before anything runs', async () => {
    await expect(connect({ simulate: true, lockTimeoutSeconds: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(connect({ simulate: true, lock: { timeoutSeconds: Number.NaN } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('host lock (CLI)', () => {
  it('two iisctl restarts at once: with --no-wait-lock the second exits 9 naming the holder; waiting, both run, never interleaved', async () => {
    const machine = new SimMachine(hungScenario());
    const env = machine.env();
    // The first restart hangs in W3SVC's stop, holding the lock, until the test ends the hang.
    const first = spawnCli([`--simulate=${machine.scenario}`, 'restart', '--reason', 'deploy A', '--timeout', '600'], env);
    await until(() => lockHeld(machine.stateFile) && w3svcHung(machine.stateFile), 60_000, 'the first iisctl to hold the lock, stopping W3SVC');
    const refused = await machine.run(['restart', '--no-wait-lock', '--json']);
    expect(refused.code).toBe(9);
    const doc = parseOneDocument(refused.stdout);
    expect(doc.error).toMatchObject({ code: 'LOCKED', exitCode: 9, details: { holder: { operation: 'restart', clientProcessId: first.pid } } });
    expect((await machine.run(['status'])).stdout).toMatch(new RegExp(`^Host lock: held by .*iisctl pid ${first.pid} .*running restart, since `, 'm'));
    const human = await machine.run(['restart', '--no-wait-lock']);
    expect(human.code).toBe(9);
    expect(human.stderr).toMatch(new RegExp(`^iisctl: Another iisctl holds the lock on localhost: .*iisctl pid ${first.pid} .*running restart, since .* \\[LOCKED, exit 9\\]`, 'm'));
    expect(human.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // A waiting second restart: it says it waits for the first, and runs once the first is done.
    const second = spawnCli([`--simulate=${machine.scenario}`, 'restart', '--lock-timeout', '120'], env);
    await output(second.stderr, new RegExp(`waiting up to 120 s for the host lock held by .*iisctl pid ${first.pid} `));
    setW3svcHang(machine.stateFile, machine.scenario, false);
    const [firstDone, secondDone] = await Promise.all([first.done, second.done]);
    expect(firstDone.code).toBe(0);
    expect(secondDone.code).toBe(0);
    expect(changeSequence(commandLog(machine.stateFile))).toEqual([...RESTART, ...RESTART]);
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  it('a waiting iisctl says on stderr whose lock it waits for, then gives up with LOCKED (exit 9) after --lock-timeout', async () => {
    const machine = new SimMachine(hungScenario());
    const first = spawnCli([`--simulate=${machine.scenario}`, 'stop', '--timeout', '600'], machine.env());
    await until(() => lockHeld(machine.stateFile) && w3svcHung(machine.stateFile), 60_000, 'the stop to hold the lock, stopping W3SVC');
    const second = await machine.run(['restart', '--lock-timeout', '1']);
    expect(second.code).toBe(9);
    expect(second.stderr).toMatch(new RegExp(`waiting up to 1 s for the host lock held by .*iisctl pid ${first.pid} `));
    expect(second.stderr).toMatch(/after waiting 1(\.\d)? s/);
    setW3svcHang(machine.stateFile, machine.scenario, false);
    expect((await first.done).code).toBe(0);
    expect(changeSequence(commandLog(machine.stateFile))).toEqual(['stop W3SVC', 'stop WAS']); // the second changed nothing
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  it('--lock-timeout is checked (exit 2)', async () => {
    const machine = inProcessMachine(undefined, { clock: 'virtual' }); // a usage error: no process needed
    const r = await machine.run(['restart', '--lock-timeout', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--lock-timeout must be a number of seconds/);
  });
});

describe('Ctrl-C (SIGINT) in the middle of a stop', () => {
  it('stops waiting, reads the state back, writes the audit event, releases the lock: CANCELLED, exit 130, the half-stopped state reported', async () => {
    const machine = new SimMachine(hungScenario());
    const run = spawnCli([`--simulate=${machine.scenario}`, 'stop', '--json', '--reason', 'interrupted one', '--timeout', '600'], machine.env());
    await until(() => lockHeld(machine.stateFile) && w3svcHung(machine.stateFile), 60_000, 'the stop to hold the lock, stopping W3SVC');
    process.kill(run.pid, 'SIGINT');
    const done = await run.done;
    expect(done.code).toBe(130);
    expect(done.stderr).toMatch(/SIGINT: stopping the wait, reading back the state of the host/);
    const doc = parseOneDocument(done.stdout);
    expect(doc.error).toMatchObject({ code: 'CANCELLED', exitCode: 130 });
    expect(doc.error.message).toMatch(/Left: WAS Running, W3SVC StopPending\.$/);
    const after = doc.error.operation.after as Array<{ name: string; status: string }>;
    expect(after.find((x) => x.name === 'W3SVC')!.status).toBe('StopPending');
    expect(after.find((x) => x.name === 'WAS')!.status).toBe('Running'); // never reached
    expect(lockHeld(machine.stateFile)).toBe(false);
    const audit = await machine.json(['events', '--kind', 'audit']);
    expect(JSON.stringify(audit.doc)).toMatch(/iisctl stop failed; user=[^;]*; reason=interrupted one; Interrupted/);
    expect(await strays(machine.stateFile)).toEqual([]);
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

function spawnCli(args: string[], env: NodeJS.ProcessEnv): { pid: number; stderr: Readable; done: Promise<{ code: number; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  return { pid: child.pid!, stderr: child.stderr, done };
}

describe('host lock on a remote computer: a lease on the target, whatever name reached it', () => {
  type Json = Record<string, unknown>;
  const farm = (stopMs: number) =>
    changedScenario('farm', (s) => {
      s.commandLogLimit = 5000;
      for (const c of Object.values(s.computers as Record<string, Json>)) for (const svc of c.services as Json[]) svc.stopMs = stopMs;
    });
  /** farm, W3SVC's stop hanging on `computer` until setW3svcHang(..., false). */
  const hungFarm = (computer: string) =>
    changedScenario('farm', (s) => {
      s.commandLogLimit = 5000;
      hungW3svc(s, [computer]);
    });
  const KEY = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\iisctl\\Lock';

  /** Writes a holder record into a computer's registry (WEB02), as an iisctl on another machine would have left it. */
  function plantLease(stateFile: string, scenario: string, expires: Date, computer = 'WEB02'): void {
    resetState(scenario, stateFile);
    withMachineSync({ stateFile, scenario }, (_m, { world }) => {
      const registry = world.state.computers[computer].registry;
      const value = (name: string, v: string) => [name.toLowerCase(), { name, kind: 'String' as const, value: v }] as const;
      registry['HKEY_LOCAL_MACHINE\\SOFTWARE\\IISCTL'] = { path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\iisctl', values: {} };
      registry[KEY.toUpperCase()] = {
        path: KEY,
        values: Object.fromEntries([
          value('Held', '1'), value('Token', 'other-machine'), value('Kind', 'lease'), value('Expires', expires.toISOString()),
          value('User', 'CONTOSO\\deployer'), value('HostProcessId', '5150'), value('ClientProcessId', '777'),
          value('ClientComputer', 'BUILD07'), value('Operation', 'restart'), value('Since', new Date(Date.now() - 60_000).toISOString()),
        ]),
      };
    });
  }

  it('two clients reaching WEB02 by two names exclude each other; the lock is on WEB02, not on the machine iisctl runs on', async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    const clock = virtualClock();
    const scenario = hungFarm('WEB02');
    const waits = new Capture();
    const a = await here(clock, scenario, stateFile, { computerName: 'WEB02' });
    const b = await here(clock, scenario, stateFile, { computerName: 'web02.contoso.local', lock: { wait: false } });
    const c = await here(clock, scenario, stateFile, { computerName: 'WEB02.CONTOSO.LOCAL', lockTimeoutSeconds: 60, logger: captureLogger(waits) });
    try {
      const first = a.restart({ reason: 'first', timeoutSeconds: 600 });
      await clock.whileBusy(until(() => lockHeld(stateFile, 'WEB02') && w3svcHung(stateFile, 'WEB02'), 30_000, 'the first restart to hold the lock on WEB02, stopping W3SVC'));
      expect(lockHeld(stateFile)).toBe(false);
      expect(lockInfo(stateFile, 'WEB02')).toMatchObject({ kind: 'lease', operation: 'restart' });
      const e = (await b.restart().then(() => undefined, (err: unknown) => err)) as IisctlError;
      expect(e).toBeInstanceOf(IisctlError);
      expect(e.code).toBe('LOCKED');
      expect((e.details as { holder: Json }).holder).toMatchObject({ operation: 'restart', clientProcessId: process.pid, kind: 'lease' });
      expect(e.message).toMatch(/^Another iisctl holds the lock on web02\.contoso\.local: .*running restart/);
      const second = c.restart({ reason: 'second' });
      await clock.whileBusy(waits.seen('waiting up to 60 s for the host lock'));
      setW3svcHang(stateFile, scenario, false, 'WEB02', clock);
      const [r1, r2] = await Promise.all([first, second]);
      expect(r1.after.every((s) => s.status === 'Running')).toBe(true);
      expect(r2.after.every((s) => s.status === 'Running')).toBe(true);
      expect(changeSequence(commandLog(stateFile, 'WEB02'))).toEqual([...RESTART, ...RESTART]);
      expect(lockHeld(stateFile, 'WEB02')).toBe(false);
      // Taken and released within each call: no mutex stays owned on either computer.
      expect(mutexes(stateFile)[LOCK_NAME]).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
    expect(await strays(stateFile)).toEqual([]);
  });

  it('a local iisctl on WEB01 and one reaching WEB01 by name exclude each other, both ways', async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    const clock = virtualClock();
    const scenario = hungFarm('WEB01');
    const local = await here(clock, scenario, stateFile);
    const remote = await here(clock, scenario, stateFile, { computerName: 'WEB01.contoso.local' });
    const localNoWait = await here(clock, scenario, stateFile, { lock: { wait: false } });
    const remoteNoWait = await here(clock, scenario, stateFile, { computerName: 'web01', lock: { wait: false } });
    try {
      const held = local.restart({ timeoutSeconds: 600 });
      await clock.whileBusy(until(() => lockHeld(stateFile) && w3svcHung(stateFile), 30_000, 'the local restart to hold the lock, stopping W3SVC'));
      await expect(remoteNoWait.restart()).rejects.toMatchObject({ code: 'LOCKED', details: { holder: { kind: 'held', operation: 'restart' } } });
      setW3svcHang(stateFile, scenario, false, undefined, clock);
      await held;
      setW3svcHang(stateFile, scenario, true, undefined, clock); // the next stop hangs again
      const leased = remote.stop({ timeoutSeconds: 600 });
      await clock.whileBusy(until(() => lockHeld(stateFile) && w3svcHung(stateFile), 30_000, 'the remote stop to hold the lease, stopping W3SVC'));
      await expect(localNoWait.start()).rejects.toMatchObject({ code: 'LOCKED', details: { holder: { kind: 'lease', operation: 'stop' } } });
      setW3svcHang(stateFile, scenario, false, undefined, clock);
      await leased;
      expect((await localNoWait.start()).after.every((s) => s.status === 'Running')).toBe(true);
    } finally {
      await Promise.all([local.close(), remote.close(), localNoWait.close(), remoteNoWait.close()]);
    }
  });

  it('a live lease of an iisctl elsewhere is LOCKED naming it; an expired one is taken over with a warning', async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    const clock = virtualClock();
    const scenario = farm(100);
    const capture = new Capture();
    const logger = captureLogger(capture);
    plantLease(stateFile, scenario, new Date(clock.now() + 3_600_000));
    const b = await here(clock, scenario, stateFile, { computerName: 'WEB02', lock: { wait: false }, logger });
    try {
      await expect(b.stop()).rejects.toMatchObject({ code: 'LOCKED', details: { holder: { user: 'CONTOSO\\deployer', clientComputer: 'BUILD07', clientProcessId: 777, kind: 'lease' } } });
      expect((await b.status()).lock).toMatchObject({ held: true, holder: { user: 'CONTOSO\\deployer', clientComputer: 'BUILD07', kind: 'lease' } });
      expect(commandLog(stateFile, 'WEB02').some((t) => /Stop-Service/.test(t))).toBe(false);
      plantLease(stateFile, scenario, new Date(clock.now() - 1000));
      expect((await b.status()).lock).toEqual({ held: false });
      const r = await b.restart();
      expect(r.after.every((s) => s.status === 'Running')).toBe(true);
      const takeover = capture.lines.find((l) => String(l.message).includes('lease expired'));
      expect(takeover).toMatchObject({ level: 'warn', previousHolder: { clientComputer: 'BUILD07', operation: 'restart' } });
      expect(lockHeld(stateFile, 'WEB02')).toBe(false);
    } finally {
      await b.close();
    }
  });

  it("this machine's lock: a live lease of a remote iisctl is LOCKED, an expired one is taken over with a warning", async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    const clock = virtualClock();
    const scenario = farm(100);
    const capture = new Capture();
    const logger = captureLogger(capture);
    plantLease(stateFile, scenario, new Date(clock.now() + 3_600_000), 'WEB01');
    const local = await here(clock, scenario, stateFile, { lock: { wait: false }, logger });
    try {
      await expect(local.stop()).rejects.toMatchObject({ code: 'LOCKED', details: { holder: { clientComputer: 'BUILD07', kind: 'lease' } } });
      expect(mutexes(stateFile)[LOCK_NAME]).toBeUndefined(); // it let go of the mutex again
      plantLease(stateFile, scenario, new Date(clock.now() - 1000), 'WEB01');
      expect((await local.restart()).after.every((s) => s.status === 'Running')).toBe(true);
      expect(capture.lines.find((l) => String(l.message).includes('lease expired'))).toMatchObject({ level: 'warn', previousHolder: { clientComputer: 'BUILD07' } });
    } finally {
      await local.close();
    }
  });

  it('the holder renews its lease: an operation longer than the lease keeps the lock', async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    const clock = virtualClock();
    const scenario = hungFarm('WEB02');
    const a = await here(clock, scenario, stateFile, { computerName: 'WEB02', lock: { leaseSeconds: 2 } });
    const b = await here(clock, scenario, stateFile, { computerName: 'WEB02', lock: { wait: false } });
    try {
      const restarting = a.restart({ timeoutSeconds: 600 });
      await clock.whileBusy(until(() => lockHeld(stateFile, 'WEB02') && w3svcHung(stateFile, 'WEB02'), 30_000, 'the restart to hold the lease, stopping W3SVC'));
      const firstExpiry = String(lockInfo(stateFile, 'WEB02')?.expires);
      // Past the first lease's end, with the restart still hung in its stop: the lease was renewed.
      await untilOn(clock, () => clock.now() > Date.parse(firstExpiry) && String(lockInfo(stateFile, 'WEB02')?.expires) !== firstExpiry, 30_000, 'the first lease to have ended');
      await expect(b.restart()).rejects.toMatchObject({ code: 'LOCKED' });
      setW3svcHang(stateFile, scenario, false, 'WEB02', clock);
      expect((await restarting).after.every((s) => s.status === 'Running')).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('CLI: an iisctl restarting --computer WEB02 makes one reaching it by FQDN exit 9 naming it; the lease is gone afterwards', async () => {
    const machine = new SimMachine(hungFarm('WEB02'));
    const first = spawnCli([`--simulate=${machine.scenario}`, '--computer', 'WEB02', 'restart', '--reason', 'deploy A', '--timeout', '600'], machine.env());
    await until(() => lockHeld(machine.stateFile, 'WEB02') && w3svcHung(machine.stateFile, 'WEB02'), 60_000, 'the first iisctl to hold the lease on WEB02, stopping W3SVC');
    const refused = await machine.json(['--computer', 'web02.contoso.local', 'restart', '--no-wait-lock']);
    expect(refused.code).toBe(9);
    expect(refused.doc.error).toMatchObject({ code: 'LOCKED', exitCode: 9, details: { holder: { operation: 'restart', clientProcessId: first.pid, kind: 'lease' } } });
    setW3svcHang(machine.stateFile, machine.scenario, false, 'WEB02');
    expect((await first.done).code).toBe(0);
    expect(lockHeld(machine.stateFile, 'WEB02')).toBe(false);
    expect(await strays(machine.stateFile)).toEqual([]);
  });

  it('rejects a bad lease length before anything runs', async () => {
    await expect(connect({ simulate: true, lock: { leaseSeconds: 1 } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(connect({ simulate: true, lock: { leaseSeconds: Number.POSITIVE_INFINITY } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
