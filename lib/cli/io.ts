/**
 * What a command line runs with, given to runCli (main.ts) by its caller: the process entry
 * passes the process's streams and environment; a test passes its own, and may run --simulate's
 * host in the same Node process. Nothing below the entry reads process.stdout, process.stderr or
 * process.env: it reads these.
 */
import { loadSimulator, type SimulatorModule } from '../simulator';
import type { Stream } from './render';

/** The simulated machine's clock (lib/sim/clock.ts), as the simulator's in-process transport takes it. */
type SimClock = NonNullable<Parameters<SimulatorModule['inProcessTransport']>[0]>['clock'];

export type CliStream = Stream & NodeJS.WritableStream;

export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  env: NodeJS.ProcessEnv;
  /**
   * --simulate runs the simulated host in this Node process (the simulator's in-process
   * transport), not as a spawned powershell.exe stand-in; clock: its time and the time of
   * iisctl's own waits, polls and deadlines (default: real time; a VirtualClock makes them instant).
   */
  simulator?: { inProcess: true; clock?: SimClock };
}

/** The simulated machine of a run: its state file (IISCTL_SIM_STATE) and scenario (--simulate=X, else IISCTL_SIM_SCENARIO). */
export function simulatedMachine(io: CliIo, scenario?: string): { stateFile?: string; scenario?: string } {
  return { stateFile: nonEmpty(io.env.IISCTL_SIM_STATE), scenario: scenario ?? nonEmpty(io.env.IISCTL_SIM_SCENARIO) };
}

/** What `status` and `sim` print about the simulated host's engine: which one runs, and why. */
export function simulatorEngineLine(io: CliIo): string {
  return `Simulated host engine: ${loadSimulator().chooseEngine(simulatorEngine(io), io.env).why}`;
}

/** IISCTL_SIM_ENGINE (pwsh, interp, auto: what runs the simulated host's scripts), when set. */
export function simulatorEngine(io: CliIo): 'pwsh' | 'interp' | 'auto' | undefined {
  return nonEmpty(io.env.IISCTL_SIM_ENGINE) as 'pwsh' | 'interp' | 'auto' | undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
