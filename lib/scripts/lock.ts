/**
 * The host lock. It lives on the target machine, so every iisctl that acts on that
 * machine, from that machine or from any other, sees the same lock whatever name it used for it
 * (WEB01, web01.contoso.local, localhost on WEB01): one named system mutex and one registry key
 * per machine, no target name in either.
 *
 * Two ways to hold it, one per kind of session:
 * - Held (local target): the persistent PowerShell process of the session owns the mutex from
 *   `acquire` to `release`. If that process dies, Windows abandons the mutex and the next waiter
 *   takes it over at once.
 * - Lease (remote target, run inside the PSSession): the holder owns the mutex only inside one
 *   call, while it reads and writes the registry record, and leaves a lease there (Kind 'lease',
 *   a token, an expiry on the target's clock) that it renews while it works. Why not hold the
 *   mutex there too: a mutex belongs to a thread, and which thread runs each Invoke-Command in a
 *   remote runspace is a server setting (PSThreadOptions.Default: "server settings for remote
 *   Runspace", Microsoft Learn, PSThreadOptions enum); with UseNewThread the mutex would be
 *   abandoned as soon as the acquiring call returned. A dead remote holder's lease ends when it
 *   expires (its PSSession's process on the target may outlive it until WinRM's idle timeout).
 * A held lock keeps the mutex, so a lease acquirer times out on WaitOne; a lease holder does not,
 * so a held acquirer that gets the mutex checks the record for a live lease and lets go again.
 *
 * .NET facts relied on (Microsoft Learn, System.Threading):
 * - `New-Object System.Threading.Mutex($false, 'Global\...')` opens or creates a named system mutex
 *   without taking it (Mutex(Boolean, String) constructor); the "Global\" prefix puts the name in
 *   the global namespace, visible from every session (Mutex class remarks, Terminal Services).
 * - `WaitOne(ms)` returns true when the mutex is acquired and false on time-out; the owner must
 *   call ReleaseMutex; ReleaseMutex by a non-owner throws ApplicationException.
 * - When the owning thread ends (the process dies), the mutex is abandoned: the next waiter gets it
 *   and an AbandonedMutexException. That is how a lock of a dead iisctl is released: the exception
 *   means "acquired, the previous holder died", and is reported, not fatal.
 * - Ownership is per thread: powershell.exe runs every command on one reused pipeline thread
 *   (ConsoleHost sets PSThreadOptions.ReuseThread), so a later call of the same session can release
 *   what an earlier one acquired. The mutex is kept in a global variable so it outlives the call.
 * - A string with a zone designator ('Z') cast to [datetime] may come back as local time with Kind
 *   Local (DateTime.Parse, learn.microsoft.com/dotnet/api/system.datetime.parse, ISO 8601 strings
 *   with time zone information), so expiries are compared after ToUniversalTime(), which converts a
 *   Local value and leaves a UTC one unchanged: correct either way, on the target's own clock.
 */
import { ps, PsCode } from '../powershell/quote';
import type { PsCommand } from './command';
import { DEFAULTS } from '../defaults';
import { hostWaitLoop } from './wait';
import { HOST_UTC_NOW } from './hostClock';

/** The machine's one host-lock mutex and the registry key of its holder's details. */
export const LOCK_MUTEX_NAME = 'Global\\iisctl-host-lock';
export const LOCK_KEY = 'HKLM:\\SOFTWARE\\iisctl\\Lock';

export interface LockHolder {
  user?: string;
  /** PowerShell process on the host that holds the lock (for a lease: its PSSession's process). */
  hostProcessId?: number;
  /** The iisctl (Node) process and the computer it runs on. */
  clientProcessId?: number;
  clientComputer?: string;
  operation?: string;
  /** ISO 8601 UTC. */
  since?: string;
  /** 'held' (a local session owns the mutex) or 'lease' (a remote session, until `expires`). */
  kind?: 'held' | 'lease';
  /** When a lease ends unless renewed (ISO 8601, the target's clock). */
  expires?: string;
}

export interface AcquireResult {
  acquired: boolean;
  /**
   * The lock was taken over from a holder that is gone: its process died (AbandonedMutexException)
   * or, for a lease, it stopped renewing it (`expired`).
   */
  abandoned: boolean;
  expired: boolean;
  /** Who holds it (when not acquired), or who held it (when taken over), as far as recorded. */
  holder?: LockHolder;
  /** The PowerShell process that now holds it. */
  hostProcessId?: number;
  /** Why the holder details could not be recorded (a held lock is held all the same). */
  infoError?: string;
}

