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
import { resetState, peekState, readCommandLog, scenarioNameOf, stateFilePath, withMachine } from './state';
import { loadScenario, resolveScenarioPath, ScenarioError } from './scenario';

export { resetState, peekState, readCommandLog, scenarioNameOf, stateFilePath, withMachine };
export { loadScenario, resolveScenarioPath, ScenarioError };
export { SimHost } from './cmdlets/simhost';
export { startSimulatedFarm } from './http';
export type { SimulatedFarm, SimulatedFarmOptions, FarmSite } from './http';

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
export { inProcessTransport, type InProcessOptions } from './transport';
