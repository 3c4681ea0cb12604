/**
 * Waiting on the host: one call reads the awaited state again and again on the host, with a short
 * Start-Sleep between reads, and returns as soon as the state is reached or its slice is over. Node
 * calls it once per slice (lib/control/wait.ts pollUntil), so a wait costs one round trip per slice,
 * not one per read, while progress, cancellation and the deadline are still seen between slices.
 *
 * Facts relied on:
 * - `Start-Sleep -Milliseconds <Int32>` (Start-Sleep, Windows PowerShell 5.1,
 *   https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/start-sleep?view=powershell-5.1);
 * - the host's clock read through Get-Date (`HOST_UTC_NOW`, hostClock.ts: the same instant as
 *   `[DateTime]::UtcNow`), the clock Start-Sleep sleeps on, so a host that keeps its own time keeps
 *   both and a slice never runs past its end; `DateTime.Ticks`, 100-nanosecond intervals
 *   (https://learn.microsoft.com/dotnet/api/system.datetime.ticks): the time left is computed from
 *   ticks, so the loop needs neither DateTime subtraction nor a Stopwatch, and sleeps never past the
 *   end of its slice.
 */
import { invalidArgument } from '../errors';
import { ps, PsCode } from '../powershell/quote';
import { HOST_UTC_NOW } from './hostClock';

export interface HostWait {
  /** The longest the call waits on the host (0: one read, no sleep). */
  waitMs: number;
  /** Time between two reads on the host. */
  intervalMs: number;
}

/** Whole milliseconds (Start-Sleep -Milliseconds takes an Int32), at least 1 between reads. */
function wholeMs(w: HostWait): HostWait {
  if (!Number.isFinite(w.waitMs) || !Number.isFinite(w.intervalMs)) throw invalidArgument(`A wait on the host needs finite times; got ${w.waitMs} and ${w.intervalMs} ms.`);
  return { waitMs: Math.max(0, Math.round(w.waitMs)), intervalMs: Math.max(1, Math.round(w.intervalMs)) };
}

/**
 * Runs `read` (a fragment that sets `$done`) until `$done` is true or `waitMs` has passed, sleeping
 * `intervalMs` (or what is left of the slice) between reads. The last read is at the end of the
 * slice at the latest, never a sleep later.
 */
export function hostWaitLoop(w: HostWait, read: PsCode): PsCode {
  const { waitMs, intervalMs } = wholeMs(w);
  return ps`$iisctlUntil = ${HOST_UTC_NOW}.Ticks + ${waitMs} * 10000
while ($true) {
${read}
    $iisctlLeft = [Math]::Ceiling(($iisctlUntil - ${HOST_UTC_NOW}.Ticks) / 10000)
    if ($done -or $iisctlLeft -le 0) { break }
    Start-Sleep -Milliseconds ([int][Math]::Min(${intervalMs}, $iisctlLeft))
}`;
}
