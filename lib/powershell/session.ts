/**
 * One persistent PowerShell process, driven through node-powershell, made safe to depend on.
 *
 * node-powershell on its own (docs/sources.md §P1.4-§P1.7, §P2.3-§P2.5):
 * a timeout does not stop the command and poisons every later call; any stderr byte fails a call;
 * a process that dies before the first call (or fails to spawn) is an unhandled rejection that
 * kills Node; history grows forever. This class:
 * - queues calls (one at a time, in call order);
 * - enforces its own per-call deadline: on expiry the process is killed, the caller gets
 *   SESSION_TIMEOUT, and the next call starts a fresh process;
 * - turns any death (spawn failure, crash before/during a call, death while idle) into a typed
 *   error or a transparent restart, never an unhandled rejection;
 * - decides success only from the envelope's result line, so warnings and stderr noise are logged,
 *   not fatal;
 * - trims node-powershell's history after every call and the host's history periodically;
 * - holds the event loop only during a call: while idle the child process and its pipes are
 *   unref'd, so a caller that forgets close() does not keep Node alive (the process then ends
 *   with Node, at the end of its stdin);
 * - after close() every call fails with SESSION_CLOSED (not retried), also the one close() cut
 *   short; readBack() lets an interrupted operation read the state back on a fresh process.
 */
import { checkNumber, checkNumbers, LIMITS } from '../limits';
import { HINTS } from '../hints';
import type { ChildProcess } from 'node:child_process';
import { PowerShell } from 'node-powershell';
import { IisctlError } from '../errors';
import { Logger, silentLogger } from '../log';
import { classifyPowerShellError } from './classify';
import { EnvelopeResult, readEnvelope, wrapScript } from './envelope';
import { ResolvedExecutable } from './executable';
import { ps, PsCode } from './quote';

export interface SessionOptions {
  executable: ResolvedExecutable;
  logger?: Logger;
  /** Deadline for one call unless the call says otherwise. Default 60 s. */
  callTimeoutMs?: number;
  /** Clear the host's command history and $Error every N calls. Default 200. */
  maintenanceEvery?: number;
  /** Name of the computer this session talks to, for errors and logs. */
  hostName?: string;
}

export interface RunOptions {
  /** Deadline for this call. */
  timeoutMs?: number;
  /** What the call does, for logs. */
  purpose?: string;
}

export interface SessionStats {
  calls: number;
  spawns: number;
  timeouts: number;
  deaths: number;
}

/** Runs once in every new process: UTF-8 console output (docs/sources.md §P2.2). */
const INIT_SCRIPT = ps`[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false`;
/** Every stdin line lands in the host's history and errors in $Error (docs/sources.md §P2.5). */
const MAINTENANCE_SCRIPT = ps`Clear-History
$Error.Clear()`;

const KILL_WAIT_MS = 5000;

interface LiveShell {
  ps: PowerShell;
  process: ChildProcess;
  exited: boolean;
  exitDetail?: string;
  spawnError?: NodeJS.ErrnoException;
  exit: Promise<void>;
  killedForTimeout: boolean;
  /** The last bytes the process wrote to stderr (why it died, when it says so). */
  stderrTail: string;
  /** Settles when the process's stderr has ended (everything it said is in stderrTail). */
  stderrEnded: Promise<void>;
  /** node-powershell's own exit promise, and the per-call stand-ins settled from it (see callExit). */
  internals: ShellInternals;
  realExitPromise: Promise<void>;
  exitWaiters: Set<{ resolve: () => void; reject: (e: unknown) => void }>;
}

interface ShellInternals {
  process: ChildProcess;
  exitPromise: Promise<void>;
}

export class PowerShellSession {
  private readonly executable: ResolvedExecutable;
  private readonly logger: Logger;
  private readonly callTimeoutMs: number;
  private readonly maintenanceEvery: number;
  private readonly hostName: string;
  private shell: LiveShell | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private callsSinceMaintenance = 0;
  /** The process that holds state a caller depends on (the host lock): it must not be silently replaced. */
  private pinnedShell: LiveShell | undefined;
  /** > 0 while readBack() runs: calls are allowed on a fresh process though the session is lost. */
  private readingBack = 0;
  readonly stats: SessionStats = { calls: 0, spawns: 0, timeouts: 0, deaths: 0 };

