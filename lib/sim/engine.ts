/**
 * Which engine runs the simulated host's scripts (IISCTL_SIM_ENGINE, or `simulate: { engine }`):
 * - interp: the simulator's own PowerShell interpreter (lib/sim/interp), 5.1 semantics by
 *   imitation; runs anywhere Node runs;
 * - pwsh: real PowerShell 7 runs the scripts; only Windows (services, IIS, the event log, the
 *   registry...) is simulated, by a module of shadowing functions that call this simulator's
 *   machine and cmdlets through a local bridge (lib/sim/pwsh);
 * - auto (default): pwsh where PowerShell 7 can be found (pwsh/locate.ts), else interp; the line
 *   it gives says which and why.
 */
import { IisctlError } from '../errors';
import { locatePwsh, type PwshCommand } from './pwsh/locate';

export type SimEngineRequest = 'pwsh' | 'interp' | 'auto';
export const SIM_ENGINE_ENV = 'IISCTL_SIM_ENGINE';
const REQUESTS: readonly SimEngineRequest[] = ['pwsh', 'interp', 'auto'];

export interface SimEngineChoice {
  engine: 'pwsh' | 'interp';
  requested: SimEngineRequest;
  /** One line: why this engine (what a user sees in `iisctl sim` and `status`). */
  why: string;
  /** How to start pwsh (engine pwsh only). */
  pwsh?: PwshCommand;
}

/**
 * The engine for `requested` (else $IISCTL_SIM_ENGINE, else auto). An unknown name is
 * INVALID_ARGUMENT; pwsh asked for but not found is POWERSHELL_UNAVAILABLE (never a silent fallback);
 * auto falls back to the interpreter, and says so. `locate` is where pwsh is looked for (tests).
 */
export function chooseEngine(requested?: string, env: NodeJS.ProcessEnv = process.env, locate: typeof locatePwsh = locatePwsh): SimEngineChoice {
  const raw = (requested ?? env[SIM_ENGINE_ENV] ?? '').trim().toLowerCase() || 'auto';
  if (!(REQUESTS as readonly string[]).includes(raw)) {
    throw new IisctlError('INVALID_ARGUMENT', `Unknown simulator engine "${requested ?? env[SIM_ENGINE_ENV]}": use pwsh, interp or auto.`, {
      hint: `Set ${SIM_ENGINE_ENV} (or simulate.engine) to pwsh, interp or auto.`,
    });
  }
  const wanted = raw as SimEngineRequest;
  if (wanted === 'interp') return { engine: 'interp', requested: wanted, why: 'interp: asked for' };
  const where = locate(env);
  const command = (found: PwshCommand): string => [found.command, ...found.args].join(' ');
  if (wanted === 'auto') {
    if ('missing' in where) return { engine: 'interp', requested: wanted, why: `interp (auto: ${where.missing}; the simulator's own PowerShell interpreter runs the scripts)` };
    return { engine: 'pwsh', requested: wanted, why: `pwsh (auto: real PowerShell 7 found, ${command(where.found)}; ${SIM_ENGINE_ENV}=interp for the simulator's own interpreter)`, pwsh: where.found };
  }
  if ('missing' in where) {
    throw new IisctlError('POWERSHELL_UNAVAILABLE', `The simulator's pwsh engine needs PowerShell 7: ${where.missing}.`, {
      hint: `Install it (make pwsh), or use ${SIM_ENGINE_ENV}=interp.`,
    });
  }
  return { engine: 'pwsh', requested: wanted, why: `pwsh: asked for (${command(where.found)})`, pwsh: where.found };
}
