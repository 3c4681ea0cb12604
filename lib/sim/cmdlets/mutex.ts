/**
 * System.Threading.Mutex, named (system-wide), as `New-Object System.Threading.Mutex($false, $name)`
 * creates it. Facts (Microsoft Learn, .NET Framework Mutex docs):
 * - Mutex(Boolean initiallyOwned, String name): initiallyOwned gives the calling thread ownership
 *   only if the named system mutex is created by this call; a name longer than 260 characters is
 *   an ArgumentException (learn.microsoft.com previous-versions f55ddskf, "Mutex Constructor").
 * - WaitOne(Int32): true when the mutex was acquired, false on time-out; a thread that already owns
 *   it acquires it again without blocking (recursion count), and must call ReleaseMutex as many
 *   times (learn.microsoft.com 5h519ab4 "Mutex.ReleaseMutex"; Win32 ReleaseMutex remarks).
 * - A mutex whose owning thread ends without releasing it is abandoned: the next waiter gets
 *   ownership AND an AbandonedMutexException ("thrown when one thread acquires a Mutex object that
 *   another thread has abandoned by exiting without releasing it": AbandonedMutexException class).
 * - ReleaseMutex by a thread that does not own it: ApplicationException (5h519ab4).
 * Named kernel objects are case-sensitive and live per computer.
 *
 * Model: one computer's mutexes are in its persisted state (`mutexes`), owned by the pid of the
 * simulated host process that acquired them (SimHost.processId: the process host's own pid, or an
 * in-process transport's simulated pid) (one pipeline thread per host, as the console host's
 * runspace uses PSThreadOptions.ReuseThread: PowerShell ConsoleHost.cs OpenConsoleRunspace). A mutex
 * whose owner process no longer exists is abandoned.
 * Remote runspaces (Invoke-Command): the mutex is the target computer's, owned by this host process
 * (the remote script block runs inside it here). Which thread runs each remote invocation is a
 * server setting on Windows (PSThreadOptions.Default: "server settings for remote Runspace"), so a
 * mutex is only modelled for a taker that releases it within the same invocation, as iisctl's
 * lease does (scripts/lock.ts); the simulated host refuses a remote invocation that ends still
 * owning one instead of pretending to know what Windows would do.
 */
import type { CmdletCall } from '../interp/types';
import { MethodFailure, NotSupported } from '../interp/dotnet';
import { PsObject, PsValue, isTrue, toStr } from '../values';
import { toNumber } from '../interp/operators';
import { hostOf, hostProcessAlive as alive, type SimHost } from './simhost';

const POLL_MS = 20;

type Outcome = 'acquired' | 'abandoned' | 'busy';

export function newSimMutex(call: CmdletCall, args: PsValue[]): PsObject {
  const host = hostOf(call);
  if (args.length < 2 || args[1] === null) throw new NotSupported('System.Threading.Mutex without a name (only named system mutexes are modelled)');
  const initiallyOwned = isTrue(args[0]);
  const name = toStr(args[1]);
  if (name.length > 260) throw new MethodFailure(`The name can be no more than 260 characters in length.`, 'System.ArgumentException');
  const me = host.processId;
  let disposed = false;

  const tryTake = (): Promise<Outcome> =>
    host.use((m, world) => {
      const comp = world.state.computers[m.name.toUpperCase()];
      const table = (comp.mutexes ??= {});
      const entry = table[name];
      if (!entry || entry.count <= 0) {
        table[name] = { ownerPid: me, count: 1 };
        return 'acquired';
      }
      if (entry.ownerPid === me) {
        entry.count++;
        return 'acquired';
      }
      if (!alive(entry.ownerPid)) {
        table[name] = { ownerPid: me, count: 1 };
        return 'abandoned';
      }
      return 'busy';
    });

  // Creating the named mutex (and, when asked, owning it if this call created it).
  const created = host.use((m, world) => {
    const comp = world.state.computers[m.name.toUpperCase()];
    const table = (comp.mutexes ??= {});
    if (table[name] === undefined || table[name].count <= 0) {
      if (initiallyOwned) table[name] = { ownerPid: me, count: 1 };
    }
    return null;
  });

  const o = new PsObject(['System.Threading.Mutex', 'System.Threading.WaitHandle', 'System.MarshalByRefObject', 'System.Object'], () => 'System.Threading.Mutex');
  const checkOpen = (): void => {
    if (disposed) throw new MethodFailure('Safe handle has been closed', 'System.ObjectDisposedException');
  };
  o.addMethod('WaitOne', async (a) => {
    await created;
    checkOpen();
    const ms = a.length ? toNumber(a[0]) : -1;
    if (!Number.isInteger(ms) || ms < -1) {
      throw new MethodFailure('Number must be either non-negative and less than or equal to Int32.MaxValue or -1.\r\nParameter name: millisecondsTimeout', 'System.ArgumentOutOfRangeException');
    }
    const end = ms === -1 ? Infinity : host.now() + ms;
    for (;;) {
      const outcome = await tryTake();
      if (outcome !== 'busy' && host.computer !== null) host.remoteMutexes.set(name, (host.remoteMutexes.get(name) ?? 0) + 1);
      if (outcome === 'acquired') return true;
      if (outcome === 'abandoned') throw new MethodFailure('The wait completed due to an abandoned mutex.', 'System.Threading.AbandonedMutexException');
      const left = end - host.now();
      if (left <= 0) return false;
      await host.sleep(Math.min(POLL_MS, left));
    }
  });
  o.addMethod('ReleaseMutex', async () => {
    await created;
    checkOpen();
    const owned = await host.use((m, world) => {
      const table = world.state.computers[m.name.toUpperCase()].mutexes ?? {};
      const entry = table[name];
      if (!entry || entry.ownerPid !== me || entry.count <= 0) return false;
      entry.count--;
      if (entry.count === 0) delete table[name];
      return true;
    });
    if (!owned) throw new MethodFailure('Object synchronization method was called from an unsynchronized block of code.', 'System.ApplicationException');
    const left = (host.remoteMutexes.get(name) ?? 0) - 1;
    if (left > 0) host.remoteMutexes.set(name, left);
    else host.remoteMutexes.delete(name);
    return null;
  });
  // Closing a handle does not release ownership (the owner must call ReleaseMutex).
  const close = async (): Promise<PsValue> => {
    await created;
    disposed = true;
    return null;
  };
  o.addMethod('Dispose', close);
  o.addMethod('Close', close);
  return o;
}

/** After a remote invocation: refuses one that ended still owning a mutex (see the header). */
export function refuseMutexKeptAcrossInvocations(host: SimHost): void {
  const kept = [...host.remoteMutexes.keys()];
  if (!kept.length) return;
  host.remoteMutexes.clear();
  throw new NotSupported(`a remote invocation that ends still owning the mutex ${kept.join(', ')} (which thread runs the next one is a server setting on Windows)`);
}
