/**
 * The seam under PowerShellSession: what runs its scripts. A transport is one "process": it
 * takes one wrapped script line at a time (envelope.ts toSingleLine, the one wire format) and gives
 * back what was written for it; it can die (exit, exitDetail) and be ended. The session owns the
 * queue, the deadline, respawning and pinning; a transport knows nothing of them.
 *
 * Two implementations: the process transport (processTransport.ts: powershell.exe / pwsh, or a
 * .js stand-in, through node-powershell) and the simulator's in-process transport
 * (lib/sim/transport.ts, reached through lib/simulator.ts only).
 */

/** What the transport wrote while one line ran. */
export interface TransportOutput {
  stdout: string;
  stderr: string;
}

export interface Transport {
  /** For logs and errors: what runs the scripts. */
  readonly description: string;
  /** The process id, when there is a process. */
  readonly pid: number | undefined;
  /** True once it has ended, for whatever reason. */
  readonly exited: boolean;
  /** Why it ended (exit code and signal), once it has. */
  readonly exitDetail: string | undefined;
  /** Settles (never rejects) once it has ended. */
  readonly exit: Promise<void>;
  /** Why it could not be started (ENOENT, EACCES, ...), when that is why it ended. */
  readonly spawnError: NodeJS.ErrnoException | undefined;
  /** Its last lines on stderr (why it died, when it says so), without the transport's own noise. */
  stderrLines(): string[];
  /** Settles once everything it wrote on stderr is in stderrLines() (the caller bounds the wait). */
  readonly stderrEnded: Promise<void>;
  /** Runs one line; rejects when it ended before answering. */
  send(line: string): Promise<TransportOutput>;
  /** Whether it keeps Node's event loop alive (only during a call, and while being ended). */
  hold(hold: boolean): void;
  /** Ends it (SIGTERM: gently; SIGKILL: at once) and waits, bounded, until it is gone. */
  terminate(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** Starts a new transport: called for the first call and again after each death. */
export type TransportFactory = () => Transport;