  constructor(options: SessionOptions) {
    checkNumbers([
      ['callTimeoutMs', options.callTimeoutMs, LIMITS.callTimeoutMs],
      ['maintenanceEvery', options.maintenanceEvery, LIMITS.maintenanceEvery],
    ]);
    this.executable = options.executable;
    this.logger = options.logger ?? silentLogger();
    this.callTimeoutMs = options.callTimeoutMs ?? 60_000;
    this.maintenanceEvery = options.maintenanceEvery ?? 200;
    this.hostName = options.hostName ?? 'localhost';
  }

  /** The process id of the live PowerShell process, if one is running. */
  get pid(): number | undefined {
    return this.shell && !this.shell.exited ? this.shell.process.pid : undefined;
  }

  /**
   * Runs a script body and returns what it output (5.1 JSON, normalised: see json.ts).
   * Throws IisctlError: the body's own PowerShell error (classified), SESSION_TIMEOUT,
   * SESSION_DIED, POWERSHELL_UNAVAILABLE, or FAILED when no result came back.
   */
  run(body: PsCode, options: RunOptions = {}): Promise<unknown> {
    try {
      checkNumber('timeoutMs', options.timeoutMs, LIMITS.callTimeoutMs);
    } catch (e) {
      return Promise.reject(e);
    }
    const task = this.queue.then(() => this.execute(body, options));
    this.queue = task.catch(() => undefined);
    return task;
  }

  /**
   * Pins the live process (the host lock lives in it, lib/control/lock.ts): until unpin(), if it
   * dies, calls fail with SESSION_DIED instead of quietly starting a new process that does not
   * hold the lock. Returns false when no process is running.
   */
  pin(): boolean {
    if (!this.shell || this.shell.exited) return false;
    this.pinnedShell = this.shell;
    return true;
  }

  unpin(): void {
    this.pinnedShell = undefined;
  }

  /** True once close() was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * True when calls can no longer go on as part of the running operation: the session was
   * closed, or the pinned process (the one holding the host lock) died.
   */
  get lost(): boolean {
    const pinned = this.pinnedShell;
    return this.closed || (pinned !== undefined && (pinned.exited || this.shell !== pinned));
  }

  /**
   * Runs fn (an interrupted operation's read-back, audit event and events) on a fresh process,
   * even though the session is closed or the process that held the host lock died: the state left
   * behind is then read, not guessed. When the session is closed, that process is ended afterwards.
   */
  async readBack<T>(fn: () => Promise<T>): Promise<T> {
    this.readingBack++;
    try {
      return await fn();
    } finally {
      if (--this.readingBack === 0 && this.closed) {
        const shell = this.shell;
        this.shell = undefined;
        if (shell) await this.terminate(shell, 'SIGTERM');
      }
    }
  }

  /** Ends the process and waits until it is gone. Later calls fail with SESSION_CLOSED. */
  async close(): Promise<void> {
    this.closed = true;
    const shell = this.shell;
    this.shell = undefined;
    if (shell) await this.terminate(shell, 'SIGTERM');
  }

  private closedError(during: boolean): IisctlError {
    return new IisctlError(
      'SESSION_CLOSED',
      during ? 'The connection was closed (close()) while this PowerShell call ran; what it did on the host is unknown.' : 'The connection is closed (close() was called); nothing more runs on it.',
      { host: this.hostName, hint: 'Open a new connection (connect()) for further calls.' },
    );
  }

  private async execute(body: PsCode, options: RunOptions): Promise<unknown> {
    if (this.closed && this.readingBack === 0) throw this.closedError(false);
    const shell = await this.ensureShell();
    const result = await this.invoke(shell, body, options);
    this.stats.calls++;
    await this.maintainIfDue(shell);
    if (!result.ok) throw classifyPowerShellError(result.error!, this.hostName);
    return result.data;
  }

