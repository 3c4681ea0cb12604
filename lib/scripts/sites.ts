/**
 * Site commands (WebAdministration, docs/sources.md §4.1): read every site with its bindings,
 * physical path and applications in one round trip; read site states; request start/stop of a
 * batch; set serverAutoStart (so a stopped site stays stopped after a WAS/W3SVC restart or a
 * reboot: docs/sources.md §U11).
 *
 * Site objects come from Get-Website (name, id, state, serverAutoStart, physicalPath,
 * applicationPool, bindings.Collection of protocol/bindingInformation); non-root applications
 * from Get-WebApplication -Site (path, applicationPool). Neither -Name nor -Site takes wildcards
 * (cmdlets.json: "wildcards": false).
 */
import { asArray, objectStateName } from '../powershell/json';
import { ps } from '../powershell/quote';
import type { PsCommand } from './command';
import { hostWaitLoop, HostWait } from './wait';
import { batchRequest, checkNames, CoreServiceState, IMPORT_WEBADMINISTRATION, parseCoreServices, parseOutcomes, READ_CORE_SERVICES, RequestOutcome } from './webadmin';

export interface Binding {
  protocol: string;
  /** "ip:port:host" for http/https, e.g. "*:80:shop.contoso.local". */
  bindingInformation: string;
}

export interface ApplicationInfo {
  /** "/" for the site's root application. */
  path: string;
  applicationPool: string;
}

export interface SiteInfo {
  id: number;
  name: string;
  /** ObjectState name: Starting, Started, Stopping, Stopped, Unknown (docs/sources.md §4.3). */
  state: string;
  serverAutoStart: boolean;
  physicalPath: string;
  bindings: Binding[];
  /** The root application first, then the others. */
  applications: ApplicationInfo[];
  /** Distinct pools used by the site's applications. */
  pools: string[];
}

export interface SiteInventory {
  services: CoreServiceState[];
  sites: SiteInfo[];
}

/** `$sites`: every site with bindings and applications. Shared with the pool inventory. */
export const READ_SITES = ps`$sites = @(foreach ($s in @(Get-Website)) {
    [pscustomobject]@{
        Name = [string]$s.name
        Id = [long]$s.id
        State = [string]$s.state
        ServerAutoStart = [bool]$s.serverAutoStart
        PhysicalPath = [string]$s.physicalPath
        ApplicationPool = [string]$s.applicationPool
        Bindings = @(foreach ($b in @($s.bindings.Collection)) { [pscustomobject]@{ Protocol = [string]$b.protocol; BindingInformation = [string]$b.bindingInformation } })
        Applications = @(foreach ($a in @(Get-WebApplication -Site ([string]$s.name))) { [pscustomobject]@{ Path = [string]$a.path; ApplicationPool = [string]$a.applicationPool } })
    }
})`;

export function readSites(): PsCommand<SiteInventory> {
  return {
    purpose: 'read the IIS sites',
    script: ps`${IMPORT_WEBADMINISTRATION}
${READ_CORE_SERVICES}
${READ_SITES}
[pscustomobject]@{ Services = $services; Sites = $sites }`,
    parse: (data) => {
      const r = (data ?? {}) as Record<string, unknown>;
      return { services: parseCoreServices(r.Services), sites: parseSites(r.Sites) };
    },
  };
}

export function parseSites(raw: unknown): SiteInfo[] {
  return asArray<Record<string, unknown>>(raw).map((s) => {
    const root: ApplicationInfo = { path: '/', applicationPool: String(s.ApplicationPool ?? '') };
    const others = asArray<Record<string, unknown>>(s.Applications)
      .map((a) => ({ path: String(a.Path), applicationPool: String(a.ApplicationPool ?? '') }))
      .filter((a) => a.path !== '/');
    const applications = [root, ...others];
    return {
      id: Number(s.Id),
      name: String(s.Name),
      state: objectStateName(s.State),
      serverAutoStart: s.ServerAutoStart === true,
      physicalPath: String(s.PhysicalPath ?? ''),
      bindings: asArray<Record<string, unknown>>(s.Bindings).map((b) => ({ protocol: String(b.Protocol), bindingInformation: String(b.BindingInformation) })),
      applications,
      pools: [...new Set(applications.map((a) => a.applicationPool).filter((p) => p !== ''))],
    };
  });
}