export interface AcquireParams {
  operation: string;
  user: string;
  clientProcessId: number;
  clientComputer: string;
  token: string;
  /** How long WaitOne blocks in this call. */
  waitMs: number;
}

export interface LeaseParams extends AcquireParams {
  /** How long the lease lasts unless renewed. */
  leaseSeconds: number;
}

/** Script functions: the recorded holder (Held = 1) and whether it is a lease still running. */
const HOLDER_FUNCTIONS = ps`function iisctlLockHolder {
    param($key)
    if (-not (Test-Path -Path $key)) { return $null }
    $p = Get-ItemProperty -Path $key
    if ([int]$p.Held -ne 1) { return $null }
    [pscustomobject]@{ User = [string]$p.User; HostProcessId = [string]$p.HostProcessId; ClientProcessId = [string]$p.ClientProcessId; ClientComputer = [string]$p.ClientComputer; Operation = [string]$p.Operation; Since = [string]$p.Since; Kind = [string]$p.Kind; Expires = [string]$p.Expires; Token = [string]$p.Token }
}
function iisctlLeaseRunning {
    param($holder)
    if ($null -eq $holder -or $holder.Kind -ne 'lease') { return $false }
    try { return ([datetime]$holder.Expires).ToUniversalTime() -gt ${HOST_UTC_NOW} } catch { return $false }
}`;

/** Statements that record the caller as the holder in $key ($kind, $expires set by the caller). */
function recordHolder(p: AcquireParams): PsCode {
  return ps`if (-not (Test-Path -Path $key)) { New-Item -Path $key -Force | Out-Null }
Set-ItemProperty -Path $key -Name 'Held' -Value 0
Set-ItemProperty -Path $key -Name 'Token' -Value ${p.token}
Set-ItemProperty -Path $key -Name 'Kind' -Value $kind
Set-ItemProperty -Path $key -Name 'Expires' -Value $expires
Set-ItemProperty -Path $key -Name 'User' -Value ${p.user}
Set-ItemProperty -Path $key -Name 'HostProcessId' -Value ([string]$PID)
Set-ItemProperty -Path $key -Name 'ClientProcessId' -Value ${String(p.clientProcessId)}
Set-ItemProperty -Path $key -Name 'ClientComputer' -Value ${p.clientComputer}
Set-ItemProperty -Path $key -Name 'Operation' -Value ${p.operation}
Set-ItemProperty -Path $key -Name 'Since' -Value (${HOST_UTC_NOW}.ToString('o'))
Set-ItemProperty -Path $key -Name 'Held' -Value 1`;
}

/** Held lock: the session's process takes the mutex and keeps it until releaseLock. */
export function acquireLock(p: AcquireParams): PsCommand<AcquireResult> {
  return {
    purpose: `acquire the host lock (${p.operation})`,
    script: ps`${HOLDER_FUNCTIONS}
$key = ${LOCK_KEY}
$m = $global:iisctlHostLock
$abandoned = $false
$expired = $false
$infoError = $null
$holder = $null
if ($null -ne $m) {
    $got = $true
} else {
    $m = New-Object -TypeName System.Threading.Mutex -ArgumentList $false, ${LOCK_MUTEX_NAME}
    try {
        $got = $m.WaitOne(${p.waitMs})
    } catch {
        if ($_.Exception.GetBaseException().GetType().FullName -eq 'System.Threading.AbandonedMutexException') { $got = $true; $abandoned = $true } else { $m.Dispose(); throw }
    }
    if ($got) {
        # A remote iisctl's lease does not keep the mutex: look for one before keeping it.
        try { $current = iisctlLockHolder $key } catch { $current = $null }
        if (-not $abandoned -and (iisctlLeaseRunning $current)) {
            $m.ReleaseMutex()
            $got = $false
            $holder = $current
        } elseif ($null -ne $current) {
            # A holder that released cleared Held first: this one died (a status probe may have taken
            # the abandonment), or it was a lease that expired.
            $abandoned = $true
            $expired = $current.Kind -eq 'lease'
        }
    }
    if ($got) {
        $global:iisctlHostLock = $m
        if ($abandoned) { $holder = $current }
        $kind = 'held'
        $expires = ''
        try {
${recordHolder(p)}
        } catch {
            $infoError = $_.Exception.Message
        }
    } else {
        $m.Dispose()
        if ($null -eq $holder) { try { $holder = iisctlLockHolder $key } catch { $holder = $null } }
    }
}
[pscustomobject]@{ Acquired = $got; Abandoned = $abandoned; Expired = $expired; Holder = $holder; HostProcessId = $PID; InfoError = $infoError }`,
    parse: parseAcquire,
  };
}

