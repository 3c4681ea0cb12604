/**
 * The in-process transport: the simulated host's engine (interpreter + SimHost on a SimClock) in
 * this Node process, behind the library's Transport seam (lib/powershell/transport.ts). Each
 * transport is one simulated powershell.exe: its own runspace and $PID, the machine shared through
 * the state file like separate host processes share it (state.ts). The process host (host.ts)
 * runs the same engine behind stdin/stdout; what a line does is the same in both (runLine below).
 *
 * Limits (lib/sim/README.md): ending a transport cannot stop a line that is still running (a killed
 * process stops mid-way; here the line runs on, unless its clock never moves again). Each
 * transport's simulated pid owns the mutexes its runspace takes (cmdlets/mutex.ts), so two in-process
 * transports exclude each other as two host processes do, and an ended one's mutexes are abandoned.
 */
import type { Transport, TransportFactory, TransportOutput } from '../powershell/transport';
import { fromSingleLine } from '../powershell/envelope';
import { VirtualClock, type SimClock } from './clock';
import { createSimInterpreter, SimHost } from './cmdlets/index';
import { inProcessHostStarted } from './cmdlets/simhost';
import type { Interpreter, RunResult } from './interp';
import { chooseEngine, type SimEngineChoice } from './engine';
import type * as PwshEngineModule from './pwsh/engine';
import { loadParser } from './parser';
import type { LineResult } from './protocol';
import { holdMachine, withMachine, type SimStateError, type SimStateOptions } from './state';

/** Exit code of a crashed host (any non-zero, non-143 code is a crash for node-powershell). */
export const CRASH_EXIT_CODE = 255;

/** The script a line really runs: the envelope's script (its wire format is defined once, in envelope.ts), anything else as is. */
export function executedText(line: string): string {
  return fromSingleLine(line) ?? line;
}

/** What runs one simulated powershell.exe's lines: the interpreter, or real pwsh (lib/sim/engine.ts). */
export interface HostEngine {
  runLine(line: string): Promise<RunResult>;
  /** Ends what the engine started (pwsh's process); nothing for the interpreter. */
  close?(): Promise<void>;
}

/** The engine of one simulated powershell.exe on the machine of `state`: `choice` (default: chooseEngine()). */
export async function createHostEngine(state: SimStateOptions, processId: number, choice: SimEngineChoice = chooseEngine(), environment?: Record<string, string | undefined>): Promise<HostEngine> {
  if (choice.engine === 'interp') return createHostInterpreter(state, processId, environment);
  const who = await withMachine(state, (m) => ({ computerName: m.name }));
  // Loaded only for this engine: it starts a process and a socket server.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PwshEngine } = require('./pwsh/engine') as typeof PwshEngineModule;
  return new PwshEngine({ pwsh: choice.pwsh!, host: new SimHost(state, null, processId), computerName: who.computerName, environment });
}

/** The interpreter of one simulated powershell.exe on the machine of `state`. */
export async function createHostInterpreter(state: SimStateOptions, processId: number, environment?: Record<string, string | undefined>): Promise<Interpreter> {
  const [, who] = await Promise.all([loadParser(), withMachine(state, (m) => ({ computerName: m.name, account: m.user.name }))]);
  const { computerName, account } = who;
  // The scenario's account is DOMAIN\user; .NET's Environment splits it into UserDomainName and UserName.
  const slash = account.indexOf('\\');
  return createSimInterpreter({
    host: new SimHost(state, null, processId),
    computerName,
    userName: slash >= 0 ? account.slice(slash + 1) : account,
    userDomainName: slash >= 0 ? account.slice(0, slash) : computerName,
    processId,
    environment,
  });
}

/**
 * Runs one line the way the host does: one lock and at most one write per line (the lock is given
 * back before any wait), saved before the output goes out, so whoever reads the state after the
 * answer sees this line's effects. 'crash': the scenario's crash-on-Nth-call fault ends the host
 * before any output of that call.
 */
export function runLine(state: SimStateOptions, interp: HostEngine, line: string): Promise<LineResult | 'crash'> {
  return holdMachine(state, async () => {
    const crash = await withMachine(state, (_m, s) => {
      s.world.recordCommand(executedText(line));
      return s.world.noteHostCall();
    });
    if (crash) return 'crash';
    return interp.runLine(line);
  });
}

