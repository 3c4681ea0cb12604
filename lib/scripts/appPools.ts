/**
 * Application pool commands (WebAdministration, docs/sources.md §4.1, §7.4):
 * - `readAppPools`: every pool with state, autoStart, startMode, runtime version, pipeline mode,
 *   identity type and worker process ids, plus every site with its applications (to say which
 *   sites/applications each pool serves) and WAS/W3SVC status for the pre-flight: ONE round trip
 *   whatever the number of pools;
 * - `readPoolStates`: state and workers of the named pools, the one status read per poll interval;
 * - `requestPools`: Start/Stop/Restart-WebAppPool over a batch, per-name outcomes (Restart-WebAppPool
 *   recycles: §4.1); none of these cmdlets waits for the new state (§U1);
 * - `setAutoStart`: autoStart through the provider, so a stopped pool stays stopped (§U11).
 *
 * Pools come from `Get-ChildItem IIS:\AppPools` (items carry name and state: §4.1 run-time data;
 * enum attributes such as startMode arrive as strings from the provider: §4.1); workers from
 * `Get-ChildItem IIS:\AppPools\<name>\WorkerProcesses` (processId: §4.1, "PowerShell Snap-in: Run-time data").
 */
import { asArray, objectStateName } from '../powershell/json';
import { ps } from '../powershell/quote';
import type { PsCommand } from './command';
import { hostWaitLoop, HostWait } from './wait';
import { parseSites, READ_SITES, SiteInfo } from './sites';
import { batchRequest, checkNames, CoreServiceState, IMPORT_WEBADMINISTRATION, parseCoreServices, parseOutcomes, READ_CORE_SERVICES, RequestOutcome } from './webadmin';

export interface ServedApplication {
  site: string;
  /** "/" for a site's root application. */
  path: string;
}

export interface AppPoolInfo {
  name: string;
  /** ObjectState name: Starting, Started, Stopping, Stopped, Unknown (docs/sources.md §4.3). */
  state: string;
  autoStart: boolean;
  /** OnDemand or AlwaysRunning (docs/sources.md §7.4). */
  startMode: string;
  /** managedRuntimeVersion: "v4.0", "v2.0" or "" (no managed code). */
  runtimeVersion: string;
  /** Integrated or Classic (docs/sources.md §7.4). */
  pipelineMode: string;
  /** processModel/@identityType: ApplicationPoolIdentity, NetworkService, SpecificUser, ... (docs/sources.md §7.4). */
  identityType: string;
  workerProcessIds: number[];
  /** Sites with at least one application in this pool. */
  sites: string[];
  applications: ServedApplication[];
}

export interface AppPoolInventory {
  services: CoreServiceState[];
  pools: AppPoolInfo[];
  sites: SiteInfo[];
}

/** `$workers` of pool `$name` (an expression of our own code, never user text). */
const READ_WORKERS = ps`@(Get-ChildItem -LiteralPath ('IIS:\\AppPools\\' + $name + '\\WorkerProcesses') | ForEach-Object { [int]$_.processId })`;

export function readAppPools(): PsCommand<AppPoolInventory> {
  return {
    purpose: 'read the IIS application pools',
    script: ps`${IMPORT_WEBADMINISTRATION}
${READ_CORE_SERVICES}
${READ_SITES}
$pools = @(foreach ($p in @(Get-ChildItem -LiteralPath 'IIS:\\AppPools')) {
    $name = [string]$p.name
    $state = [string]$p.state
    $workers = @()
    # Unknown = WAS/W3SVC not running: no worker can exist (docs/sources.md §4.1).
    if ($state -ne 'Unknown') { $workers = ${READ_WORKERS} }
    [pscustomobject]@{
        Name = $name
        State = $state
        AutoStart = [bool]$p.autoStart
        StartMode = [string]$p.startMode
        RuntimeVersion = [string]$p.managedRuntimeVersion
        PipelineMode = [string]$p.managedPipelineMode
        IdentityType = [string]$p.processModel.identityType
        WorkerProcessIds = $workers
    }
})
[pscustomobject]@{ Services = $services; Pools = $pools; Sites = $sites }`,
    parse: parseAppPools,
  };
}

export function parseAppPools(data: unknown): AppPoolInventory {
  const r = (data ?? {}) as Record<string, unknown>;
  const sites = parseSites(r.Sites);
  const served = new Map<string, ServedApplication[]>();
  for (const s of sites) {
    for (const a of s.applications) {
      const key = a.applicationPool.toLowerCase();
      served.set(key, [...(served.get(key) ?? []), { site: s.name, path: a.path }]);
    }
  }
  const pools = asArray<Record<string, unknown>>(r.Pools).map((p): AppPoolInfo => {
    const name = String(p.Name);
    const applications = served.get(name.toLowerCase()) ?? [];
    return {
      name,
      state: objectStateName(p.State),
      autoStart: p.AutoStart === true,
      startMode: String(p.StartMode ?? ''),
      runtimeVersion: String(p.RuntimeVersion ?? ''),
      pipelineMode: String(p.PipelineMode ?? ''),
      identityType: String(p.IdentityType ?? ''),
      workerProcessIds: asArray<number>(p.WorkerProcessIds).map(Number),
      sites: [...new Set(applications.map((a) => a.site))],
      applications,
    };
  });
  return { services: parseCoreServices(r.Services), pools, sites };
}

export interface PoolState {
  name: string;
  exists: boolean;
  state: string;
  workerProcessIds: number[];
}

/**
 * State and workers of the named pools in one round trip. Workers are listed in every state but
 * Unknown: a pool can read Stopped while its w3wp is still shutting down (the file-lock problem,
 * docs/sources.md §U1), and a stop is verified only when none is left.
 */
