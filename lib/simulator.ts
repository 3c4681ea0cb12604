/**
 * The one door from the product into the simulated Windows host (lib/sim). Nothing else outside
 * lib/sim imports the simulator: a real host never loads it (nor its tree-sitter parser); only
 * --simulate / `simulate: true` / `iisctl sim` come through here, when they need it
 * (__tests__/e2e/sim-boundary.test.ts proves it).
 */
import type * as Simulator from './sim/index';

export type SimulatorModule = typeof Simulator;

let loaded: SimulatorModule | undefined;

/** The simulator's entry point (lib/sim/index.ts), loaded on first use. */
export function loadSimulator(): SimulatorModule {
  // A plain require: a static import would load the simulator with the library.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('./sim/index') as SimulatorModule);
}
