/**
 * Which engine runs the simulated host's scripts (IISCTL_SIM_ENGINE, or `simulate: { engine }`):
 * - interp: the simulator's own PowerShell interpreter (lib/sim/interp), 5.1 semantics by
 *   imitation; runs anywhere Node runs;
 * - pwsh: real PowerShell 7 runs the scripts; only Windows (services, IIS, the event log, the
 *   registry...) is simulated, by a module of shadowing functions that call this simulator's
 *   machine and cmdlets through a local bridge (lib/sim/pwsh);
 * - auto (default): interp, for now. The pwsh engine does not yet run every script of the
 *   end-to-end tier (lib/sim/README.md, "The end-to-end tier on it": remoting is not shadowed, and
 *   host-side waits on a virtual clock run in real time), so auto does not pick it even where pwsh
 *   exists; it will once the tier passes on it.
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
 * INVALID_ARGUMENT; pwsh asked for but not found is POWERSHELL_UNAVAILABLE (never a silent fallback).
 */
export function chooseEngine(requested?: string, env: NodeJS.ProcessEnv = process.env): SimEngineChoice {
  const raw = (requested ?? env[SIM_ENGINE_ENV] ?? '').trim().toLowerCase() || 'auto';
  if (!(REQUESTS as readonly string[]).includes(raw)) {
    throw new IisctlError('INVALID_ARGUMENT', `Unknown simulator engine "${requested ?? env[SIM_ENGINE_ENV]}": use pwsh, interp or auto.`, {
      hint: `Set ${SIM_ENGINE_ENV} (or simulate.engine) to pwsh, interp or auto.`,
    });
  }
  const wanted = raw as SimEngineRequest;
  if (wanted === 'interp') return { engine: 'interp', requested: wanted, why: 'interp: asked for' };
  if (wanted === 'auto') return { engine: 'interp', requested: wanted, why: 'interp (auto: the pwsh engine does not yet shadow remoting, and its host-side waits run in real time; ask for it with IISCTL_SIM_ENGINE=pwsh)' };
  const where = locatePwsh(env);
  if ('missing' in where) {
    throw new IisctlError('POWERSHELL_UNAVAILABLE', `The simulator's pwsh engine needs PowerShell 7: ${where.missing}.`, {
      hint: `Install it (make pwsh), or use ${SIM_ENGINE_ENV}=interp.`,
    });
  }
  return { engine: 'pwsh', requested: wanted, why: `pwsh: asked for (${[where.found.command, ...where.found.args].join(' ')})`, pwsh: where.found };
}
