/**
 * `iisctl/sim`: the simulated Windows host for users' own tests.
 *
 *   const sim = startSimulatedHost({ scenario: 'fast' });
 *   const session = new PowerShellSession({ executable: sim.executable });
 *   ...
 *   sim.reset();          // back to the scenario's initial state
 *   await sim.close();    // removes the temporary state file
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IisctlError } from '../errors';
import { resolveExecutable, type ResolvedExecutable } from '../powershell/executable';
import { listBundledScenarios, loadScenario, resolveScenarioPath, ScenarioError } from './scenario';
import type * as State from './state';
import type * as Http from './http';
import type * as Transport from './transport';
import type * as Host from './cmdlets/simhost';
import type * as Clixml from './cmdlets/clixml';

export { listBundledScenarios, loadScenario, resolveScenarioPath, ScenarioError };
export { VirtualClock, realClock, type SimClock, type VirtualClockOptions } from './clock';
export type { SimulatedFarm, SimulatedFarmOptions, FarmSite } from './http';
export type { InProcessOptions } from './transport';
export { chooseEngine, SIM_ENGINE_ENV, type SimEngineChoice, type SimEngineRequest } from './engine';

/*
 * The machine, the interpreter and the HTTP farm are loaded on first use: `--simulate` needs only
 * hostEntry() and the scenario check from here (lib/simulator.ts), and a CLI run should not pay
 * for the modules the simulated host process loads anyway.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const state = (): typeof State => require('./state') as typeof State;
export const resetState: typeof State.resetState = (...a) => state().resetState(...a);
export const peekState: typeof State.peekState = (...a) => state().peekState(...a);
export const readCommandLog: typeof State.readCommandLog = (...a) => state().readCommandLog(...a);
export const scenarioNameOf: typeof State.scenarioNameOf = (...a) => state().scenarioNameOf(...a);
export const stateFilePath: typeof State.stateFilePath = (...a) => state().stateFilePath(...a);
export const withMachine: typeof State.withMachine = (...a) => state().withMachine(...a);
export const startSimulatedFarm: typeof Http.startSimulatedFarm = (...a) => (require('./http') as typeof Http).startSimulatedFarm(...a);
export const inProcessTransport: typeof Transport.inProcessTransport = (...a) => (require('./transport') as typeof Transport).inProcessTransport(...a);
/** A credential file (credentialFile / --credential-file) the simulated host of that account on that computer can decrypt (cmdlets/clixml.ts). */
export const writeSimulatedCredentialFile: typeof Clixml.writeSimulatedCredentialFile = (...a) => (require('./cmdlets/clixml') as typeof Clixml).writeSimulatedCredentialFile(...a);
export declare const SimHost: typeof Host.SimHost;
Object.defineProperty(exports, 'SimHost', { enumerable: true, get: () => (require('./cmdlets/simhost') as typeof Host).SimHost });
/* eslint-enable @typescript-eslint/no-require-imports */

export interface SimulatedHostOptions {
  /** Bundled scenario name ("default", "fast", "farm", ...) or a scenario JSON path. Default "default". */
  scenario?: string;
  /** State file; default: a new temporary file removed by close(). */
  stateFile?: string;
}

export interface SimulatedHost {
  /** Pass to `new PowerShellSession({ executable })`. */
  executable: ResolvedExecutable;
  scenario: string;
  stateFile: string;
  /** Recreates the state from the scenario (sessions see it on their next call). */
  reset(): void;
  /** Removes the temporary state file (a given stateFile is left alone). */
  close(): Promise<void>;
}

export function startSimulatedHost(options: SimulatedHostOptions = {}): SimulatedHost {
  const scenario = options.scenario ?? 'default';
  const bundled = !/[\\/]|\.json$/i.test(scenario);
  // Fail early on an unknown scenario, in the caller's process.
  loadScenario(scenario);
  const tmpDir = options.stateFile ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-sim-'));
  const stateFile = options.stateFile ? path.resolve(options.stateFile) : path.join(tmpDir as string, 'state.json');
  const env: Record<string, string> = { IISCTL_SIM_STATE: stateFile };
  if (bundled) env.IISCTL_SIM_SCENARIO = scenario;
  const executable = resolveExecutable({ simulate: bundled ? true : scenario, env });
  resetState(scenario, stateFile);
  return {
    executable,
    scenario,
    stateFile,
    reset: () => void resetState(scenario, stateFile),
    close: async () => {
      if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

/** The compiled simulated powershell.exe (host.js), next to this file in dist/, or in dist/ when running from source. */
export function hostEntry(): string {
  const candidates = [path.resolve(__dirname, 'host.js'), path.resolve(__dirname, '../../dist/sim/host.js')];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) {
    throw new IisctlError('POWERSHELL_UNAVAILABLE', 'The simulated Windows host is not built.', {
      hint: 'Run `npm run build` (or `make build`) first.',
      details: { looked: candidates },
    });
  }
  return found;
}
