/**
 * What the pool and site commands share: loading WebAdministration, the WAS/W3SVC pre-flight
 * fragment, and batched requests that report per name instead of stopping at the first failure.
 *
 * WebAdministration (docs/sources.md §4.1): the IIS:\ drive exists only after
 * `Import-Module WebAdministration` (§4.1, §U17). -Name of the
 * Start/Stop/Restart-WebAppPool and Start/Stop-Website cmdlets takes no wildcards (§4.1), and
 * provider paths are always given as -LiteralPath, so `[`, `]`, `*` and `?` in a real name stay
 * literal (docs/sources.md §U7).
 */
import { invalidArgument } from '../errors';
import { asArray, serviceStatusName } from '../powershell/json';
import { ps, PsCode } from '../powershell/quote';

/**
 * Once per session: Import-Module called from a script block imports into the global session state
 * (-Scope, https://learn.microsoft.com/powershell/module/microsoft.powershell.core/import-module),
 * so the next call of the same session finds it with Get-Module and skips the import; a repeated
 * Import-Module of a loaded module is not free (pwsh 7: ~60 ms against ~2 ms for the check, on a
 * busy machine). A new session (a restarted process, a remote call) imports it again.
 */
export const IMPORT_WEBADMINISTRATION = ps`if (-not (Get-Module -Name WebAdministration)) { Import-Module WebAdministration }`;

/** WAS and W3SVC: pools and sites only have a state while both run (docs/sources.md §4.1: state Unknown otherwise). */
export const CORE_SERVICES = ['WAS', 'W3SVC'] as const;

/** `$services`: name, display name and status of WAS and W3SVC (Status as a string: 5.1 sends enums as integers, docs/sources.md §3.5). */
export const READ_CORE_SERVICES = ps`$services = @(Get-Service -Name ${[...CORE_SERVICES]} -ErrorAction SilentlyContinue | ForEach-Object {
    [pscustomobject]@{ Name = [string]$_.Name; DisplayName = [string]$_.DisplayName; Status = [string]$_.Status }
})`;

export interface CoreServiceState {
  name: string;
  displayName: string;
  status: string;
}

export function parseCoreServices(raw: unknown): CoreServiceState[] {
  return asArray<Record<string, unknown>>(raw).map((s) => ({
    name: String(s.Name),
    displayName: String(s.DisplayName ?? s.Name),
    status: serviceStatusName(s.Status),
  }));
}

/** The outcome of one request in a batch. */
export interface RequestOutcome {
  name: string;
  ok: boolean;
  /** Exception HResult (signed 32-bit) when the request failed. */
  hresult?: number;
  message?: string;
  errorId?: string;
  category?: string;
}

/**
 * `foreach ($name in names) { try { <action> } catch { record } }`: every name gets a request even
 * when one fails, and the failures come back with their HResult for classification in TypeScript.
 * `action` uses `$name`; it is a constant of our code, never user text.
 */
export function batchRequest(names: readonly string[], action: PsCode): PsCode {
  return ps`${IMPORT_WEBADMINISTRATION}
@(foreach ($name in ${[...names]}) {
    try {
        ${action}
        [pscustomobject]@{ Name = $name; Ok = $true }
    } catch {
        [pscustomobject]@{ Name = $name; Ok = $false; HResult = [int]$_.Exception.HResult; Message = [string]$_.Exception.Message; ErrorId = [string]$_.FullyQualifiedErrorId; Category = [string]$_.CategoryInfo.Category }
    }
})`;
}

export function parseOutcomes(data: unknown): RequestOutcome[] {
  return asArray<Record<string, unknown>>(data).map((r) => ({
    name: String(r.Name),
    ok: r.Ok === true,
    hresult: typeof r.HResult === 'number' ? r.HResult : undefined,
    message: typeof r.Message === 'string' ? r.Message : undefined,
    errorId: typeof r.ErrorId === 'string' ? r.ErrorId : undefined,
    category: typeof r.Category === 'string' ? r.Category : undefined,
  }));
}

/** HRESULTs of pool/site control (docs/sources.md §4.1, §4.3), as .NET reports them (signed). */
export const HRESULTS = {
  /** "The service cannot accept control messages at this time." while Starting/Stopping: retry. */
  cannotAcceptControl: 0x80070425 | 0,
  /** "The object identifier does not represent a valid object." right after a change: retry. */
  objectNotValid: 0x800710d8 | 0,
  /** "The service has not been started." Stop of a stopped pool, recycle of a stopped pool. */
  notActive: 0x80070426 | 0,
};

export function isTransientOutcome(o: RequestOutcome): boolean {
  return !o.ok && (o.hresult === HRESULTS.cannotAcceptControl || o.hresult === HRESULTS.objectNotValid);
}

export function checkNames(names: readonly string[], what: string): void {
  if (names.length === 0) throw invalidArgument(`No ${what} names were given.`);
  for (const n of names) if (!n.trim()) throw invalidArgument(`An ${what} name is empty.`);
}
