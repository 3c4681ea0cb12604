/**
 * The IIS service set: discovery and status in one round trip, stop/start requests that do not
 * wait (Stop-Service has no timeout and waits forever on a hung StopPending service:
 * PowerShell/PowerShell Service.cs, docs/sources.md §3.2), and a wait on the host that is bounded
 * by its slice (waitForServices).
 *
 * The set is discovered on the host, not hard-coded (docs/sources.md §1.4): IISADMIN (only present
 * when the IIS 6 metabase compatibility feature is installed), WAS and W3SVC, plus every service
 * that depends on them, found by following DependentServices until nothing new appears.
 * Status and StartType are sent as strings because 5.1 serialises enums as integers (§3.5).
 * ProcessId comes from Win32_Service (§3.6); services sharing that process are listed so that a
 * forced stop can refuse to kill a shared service host. Every wait slice ends with it, so it asks
 * CIM only for the services of the set and for those in their processes (Get-CimInstance -Filter,
 * a WQL WHERE clause; "The server MUST treat a backslash as an escape character in a WQL query,
 * except within a LIKE clause": [MS-WMI] 2.2.1 WQL Query, Microsoft Learn), never for every
 * service on the machine.
 */
import { invalidArgument } from '../errors';
import { asArray, serviceStatusName, startModeName } from '../powershell/json';
import { ps } from '../powershell/quote';
import type { PsCommand } from './command';
import { hostWaitLoop, HostWait } from './wait';

/** The roots of the IIS service set (docs/sources.md §1.4, §3.8). */
export const IIS_ROOT_SERVICES = ['IISADMIN', 'WAS', 'W3SVC'] as const;

export interface ServiceInfo {
  name: string;
  displayName: string;
  /** ServiceControllerStatus name: Stopped, StartPending, StopPending, Running, ... */
  status: string;
  /** ServiceStartMode name: Automatic, Manual, Disabled, ... */
  startType: string;
  /** 0 when the service is not running. */
  processId: number;
  /** Names of the services this one depends on. */
  dependsOn: string[];
  /** Other services (IIS or not) hosted in the same process. */
  sharedWith: string[];
}

export interface IisServiceSnapshot {
  services: ServiceInfo[];
  /** Process ids of the IIS worker processes (w3wp) running now. */
  workerProcessIds: number[];
  /** After a wait with a failure watch (waitForServices): the services the host saw in the watched pending status. */
  seenPending?: string[];
}

/** The snapshot's reads: discovery, statuses, process ids, workers (one read of everything) into `$services` and `$workers`. */
const SNAPSHOT_READS = ps`$found = @{}
$order = @()
$queue = @(Get-Service -Name ${[...IIS_ROOT_SERVICES]} -ErrorAction SilentlyContinue)
while ($queue.Count -gt 0) {
    $next = @()
    foreach ($svc in $queue) {
        if (-not $found.ContainsKey($svc.Name)) {
            $found[$svc.Name] = $svc
            $order += [string]$svc.Name
            $next += @($svc.DependentServices)
        }
    }
    $queue = $next
}
$cim = @()
if ($order.Count -gt 0) {
    $cim = @(Get-CimInstance -ClassName 'Win32_Service' -Filter ((@($order | ForEach-Object { "Name='" + $_.Replace('\\', '\\\\').Replace("'", "\\'") + "'" })) -join ' OR '))
}
$processIds = @($cim | Where-Object { [int]$_.ProcessId -ne 0 } | ForEach-Object { [int]$_.ProcessId } | Sort-Object -Unique)
$hosted = @()
if ($processIds.Count -gt 0) {
    $hosted = @(Get-CimInstance -ClassName 'Win32_Service' -Filter ((@($processIds | ForEach-Object { 'ProcessId=' + $_ })) -join ' OR '))
}
$services = @(foreach ($name in $order) {
    $svc = $found[$name]
    $info = @($cim | Where-Object { $_.Name -eq $name })
    $processId = 0
    if ($info.Count -gt 0) { $processId = [int]$info[0].ProcessId }
    $shared = @()
    if ($processId -ne 0) { $shared = @($hosted | Where-Object { $_.ProcessId -eq $processId -and $_.Name -ne $name } | ForEach-Object { [string]$_.Name }) }
    [pscustomobject]@{
        Name = [string]$svc.Name
        DisplayName = [string]$svc.DisplayName
        Status = [string]$svc.Status
        StartType = [string]$svc.StartType
        ProcessId = $processId
        DependsOn = @($svc.ServicesDependedOn | ForEach-Object { [string]$_.Name })
        SharedWith = $shared
    }
})
$workers = @(Get-Process -Name 'w3wp' -ErrorAction SilentlyContinue | ForEach-Object { [int]$_.Id })`;

const READ_SNAPSHOT = ps`${SNAPSHOT_READS}
[pscustomobject]@{ Services = $services; WorkerProcessIds = $workers }`;

