/**
 * Forced termination, used only when the caller asked for force (iisreset's kill path,
 * iis-reference.md 1.5). Stop-Process -Force per process id; ids that are already gone are reported,
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

/**
 * A backup of the IIS configuration before anything is force-killed (issue 4; the cmdlet is in the
 * WebAdministration catalog: Backup-WebConfiguration -Name).
 */
export function backupConfiguration(name: string): PsCommand<string> {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) throw invalidArgument(`A configuration backup name must be 1-100 letters, digits, '.', '_' or '-'; got ${JSON.stringify(name)}.`);
  return {
    purpose: `back up the IIS configuration as ${name}`,
    script: ps`Import-Module WebAdministration
Backup-WebConfiguration -Name ${name} | Out-Null
${name}`,
    parse: (data) => String(data),
  };
}

/** Reboots the host (rebootOnError). Restart-Computer -Force does not wait for logged-on users. */
export function restartComputer(): PsCommand<void> {
  return { purpose: 'reboot the host', script: ps`Restart-Computer -Force`, parse: () => undefined };
}
