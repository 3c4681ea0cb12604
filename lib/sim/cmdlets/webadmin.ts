/**
 * WebAdministration (docs/sources.md §4.1) and IISAdministration Get-IISAppPool/Get-IISSite (docs/sources.md §4.2).
 *
 * - Cmdlets autoload their module when the machine has it; without it the command does not exist
 *   (CommandNotFoundException, as for any unknown command).
 * - Stop-WebAppPool returns at once; the pool passes through Stopping (machine/pools.ts).
 * - Failures surface the COM error of Microsoft.Web.Administration: "The service has not been
 *   started. (Exception from HRESULT: 0x80070426)" when stopping a stopped pool (docs/sources.md §4.3,
 *   aspnet/IISIntegration#1195; MicrosoftDocs/windows-powershell-docs#348 "An exception is thrown if the apppool is already
 *   stopped") and "...cannot accept control messages at this time. (Exception from HRESULT:
 *   0x80070425)" while Starting/Stopping (docs/sources.md §4.1). Exception type COMException with that HResult.
 *   Assumed (no source found): the FullyQualifiedErrorId form "InvalidOperation,<cmdlet type>" and
 *   that the error is terminating; the "Cannot find path" wording for unknown pools/sites.
 */
import type { CmdletCall, CmdletImpl } from '../interp/types';
import { formatHresult, SimFault, type PoolView, type SiteView, type SimMachine, parseTimeSpan } from '../machine';
import { PsEnum, PsObject, type PsValue, toStr } from '../values';
import { hostOf } from './simhost';
import { chain, commandNotFound, dotnetObject, errorWith, likeAny, localDate, only, strings } from './common';
import { ensureModule } from './modules';

const COM = 'System.Runtime.InteropServices.COMException';

/** Guards a WebAdministration/IISAdministration cmdlet: loads its module or "not recognized". */
export function inModule(module: string, impl: CmdletImpl): CmdletImpl {
  return async (call) => {
    if (!(await ensureModule(call, module))) commandNotFound(call);
    return impl(call);
  };
}

/** System.TimeSpan as PowerShell shows it (ConvertTo-Json 5.1 emits these properties). */
export function timeSpan(text: string): PsValue {
  const ms = parseTimeSpan(text) ?? 0;
  const ticks = ms * 10000;
  const sign = ms < 0 ? -1 : 1;
  const a = Math.abs(ms);
  const part = (x: number) => sign * x;
  return dotnetObject(['System.TimeSpan', 'System.ValueType'], [
    ['Ticks', ticks],
    ['Days', part(Math.floor(a / 86400000))],
    ['Hours', part(Math.floor(a / 3600000) % 24)],
    ['Milliseconds', part(a % 1000)],
    ['Minutes', part(Math.floor(a / 60000) % 60)],
    ['Seconds', part(Math.floor(a / 1000) % 60)],
    ['TotalDays', ms / 86400000],
    ['TotalHours', ms / 3600000],
    ['TotalMilliseconds', ms],
    ['TotalMinutes', ms / 60000],
    ['TotalSeconds', ms / 1000],
  ], () => text);
}

/** A configuration element: TimeSpan-looking attributes become TimeSpans, enums stay strings (docs/sources.md §4.1). */
function element(typeName: string, attrs: object): PsObject {
  const props: Array<[string, PsValue]> = Object.entries(attrs).map(([k, v]) => {
    if (typeof v === 'string' && /^(\d+\.)?\d{2}:\d{2}:\d{2}$/.test(v)) return [k, timeSpan(v)];
    if (v && typeof v === 'object' && !Array.isArray(v)) return [k, element('Microsoft.IIs.PowerShell.Framework.ConfigurationElement', v)];
    return [k, v as PsValue];
  });
  return dotnetObject([typeName], props);
}