export function releaseLock(p: { token: string }): PsCommand<{ released: boolean }> {
  return {
    purpose: 'release the host lock',
    script: ps`$m = $global:iisctlHostLock
$released = $false
if ($null -ne $m) {
    $key = ${LOCK_KEY}
    try {
        if (Test-Path -Path $key) {
            $p = Get-ItemProperty -Path $key
            if ([string]$p.Token -eq ${p.token}) { Set-ItemProperty -Path $key -Name 'Held' -Value 0 }
        }
    } catch { }
    $global:iisctlHostLock = $null
    $m.ReleaseMutex()
    $m.Dispose()
    $released = $true
}
[pscustomobject]@{ Released = $released }`,
    parse: (data) => ({ released: (data as { Released?: unknown } | null)?.Released === true }),
  };
}

/**
 * `body` inside the mutex, taken and released within this one call (one thread): WaitOne(waitMs),
 * an abandoned mutex counts as taken ($abandoned), $inside says whether it was.
 */
function insideMutex(waitMs: number | PsCode, body: PsCode): PsCode {
  return ps`$key = ${LOCK_KEY}
$abandoned = $false
$m = New-Object -TypeName System.Threading.Mutex -ArgumentList $false, ${LOCK_MUTEX_NAME}
try {
    $inside = $m.WaitOne(${waitMs})
} catch {
    if ($_.Exception.GetBaseException().GetType().FullName -eq 'System.Threading.AbandonedMutexException') { $inside = $true; $abandoned = $true } else { $m.Dispose(); throw }
}
try {
    if ($inside) {
${body}
    }
} finally {
    if ($inside) { $m.ReleaseMutex() }
    $m.Dispose()
}`;
}

/**
 * Lease (remote target; runs on the target): takes the lock unless a live holder has it, i.e. a
 * local session keeps the mutex (WaitOne times out) or another lease has not expired. An
 * abandoned mutex or an expired lease is taken over and reported with the previous holder.
 * A live lease keeps no OS object to block on, so the attempt is repeated on the host every
 * DEFAULTS.pollIntervalMs until `waitMs` is over (scripts/wait.ts): a released lease is taken
 * within that interval, in the same call.
 */
export function acquireLease(p: LeaseParams): PsCommand<AcquireResult> {
  const attempt = ps`    $got = $false
    $expired = $false
    $holder = $null
    # WaitOne for what is left of the call's wait (at least 0).
    $iisctlWait = [Math]::Ceiling(($iisctlUntil - ${HOST_UTC_NOW}.Ticks) / 10000)
    if ($iisctlWait -lt 0) { $iisctlWait = 0 }
${insideMutex(ps`[int]$iisctlWait`, ps`        $current = iisctlLockHolder $key
        $mine = $null -ne $current -and $current.Token -eq ${p.token}
        if (-not $mine -and -not $abandoned -and (iisctlLeaseRunning $current)) {
            $holder = $current
        } else {
            $expired = -not $mine -and -not $abandoned -and $null -ne $current -and $current.Kind -eq 'lease'
            # A held lock whose record was not cleared and whose mutex we got: its holder died.
            if (-not $mine -and $null -ne $current -and $current.Kind -ne 'lease') { $abandoned = $true }
            if ($abandoned -or $expired) { $holder = $current }
            $kind = 'lease'
            $expires = ${HOST_UTC_NOW}.AddSeconds(${p.leaseSeconds}).ToString('o')
${recordHolder(p)}
            $got = $true
        }`)}
    # Not inside: WaitOne used up the wait (a held lock keeps the mutex); got: acquired.
    $done = $got -or -not $inside`;
  return {
    purpose: `acquire the host lock (${p.operation})`,
    script: ps`${HOLDER_FUNCTIONS}
${hostWaitLoop({ waitMs: p.waitMs, intervalMs: DEFAULTS.pollIntervalMs }, attempt)}
if (-not $inside) { try { $holder = iisctlLockHolder $key } catch { $holder = $null } }
[pscustomobject]@{ Acquired = $got; Abandoned = ($abandoned -or $expired); Expired = $expired; Holder = $holder; HostProcessId = $PID; InfoError = $null }`,
    parse: parseAcquire,
  };
}