export function readPoolStates(names: readonly string[]): PsCommand<PoolState[]> {
  checkNames(names, 'application pool');
  return {
    purpose: poolStatesPurpose(names),
    script: ps`${IMPORT_WEBADMINISTRATION}
${POOL_STATES_FUNCTION}
iisctlPoolStates ${[...names]}`,
    parse: parsePoolStates,
  };
}

function poolStatesPurpose(names: readonly string[]): string {
  return `read the state of ${names.length} application pool(s)`;
}

/** `iisctlPoolStates $names`: one PoolState object per name (`$name` and `$workers` as READ_WORKERS expects). */
const POOL_STATES_FUNCTION = ps`function iisctlPoolStates {
    param($names)
    $known = @{}
    foreach ($p in @(Get-ChildItem -LiteralPath 'IIS:\\AppPools')) { $known[[string]$p.name] = [string]$p.state }
    @(foreach ($name in $names) {
        if ($known.ContainsKey($name)) {
            $state = $known[$name]
            $workers = @()
            if ($state -ne 'Unknown') { $workers = ${READ_WORKERS} }
            [pscustomobject]@{ Name = $name; Exists = $true; State = $state; WorkerProcessIds = $workers }
        } else {
            [pscustomobject]@{ Name = $name; Exists = $false; State = 'Unknown'; WorkerProcessIds = @() }
        }
    })
}`;

/** What a pool wait waits for: the state, and which workers must be gone or present. */
export interface PoolTarget {
  name: string;
  state: 'Started' | 'Stopped';
  /** No worker may be left (a stop is done only when its last w3wp has exited, docs/sources.md §U1). */
  noWorkers: boolean;
  /** Workers that must be gone (a recycle's old ones). */
  gone: number[];
  /** At least one worker must run (a recycle that had one: a new one replaced it, §U5). */
  needWorker: boolean;
}

/** Whether a pool's state read back is its target's (the one rule, also run on the host by waitForPools). */
export function poolReached(target: PoolTarget, s: PoolState): boolean {
  if (!s.exists || s.state !== target.state) return false;
  if (target.noWorkers && s.workerProcessIds.length > 0) return false;
  if (target.needWorker && s.workerProcessIds.length === 0) return false;
  return s.workerProcessIds.every((p) => !target.gone.includes(p));
}

/**
 * Waits on the host (scripts/wait.ts) until every pool reached its target (poolReached, the same
 * rule) or the slice is over, then returns the states read last: one round trip per slice. Its
 * purpose is readPoolStates': what comes back is the same.
 */
export function waitForPools(targets: readonly PoolTarget[], wait: HostWait): PsCommand<PoolState[]> {
  const names = targets.map((t) => t.name);
  checkNames(names, 'application pool');
  const read = ps`    $iisctlStates = iisctlPoolStates $iisctlNames
    $done = $true
    foreach ($t in $iisctlTargets) {
        $s = @($iisctlStates | Where-Object { $_.Name -eq $t.Name })
        if ($s.Count -eq 0 -or -not $s[0].Exists -or $s[0].State -ne $t.State) { $done = $false; continue }
        $w = @($s[0].WorkerProcessIds)
        if (($t.NoWorkers -and $w.Count -gt 0) -or ($t.NeedWorker -and $w.Count -eq 0)) { $done = $false }
        foreach ($p in @($t.Gone)) { if ($w -contains $p) { $done = $false } }
    }`;
  return {
    purpose: poolStatesPurpose(names),
    waitsMs: wait.waitMs,
    script: ps`${IMPORT_WEBADMINISTRATION}
${POOL_STATES_FUNCTION}
$iisctlNames = ${names}
$iisctlTargets = ${targets.map((t) => ({ Name: t.name, State: t.state, NoWorkers: t.noWorkers, NeedWorker: t.needWorker, Gone: t.gone }))}
${hostWaitLoop(wait, read)}
$iisctlStates`,
    parse: parsePoolStates,
  };
}

export function parsePoolStates(data: unknown): PoolState[] {
  return asArray<Record<string, unknown>>(data).map((r) => ({
    name: String(r.Name),
    exists: r.Exists === true,
    state: objectStateName(r.State),
    workerProcessIds: asArray<number>(r.WorkerProcessIds).map(Number),
  }));
}

export type PoolAction = 'start' | 'stop' | 'recycle';

/** Asks each pool to start, stop or recycle and returns at once, with per-name outcomes. */
export function requestPools(action: PoolAction, names: readonly string[]): PsCommand<RequestOutcome[]> {
  checkNames(names, 'application pool');
  const call = action === 'start' ? ps`Start-WebAppPool -Name $name` : action === 'stop' ? ps`Stop-WebAppPool -Name $name` : ps`Restart-WebAppPool -Name $name`;
  return { purpose: `request ${action} of application pool(s) ${names.join(', ')}`, script: batchRequest(names, call), parse: parseOutcomes };
}

/** autoStart through the provider (docs/sources.md §4.1 settings; -LiteralPath: a name is never a wildcard). */
export function setAutoStart(names: readonly string[], value: boolean): PsCommand<void> {
  checkNames(names, 'application pool');
  return {
    purpose: `set autoStart=${value} on application pool(s) ${names.join(', ')}`,
    script: ps`${IMPORT_WEBADMINISTRATION}
foreach ($name in ${[...names]}) { Set-ItemProperty -LiteralPath ('IIS:\\AppPools\\' + $name) -Name 'autoStart' -Value ${value} }`,
    parse: () => undefined,
  };
}
