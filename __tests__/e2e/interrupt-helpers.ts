/**
 * Shared by the interruption tests (a closed stdout/stderr, SIGHUP, close(), a dead or corrupted
 * host): running the built CLI as a child whose output can be closed or which can be signalled,
 * and reading the simulated machine's audit events and host locks straight from its state file.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { peekState } from '../../lib/sim/state';
import { CLI, CliRun } from '../helpers/cli';
import { lockHeld } from './faults-helpers';

export interface RunningCli {
  child: ChildProcess;
  done: Promise<CliRun>;
}

/**
 * Starts `node dist/cli/main.js ...args`. closeOutput: its stdout and stderr are closed at once
 * (as `iisctl restart | head -0` or a closed console would), so every write it makes hits EPIPE.
 */
export function startCli(args: string[], env: NodeJS.ProcessEnv, options: { closeOutput?: boolean; ownProcessGroup?: boolean } = {}): RunningCli {
  // ownProcessGroup: iisctl and the host process it starts form a group, as a terminal's foreground job.
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.ownProcessGroup === true });
  let stdout = '';
  let stderr = '';
  if (options.closeOutput) {
    child.stdout!.destroy();
    child.stderr!.destroy();
  } else {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  }
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      // 128 + signal number, as a shell reports a process a signal ended.
      const bySignal = signal ? 128 + (os.constants.signals[signal] ?? 0) : undefined;
      // 'close' waits for the pipes (already closed when closeOutput).
      const finish = () => resolve({ code: code ?? bySignal ?? -1, stdout, stderr });
      if (options.closeOutput) finish();
      else child.on('close', finish);
    });
  });
  return { child, done };
}

/** Every iisctl audit event message on every simulated computer of this state file. */
export function auditMessages(stateFile: string): string[] {
  const state = peekState({ stateFile });
  if (!state) return [];
  const out: string[] = [];
  for (const computer of Object.values(state.computers)) {
    const log = (computer.eventLogs as Record<string, { records: Array<{ providerName: string; message: string }> }>).application;
    for (const r of log?.records ?? []) if (r.providerName === 'iisctl') out.push(r.message);
  }
  return out;
}

/** True while an iisctl holds the host lock on any simulated computer (a held mutex or a lease). */
export function anyLockHeld(stateFile: string): boolean {
  const state = peekState({ stateFile });
  if (!state) return false;
  return Object.keys(state.computers).some((name) => lockHeld(stateFile, name));
}

/**
 * Runs fn holding the simulator's own state-file lock ("<state>.lock", O_EXCL, the protocol of
 * lib/sim/state.ts), so a file written or deleted in fn is not overwritten by a host process
 * saving the machine at the same moment. Waits for a host holding it to let go.
 */
export async function underSimLock(stateFile: string, fn: () => void): Promise<void> {
  const lockPath = `${stateFile}.lock`;
  const info = JSON.stringify({ pid: process.pid, host: os.hostname(), at: Date.now(), token: crypto.randomBytes(8).toString('hex') });
  for (;;) {
    try {
      fs.writeFileSync(lockPath, info, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      await new Promise((r) => setImmediate(r));
    }
  }
  try {
    fn();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}