export interface SiteState {
  name: string;
  exists: boolean;
  state: string;
}

/** The state of the named sites, one round trip (`dir IIS:\Sites` items carry the state, docs/sources.md §4.1). */
export function readSiteStates(names: readonly string[]): PsCommand<SiteState[]> {
  checkNames(names, 'site');
  return {
    purpose: siteStatesPurpose(names),
    script: ps`${IMPORT_WEBADMINISTRATION}
${SITE_STATES_FUNCTION}
iisctlSiteStates ${[...names]}`,
    parse: parseSiteStates,
  };
}

function siteStatesPurpose(names: readonly string[]): string {
  return `read the state of ${names.length} site(s)`;
}

function parseSiteStates(data: unknown): SiteState[] {
  return asArray<Record<string, unknown>>(data).map((r) => ({ name: String(r.Name), exists: r.Exists === true, state: objectStateName(r.State) }));
}

/** `iisctlSiteStates $names`: one SiteState object per name. */
const SITE_STATES_FUNCTION = ps`function iisctlSiteStates {
    param($names)
    $known = @{}
    foreach ($s in @(Get-ChildItem -LiteralPath 'IIS:\\Sites')) { $known[[string]$s.name] = [string]$s.state }
    @(foreach ($name in $names) {
        if ($known.ContainsKey($name)) { [pscustomobject]@{ Name = $name; Exists = $true; State = $known[$name] } }
        else { [pscustomobject]@{ Name = $name; Exists = $false; State = 'Unknown' } }
    })
}`;

/**
 * Waits on the host (scripts/wait.ts) until every named site exists in `state` or the slice is
 * over, then returns the states read last: one round trip per slice. Its purpose is
 * readSiteStates': what comes back is the same.
 */
export function waitForSites(names: readonly string[], state: 'Started' | 'Stopped', wait: HostWait): PsCommand<SiteState[]> {
  checkNames(names, 'site');
  const read = ps`    $iisctlStates = iisctlSiteStates $iisctlNames
    $done = @($iisctlStates | Where-Object { -not $_.Exists -or $_.State -ne ${state} }).Count -eq 0`;
  return {
    purpose: siteStatesPurpose(names),
    waitsMs: wait.waitMs,
    script: ps`${IMPORT_WEBADMINISTRATION}
${SITE_STATES_FUNCTION}
$iisctlNames = ${[...names]}
${hostWaitLoop(wait, read)}
$iisctlStates`,
    parse: parseSiteStates,
  };
}

export type SiteAction = 'start' | 'stop';

/** Asks each site to start or stop; per-name outcomes (Start-Website / Stop-Website, docs/sources.md §4.1). */
export function requestSites(action: SiteAction, names: readonly string[]): PsCommand<RequestOutcome[]> {
  checkNames(names, 'site');
  const call = action === 'start' ? ps`Start-Website -Name $name` : ps`Stop-Website -Name $name`;
  return { purpose: `request ${action} of site(s) ${names.join(', ')}`, script: batchRequest(names, call), parse: parseOutcomes };
}

/** serverAutoStart through the provider (-LiteralPath: a name is never a wildcard). */
export function setServerAutoStart(names: readonly string[], value: boolean): PsCommand<void> {
  checkNames(names, 'site');
  return {
    purpose: `set serverAutoStart=${value} on site(s) ${names.join(', ')}`,
    script: ps`${IMPORT_WEBADMINISTRATION}
foreach ($name in ${[...names]}) { Set-ItemProperty -LiteralPath ('IIS:\\Sites\\' + $name) -Name 'serverAutoStart' -Value ${value} }`,
    parse: () => undefined,
  };
}
