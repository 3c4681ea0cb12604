/** Shared by the fault-matrix tests: finding simulated host processes, reading the command log. */
import * as fs from 'node:fs';
import { peekState, readCommandLog } from '../../lib/sim/state';

/** Every live process whose environment points at this simulated machine's state file. */
export function processesFor(stateFile: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (env.includes(`IISCTL_SIM_STATE=${stateFile}`)) pids.push(Number(entry));
    } catch {
      /* gone, or not ours */
    }
  }
  return pids;
}

export const canScanProcesses = fs.existsSync('/proc/self/environ');

/** Waits (bounded) until no process of this machine is left; returns the ones still there. */
export async function strays(stateFile: string, waitMs = 10_000): Promise<number[]> {
  if (!canScanProcesses) return [];
  const end = Date.now() + waitMs;
  for (;;) {
    const left = processesFor(stateFile);
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the simulated machine executed, in order; with `computer`, only what ran on that computer. */
export function commandLog(stateFile: string, computer?: string): string[] {
  return readCommandLog({ stateFile }).filter((c) => computer === undefined || c.computer.toUpperCase() === computer.toUpperCase()).map((c) => c.text);
}

/** The mutex table of the local computer. */
export function mutexes(stateFile: string): Record<string, { ownerPid: number; count: number }> {
  const state = peekState({ stateFile });
  if (!state) return {};
  return state.computers[state.localComputer].mutexes ?? {};
}

export async function until(check: () => boolean, waitMs = 30_000, what = 'condition'): Promise<void> {
  const end = Date.now() + waitMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The holder details recorded in a computer's registry (lower-case value names), if any. Default: the local computer. */
export function lockInfo(stateFile: string, computer?: string): Record<string, unknown> | undefined {
  const state = peekState({ stateFile });
  if (!state) return undefined;
  const registry = state.computers[(computer ?? state.localComputer).toUpperCase()].registry;
  const key = Object.keys(registry).find((k) => k.toUpperCase() === 'HKEY_LOCAL_MACHINE\\SOFTWARE\\IISCTL\\LOCK');
  if (!key) return undefined;
  const values = registry[key].values as Record<string, { value?: unknown } | unknown>;
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v && typeof v === 'object' && 'value' in (v as object) ? (v as { value: unknown }).value : v]));
}

/** True once a holder has taken the lock and recorded itself. */
export function lockHeld(stateFile: string, computer?: string): boolean {
  const info = lockInfo(stateFile, computer);
  return info !== undefined && Number(info.held) === 1;
}
