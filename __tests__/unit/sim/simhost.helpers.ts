import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSimInterpreter } from '../../../lib/sim/cmdlets/index';
import { SimHost } from '../../../lib/sim/cmdlets/simhost';
import type { Interpreter } from '../../../lib/sim/interp';
import type { SimMachine } from '../../../lib/sim/machine';
import { withMachine } from '../../../lib/sim/state';
import type { SimClock } from '../../../lib/sim/clock';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-simhost-'));
let n = 0;

export interface SimRunspace {
  interp: Interpreter;
  host: SimHost;
  /** Runs fn against the machine (state lock held). */
  machine<T>(fn: (m: SimMachine) => T): Promise<T>;
}

/** A simulated runspace (machine cmdlets + iisreset) on a fresh state file of `scenario` (a name or an inline scenario object), on `clock` (default real time). */
export function simRunspace(scenario: string | object = 'fast', clock?: SimClock): SimRunspace {
  let scen = scenario;
  if (typeof scenario === 'object') {
    scen = path.join(dir, `scenario-${n}.json`);
    fs.writeFileSync(scen, JSON.stringify(scenario));
  }
  const state = { scenario: scen as string, stateFile: path.join(dir, `state-${n++}.json`), ...(clock ? { clock } : {}) };
  const host = new SimHost(state);
  const interp = createSimInterpreter({ host, computerName: 'WEB01' });
  return { interp, host, machine: (fn) => withMachine(state, (m) => fn(m)) };
}
