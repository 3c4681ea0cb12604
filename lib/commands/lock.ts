/**
 * The host lock (issue 8): one named system-wide mutex per target, held by the persistent
 * PowerShell process of the session between `acquire` and `release`, plus the holder's details in
 * the registry so that a second iisctl can say who holds it.
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
 */
import { ps } from '../powershell/quote';
import type { PsCommand } from './command';

export const LOCK_KEY_ROOT = 'HKLM:\\SOFTWARE\\iisctl\\Lock';

export interface LockHolder {
  user?: string;
  /** PowerShell process on the host that holds the mutex. */
  hostProcessId?: number;
  /** The iisctl (Node) process and the computer it runs on. */
  clientProcessId?: number;
  clientComputer?: string;
  operation?: string;
  /** ISO 8601 UTC. */
  since?: string;
}

export interface AcquireResult {
  acquired: boolean;
  /** The previous holder died without releasing (AbandonedMutexException): the lock was taken over. */
  abandoned: boolean;
  /** Who holds it (when not acquired), or who held it (when abandoned), as far as recorded. */
  holder?: LockHolder;
  /** The PowerShell process that now holds it. */
  hostProcessId?: number;
  /** Why the holder details could not be recorded (the lock is held all the same). */
  infoError?: string;
}

export interface LockIdentity {
  /** Mutex name, e.g. Global\iisctl-host-lock. */
  mutexName: string;
  /** Registry key for the holder's details. */
  infoKey: string;
}

/** The mutex and registry key for a target ('localhost' or a remote computer's name). */
export function lockIdentity(target: string): LockIdentity {
  const id = target.toLowerCase() === 'localhost' ? 'localhost' : target.toLowerCase().replace(/[^a-z0-9.-]/g, '_').slice(0, 200);
  return { mutexName: `Global\\iisctl-host-lock-${id}`, infoKey: `${LOCK_KEY_ROOT}\\${id}` };
}

export interface AcquireParams extends LockIdentity {
  operation: string;
  user: string;
  clientProcessId: number;
  clientComputer: string;
  token: string;
  /** How long WaitOne blocks in this call. */
  waitMs: number;
}

const READ_HOLDER = ps`function iisctlLockHolder {
    param($key)
    if (-not (Test-Path -Path $key)) { return $null }
    $p = Get-ItemProperty -Path $key
    if ([int]$p.Held -ne 1) { return $null }
    [pscustomobject]@{ User = [string]$p.User; HostProcessId = [string]$p.HostProcessId; ClientProcessId = [string]$p.ClientProcessId; ClientComputer = [string]$p.ClientComputer; Operation = [string]$p.Operation; Since = [string]$p.Since }
}`;

export function acquireLock(p: AcquireParams): PsCommand<AcquireResult> {
  return {
    purpose: `acquire the host lock (${p.operation})`,
    script: ps`${READ_HOLDER}
$name = ${p.mutexName}
$key = ${p.infoKey}
$m = $global:iisctlHostLock
$abandoned = $false
$infoError = $null
$holder = $null
if ($null -ne $m) {
    $got = $true
} else {
    $m = New-Object -TypeName System.Threading.Mutex -ArgumentList $false, $name
    try {
        $got = $m.WaitOne(${p.waitMs})
    } catch {
        if ($_.Exception.GetBaseException().GetType().FullName -eq 'System.Threading.AbandonedMutexException') { $got = $true; $abandoned = $true } else { $m.Dispose(); throw }
    }
    if ($got) {
        $global:iisctlHostLock = $m
        if ($abandoned) { try { $holder = iisctlLockHolder $key } catch { $holder = $null } }
        try {
            if (-not (Test-Path -Path $key)) { New-Item -Path $key -Force | Out-Null }
            Set-ItemProperty -Path $key -Name 'Held' -Value 0
            Set-ItemProperty -Path $key -Name 'Token' -Value ${p.token}
            Set-ItemProperty -Path $key -Name 'User' -Value ${p.user}
            Set-ItemProperty -Path $key -Name 'HostProcessId' -Value ([string]$PID)
            Set-ItemProperty -Path $key -Name 'ClientProcessId' -Value ${String(p.clientProcessId)}
            Set-ItemProperty -Path $key -Name 'ClientComputer' -Value ${p.clientComputer}
            Set-ItemProperty -Path $key -Name 'Operation' -Value ${p.operation}
            Set-ItemProperty -Path $key -Name 'Since' -Value ([datetime]::UtcNow.ToString('o'))
            Set-ItemProperty -Path $key -Name 'Held' -Value 1
        } catch {
            $infoError = $_.Exception.Message
        }
    } else {
        $m.Dispose()
        try { $holder = iisctlLockHolder $key } catch { $holder = $null }
    }
}
[pscustomobject]@{ Acquired = $got; Abandoned = $abandoned; Holder = $holder; HostProcessId = $PID; InfoError = $infoError }`,
    parse: parseAcquire,
  };
}

export function releaseLock(p: LockIdentity & { token: string }): PsCommand<{ released: boolean }> {
  return {
    purpose: 'release the host lock',
    script: ps`$m = $global:iisctlHostLock
$released = $false
if ($null -ne $m) {
    $key = ${p.infoKey}
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

function parseAcquire(data: unknown): AcquireResult {
  const r = (data ?? {}) as Record<string, unknown>;
  const num = (v: unknown): number | undefined => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    return Number.isFinite(n) ? n : undefined;
  };
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const h = r.Holder && typeof r.Holder === 'object' ? (r.Holder as Record<string, unknown>) : undefined;
  return {
    acquired: r.Acquired === true,
    abandoned: r.Abandoned === true,
    holder: h
      ? { user: text(h.User), hostProcessId: num(h.HostProcessId), clientProcessId: num(h.ClientProcessId), clientComputer: text(h.ClientComputer), operation: text(h.Operation), since: text(h.Since) }
      : undefined,
    hostProcessId: num(r.HostProcessId),
    infoError: text(r.InfoError),
  };
}