export function readIisServices(): PsCommand<IisServiceSnapshot> {
  return { purpose: SNAPSHOT_PURPOSE, script: READ_SNAPSHOT, parse: parseSnapshot };
}

const SNAPSHOT_PURPOSE = 'read the IIS service set';

/** A start wait's early end: a service seen `pending` (in this call, or `seen` before it) that is `failed` now failed to change. */
export interface ServiceWaitFailure {
  pending: string;
  failed: string;
  /** Services already seen `pending` by an earlier slice. */
  seen: readonly string[];
}

/**
 * Waits on the host (scripts/wait.ts) until every named service has `status`, a service fails
 * (`failure`), or the slice is over, reading only the named services' status (Get-Service -Name,
 * no CIM query), then reads the snapshot once for the record: one round trip per slice. A service
 * that does not exist reads as Stopped, as in the controller. Its purpose is the snapshot's: what
 * comes back is one, with the services the host saw `failure.pending` (seenPending): a start that
 * failed within one slice is seen only there.
 */
export function waitForServices(names: readonly string[], status: string, wait: HostWait, failure?: ServiceWaitFailure): PsCommand<IisServiceSnapshot> {
  checkNames(names);
  const read = ps`    $iisctlStatus = @{}
    foreach ($name in ${[...names]}) { $iisctlStatus[$name] = 'Stopped' }
    foreach ($svc in @(Get-Service -Name ${[...names]} -ErrorAction SilentlyContinue)) { $iisctlStatus[[string]$svc.Name] = [string]$svc.Status }
    $done = $true
    foreach ($name in ${[...names]}) {
        $now = $iisctlStatus[$name]
        if ($now -ne ${status}) { $done = $false }
        if ($now -eq $iisctlPending) { $iisctlSeen[$name] = $true }
        elseif ($iisctlSeen.ContainsKey($name) -and $now -eq $iisctlFailed) { $iisctlFailure = $true }
    }
    if ($iisctlFailure) { $done = $true }`;
  return {
    purpose: SNAPSHOT_PURPOSE,
    waitsMs: wait.waitMs,
    script: ps`$iisctlPending = ${failure?.pending ?? null}
$iisctlFailed = ${failure?.failed ?? null}
$iisctlFailure = $false
$iisctlSeen = @{}
foreach ($name in ${[...(failure?.seen ?? [])]}) { $iisctlSeen[$name] = $true }
${hostWaitLoop(wait, read)}
${SNAPSHOT_READS}
[pscustomobject]@{ Services = $services; WorkerProcessIds = $workers; SeenPending = @($iisctlSeen.Keys | ForEach-Object { [string]$_ }) }`,
    parse: (data) => ({ ...parseSnapshot(data), seenPending: asArray<string>((data as { SeenPending?: unknown } | null)?.SeenPending).map(String) }),
  };
}

export function parseSnapshot(data: unknown): IisServiceSnapshot {
  const record = (data ?? {}) as { Services?: unknown; WorkerProcessIds?: unknown };
  return {
    services: asArray<Record<string, unknown>>(record.Services).map((s) => ({
      name: String(s.Name),
      displayName: String(s.DisplayName ?? s.Name),
      status: serviceStatusName(s.Status),
      startType: startModeName(s.StartType),
      processId: Number(s.ProcessId ?? 0),
      dependsOn: asArray<string>(s.DependsOn).map(String),
      sharedWith: asArray<string>(s.SharedWith).map(String),
    })),
    workerProcessIds: asArray<number>(record.WorkerProcessIds).map(Number),
  };
}

function checkNames(names: readonly string[]): void {
  if (names.length === 0) throw invalidArgument('No service names were given.');
  for (const n of names) if (!n.trim()) throw invalidArgument('A service name is empty.');
}

/** Asks each service to stop and returns at once (-NoWait). Dependents must already be stopped. */
export function requestServiceStop(names: readonly string[]): PsCommand<void> {
  checkNames(names);
  return {
    purpose: `request stop of ${names.join(', ')}`,
    script: ps`foreach ($name in ${names}) { Stop-Service -Name $name -NoWait }`,
    parse: () => undefined,
  };
}

/**
 * Asks each service to start and returns at once. Start-Service has no -NoWait in 5.1 (docs/sources.md §3.1)
 * and waits forever; ServiceController.Start() "will return before the service is actually started"
 * (PowerShell/PowerShell Service.cs, quoted in docs/sources.md §3.2), so it is the non-blocking equivalent.
 */
export function requestServiceStart(names: readonly string[]): PsCommand<void> {
  checkNames(names);
  return {
    purpose: `request start of ${names.join(', ')}`,
    script: ps`foreach ($name in ${names}) { (Get-Service -Name $name).Start() }`,
    parse: () => undefined,
  };
}