  private async ensureShell(): Promise<LiveShell> {
    const pinned = this.pinnedShell;
    if (pinned && (pinned.exited || this.shell !== pinned) && this.readingBack === 0) {
      if (this.shell === pinned) this.shell = undefined;
      await waitForStderr(pinned);
      throw new IisctlError('SESSION_DIED', `The PowerShell process that held the host lock ended (${pinned.exitDetail ?? 'killed'})${said(pinned)}; the operation was stopped rather than continued without the lock.`, {
        host: this.hostName,
        hint: HINTS.checkState,
        details: { lockLost: true, ...(stderrLines(pinned).length ? { stderr: stderrLines(pinned).join('\n') } : {}) },
      });
    }
    if (this.shell && !this.shell.exited) return this.shell;
    if (this.shell?.exited) {
      // Between two calls, not necessarily idle: an operation may be waiting between its polls.
      const level = this.readingBack > 0 ? 'debug' : 'warn';
      this.logger[level]('PowerShell process ended between calls; starting a new one', { host: this.hostName, detail: this.shell.exitDetail });
    }
    const shell = this.spawn();
    this.shell = shell;
    try {
      await this.invoke(shell, INIT_SCRIPT, { purpose: 'session init', timeoutMs: this.callTimeoutMs });
    } catch (error) {
      // A process that dies before answering its first call says why on stderr, and will most
      // likely do the same on a retry: say it, and do not retry (details.duringStartup).
      if (error instanceof IisctlError && error.code === 'SESSION_DIED') {
        const why = shell.stderrTail.trim() ? `: ${firstLines(shell.stderrTail)}` : '.';
        throw new IisctlError('SESSION_DIED', `The PowerShell process ended unexpectedly while starting (${shell.exitDetail ?? 'no answer'})${why}`, {
          host: this.hostName,
          hint: 'Nothing was run on the host. Fix what the message names, then run the command again.',
          details: { duringStartup: true, stderr: shell.stderrTail.trim() },
          cause: error,
        });
      }
      throw error;
    }
    return shell;
  }

  private spawn(): LiveShell {
    const exe = this.executable;
    const powershellArgs = { '-NoProfile': true, '-NonInteractive': true, '-ExecutionPolicy': 'Bypass' };
    // node-powershell puts -NoLogo first; a host run through Node needs its script path first,
    // so -NoLogo is switched off there and passed again after the script.
    const executableOptions =
      exe.leadingArgs.length > 0
        ? { '-NoLogo': false, ...Object.fromEntries(exe.leadingArgs.map((a) => [a, true])), '-nologo': true, ...powershellArgs }
        : powershellArgs;
    // NODE_POWERSHELL would silently override our choice of executable (node-powershell's PowerShell.ts setExecutable, docs/sources.md §P1.1).
    const saved = process.env.NODE_POWERSHELL;
    delete process.env.NODE_POWERSHELL;
    let instance: PowerShell;
    try {
      instance = new PowerShell({
        executable: exe.command,
        executableOptions,
        spawnOptions: { windowsHide: true, env: { ...process.env, ...exe.env } },
        inputEncoding: 'utf-8',
        outputEncoding: 'utf-8',
        throwOnInvocationError: false,
      });
    } finally {
      if (saved !== undefined) process.env.NODE_POWERSHELL = saved;
    }
    const internals = instance as unknown as ShellInternals;
    const shell: LiveShell = {
      ps: instance,
      process: internals.process,
      exited: false,
      killedForTimeout: false,
      exit: Promise.resolve(),
      stderrTail: '',
      stderrEnded: new Promise<void>((resolve) => {
        instance.streams.stderr.once('close', resolve);
        instance.streams.stderr.once('end', resolve);
      }),
      internals,
      realExitPromise: internals.exitPromise,
      exitWaiters: new Set(),
    };
    internals.exitPromise.then(
      () => shell.exitWaiters.forEach((w) => w.resolve()),
      (err: unknown) => shell.exitWaiters.forEach((w) => w.reject(err)),
    );
    instance.streams.stderr.on('data', (chunk: Buffer | string) => {
      shell.stderrTail = (shell.stderrTail + chunk.toString()).slice(-4000);
    });
    internals.process.on('error', (err: NodeJS.ErrnoException) => {
      shell.spawnError ??= err;
    });
    // A write to a dead process's stdin emits 'error' more than once; node-powershell listens once.
    for (const stream of [instance.streams.stdin, instance.streams.stdout, instance.streams.stderr]) stream.on('error', () => undefined);
    // Without a handler here, a process that dies before the first call crashes Node (docs/sources.md §P1.7).
    shell.exit = internals.exitPromise.then(
      () => this.markExited(shell, 'exited'),
      (err: unknown) => this.markExited(shell, err instanceof Error ? err.message : String(err)),
    );
    internals.process.once('exit', (code, signal) => this.markExited(shell, `exit code ${String(code)}, signal ${String(signal)}`));
    this.stats.spawns++;
    holdsEventLoop(shell, false);
    this.logger.debug('PowerShell process started', { host: this.hostName, executable: exe.description, pid: internals.process.pid });
    return shell;
  }

