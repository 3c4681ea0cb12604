/**
 * What the machine cmdlets see as `ctx.host`: which simulated computer they act on and how to
 * reach its state. Every machine access goes through `use()`, which takes the state-file lock
 * only for that access (never across a wait: waiting cmdlets call `use()` once per poll).
 */
import type { CmdletCall } from '../interp/types';
import type { SimMachine, SimWorld } from '../machine';
import { withMachine, type SimStateOptions } from '../state';

export class SimHost {
  constructor(
    readonly state: SimStateOptions,
    /** Computer the commands run on; null = the scenario's local computer. */
    readonly computer: string | null = null,
  ) {}

  /** Modules imported in this runspace (the IIS: drive exists only once WebAdministration is loaded). */
  readonly imported = new Set<string>();

  /** Named mutexes a remote runspace took and has not released yet (cmdlets/mutex.ts). */
  readonly remoteMutexes = new Map<string, number>();

  /** A facade for another computer of the same world (Invoke-Command). */
  forComputer(name: string): SimHost {
    return new SimHost(this.state, name);
  }

  /** Runs fn against this computer's machine under the state lock. */
  use<T>(fn: (m: SimMachine, world: SimWorld) => T): Promise<T> {
    return withMachine(this.state, (local, session) => {
      const m = this.computer === null ? local : session.world.connect(this.computer);
      return fn(m, session.world);
    });
  }

  /** Polls until `done` is true; the lock is released between polls. */
  async waitUntil(done: (m: SimMachine) => boolean, sleep: (ms: number) => Promise<void>, deadlineMs: number, pollMs = 50): Promise<boolean> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      if (await this.use((m) => done(m))) return true;
      const left = end - Date.now();
      if (left <= 0) return false;
      await sleep(Math.min(pollMs, left));
    }
  }
}

export function hostOf(call: CmdletCall | { ctx: { host: unknown } }): SimHost {
  const h = call.ctx.host;
  if (!(h instanceof SimHost)) throw new Error('the machine cmdlets need a SimHost (lib/sim/cmdlets/simhost.ts) as the interpreter host');
  return h;
}
