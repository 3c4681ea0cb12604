/**
 * The events `iisctl advise` looks at (docs/sources.md §2.1, §2.2; 5013: KB 2634635),
 * with their insertion strings (read from the record's XML: INSERTION_STRINGS): the pool name is read from them, never from the
 * message text (texts vary by OS build, §2.2). Insertion string positions: 5002, 5009, 5013, 5117: %1 = pool
 * (§2.2 templates; the real 5117 text has only the pool, no PID); IISReset 3201/3202: none needed.
 */
import { ps } from '../powershell/quote';
import { asArray } from '../powershell/json';
import type { PsCommand } from './command';
import { INSERTION_STRINGS } from './events';

export interface AdviseEvent {
  id: number;
  provider: string;
  time: Date;
  properties: string[];
}

export const WAS_PROVIDER = 'Microsoft-Windows-WAS';
export const IISRESET_PROVIDER = 'Microsoft-Windows-IIS-IISReset';
/** Worker crashes (5009), rapid-fail (5002), private-memory recycles (5117), shutdown time limit exceeded (5013). */
export const WAS_ADVISE_IDS = [5002, 5009, 5013, 5117];
/** iisreset start / stop commands (docs/sources.md §2.1). */
export const IISRESET_IDS = [3201, 3202];

export function readAdviseEvents(since: Date): PsCommand<AdviseEvent[]> {
  const filters = [
    { LogName: 'System', ProviderName: WAS_PROVIDER, Id: WAS_ADVISE_IDS, StartTime: since },
    { LogName: 'System', ProviderName: IISRESET_PROVIDER, Id: IISRESET_IDS, StartTime: since },
  ];
  return {
    purpose: 'read the WAS and IISReset events of the advice window',
    script: ps`$all = @()
foreach ($filter in ${filters}) {
    try {
        $all += @(Get-WinEvent -FilterHashtable $filter -MaxEvents 5000 -ErrorAction Stop)
    } catch {
        if (-not ([string]$_.FullyQualifiedErrorId).StartsWith('NoMatching')) { throw }
    }
}
@($all | ForEach-Object {
    [pscustomobject]@{
        Id = [int]$_.Id
        Provider = [string]$_.ProviderName
        Time = $_.TimeCreated.ToUniversalTime().ToString('o')
        Strings = ${INSERTION_STRINGS}
    }
})`,
    parse: (data) =>
      asArray<Record<string, unknown>>(data).map((r) => ({
        id: Number(r.Id),
        provider: String(r.Provider),
        time: new Date(String(r.Time)),
        properties: asArray<unknown>(r.Strings).map(String),
      })),
  };
}
