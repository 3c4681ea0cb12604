import { buildWorld, SimWorld, type SimMachine } from '../../../lib/sim/machine';
import { loadScenario, validateScenario } from '../../../lib/sim/scenario';

export const T0 = Date.parse('2026-11-20T12:00:00.000Z');

export function world(scenario: string | object = 'fast', now = T0): SimWorld {
  const s = typeof scenario === 'string' ? loadScenario(scenario) : validateScenario(scenario);
  return new SimWorld(buildWorld(s, now));
}

export function local(scenario: string | object = 'fast', now = T0): SimMachine {
  return world(scenario, now).local;
}

/** Runs fn and returns the SimFault it throws (fails the test if it does not throw). */
export function faultOf(fn: () => unknown): import('../../../lib/sim/machine').SimFault {
  try {
    fn();
  } catch (e) {
    return e as import('../../../lib/sim/machine').SimFault;
  }
  throw new Error('expected a fault, none was thrown');
}

export const status = (m: SimMachine, name: string) => m.service(name)?.statusName;