export function poolObject(p: PoolView, computer: string): PsObject {
  const o = element('Microsoft.IIs.PowerShell.Framework.ConfigurationElement', {
    name: p.name,
    queueLength: p.queueLength,
    autoStart: p.autoStart,
    enable32BitAppOnWin64: p.enable32BitAppOnWin64,
    managedRuntimeVersion: p.managedRuntimeVersion,
    managedRuntimeLoader: 'webengine4.dll',
    enableConfigurationOverride: true,
    managedPipelineMode: p.managedPipelineMode,
    CLRConfigFile: '',
    passAnonymousToken: true,
    startMode: p.startMode,
    state: p.stateName,
    applicationPoolSid: null,
    processModel: p.processModel,
    recycling: p.recycling,
    failure: p.failure,
    cpu: p.cpu,
  });
  addPsPath(o, `IIS:\\AppPools\\${p.name}`, 'AppPools', p.name, computer);
  o.addNote('ItemXPath', `/system.applicationHost/applicationPools/add[@name='${p.name}']`);
  return o;
}

export function siteObject(s: SiteView, computer: string): PsObject {
  const bindings = dotnetObject(['Microsoft.IIs.PowerShell.Framework.ConfigurationElement'], [
    ['Collection', s.bindings.map((b) => dotnetObject(['Microsoft.IIs.PowerShell.Framework.ConfigurationElement'], [['protocol', b.protocol], ['bindingInformation', b.bindingInformation], ['sslFlags', 0]]))],
  ]);
  const o = dotnetObject(['Microsoft.IIs.PowerShell.Framework.ConfigurationElement'], [
    ['name', s.name],
    ['id', s.id],
    ['serverAutoStart', s.serverAutoStart],
    ['state', s.stateName],
    ['bindings', bindings],
    ['applicationPool', s.applicationPool],
    ['physicalPath', s.physicalPath],
  ]);
  addPsPath(o, `IIS:\\Sites\\${s.name}`, 'Sites', s.name, computer);
  return o;
}

export function workerObject(w: { processId: number; startTime: number }, pool: string): PsObject {
  return dotnetObject(['Microsoft.IIs.PowerShell.Framework.ConfigurationElement'], [
    ['processId', w.processId],
    ['Handles', 0],
    ['state', 'Running'],
    ['StartTime', localDate(w.startTime)],
    ['appPoolName', pool],
  ]);
}

function addPsPath(o: PsObject, path: string, parent: string, child: string, _computer: string): void {
  o.addNote('PSPath', `WebAdministration::\\\\${_computer}\\${parent}\\${child}`);
  o.addNote('PSParentPath', `WebAdministration::\\\\${_computer}\\${parent}`);
  o.addNote('PSChildName', child);
  o.addNote('PSDrive', 'IIS');
  o.addNote('PSProvider', 'WebAdministration');
  o.addNote('PSIsContainer', true);
  o.native = { iisPath: path };
}

/**
 * Reads of the IIS configuration (applicationHost.config, through redirection.config), of the
 * worker processes and of the configuration backups: only Administrators may read them (the
 * config folder's ACL; an unelevated token is not one). A non-administrator gets what
 * Microsoft.Web.Administration throws, "Filename: redirection.config / Error: Cannot read
 * configuration file due to insufficient permissions" (public reports: GeorgeSchiro/GetCert2#11,
 * microsoft/azure-pipelines-tasks#12980), E_ACCESSDENIED 0x80070005, which COM interop surfaces as
 * System.UnauthorizedAccessException (Microsoft Learn, "How to: Map HRESULTs and Exceptions").
 * Assumed: the FullyQualifiedErrorId and category WebAdministration puts on it.
 */
export async function readIisConfig<T>(call: CmdletCall, read: (m: SimMachine) => T): Promise<T> {
  const r = await hostOf(call).use((m) => (m.isAdministrator ? { ok: true as const, value: read(m) } : { ok: false as const }));
  if (r.ok) return r.value;
  return call.ctx.throwTerminating(errorWith(
    chain({ type: 'System.UnauthorizedAccessException', message: 'Filename: redirection.config\r\nError: Cannot read configuration file due to insufficient permissions\r\n\r\n', hresult: 0x80070005 | 0 }),
    `System.UnauthorizedAccessException,${call.ctx.cmdletTypeName}`, 'NotSpecified',
  ));
}

