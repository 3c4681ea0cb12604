/**
 * The host's clock, as every library script reads it: `(Get-Date).ToUniversalTime()`, the current
 * instant as a UTC DateTime. One cmdlet for every time read on the host (not `[DateTime]::UtcNow`,
 * a .NET property no host can stand in for), so a host that keeps its own time (the simulator's
 * pwsh engine on a virtual clock shadows Get-Date and Start-Sleep) gives the waits and the stamps
 * the same clock their sleeps run on.
 *
 * Facts relied on (it is the same instant as `[DateTime]::UtcNow`, daylight saving included):
 * - Get-Date without -Date outputs `DateTime.Now` (wrapped in a PSObject with a DisplayHint note
 *   property): GetDateCommand.ProcessRecord, `DateTime dateToUse = DateTime.Now;`
 *   (PowerShell/PowerShell, src/Microsoft.PowerShell.Commands.Utility/commands/utility/GetDateCommand.cs;
 *   Get-Date, https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/get-date?view=powershell-5.1,
 *   "gets the current date and time"); a method call on the wrapper reaches the DateTime.
 * - .NET Framework's `DateTime.Now` is `UtcNow` plus the local offset at that instant, and marks a
 *   local time inside the repeated hour of a daylight-saving fall-back as the daylight one
 *   (`new DateTime(tick, DateTimeKind.Local, isAmbiguousLocalDst)`, microsoft/referencesource,
 *   mscorlib/system/datetime.cs, `Now`); `ToUniversalTime()` of a Local value subtracts the offset of
 *   that local time, reading that mark for an ambiguous one (TimeZoneInfo.GetIsDaylightSavings:
 *   `time.IsAmbiguousDaylightSavingTime()`, mscorlib/system/timezoneinfo.cs), so the round trip
 *   gives UtcNow's instant back, also during the repeated hour; Kind is Utc
 *   (https://learn.microsoft.com/dotnet/api/system.datetime.touniversaltime).
 */
import { ps } from '../powershell/quote';

/** The host's current instant, a UTC DateTime (`.Ticks`, `.AddSeconds()`, `.ToString('o')` as on [DateTime]::UtcNow). */
export const HOST_UTC_NOW = ps`(Get-Date).ToUniversalTime()`;
