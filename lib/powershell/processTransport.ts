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
 * - its invoke() leaves a reaction holding each call's output on its one exit promise
 *   (Promise.race([exitPromise, output]), a promise that never settles while the process lives:
 *   about 0.6 KB a call for ever, heap +12 MB over 20 000 calls) and keeps every call in its
 *   history: so calls do not go through invoke(). send() speaks node-powershell's own protocol (a
 *   delimiter written to stdout and stderr around the command, child-shell's Shell.invokeCommand)
 *   on the public `streams`, with listeners removed once the call is answered, and a death seen
 *   through the child process's 'exit' event. No field of node-powershell is ever assigned.
 * The child process itself is node-powershell's `process` field, which its typings do not make
 * public: it is read (pid, events, kill, ref/unref), never replaced.
 */
import type { ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import { EOL } from 'node:os';
import { PowerShell } from 'node-powershell';
import { realDelay as delay } from '../clock';
import type { ResolvedExecutable } from './executable';
import type { Transport, TransportOutput } from './transport';
import { DEFAULTS } from '../defaults';

const KILL_WAIT_MS = DEFAULTS.processKillWaitMs;

/** What node-powershell holds but does not type as public: read only. */
interface ShellInternals {
  readonly process: ChildProcess;
  readonly exitPromise: Promise<void>;
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
  private readonly child: ChildProcess;
  private stderrTail = '';
  /** The calls waiting for an answer, told when the process ends (removed once answered). */
  private readonly onEnd = new Set<() => void>();

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
    const internals = instance as unknown as ShellInternals;
    this.child = internals.process;
    // node-powershell's exit promise rejects when the process fails or dies (§P1.7): handled here, once.
    internals.exitPromise.catch(() => undefined);
    this.stderrEnded = new Promise<void>((resolve) => {
      instance.streams.stderr.once('close', resolve);
      instance.streams.stderr.once('end', resolve);
    });
    instance.streams.stderr.on('data', (chunk: Buffer | string) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000);
    });
    // node-powershell reads its first stderr chunks through a pipe it then removes, and
    // Readable.unpipe() pauses a stream left without pipes (Node's stream docs): stderr is kept
    // flowing, or the calls (and a dying process's last words) would wait on it for ever.
    instance.streams.stderr.on('pause', () => instance.streams.stderr.resume());
    for (const stream of [instance.streams.stdin, instance.streams.stdout, instance.streams.stderr]) stream.on('error', () => undefined);
    this.exit = new Promise<void>((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.markExited(`exit code ${String(code)}, signal ${String(signal)}`);
        resolve();
      });
      this.child.once('error', (err: NodeJS.ErrnoException) => {
        this.spawnError ??= err;
        // A process that could not be started emits no 'exit'.
        if (this.child.pid === undefined) {
          this.markExited(err.message);
          resolve();
        }
      });
    });
    this.hold(false);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  stderrLines(): string[] {
    // node-powershell echoes one delimiter per call on stderr.
    return this.stderrTail
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !/^[0-9A-Za-z]{16}$/.test(l));
  }

  /**
   * One call in node-powershell's protocol (child-shell Shell.invokeCommand): a fresh 16-character
   * delimiter written to stderr and stdout before and after the line; the call's output is what
   * lies between the two delimiters on each stream. Rejects when the process ends first.
   * node-powershell writes each delimiter statement on a line of its own; here the two of each side
   * share one line (`;`): every line read from stdin is a pipeline of its own for the console host,
   * and two fewer cost ~1.3 ms less per call (pwsh 7.6 here, 3.8-4.0 against 2.4-2.7 ms for `1`). The
   * call's own line stays alone: a terminating error ends the rest of its line, and the delimiters
   * after it must still be written.
   */
  send(line: string): Promise<TransportOutput> {
    if (this.exited) return Promise.reject(new Error(`the PowerShell process ended (${this.exitDetail})`));
    const delimiter = crypto.randomBytes(8).toString('hex');
    const { stdin, stdout, stderr } = this.ps.streams;
    return new Promise<TransportOutput>((resolve, reject) => {
      let out = '';
      let err = '';
      const onOut = (chunk: Buffer | string): void => {
        out += chunk.toString();
        answered();
      };
      const onErr = (chunk: Buffer | string): void => {
        err += chunk.toString();
        answered();
      };
      const onExit = (): void => {
        done();
        reject(new Error(`the PowerShell process ended (${this.exitDetail ?? 'exited'})`));
      };
      const done = (): void => {
        stdout.off('data', onOut);
        stderr.off('data', onErr);
        this.onEnd.delete(onExit);
      };
      function answered(): void {
        const o = between(out, delimiter);
        const e = o === undefined ? undefined : between(err, delimiter);
        if (o === undefined || e === undefined) return;
        done();
        resolve({ stdout: o, stderr: e });
      }
      stdout.on('data', onOut);
      stderr.on('data', onErr);
      stdout.resume();
      stderr.resume();
      this.onEnd.add(onExit);
      const mark = `[Console]::Error.WriteLine("${delimiter}");[Console]::Out.WriteLine("${delimiter}")${EOL}`;
      stdin.write(`${mark}${line}${EOL}${mark}`);
    });
  }

  /**
   * ChildProcess.unref() and the stdio sockets' unref() (Node's child_process and net docs): an
   * idle session that was never closed does not keep Node running.
   */
  hold(hold: boolean): void {
    const streams = this.ps.streams as unknown as Record<'stdin' | 'stdout' | 'stderr', { ref?: () => void; unref?: () => void }>;
    for (const handle of [this.child, streams.stdin, streams.stdout, streams.stderr]) {
      if (hold) handle.ref?.();
      else handle.unref?.();
    }
  }

  async terminate(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    // The caller awaits the end of the process: Node must not exit under it meanwhile.
    this.hold(true);
    if (!this.exited) {
      try {
        this.child.kill(signal);
      } catch {
        // already gone
      }
      const gone = await Promise.race([this.exit.then(() => true), delay(KILL_WAIT_MS).then(() => false)]);
      if (!gone && !this.exited) {
        this.child.kill('SIGKILL');
        await Promise.race([this.exit, delay(KILL_WAIT_MS)]);
      }
    }
    await this.ps.dispose().catch(() => undefined);
  }

  private markExited(detail: string): void {
    if (this.exited) return;
    this.exited = true;
    this.exitDetail = detail;
    for (const ended of [...this.onEnd]) ended();
  }
}

/** The text between the first two occurrences of `delimiter`, trimmed (undefined until both arrived). */
function between(text: string, delimiter: string): string | undefined {
  const first = text.indexOf(delimiter);
  if (first < 0) return undefined;
  const second = text.indexOf(delimiter, first + delimiter.length);
  if (second < 0) return undefined;
  return text.slice(first + delimiter.length, second).trim();
}