/** SimFault -> the error WebAdministration reports. */
export function iisError(call: CmdletCall, e: SimFault, kind: 'AppPools' | 'Sites', name: string): never {
  if (e.kind === 'NotFound') {
    return call.ctx.throwTerminating(errorWith(chain({ type: 'System.Management.Automation.ItemNotFoundException', message: `Cannot find path 'IIS:\\${kind}\\${name}' because it does not exist.` }),
      `PathNotFound,${call.ctx.cmdletTypeName}`, 'ObjectNotFound', `IIS:\\${kind}\\${name}`));
  }
  const hr = e.hresult ?? 0x80004005;
  const message = `${e.message} (Exception from HRESULT: ${formatHresult(hr)})`;
  return call.ctx.throwTerminating(errorWith(chain({ type: COM, message, hresult: hr | 0 }),
    `InvalidOperation,${call.ctx.cmdletTypeName}`, e.kind === 'AccessDenied' ? 'PermissionDenied' : 'InvalidOperation', name));
}

function nameParam(call: CmdletCall): string | undefined {
  if (call.params.has('Name')) return toStr(call.params.get('Name') ?? null);
  const v = call.input[0];
  if (v instanceof PsObject) return toStr(v.getProperty('name') ?? null);
  return undefined;
}

async function pools(call: CmdletCall, name?: string): Promise<PoolView[]> {
  const all = await readIisConfig(call, (m) => m.pools());
  if (name === undefined) return all;
  const hit = all.filter((p) => p.name.toLowerCase() === name.toLowerCase());
  if (!hit.length) iisError(call, new SimFault({ kind: 'NotFound', message: '', computer: '' }), 'AppPools', name);
  return hit;
}
async function sites(call: CmdletCall, name?: string): Promise<SiteView[]> {
  const all = await readIisConfig(call, (m) => m.sites());
  if (name === undefined) return all;
  const hit = all.filter((p) => p.name.toLowerCase() === name.toLowerCase());
  if (!hit.length) iisError(call, new SimFault({ kind: 'NotFound', message: '', computer: '' }), 'Sites', name);
  return hit;
}

function stateValue(state: string): PsValue {
  return PsObject.custom([['Value', state]]);
}

async function computerOf(call: CmdletCall): Promise<string> {
  return hostOf(call).use((m) => m.name);
}

const getWebAppPoolState: CmdletImpl = async (call) => {
  only(call, ['Name']);
  return (await pools(call, nameParam(call))).map((p) => stateValue(p.stateName));
};
const getWebsiteState: CmdletImpl = async (call) => {
  only(call, ['Name']);
  return (await sites(call, nameParam(call))).map((s) => stateValue(s.stateName));
};

type PoolAction = 'start' | 'stop' | 'recycle';
function poolAction(action: PoolAction, passthru: boolean): CmdletImpl {
  return async (call) => {
    only(call, passthru ? ['Name', 'Passthru'] : ['Name']);
    const name = nameParam(call);
    const host = hostOf(call);
    const targets = await pools(call, name);
    const out: PsValue[] = [];
    for (const p of targets) {
      if (call.ctx.whatIf) continue;
      try {
        await host.use((m) => (action === 'start' ? m.requestPoolStart(p.name) : action === 'stop' ? m.requestPoolStop(p.name) : m.requestPoolRecycle(p.name)));
      } catch (e) {
        if (e instanceof SimFault) iisError(call, e, 'AppPools', p.name);
        throw e;
      }
      if (call.params.get('Passthru') === true) out.push(poolObject((await pools(call, p.name))[0], await computerOf(call)));
    }
    return out;
  };
}

function siteAction(action: 'start' | 'stop'): CmdletImpl {
  return async (call) => {
    only(call, ['Name', 'Passthru']);
    const host = hostOf(call);
    const out: PsValue[] = [];
    for (const s of await sites(call, nameParam(call))) {
      try {
        await host.use((m) => (action === 'start' ? m.requestSiteStart(s.name) : m.requestSiteStop(s.name)));
      } catch (e) {
        if (e instanceof SimFault) iisError(call, e, 'Sites', s.name);
        throw e;
      }
      if (call.params.get('Passthru') === true) out.push(siteObject((await sites(call, s.name))[0], await computerOf(call)));
    }
    return out;
  };
}

