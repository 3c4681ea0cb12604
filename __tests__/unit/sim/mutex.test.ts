/** Simulated System.Threading.Mutex (lib/sim/cmdlets/mutex.ts): the semantics the host lock relies on. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { simRunspace } from './simhost.helpers';
import { inProcessTransport } from '../../../lib/sim/transport';
import { killInProcessHost } from '../../../lib/sim/cmdlets/simhost';

const NAME = 'Global\\iisctl-test';

async function run(rs: ReturnType<typeof simRunspace>, script: string): Promise<{ stdout: string; stderr: string }> {
  const r = await rs.interp.runLine(script);
  return { stdout: r.stdout.trim(), stderr: r.stderr };
}

function table(rs: ReturnType<typeof simRunspace>): Promise<Record<string, { ownerPid: number; count: number }>> {
  return rs.machine((m) => m.world.state.computers[m.name.toUpperCase()].mutexes ?? {});
}

function setOwner(rs: ReturnType<typeof simRunspace>, ownerPid: number): Promise<void> {
  return rs.machine((m) => {
    const comp = m.world.state.computers[m.name.toUpperCase()];
    comp.mutexes = { [NAME]: { ownerPid, count: 1 } };
  });
}

describe('System.Threading.Mutex (simulated)', () => {
  it('WaitOne acquires (re-entrantly), ReleaseMutex releases, a second ReleaseMutex is ApplicationException', async () => {
    const rs = simRunspace('fast');
    const r = await run(rs, `$m = New-Object -TypeName System.Threading.Mutex -ArgumentList $false, '${NAME}'; $m.WaitOne(0); $m.WaitOne(0)`);
    expect(r.stdout.split(/\r?\n/)).toEqual(['True', 'True']);
    expect((await table(rs))[NAME]).toEqual({ ownerPid: process.pid, count: 2 });
    await run(rs, '$m.ReleaseMutex(); $m.ReleaseMutex()');
    expect((await table(rs))[NAME]).toBeUndefined();
    const e = await run(rs, "try { $m.ReleaseMutex() } catch { $_.Exception.GetBaseException().GetType().FullName + ': ' + $_.Exception.GetBaseException().Message }");
    expect(e.stdout).toBe('System.ApplicationException: Object synchronization method was called from an unsynchronized block of code.');
  });

  it('a mutex held by another live process: WaitOne(timeout) returns False after the timeout', async () => {
    const rs = simRunspace('fast');
    await setOwner(rs, process.ppid);
    const started = Date.now();
    const r = await run(rs, `(New-Object -TypeName System.Threading.Mutex -ArgumentList $false, '${NAME}').WaitOne(200)`);
    expect(r.stdout).toBe('False');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect((await table(rs))[NAME].ownerPid).toBe(process.ppid);
  });

  it('a mutex whose owner process died is abandoned: the waiter owns it and gets AbandonedMutexException', async () => {
    const rs = simRunspace('fast');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await setOwner(rs, Number(dead.stdout));
    const r = await run(rs, `$m = New-Object -TypeName System.Threading.Mutex -ArgumentList $false, '${NAME}'; try { $m.WaitOne(0) } catch { $_.Exception.GetBaseException().GetType().FullName; $_.Exception.Message }`);
    expect(r.stdout.split(/\r?\n/)).toEqual(['System.Threading.AbandonedMutexException', 'Exception calling "WaitOne" with "1" argument(s): "The wait completed due to an abandoned mutex."']);
    expect((await table(rs))[NAME]).toEqual({ ownerPid: process.pid, count: 1 });
  });

  it('names are case-sensitive kernel object names; longer than 260 characters is refused', async () => {
    const rs = simRunspace('fast');
    await setOwner(rs, process.ppid);
    const other = await run(rs, `(New-Object -TypeName System.Threading.Mutex -ArgumentList $false, '${NAME.toUpperCase()}').WaitOne(0)`);
    expect(other.stdout).toBe('True');
    const long = await run(rs, `try { New-Object -TypeName System.Threading.Mutex -ArgumentList $false, ('x' * 261) } catch { $_.FullyQualifiedErrorId }`);
    expect(long.stdout).toBe('ConstructorInvokedThrowException,Microsoft.PowerShell.Commands.NewObjectCommand');
  });

  it("in a remote session: the target computer's mutex, taken and released within one invocation; one still owned when the invocation ends is refused", async () => {
    const rs = simRunspace('farm');
    const onWeb02 = () => rs.machine((m) => m.world.state.computers.WEB02.mutexes ?? {});
    await run(rs, '$s = New-PSSession -ComputerName WEB02');
    const inside = await run(rs, `Invoke-Command -Session $s -ScriptBlock { $m = New-Object -TypeName System.Threading.Mutex -ArgumentList $false, '${NAME}'; $m.WaitOne(0); $m.ReleaseMutex(); $m.Dispose() }`);
    expect(inside.stdout).toBe('True');
    expect(await onWeb02()).toEqual({});
    // Held by another live process on WEB02: the remote WaitOne times out.
    await rs.machine((m) => void (m.world.state.computers.WEB02.mutexes = { [NAME]: { ownerPid: process.ppid, count: 1 } }));
    const busy = await run(rs, `Invoke-Command -Session $s -ScriptBlock { (New-Object -TypeName System.Threading.Mutex -ArgumentList $false, '${NAME}').WaitOne(0) }`);
    expect(busy.stdout).toBe('False');
    expect((await table(rs))[NAME]).toBeUndefined(); // the local computer's table is another one
    await rs.machine((m) => void (m.world.state.computers.WEB02.mutexes = {}));
    const kept = await run(rs, `Invoke-Command -Session $s -ScriptBlock { (New-Object -TypeName System.Threading.Mutex -ArgumentList $false, '${NAME}').WaitOne(0) }`);
    expect(kept.stderr + kept.stdout).toMatch(/still owning the mutex Global\\iisctl-test/);
  });

  it('two in-process hosts on one machine are two processes: each owns by its own $PID, the second waits in vain, a killed owner abandons the mutex', async () => {
    const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-mutex-')), 'state.json');
    const hosts = inProcessTransport({ scenario: 'fast', stateFile });
    const a = hosts();
    const b = hosts();
    const take = `$m = New-Object -TypeName System.Threading.Mutex -ArgumentList $false, '${NAME}'; try { $m.WaitOne(0) } catch { $_.Exception.GetBaseException().GetType().FullName }`;
    try {
      expect((await a.send(`$PID; ${take}`)).stdout.trim().split(/\r?\n/)).toEqual([String(a.pid), 'True']);
      expect(a.pid).not.toBe(b.pid);
      expect((await b.send(take)).stdout.trim()).toBe('False');
      expect((await b.send('$m.ReleaseMutex()')).stderr).toMatch(/unsynchronized block of code/); // b does not own it
      expect(killInProcessHost(a.pid!)).toBe(true);
      await a.exit;
      expect((await b.send(take)).stdout.trim()).toBe('System.Threading.AbandonedMutexException');
      expect((await b.send('$PID; $m.ReleaseMutex(); $m.WaitOne(0)')).stdout.trim().split(/\r?\n/)).toEqual([String(b.pid), 'True']);
      expect(killInProcessHost(a.pid!)).toBe(false); // gone already
    } finally {
      await Promise.all([a.terminate('SIGTERM'), b.terminate('SIGTERM')]);
    }
  });
});