  /**
   * node-powershell races every call against its one exit promise (Promise.race([exitPromise,
   * output])), which never settles while the process lives: each call leaves a reaction on it that
   * holds the call's output, about 0.6 KB a call for ever (measured: heap +12 MB over 20 000 calls).
   * So each call gets its own exit promise, settled from the real one through a set that forgets
   * the call when it is done, and node-powershell's field is put back afterwards (dispose() uses it).
   */
  private callExit(shell: LiveShell): () => void {
    let waiter: { resolve: () => void; reject: (e: unknown) => void } | undefined;
    const perCall = new Promise<void>((resolve, reject) => {
      waiter = { resolve, reject };
    });
    perCall.catch(() => undefined);
    shell.exitWaiters.add(waiter!);
    shell.internals.exitPromise = perCall;
    return () => {
      shell.exitWaiters.delete(waiter!);
      shell.internals.exitPromise = shell.realExitPromise;
    };
  }

  private markExited(shell: LiveShell, detail: string): void {
    if (shell.exited) return;
    shell.exited = true;
    shell.exitDetail = detail;
  }

  private async invoke(shell: LiveShell, body: PsCode, options: RunOptions): Promise<EnvelopeResult> {
    const wrapped = wrapScript(body);
    const timeoutMs = options.timeoutMs ?? this.callTimeoutMs;
    const started = Date.now();
    const restoreExit = this.callExit(shell);
    holdsEventLoop(shell, true);
    const invocation = shell.ps.invoke(wrapped.line);
    invocation.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    let outcome: Awaited<typeof invocation> | 'timeout' | Error;
    try {
      outcome = await Promise.race([invocation.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))), deadline]);
    } finally {
      clearTimeout(timer);
      restoreExit();
      holdsEventLoop(shell, false);
    }
    shell.ps.history.length = 0;

    if (outcome === 'timeout') {
      this.stats.timeouts++;
      shell.killedForTimeout = true;
      if (this.shell === shell) this.shell = undefined;
      await this.terminate(shell, 'SIGKILL');
      this.logger.warn('PowerShell call timed out; process killed, a new one will be started', {
        host: this.hostName,
        purpose: options.purpose,
        timeoutMs,
      });
      throw new IisctlError('SESSION_TIMEOUT', `PowerShell did not answer within ${Math.round(timeoutMs / 100) / 10} s${options.purpose ? ` (${options.purpose})` : ''}; the process was stopped.`, {
        host: this.hostName,
        details: { timeoutMs },
      });
    }
    if (outcome instanceof Error || shell.exited) {
      await shell.exit;
      if (this.shell === shell) this.shell = undefined;
      if (this.closed && this.readingBack === 0) throw this.closedError(true);
      await waitForStderr(shell);
      throw this.deathError(shell, outcome instanceof Error ? outcome : undefined);
    }

    const stdout = outcome.stdout?.toString('utf8') ?? '';
    const stderr = outcome.stderr?.toString('utf8') ?? '';
    const result = readEnvelope(stdout, wrapped.marker);
    this.logger.debug('PowerShell call', { host: this.hostName, purpose: options.purpose, ms: Date.now() - started });
    if (!result) {
      throw new IisctlError('FAILED', `PowerShell returned no result${stderr.trim() ? `: ${firstLines(stderr)}` : '.'}`, {
        host: this.hostName,
        details: { stderr: stderr.trim(), stdout: stdout.trim().slice(0, 2000) },
      });
    }
    if (stderr.trim()) this.logger.warn('PowerShell wrote to stderr', { host: this.hostName, purpose: options.purpose, stderr: firstLines(stderr) });
    return result;
  }

  private deathError(shell: LiveShell, cause: Error | undefined): IisctlError {
    this.stats.deaths++;
    if (shell.spawnError && ['ENOENT', 'EACCES', 'ENOEXEC'].includes(shell.spawnError.code ?? '')) {
      return new IisctlError('POWERSHELL_UNAVAILABLE', `Could not start PowerShell (${this.executable.command}): ${shell.spawnError.code}.`, {
        host: this.hostName,
        hint: HINTS.noPowerShell,
        cause: shell.spawnError,
      });
    }
    return new IisctlError('SESSION_DIED', `The PowerShell process ended unexpectedly (${shell.exitDetail ?? cause?.message ?? 'unknown reason'})${said(shell)}.`, {
      host: this.hostName,
      hint: 'The next call starts a new PowerShell process.',
      details: stderrLines(shell).length ? { stderr: stderrLines(shell).join('\n') } : undefined,
      cause,
    });
  }

  private async maintainIfDue(shell: LiveShell): Promise<void> {
    if (++this.callsSinceMaintenance < this.maintenanceEvery) return;
    this.callsSinceMaintenance = 0;
    try {
      await this.invoke(shell, MAINTENANCE_SCRIPT, { purpose: 'history trim' });
    } catch (err) {
      this.logger.debug('history trim failed', { host: this.hostName, error: (err as Error).message });
    }
  }

  /** Stops a process and waits (bounded) until it has exited. */
  private async terminate(shell: LiveShell, signal: NodeJS.Signals): Promise<void> {
    // The caller awaits the end of the process: Node must not exit under it meanwhile.
    holdsEventLoop(shell, true);
    if (!shell.exited) {
      try {
        shell.process.kill(signal);
      } catch {
        // already gone
      }
      const gone = await Promise.race([shell.exit.then(() => true), delay(KILL_WAIT_MS).then(() => false)]);
      if (!gone && !shell.exited) {
        shell.process.kill('SIGKILL');
        await Promise.race([shell.exit, delay(KILL_WAIT_MS)]);
      }
    }
    await shell.ps.dispose().catch(() => undefined);
  }
}