const getWebsite: CmdletImpl = async (call) => {
  only(call, ['Name']);
  const c = await computerOf(call);
  return (await sites(call, nameParam(call))).map((s) => siteObject(s, c));
};

const getWebBinding: CmdletImpl = async (call) => {
  only(call, ['Name', 'Protocol', 'Port']);
  const out: PsValue[] = [];
  const protocol = call.params.has('Protocol') ? toStr(call.params.get('Protocol') ?? null).toLowerCase() : undefined;
  const port = call.params.has('Port') ? toStr(call.params.get('Port') ?? null) : undefined;
  for (const s of await sites(call, call.params.has('Name') ? toStr(call.params.get('Name') ?? null) : undefined)) {
    for (const b of s.bindings) {
      if (protocol && b.protocol.toLowerCase() !== protocol) continue;
      if (port && b.bindingInformation.split(':')[1] !== port) continue;
      const o = dotnetObject(['Microsoft.IIs.PowerShell.Framework.ConfigurationElement'], [['protocol', b.protocol], ['bindingInformation', b.bindingInformation], ['sslFlags', 0]]);
      o.addNote('ItemXPath', `/system.applicationHost/sites/site[@name='${s.name}' and @id='${s.id}']`);
      out.push(o);
    }
  }
  return out;
};

