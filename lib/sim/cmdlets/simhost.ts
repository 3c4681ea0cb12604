/**
 * What the machine cmdlets see as `ctx.host`: which simulated computer they act on and how to
 * reach its state. Every machine access goes through `use()`, which takes the state-file lock
 * only for that access, or for a whole script line under holdMachine (host.ts), and never across
 * a wait: every wait goes through `sleep()`, which gives the lock back first. Time comes from the
 * state options' clock (clock.ts): no cmdlet reads the wall clock or arms a timer itself.
 */
import type { CmdletCall } from '../interp/types';
import type { SimMachine, SimWorld } from '../machine';
import { realClock, type SimClock } from '../clock';
import { releaseMachine, withMachine, type SimStateOptions } from '../state';

export class SimHost {
  constructor(
    readonly state: SimStateOptions,
    /** Computer the commands run on; null = the scenario's local computer. */
    readonly computer: string | null = null,
    /**
     * The simulated powershell.exe this runspace lives in ($PID): it owns the named mutexes the
     * runspace takes (cmdlets/mutex.ts). The process host is its own Node process; each in-process
     * transport is a simulated process of its own (transport.ts), so two of them exclude each other.
     */
    readonly processId: number = process.pid,
  ) {}

  /** Modules imported in this runspace (the IIS: drive exists only once WebAdministration is loaded). */
  readonly imported = new Set<string>();

  /** Named mutexes a remote runspace took and has not released yet (cmdlets/mutex.ts). */
  readonly remoteMutexes = new Map<string, number>();

  get clock(): SimClock {
    return this.state.clock ?? realClock;
  }

  now(): number {
    return this.clock.now();
  }

  /** Waits on the machine's clock, never holding the state lock meanwhile. */
  sleep(ms: number): Promise<void> {
    releaseMachine(this.state);
    return this.clock.sleep(ms);
  }

  /** A facade for another computer of the same world (Invoke-Command). */
  forComputer(name: string): SimHost {
    return new SimHost(this.state, name, this.processId);
  }

  /** Runs fn against this computer's machine under the state lock. */
  use<T>(fn: (m: SimMachine, world: SimWorld) => T): Promise<T> {
    return withMachine(this.state, (local, session) => {
      const m = this.computer === null ? local : session.world.connect(this.computer);
      return fn(m, session.world);
    });
  }

  /** Polls until `done` is true; the lock is released between polls. */
  async waitUntil(done: (m: SimMachine) => boolean, deadlineMs: number, pollMs = 50): Promise<boolean> {
    const end = this.now() + deadlineMs;
    for (;;) {
      if (await this.use((m) => done(m))) return true;
      const left = end - this.now();
      if (left <= 0) return false;
      await this.sleep(Math.min(pollMs, left));
    }
  }
}

/** The simulated host processes running in this Node process (in-process transports), by pid, with how to kill each. */
const inProcessHosts = new Map<number, () => void>();

/** An in-process simulated host process starts; the function returned says it ended. */
export function inProcessHostStarted(pid: number, kill: () => void): () => void {
  inProcessHosts.set(pid, kill);
  return () => inProcessHosts.delete(pid);
}

/**
 * Ends an in-process simulated host process as SIGKILL ends a process host (for tests: what
 * `process.kill(pid, 'SIGKILL')` is to a spawned one). False if no such host lives here.
 */
export function killInProcessHost(pid: number): boolean {
  const kill = inProcessHosts.get(pid);
  kill?.();
  return kill !== undefined;
}

/** Whether the simulated host process `pid` still exists: one of this Node process's in-process hosts, or a live OS process. */
export function hostProcessAlive(pid: number): boolean {
  if (pid === process.pid || inProcessHosts.has(pid)) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function hostOf(call: CmdletCall | { ctx: { host: unknown } }): SimHost {
  const h = call.ctx.host;
  if (!(h instanceof SimHost)) throw new Error('the machine cmdlets need a SimHost (lib/sim/cmdlets/simhost.ts) as the interpreter host');
  return h;
}