export interface InProcessOptions {
  /** Bundled scenario name or JSON path (default as state.ts: $IISCTL_SIM_SCENARIO or "default"). */
  scenario?: string;
  /** State file (default as state.ts). */
  stateFile?: string;
  /** The machine's time; a VirtualClock moves only when advanced (default: real time). */
  clock?: SimClock;
  /** Which engine runs the scripts: pwsh, interp or auto (default: $IISCTL_SIM_ENGINE, else auto; lib/sim/engine.ts). */
  engine?: string;
  /**
   * The environment this simulated powershell.exe starts with, as a spawned one would get it
   * (e.g. the remote credential's password, lib/scripts/remote.ts). Its own copy: nothing of this
   * Node process's environment is read or changed.
   */
  environment?: Record<string, string>;
}

/** Simulated process ids: far from real ones, distinct per transport. */
let nextPid = 0x7f000000;

class InProcessTransport implements Transport {
  readonly description: string;
  readonly pid = nextPid++;
  exited = false;
  exitDetail: string | undefined;
  readonly spawnError = undefined;
  readonly exit: Promise<void>;
  readonly stderrEnded: Promise<void>;
  private ended!: () => void;
  private stderr = '';
  private readonly state: SimStateOptions;
  private readonly interp: Promise<HostEngine>;
  private readonly unregister: () => void;

  constructor(options: InProcessOptions) {
    this.exit = new Promise<void>((resolve) => (this.ended = resolve));
    this.unregister = inProcessHostStarted(this.pid, () => this.die(null, undefined, 'SIGKILL'));
    this.stderrEnded = this.exit;
    this.state = { scenario: options.scenario, stateFile: options.stateFile, clock: options.clock };
    // Starting up compiles the parser (real asynchronous work): a virtual clock waits for it.
    // The engine is chosen now, so a bad choice fails here, in the caller's connect().
    const choice = chooseEngine(options.engine);
    this.description = `simulated Windows host (in process, engine ${choice.engine})`;
    const starting = createHostEngine(this.state, this.pid, choice, { ...options.environment });
    this.interp = (options.clock instanceof VirtualClock ? options.clock.whileBusy(starting) : starting).then((interp) => {
      // This host has its machine now: a state file deleted or corrupted from here on ends it (host.ts).
      this.state.requireExisting = true;
      this.state.onUnusable = (e: SimStateError) => this.die(1, `iisctl simulated host: ${e.message}`);
      return interp;
    });
    this.interp.catch((e: unknown) => this.die(1, `iisctl simulated host: ${e instanceof Error ? e.message : String(e)}`));
  }

  stderrLines(): string[] {
    return this.stderr
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
  }

  async send(line: string): Promise<TransportOutput> {
    if (this.exited) throw new Error(`the simulated host ended (${this.exitDetail})`);
    const gone = this.exit.then(() => {
      throw new Error(`the simulated host ended (${this.exitDetail})`);
    });
    gone.catch(() => undefined);
    const result = await Promise.race([this.interp.then((interp) => runLine(this.state, interp, line)), gone]);
    if (this.exited) throw new Error(`the simulated host ended (${this.exitDetail})`);
    if (result === 'crash') {
      this.die(CRASH_EXIT_CODE);
      throw new Error(`the simulated host ended (${this.exitDetail})`);
    }
    if (result.stderr) this.stderr = (this.stderr + result.stderr).slice(-4000);
    if (result.exitCode !== undefined) {
      this.die(result.exitCode);
      throw new Error(`the simulated host ended (${this.exitDetail})`);
    }
    return { stdout: result.stdout, stderr: result.stderr };
  }

  hold(): void {
    // Nothing here holds Node's event loop but the clock's own timers.
  }

  async terminate(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    // The process host exits 143 on SIGTERM (host.ts); SIGKILL leaves no exit code.
    if (signal === 'SIGTERM') this.die(143);
    else this.die(null, undefined, 'SIGKILL');
  }

  private die(code: number | null, said?: string, signal: string | null = null): void {
    if (this.exited) return;
    if (said) this.stderr = (this.stderr + said + '\n').slice(-4000);
    this.exited = true;
    this.unregister();
    this.exitDetail = `exit code ${String(code)}, signal ${String(signal)}`;
    void this.interp.then((engine) => engine.close?.(), () => undefined);
    this.ended();
  }
}

/** A transport factory for PowerShellSession({ transport }): each call a fresh simulated host on the same machine. */
export function inProcessTransport(options: InProcessOptions = {}): TransportFactory {
  return () => new InProcessTransport(options);
}