const getWebApplication: CmdletImpl = async (call) => {
  only(call, ['Name', 'Site']);
  const names = strings(call.params.get('Name'));
  const out: PsValue[] = [];
  for (const s of await sites(call, call.params.has('Site') ? toStr(call.params.get('Site') ?? null) : undefined)) {
    for (const a of s.applications.filter((x) => x.path !== '/')) {
      if (names.length && !likeAny(a.path.replace(/^\//, ''), names)) continue;
      const o = dotnetObject(['Microsoft.IIs.PowerShell.Framework.ConfigurationElement'], [['path', a.path], ['applicationPool', a.applicationPool], ['enabledProtocols', 'http'], ['physicalPath', a.physicalPath]]);
      o.addNote('ItemXPath', `/system.applicationHost/sites/site[@name='${s.name}' and @id='${s.id}']/application[@path='${a.path}']`);
      out.push(o);
    }
  }
  return out;
};

/** ObjectState (docs/sources.md §4.3) for IISAdministration objects: an enum, an integer in 5.1 JSON. */
function objectState(name: string, value: number): PsEnum {
  return new PsEnum('Microsoft.Web.Administration.ObjectState', name, value);
}

const getIISAppPool: CmdletImpl = async (call) => {
  only(call, ['Name']);
  const names = strings(call.params.get('Name'));
  return (await pools(call)).filter((p) => !names.length || likeAny(p.name, names)).map((p) => dotnetObject(['Microsoft.Web.Administration.ApplicationPool'], [
    ['Name', p.name],
    ['State', objectState(p.stateName, p.state)],
    ['AutoStart', p.autoStart],
    ['ManagedRuntimeVersion', p.managedRuntimeVersion],
    ['ManagedPipelineMode', new PsEnum('Microsoft.Web.Administration.ManagedPipelineMode', p.managedPipelineMode, p.managedPipelineMode === 'Integrated' ? 0 : 1)],
    ['StartMode', new PsEnum('Microsoft.Web.Administration.StartMode', p.startMode, p.startMode === 'OnDemand' ? 0 : 1)],
    ['QueueLength', p.queueLength],
    ['WorkerProcesses', p.workerProcesses.map((w) => dotnetObject(['Microsoft.Web.Administration.WorkerProcess'], [['ProcessId', w.processId], ['AppPoolName', p.name]]))],
  ], () => p.name));
};

const getIISSite: CmdletImpl = async (call) => {
  only(call, ['Name']);
  const names = strings(call.params.get('Name'));
  return (await sites(call)).filter((s) => !names.length || likeAny(s.name, names)).map((s) => dotnetObject(['Microsoft.Web.Administration.Site'], [
    ['Name', s.name],
    ['Id', s.id],
    ['State', objectState(s.stateName, s.state)],
    ['ServerAutoStart', s.serverAutoStart],
    ['Bindings', s.bindings.map((b) => dotnetObject(['Microsoft.Web.Administration.Binding'], [['Protocol', b.protocol], ['BindingInformation', b.bindingInformation]]))],
  ], () => s.name));
};

/**
 * Backup-/Restore-WebConfiguration, Get-WebConfigurationBackup: backups persist in the machine state
 * (every later host process sees them) and hold the application pools' configuration, which a
 * restore puts back. Objects: Name, CreationDate (assumed shape). Backup and restore need an
 * administrator (they write under %windir%\system32\inetsrv). A restore of an unknown name: the
 * ItemNotFoundException below (text assumed); a backup name that exists is replaced (assumed).
 */
function backupObject(name: string, at: number): PsValue {
  return dotnetObject(['Microsoft.IIs.PowerShell.Framework.ConfigurationBackup'], [['Name', name], ['CreationDate', localDate(at)]], () => name);
}
function backupFault(call: CmdletCall, e: unknown, name: string): never {
  if (e instanceof SimFault) iisError(call, e, 'AppPools', name);
  throw e;
}
const backupWebConfiguration: CmdletImpl = async (call) => {
  only(call, ['Name']);
  const name = toStr(call.params.get('Name') ?? null);
  try {
    const b = await hostOf(call).use((m) => m.addConfigBackup(name));
    return [backupObject(b.name, b.createdAt)];
  } catch (e) {
    return backupFault(call, e, name);
  }
};
const getWebConfigurationBackup: CmdletImpl = async (call) => {
  only(call, ['Name']);
  const names = strings(call.params.get('Name'));
  const all = await readIisConfig(call, (m) => m.configBackups());
  return all.filter((b) => !names.length || likeAny(b.name, names)).map((b) => backupObject(b.name, b.createdAt));
};
const restoreWebConfiguration: CmdletImpl = async (call) => {
  only(call, ['Name']);
  const name = toStr(call.params.get('Name') ?? null);
  if (call.ctx.whatIf) return [];
  let found = false;
  try {
    found = await hostOf(call).use((m) => m.restoreConfigBackup(name));
  } catch (e) {
    backupFault(call, e, name);
  }
  if (!found) {
    call.ctx.throwTerminating(errorWith(chain({ type: 'System.Management.Automation.ItemNotFoundException', message: `Backup '${name}' does not exist.` }),
      `PathNotFound,${call.ctx.cmdletTypeName}`, 'ObjectNotFound', name)); // assumed text
  }
  return [];
};

const W = 'WebAdministration';
const I = 'IISAdministration';
export const webAdminCmdlets: Array<[string, CmdletImpl]> = [
  ['Get-WebAppPoolState', inModule(W, getWebAppPoolState)],
  ['Start-WebAppPool', inModule(W, poolAction('start', true))],
  ['Stop-WebAppPool', inModule(W, poolAction('stop', true))],
  ['Restart-WebAppPool', inModule(W, poolAction('recycle', false))],
  ['Get-Website', inModule(W, getWebsite)],
  ['Start-Website', inModule(W, siteAction('start'))],
  ['Stop-Website', inModule(W, siteAction('stop'))],
  ['Get-WebsiteState', inModule(W, getWebsiteState)],
  ['Get-WebBinding', inModule(W, getWebBinding)],
  ['Get-WebApplication', inModule(W, getWebApplication)],
  ['Backup-WebConfiguration', inModule(W, backupWebConfiguration)],
  ['Get-WebConfigurationBackup', inModule(W, getWebConfigurationBackup)],
  ['Restore-WebConfiguration', inModule(W, restoreWebConfiguration)],
  ['Get-IISAppPool', inModule(I, getIISAppPool)],
  ['Get-IISSite', inModule(I, getIISSite)],
];
