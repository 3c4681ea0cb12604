/**
 * Forced termination, used only when the caller asked for force (iisreset's kill path,
 * docs/sources.md §1.5). Stop-Process -Force per process id; ids that are already gone are reported,
 * not treated as failures.
 */
import { invalidArgument } from '../errors';
import { asArray } from '../powershell/json';
import { ps } from '../powershell/quote';
import type { PsCommand } from './command';

export interface KillResult {
  killed: number[];
  /** Ids that no longer existed when the kill was attempted. */
  alreadyGone: number[];
}

export function killProcesses(processIds: readonly number[]): PsCommand<KillResult> {
  if (processIds.length === 0 || processIds.some((id) => !Number.isInteger(id) || id <= 0)) {
    throw invalidArgument(`Process ids to terminate must be positive integers; got ${JSON.stringify(processIds)}.`);
  }
  return {
    purpose: `terminate processes ${processIds.join(', ')}`,
    script: ps`$killed = @()
$gone = @()
foreach ($id in ${[...processIds]}) {
    if (Get-Process -Id $id -ErrorAction SilentlyContinue) {
        Stop-Process -Id $id -Force
        $killed += $id
    } else {
        $gone += $id
    }
}
[pscustomobject]@{ Killed = $killed; Gone = $gone }`,
    parse: (data) => {
      const r = (data ?? {}) as Record<string, unknown>;
      return { killed: asArray<number>(r.Killed).map(Number), alreadyGone: asArray<number>(r.Gone).map(Number) };
    },
  };
}

/** Reboots the host (rebootOnError). Restart-Computer -Force does not wait for logged-on users. */
export function restartComputer(): PsCommand<void> {
  return { purpose: 'reboot the host', script: ps`Restart-Computer -Force`, parse: () => undefined };
}
