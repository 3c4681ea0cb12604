/**
 * One persistent PowerShell process, made safe to depend on. The process is a Transport
 * (transport.ts): by default node-powershell (processTransport.ts, where all its workarounds live),
 * or any other, such as the simulator in process.
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
 * - trims the host's history periodically (node-powershell's own history is not used: processTransport.ts);
 * - holds the event loop only during a call: while idle the child process and its pipes are
 *   unref'd, so a caller that forgets close() does not keep Node alive (the process then ends
 *   with Node, at the end of its stdin);
 * - after close() every call fails with SESSION_CLOSED (not retried), also the one close() cut
 *   short; readBack() lets an interrupted operation read the state back on a fresh process.
 */
import { checkNumber, checkNumbers, LIMITS } from '../limits';
import { DEFAULTS } from '../defaults';
import { HINTS } from '../hints';
import { IisctlError } from '../errors';
import { Clock, realClock, realDelay } from '../clock';
import { Logger, silentLogger } from '../log';
import { classifyPowerShellError } from './classify';
import { EnvelopeResult, readEnvelope, wrapScript } from './envelope';
import { ResolvedExecutable } from './executable';
import { ProcessTransport } from './processTransport';
import { ps, PsCode } from './quote';
import type { Transport, TransportFactory } from './transport';

export interface SessionOptions {
  /** The PowerShell to run (a process per transport), unless `transport` is given. */
  executable?: ResolvedExecutable;
  /** What runs the scripts instead of a PowerShell process (the simulator in process: lib/simulator.ts). */
  transport?: TransportFactory;
  logger?: Logger;
  /** Deadline for one call unless the call says otherwise. Default: DEFAULTS.callTimeoutMs. */
  callTimeoutMs?: number;
  /** Clear the host's command history and $Error every N calls. Default: DEFAULTS.maintenanceEvery. */
  maintenanceEvery?: number;
  /** Name of the computer this session talks to, for errors and logs. */
  hostName?: string;
  /** Whose time the call deadline is in (default real time; the simulator in process can share a virtual one). */
  clock?: Clock;
}

export interface RunOptions {
  /** Deadline for this call. */
  timeoutMs?: number;
  /** Without timeoutMs: how long the script waits on the host on purpose, added to the session's deadline (a wait slice must not time out its own call). */
  waitsMs?: number;
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

type LiveShell = Transport;

const ANSWERED = 'answered';

export class PowerShellSession {
  private readonly openTransport: TransportFactory;
  private readonly description: string;
  private readonly logger: Logger;
  private readonly callTimeoutMs: number;
  private readonly maintenanceEvery: number;
  private readonly hostName: string;
  private readonly clock: Clock;
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
    const executable = options.executable;
    if (options.transport) this.openTransport = options.transport;
    else if (executable) this.openTransport = () => new ProcessTransport(executable);
    else throw new TypeError('PowerShellSession needs an executable or a transport.');
    this.description = executable?.command ?? 'transport';
    this.logger = options.logger ?? silentLogger();
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULTS.callTimeoutMs;
    this.maintenanceEvery = options.maintenanceEvery ?? DEFAULTS.maintenanceEvery;
    this.hostName = options.hostName ?? 'localhost';
    this.clock = options.clock ?? realClock;
  }

  /** The process id of the live PowerShell process, if one is running. */
  get pid(): number | undefined {
    return this.shell && !this.shell.exited ? this.shell.pid : undefined;
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
        if (shell) await shell.terminate('SIGTERM');
      }
    }
  }

  /** Ends the process and waits until it is gone. Later calls fail with SESSION_CLOSED. */
  async close(): Promise<void> {
    this.closed = true;
    const shell = this.shell;
    this.shell = undefined;
    if (shell) await shell.terminate('SIGTERM');
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
        const stderr = shell.stderrLines().join('\n');
        const why = stderr ? `: ${firstLines(stderr)}` : '.';
        throw new IisctlError('SESSION_DIED', `The PowerShell process ended unexpectedly while starting (${shell.exitDetail ?? 'no answer'})${why}`, {
          host: this.hostName,
          hint: 'Nothing was run on the host. Fix what the message names, then run the command again.',
          details: { duringStartup: true, stderr },
          cause: error,
        });
      }
      throw error;
    }
    return shell;
  }

  private spawn(): LiveShell {
    const shell = this.openTransport();
    this.stats.spawns++;
    this.logger.debug('PowerShell process started', { host: this.hostName, executable: shell.description, pid: shell.pid });
    return shell;
  }

  private async invoke(shell: LiveShell, body: PsCode, options: RunOptions): Promise<EnvelopeResult> {
    const wrapped = wrapScript(body);
    const timeoutMs = options.timeoutMs ?? this.callTimeoutMs + (options.waitsMs ?? 0);
    const started = this.clock.now();
    shell.hold(true);
    const invocation = shell.send(wrapped.line);
    invocation.catch(() => undefined);
    const answered = new AbortController();
    // Aborted once the call answered (the sleep rejects and nothing stays armed): the race is over by then.
    const deadline = this.clock.sleep(timeoutMs, answered.signal).then(() => 'timeout' as const, () => new Promise<never>(() => undefined));
    let outcome: Awaited<typeof invocation> | 'timeout' | Error;
    try {
      outcome = await Promise.race([invocation.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))), deadline]);
    } finally {
      answered.abort(ANSWERED); // a reason of its own: abort() would build a DOMException on every call

      shell.hold(false);
    }

    if (outcome === 'timeout') {
      this.stats.timeouts++;
      if (this.shell === shell) this.shell = undefined;
      await shell.terminate('SIGKILL');
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

    const { stdout, stderr } = outcome;
    const result = readEnvelope(stdout, wrapped.marker);
    this.logger.debug('PowerShell call', { host: this.hostName, purpose: options.purpose, ms: this.clock.now() - started });
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
      return new IisctlError('POWERSHELL_UNAVAILABLE', `Could not start PowerShell (${this.description}): ${shell.spawnError.code}.`, {
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

}

/** What a dead process said last on stderr (a crash's reason), as `: text`, or nothing. */
function said(shell: LiveShell): string {
  const lines = stderrLines(shell);
  return lines.length ? `: ${lines.slice(-3).join(' | ')}` : '';
}

function stderrLines(shell: LiveShell): string[] {
  return shell.stderrLines();
}

/** Everything a dead process wrote reaches stderrLines() once its stderr has ended (bounded wait). */
function waitForStderr(shell: LiveShell): Promise<unknown> {
  return Promise.race([shell.stderrEnded, realDelay(DEFAULTS.stderrDrainMs)]);
}

function firstLines(text: string, max = 5): string {
  return text.trim().split(/\r?\n/).slice(0, max).join(' | ');
}