/**
 * Whether the process and its pipes keep Node's event loop alive: only during a call (and while
 * it is being ended). ChildProcess.unref() and the stdio sockets' unref() (Node's child_process
 * and net docs): an idle session that was never closed no longer keeps Node running.
 */
function holdsEventLoop(shell: LiveShell, hold: boolean): void {
  const streams = shell.ps.streams as unknown as Record<'stdin' | 'stdout' | 'stderr', { ref?: () => void; unref?: () => void }>;
  for (const handle of [shell.process, streams.stdin, streams.stdout, streams.stderr]) {
    if (hold) handle.ref?.();
    else handle.unref?.();
  }
}

/** What a dead process said last on stderr (a crash's reason), as `: text`, or nothing. */
function said(shell: LiveShell): string {
  const lines = stderrLines(shell);
  return lines.length ? `: ${lines.slice(-3).join(' | ')}` : '';
}

/** The process's stderr lines, without node-powershell's delimiters (it echoes one per call there). */
function stderrLines(shell: LiveShell): string[] {
  return shell.stderrTail
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^[0-9A-Za-z]{16}$/.test(l));
}

/** Everything a dead process wrote reaches stderrTail once its stderr has ended (bounded wait). */
function waitForStderr(shell: LiveShell): Promise<unknown> {
  return Promise.race([shell.stderrEnded, delay(1000)]);
}

function firstLines(text: string, max = 5): string {
  return text.trim().split(/\r?\n/).slice(0, max).join(' | ');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
