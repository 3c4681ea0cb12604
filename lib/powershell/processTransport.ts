/**
 * The process transport: one PowerShell process (or a .js stand-in) driven through
 * node-powershell. Every workaround of node-powershell lives here (docs/sources.md §P1.4-§P1.7,
 * §P2.3-§P2.5):
 * - NODE_POWERSHELL would silently override the chosen executable (node-powershell's
 *   PowerShell.ts setExecutable, §P1.1): a subclass decides the executable itself, so the global
 *   process.env is never touched;
 * - a process that dies before the first call (or fails to spawn) is an unhandled rejection that
 *   kills Node (§P1.7): the exit promise is handled at once;
 * - a write to a dead process's stdin emits 'error' more than once, and node-powershell listens once;
 * - every call leaves a reaction on node-powershell's exit promise (callExit below);
 * - its history grows forever: trimmed after every call.
 */
import type { ChildProcess } from 'node:child_process';
import { PowerShell } from 'node-powershell';
import type { ResolvedExecutable } from './executable';
import type { Transport, TransportOutput } from './transport';
import { DEFAULTS } from '../defaults';

const KILL_WAIT_MS = DEFAULTS.processKillWaitMs;

interface ShellInternals {
  process: ChildProcess;
  exitPromise: Promise<void>;
}

/** node-powershell with the executable we chose, whatever NODE_POWERSHELL says. */
class ChosenPowerShell extends PowerShell {
  protected override setExecutable(options: { executable?: string }): string {
    return options.executable as string;
  }
}

export class ProcessTransport implements Transport {
  readonly description: string;
  exited = false;
  exitDetail: string | undefined;
  spawnError: NodeJS.ErrnoException | undefined;
  readonly exit: Promise<void>;
  readonly stderrEnded: Promise<void>;
  private readonly ps: PowerShell;
  private readonly internals: ShellInternals;
  private readonly realExitPromise: Promise<void>;
  private readonly exitWaiters = new Set<{ resolve: () => void; reject: (e: unknown) => void }>();
  private stderrTail = '';

  constructor(executable: ResolvedExecutable) {
    this.description = executable.description;
    const powershellArgs = { '-NoProfile': true, '-NonInteractive': true, '-ExecutionPolicy': 'Bypass' };
    // node-powershell puts -NoLogo first; a host run through Node needs its script path first,
    // so -NoLogo is switched off there and passed again after the script.
    const executableOptions =
      executable.leadingArgs.length > 0
        ? { '-NoLogo': false, ...Object.fromEntries(executable.leadingArgs.map((a) => [a, true])), '-nologo': true, ...powershellArgs }
        : powershellArgs;
    const instance = new ChosenPowerShell({
      executable: executable.command as never,
      executableOptions,
      spawnOptions: { windowsHide: true, env: { ...process.env, ...executable.env } },
      inputEncoding: 'utf-8',
      outputEncoding: 'utf-8',
      throwOnInvocationError: false,
    });
    this.ps = instance;
    this.internals = instance as unknown as ShellInternals;
    this.realExitPromise = this.internals.exitPromise;
    this.stderrEnded = new Promise<void>((resolve) => {
      instance.streams.stderr.once('close', resolve);
      instance.streams.stderr.once('end', resolve);
    });
    this.realExitPromise.then(
      () => this.exitWaiters.forEach((w) => w.resolve()),
      (err: unknown) => this.exitWaiters.forEach((w) => w.reject(err)),
    );
    instance.streams.stderr.on('data', (chunk: Buffer | string) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000);
    });
    this.internals.process.on('error', (err: NodeJS.ErrnoException) => {
      this.spawnError ??= err;
    });
    for (const stream of [instance.streams.stdin, instance.streams.stdout, instance.streams.stderr]) stream.on('error', () => undefined);
    this.exit = this.realExitPromise.then(
      () => this.markExited('exited'),
      (err: unknown) => this.markExited(err instanceof Error ? err.message : String(err)),
    );
    this.internals.process.once('exit', (code, signal) => this.markExited(`exit code ${String(code)}, signal ${String(signal)}`));
    this.hold(false);
  }

  get pid(): number | undefined {
    return this.internals.process.pid;
  }

  stderrLines(): string[] {
    // node-powershell echoes one delimiter per call on stderr.
    return this.stderrTail
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !/^[0-9A-Za-z]{16}$/.test(l));
  }

  async send(line: string): Promise<TransportOutput> {
    const restoreExit = this.callExit();
    try {
      const result = await this.ps.invoke(line);
      return { stdout: result.stdout?.toString('utf8') ?? '', stderr: result.stderr?.toString('utf8') ?? '' };
    } finally {
      restoreExit();
      this.ps.history.length = 0;
    }
  }

  /**
   * node-powershell races every call against its one exit promise (Promise.race([exitPromise,
   * output])), which never settles while the process lives: each call leaves a reaction on it that
   * holds the call's output, about 0.6 KB a call for ever (measured: heap +12 MB over 20 000 calls).
   * So each call gets its own exit promise, settled from the real one through a set that forgets
   * the call when it is done, and node-powershell's field is put back afterwards (dispose() uses it).
   * node-powershell offers no other way in; this is the one place that knows its field.
   */
  private callExit(): () => void {
    let waiter: { resolve: () => void; reject: (e: unknown) => void } | undefined;
    const perCall = new Promise<void>((resolve, reject) => {
      waiter = { resolve, reject };
    });
    perCall.catch(() => undefined);
    this.exitWaiters.add(waiter!);
    this.internals.exitPromise = perCall;
    return () => {
      this.exitWaiters.delete(waiter!);
      this.internals.exitPromise = this.realExitPromise;
    };
  }

  /**
   * ChildProcess.unref() and the stdio sockets' unref() (Node's child_process and net docs): an
   * idle session that was never closed does not keep Node running.
   */
  hold(hold: boolean): void {
    const streams = this.ps.streams as unknown as Record<'stdin' | 'stdout' | 'stderr', { ref?: () => void; unref?: () => void }>;
    for (const handle of [this.internals.process, streams.stdin, streams.stdout, streams.stderr]) {
      if (hold) handle.ref?.();
      else handle.unref?.();
    }
  }

  async terminate(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    // The caller awaits the end of the process: Node must not exit under it meanwhile.
    this.hold(true);
    if (!this.exited) {
      try {
        this.internals.process.kill(signal);
      } catch {
        // already gone
      }
      const gone = await Promise.race([this.exit.then(() => true), delay(KILL_WAIT_MS).then(() => false)]);
      if (!gone && !this.exited) {
        this.internals.process.kill('SIGKILL');
        await Promise.race([this.exit, delay(KILL_WAIT_MS)]);
      }
    }
    await this.ps.dispose().catch(() => undefined);
  }

  private markExited(detail: string): void {
    if (this.exited) return;
    this.exited = true;
    this.exitDetail = detail;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