/** Extends the caller's lease; Renewed false when it is no longer the caller's (it expired and was taken). */
export function renewLease(p: { token: string; leaseSeconds: number }): PsCommand<{ renewed: boolean }> {
  return {
    purpose: 'renew the host lock',
    script: ps`$renewed = $false
${insideMutex(DEFAULTS.leaseMutexWaitMs, ps`        if (Test-Path -Path $key) {
            $p = Get-ItemProperty -Path $key
            if ([int]$p.Held -eq 1 -and [string]$p.Token -eq ${p.token}) {
                Set-ItemProperty -Path $key -Name 'Expires' -Value (${HOST_UTC_NOW}.AddSeconds(${p.leaseSeconds}).ToString('o'))
                $renewed = $true
            }
        }`)}
[pscustomobject]@{ Renewed = $renewed; Inside = $inside }`,
    parse: (data) => ({ renewed: (data as { Renewed?: unknown } | null)?.Renewed === true }),
  };
}

/** Ends the caller's lease (only the caller's: a lease taken over by another is left alone). */
export function releaseLease(p: { token: string }): PsCommand<{ released: boolean }> {
  return {
    purpose: 'release the host lock',
    script: ps`$released = $false
${insideMutex(DEFAULTS.leaseMutexWaitMs, ps`        if (Test-Path -Path $key) {
            $p = Get-ItemProperty -Path $key
            if ([string]$p.Token -eq ${p.token}) {
                Set-ItemProperty -Path $key -Name 'Held' -Value 0
                $released = $true
            }
        }`)}
[pscustomobject]@{ Released = $released }`,
    parse: (data) => ({ released: (data as { Released?: unknown } | null)?.Released === true }),
  };
}

/** Whether a live iisctl holds the machine's lock, and who (status; changes nothing lasting). */
export interface LockState {
  held: boolean;
  holder?: LockHolder;
}

/**
 * Reads the lock without waiting for it. A lease counts while it has not expired. A held lock
 * counts while its mutex is owned: probed with WaitOne(0) and released at once within this call
 * (a record whose owner died is not a holder: the probe gets the abandoned mutex).
 */
export function readLock(): PsCommand<LockState> {
  return {
    purpose: 'read the host lock',
    script: ps`${HOLDER_FUNCTIONS}
$key = ${LOCK_KEY}
$holder = iisctlLockHolder $key
$held = $false
if ($null -ne $holder) {
    if ($holder.Kind -eq 'lease') {
        $held = iisctlLeaseRunning $holder
    } elseif ($null -ne $global:iisctlHostLock) {
        $held = $true
    } else {
        $m = New-Object -TypeName System.Threading.Mutex -ArgumentList $false, ${LOCK_MUTEX_NAME}
        try {
            $free = $m.WaitOne(0)
        } catch {
            if ($_.Exception.GetBaseException().GetType().FullName -eq 'System.Threading.AbandonedMutexException') { $free = $true } else { $m.Dispose(); throw }
        }
        if ($free) { $m.ReleaseMutex() }
        $m.Dispose()
        $held = -not $free
    }
}
if (-not $held) { $holder = $null }
[pscustomobject]@{ Held = $held; Holder = $holder }`,
    parse: (data) => {
      const r = (data ?? {}) as Record<string, unknown>;
      const held = r.Held === true;
      return held ? { held, holder: parseAcquire({ Holder: r.Holder }).holder } : { held };
    },
  };
}

function parseAcquire(data: unknown): AcquireResult {
  const r = (data ?? {}) as Record<string, unknown>;
  const num = (v: unknown): number | undefined => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    return Number.isFinite(n) ? n : undefined;
  };
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const h = r.Holder && typeof r.Holder === 'object' ? (r.Holder as Record<string, unknown>) : undefined;
  const kind = text(h?.Kind);
  return {
    acquired: r.Acquired === true,
    abandoned: r.Abandoned === true,
    expired: r.Expired === true,
    holder: h
      ? {
          user: text(h.User),
          hostProcessId: num(h.HostProcessId),
          clientProcessId: num(h.ClientProcessId),
          clientComputer: text(h.ClientComputer),
          operation: text(h.Operation),
          since: text(h.Since),
          ...(kind === 'held' || kind === 'lease' ? { kind } : {}),
          ...(text(h.Expires) ? { expires: text(h.Expires) } : {}),
        }
      : undefined,
    hostProcessId: num(r.HostProcessId),
    infoError: text(r.InfoError),
  };
}
