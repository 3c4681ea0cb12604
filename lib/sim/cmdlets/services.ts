/**
 * Get-Service, Stop-/Start-/Restart-/Set-Service and Get-CimInstance Win32_Service.
 *
 * Sources: docs/sources.md §3.1 syntax, §3.2 waiting (PowerShell/PowerShell Service.cs: 2-second
 * WaitForStatus slices, warning per slice, no overall timeout), §3.3 message templates
 * (ServiceResources.resx), §3.4 enums, §3.6 Win32_Service. Error shapes from public 5.1 transcripts:
 * - PSAppDeployToolkit/PSAppDeployToolkit#197: "Service 'McAfee McShield (McShield)' cannot be
 *   stopped due to the following error: Cannot open McShield service on computer '...'." with
 *   InnerException InvalidOperationException -> Win32Exception "Access is denied" (no final period),
 *   FullyQualifiedErrorId CouldNotStopService,Microsoft.PowerShell.Commands.StopServiceCommand;
 * - farag2/Adobe-Acrobat-DC-Setup#2: the same with computer '.', CategoryInfo CloseError, ServiceCommandException;
 * - aws/amazon-cloudwatch-agent#219: "Service '... (...)' stop failed." OpenError, StopServiceFailed;
 * - winsw/winsw#850: .NET's "Cannot stop X service on computer '.'." for a failed ControlService.
 *
 * HResult (documented decision): the record's exception is ServiceCommandException (a
 * SystemException, HResult 0x80131501); the Win32 code sits two levels down in a Win32Exception,
 * whose HResult in .NET Framework is E_FAIL (0x80004005), not 0x8007xxxx. So `$_.Exception.HResult`
 * does NOT show 0x80070425 for Stop-Service, exactly as on Windows; callers recognise
 * cannot-accept-control by the innermost message. (WebAdministration errors do carry 0x80070425.)
 */
import type { CmdletCall, CmdletImpl } from '../interp/types';
import { parseTimeSpan, ServiceControllerStatus, ServiceStartMode, SimFault, type ServiceView, type StartTypeName } from '../machine';
import { MethodFailure } from '../interp/dotnet';
import type { PsExceptionInfo } from '../errors';
import { PsEnum, PsObject, type PsValue, toStr } from '../values';
import { hostOf, type SimHost } from './simhost';
import { currentConnections } from './remoting';
import { chain, dotnetObject, errorWith, hasWildcard, inputItems, likeAny, notImplemented, only, prop, strings } from './common';

const SVC_TYPES = ['System.ServiceProcess.ServiceController', 'System.ComponentModel.Component', 'System.MarshalByRefObject'];
const SCE = 'Microsoft.PowerShell.Commands.ServiceCommandException';
const IOE = 'System.InvalidOperationException';
const W32 = 'System.ComponentModel.Win32Exception';
/** Win32Exception.HResult in .NET Framework: E_FAIL. */
const E_FAIL = -2147467259;
/** Services polled this often while a cmdlet waits (the 2-second slices are kept for warnings). */
const POLL_MS = 100;
const SLICE_MS = 2000;

type Snapshot = Map<string, ServiceView>;

export function statusEnum(name: keyof typeof ServiceControllerStatus): PsEnum {
  return new PsEnum('System.ServiceProcess.ServiceControllerStatus', name, ServiceControllerStatus[name]);
}
function startTypeEnum(name: StartTypeName): PsEnum {
  return new PsEnum('System.ServiceProcess.ServiceStartMode', name, ServiceStartMode[name]);
}

/**
 * A ServiceController. Property order follows 5.1's ConvertTo-Json of Get-Service output: the ETS
 * aliases Name and RequiredServices first, then the .NET properties (assumed from public 5.1
 * dumps). Related services are built lazily from the same snapshot (they nest without end).
 */
export function serviceController(v: ServiceView, snap: Snapshot, machineName = '.', givenName?: string, host?: SimHost): PsObject {
  const rel = (names: string[]) => () => names.map((n) => snap.get(n.toLowerCase())).filter((x): x is ServiceView => !!x).map((x) => serviceController(x, snap, machineName, undefined, host));
  let cur = v;
  const o = dotnetObject(SVC_TYPES, [
    ['Name', givenName ?? v.name],
    ['RequiredServices', rel(v.servicesDependedOn)],
    ['CanPauseAndContinue', false],
    ['CanShutdown', () => cur.canStop],
    ['CanStop', () => cur.canStop],
    ['DisplayName', v.displayName],
    ['DependentServices', rel(v.dependentServices)],
    ['MachineName', machineName],
    ['ServiceName', givenName ?? v.name],
    ['ServicesDependedOn', rel(v.servicesDependedOn)],
    // SafeServiceHandle (assumed rendering: only its two public properties).
    ['ServiceHandle', () => dotnetObject(['Microsoft.Win32.SafeHandles.SafeServiceHandle'], [['IsInvalid', false], ['IsClosed', false]])],
    ['Status', () => statusEnum(cur.statusName)],
    ['ServiceType', new PsEnum('System.ServiceProcess.ServiceType', v.serviceType, v.serviceType === 'Win32OwnProcess' ? 16 : 32)],
    ['StartType', () => startTypeEnum(cur.startTypeName)],
    ['Site', null],
    ['Container', null],
  ], () => 'System.ServiceProcess.ServiceController');
  if (host) addControllerMethods(o, host, givenName ?? v.name, () => cur, (next) => (cur = next));
  o.native = { service: v.name, machineName };
  return o;
}

/**
 * ServiceController methods (System.ServiceProcess): Start()/Stop() only send the request
 * ("ServiceController.Start will return before the service is actually started", docs/sources.md §3.2), Stop()
 * also stops dependents (.NET docs: "Stops this service and any services that are dependent on
 * this service"); failures are .NET's InvalidOperationException texts (see the file header);
 * WaitForStatus times out with System.ServiceProcess.TimeoutException "Time out has expired and the
 * operation has not been completed." (.NET resource text, as recalled).
 */
function addControllerMethods(o: PsObject, host: SimHost, shown: string, get: () => ServiceView, set: (v: ServiceView) => void): void {
  const name = get().name;
  const send = async (op: Op) => {
    try {
      await host.use((m) => (op === 'start' ? m.requestStart(name) : m.requestStop(name, { force: true })));
    } catch (e) {
      if (!(e instanceof SimFault)) throw e;
      // .NET: InvalidOperationException with the Win32Exception of the failed SCM call inside.
      throw new MethodFailure(dotnetText(op, { view: get(), shown }, e), IOE, win32Exception(e));
    }
    return null;
  };
  o.addMethod('Start', () => send('start'));
  o.addMethod('Stop', () => send('stop'));
  o.addMethod('Refresh', async () => {
    set(await host.use((m) => m.requireService(name)));
    return null;
  });
  o.addMethod('WaitForStatus', async (args) => {
    const want = toStr(args[0] ?? null).toLowerCase();
    const t = args[1];
    const limit = t === undefined ? Infinity : t instanceof PsObject && t.hasProperty('TotalMilliseconds') ? Number(t.getProperty('TotalMilliseconds')) : parseTimeSpan(toStr(t ?? null)) ?? Infinity;
    const end = host.now() + limit;
    for (;;) {
      const v = await host.use((m) => m.requireService(name));
      set(v);
      if (v.statusName.toLowerCase() === want) return null;
      if (host.now() >= end) throw new MethodFailure('Time out has expired and the operation has not been completed.', 'System.ServiceProcess.TimeoutException');
      await host.sleep(Math.min(POLL_MS, Math.max(1, end - host.now())));
    }
  });
}

async function snapshot(host: SimHost): Promise<Snapshot> {
  return host.use((m) => new Map(m.services().map((s) => [s.name.toLowerCase(), s])));
}

function serviceNameOf(v: PsValue): string | undefined {
  if (v instanceof PsObject && v.typeName === SVC_TYPES[0]) return toStr(prop(v, 'ServiceName') ?? null);
  return undefined;
}

function notFoundByName(call: CmdletCall, name: string): void {
  // docs/sources.md §3.3 NoServiceFoundForGivenName, category ObjectNotFound.
  call.ctx.writeError(errorWith(chain({ type: SCE, message: `Cannot find any service with service name '${name}'.` }),
    `NoServiceFoundForGivenName,${call.ctx.cmdletTypeName}`, 'ObjectNotFound', name));
}
function notFoundByDisplayName(call: CmdletCall, name: string): void {
  call.ctx.writeError(errorWith(chain({ type: SCE, message: `Cannot find any service with display name '${name}'.` }),
    `NoServiceFoundForGivenDisplayName,${call.ctx.cmdletTypeName}`, 'ObjectNotFound', name));
}

interface Target {
  view: ServiceView;
  /** The name as the caller spelled it (shown in messages, docs/sources.md §3.2). */
  shown: string;
}

/**
 * Services selected by -Name / -DisplayName / -InputObject / pipeline input, with -Include/-Exclude.
 * A literal -Name also matches a display name: .NET's ServiceController(name) tries both.
 */
function selectServices(call: CmdletCall, snap: Snapshot, allWhenNone: boolean): Target[] {
  const all = [...snap.values()].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
  const out: Target[] = [];
  const add = (v: ServiceView, shown = v.name) => {
    if (!out.some((t) => t.view.name === v.name)) out.push({ view: v, shown });
  };
  const byName = (n: string) => {
    if (hasWildcard(n)) {
      all.filter((s) => likeAny(s.name, [n])).forEach((s) => add(s));
      return;
    }
    const v = snap.get(n.toLowerCase()) ?? all.find((s) => s.displayName.toLowerCase() === n.toLowerCase());
    if (v) add(v, snap.has(n.toLowerCase()) ? n : v.name);
    else notFoundByName(call, n);
  };
  const names = strings(call.params.get('Name'));
  const displayNames = strings(call.params.get('DisplayName'));
  let any = false;
  for (const n of names) (any = true), byName(n);
  for (const d of displayNames) {
    any = true;
    const hits = all.filter((s) => likeAny(s.displayName, [d]));
    if (hits.length === 0 && !hasWildcard(d)) notFoundByDisplayName(call, d);
    hits.forEach((s) => add(s));
  }
  for (const item of call.params.has('InputObject') && !call.hasInput ? inputItems(call) : []) {
    any = true;
    const n = serviceNameOf(item);
    if (n) byName(n);
  }
  if (call.hasInput && !names.length) {
    for (const item of call.input) {
      any = true;
      const n = serviceNameOf(item) ?? (typeof item === 'string' ? item : toStr(prop(item, 'Name') ?? prop(item, 'ServiceName') ?? null));
      if (n) byName(n);
    }
  }
  if (!any && allWhenNone) all.forEach((s) => add(s));
  const include = strings(call.params.get('Include'));
  const exclude = strings(call.params.get('Exclude'));
  return out.filter((t) => (!include.length || likeAny(t.view.name, include)) && !likeAny(t.view.name, exclude));
}

function checkComputerName(call: CmdletCall): void {
  for (const c of strings(call.params.get('ComputerName'))) {
    if (!['.', 'localhost', '127.0.0.1', ''].includes(c.toLowerCase())) notImplemented(call, `-ComputerName ${c} (use Invoke-Command)`);
  }
}

const getService: CmdletImpl = async (call) => {
  only(call, ['Name', 'DisplayName', 'InputObject', 'DependentServices', 'RequiredServices', 'Include', 'Exclude', 'ComputerName']);
  checkComputerName(call);
  const snap = await snapshot(hostOf(call));
  const targets = selectServices(call, snap, true);
  const deps = call.params.get('DependentServices') === true;
  const reqs = call.params.get('RequiredServices') === true;
  const out: PsValue[] = [];
  for (const t of targets) {
    const sc = serviceController(t.view, snap, '.', t.shown, hostOf(call));
    if (!deps && !reqs) out.push(sc);
    if (deps) out.push(...(prop(sc, 'DependentServices') as PsValue[]));
    if (reqs) out.push(...(prop(sc, 'ServicesDependedOn') as PsValue[]));
  }
  return out;
};

// ---- control -------------------------------------------------------------------------------

type Op = 'stop' | 'start';

function label(t: Target): string {
  return `${t.view.displayName} (${t.shown})`;
}

/** The Win32Exception under a failed ServiceController call: its text and NativeErrorCode. */
function win32Exception(fault: SimFault): PsExceptionInfo {
  return chain({ type: W32, message: fault.message.replace(/\.$/, ''), hresult: E_FAIL, nativeErrorCode: fault.win32Code });
}

/** The .NET InvalidOperationException text of a failed ServiceController call. */
function dotnetText(op: Op, t: Target, fault: SimFault): string {
  // Access denied fails at OpenService: "Cannot open X service on computer '.'." (transcripts above).
  if (fault.kind === 'AccessDenied') return `Cannot open ${t.shown} service on computer '.'.`;
  return op === 'stop' ? `Cannot stop ${t.shown} service on computer '.'.` : `Cannot start service ${t.shown} on computer '.'.`;
}

function controlError(call: CmdletCall, op: Op, t: Target, fault: SimFault, sc: PsValue): void {
  const w32 = fault.message.replace(/\.$/, ''); // Win32Exception text has no final period (PSADT#197)
  const inner = dotnetText(op, t, fault);
  const outer = op === 'stop'
    ? `Service '${label(t)}' cannot be stopped due to the following error: ${inner}`
    : `Service '${label(t)}' cannot be started due to the following error: ${inner}`;
  call.ctx.writeError(errorWith(chain({ type: SCE, message: outer }, { type: IOE, message: inner }, { type: W32, message: w32, hresult: E_FAIL, nativeErrorCode: fault.win32Code }),
    `${op === 'stop' ? 'CouldNotStopService' : 'CouldNotStartService'},${call.ctx.cmdletTypeName}`, op === 'stop' ? 'CloseError' : 'OpenError', sc));
}

function dependentsError(call: CmdletCall, t: Target, sc: PsValue): void {
  call.ctx.writeError(errorWith(chain({ type: SCE, message: `Cannot stop service '${label(t)}' because it has dependent services. It can only be stopped if the Force flag is set.` }),
    `ServiceHasDependentServices,${call.ctx.cmdletTypeName}`, 'InvalidOperation', sc));
}

function failedError(call: CmdletCall, op: Op, t: Target, sc: PsValue): void {
  const msg = op === 'stop' ? `Service '${label(t)}' stop failed.` : `Failed to start service '${label(t)}'.`;
  call.ctx.writeError(errorWith(chain({ type: SCE, message: msg }), `${op === 'stop' ? 'StopServiceFailed' : 'StartServiceFailed'},${call.ctx.cmdletTypeName}`, 'OpenError', sc));
}

/**
 * Sends the request (unless the service is already where it should be or on its way) and waits
 * in 2-second slices like ServiceOperationBaseCommand (docs/sources.md §3.2). Returns true on success.
 */
async function control(call: CmdletCall, op: Op, t: Target, opts: { force: boolean; wait: boolean }, snap: Snapshot): Promise<boolean> {
  const host = hostOf(call);
  const sc = serviceController(t.view, snap, '.', t.shown);
  const target = op === 'stop' ? 'Stopped' : 'Running';
  const pending = op === 'stop' ? 'StopPending' : 'StartPending';
  try {
    const proceed = await host.use((m) => {
      const v = m.requireService(t.view.name);
      if (v.statusName === target || v.statusName === pending) return true; // nothing to send (observed 5.1 behaviour)
      if (op === 'stop') {
        // Without -Force a running dependent refuses the stop (docs/sources.md §3.3 ServiceHasDependentServices).
        if (!opts.force && m.dependentServices(v.name).some((d) => d.statusName !== 'Stopped')) return false;
        m.requestStop(v.name, { force: opts.force });
      } else m.requestStart(v.name);
      return true;
    });
    if (!proceed) {
      dependentsError(call, t, sc);
      return false;
    }
  } catch (e) {
    if (!(e instanceof SimFault)) throw e;
    if (e.kind === 'DependentServices') dependentsError(call, t, sc);
    else controlError(call, op, t, e, sc);
    return false;
  }
  if (!opts.wait) return true;
  for (;;) {
    const sliceEnd = host.now() + SLICE_MS;
    let status = '';
    let queued = false;
    while (host.now() < sliceEnd) {
      ({ status, queued } = await host.use((m) => {
        const v = m.requireService(t.view.name);
        // A forced stop keeps the target Running until its dependents are down: still in progress.
        return { status: v.statusName as string, queued: v.statusName === 'Running' && op === 'stop' && opts.force };
      }));
      if (status === target) return true;
      if (status !== pending && !queued) break;
      await call.ctx.sleep(Math.min(POLL_MS, Math.max(1, sliceEnd - host.now())));
    }
    if (status === target) return true;
    if (status === pending || queued) {
      call.ctx.writeWarning(`Waiting for service '${label(t)}' to ${op}...`);
      continue;
    }
    failedError(call, op, t, sc);
    return false;
  }
}

async function controlCmdlet(call: CmdletCall, ops: Op[], allowed: string[]): Promise<PsValue[]> {
  only(call, allowed);
  const host = hostOf(call);
  const snap = await snapshot(host);
  const targets = selectServices(call, snap, false);
  const out: PsValue[] = [];
  for (const t of targets) {
    if (call.ctx.whatIf) {
      call.ctx.writeHost(`What if: Performing the operation "${call.name}" on target "${label(t)}".`);
      continue;
    }
    let ok = true;
    for (const op of ops) {
      ok = await control(call, op, t, { force: call.params.get('Force') === true, wait: call.params.get('NoWait') !== true }, snap);
      if (!ok) break;
    }
    if (ok && call.params.get('PassThru') === true) {
      const fresh = await snapshot(host);
      out.push(serviceController(fresh.get(t.view.name.toLowerCase()) ?? t.view, fresh, '.', t.shown, host));
    }
  }
  return out;
}

const CONTROL_PARAMS = ['Name', 'DisplayName', 'InputObject', 'PassThru', 'Include', 'Exclude'];
const stopService: CmdletImpl = (call) => controlCmdlet(call, ['stop'], [...CONTROL_PARAMS, 'Force', 'NoWait']);
const startService: CmdletImpl = (call) => controlCmdlet(call, ['start'], CONTROL_PARAMS);
const restartService: CmdletImpl = (call) => controlCmdlet(call, ['stop', 'start'], [...CONTROL_PARAMS, 'Force']);

/** Set-Service -StartupType (SCM logs 7040, docs/sources.md §2.3); CouldNotSetService on failure (docs/sources.md §3.3). */
const setService: CmdletImpl = async (call) => {
  only(call, ['Name', 'InputObject', 'StartupType', 'PassThru', 'ComputerName']);
  checkComputerName(call);
  const host = hostOf(call);
  const snap = await snapshot(host);
  const targets = selectServices(call, snap, false);
  const out: PsValue[] = [];
  for (const t of targets) {
    const st = call.params.get('StartupType');
    if (st !== undefined && !call.ctx.whatIf) {
      try {
        await host.use((m) => m.setStartType(t.view.name, toStr(st) as StartTypeName));
      } catch (e) {
        if (!(e instanceof SimFault)) throw e;
        // Set-Service reports the Win32 text itself (category PermissionDenied, as recalled from Service.cs).
        call.ctx.writeError(errorWith(chain({ type: SCE, message: `Service '${label(t)}' cannot be configured due to the following error: ${e.message.replace(/\.$/, '')}` }, { type: W32, message: e.message.replace(/\.$/, ''), hresult: E_FAIL }),
          `CouldNotSetService,${call.ctx.cmdletTypeName}`, 'PermissionDenied', serviceController(t.view, snap)));
        continue;
      }
    }
    if (call.params.get('PassThru') === true) {
      const fresh = await snapshot(host);
      out.push(serviceController(fresh.get(t.view.name.toLowerCase()) ?? t.view, fresh));
    }
  }
  return out;
};

// ---- Get-CimInstance Win32_Service ------------------------------------------------------------

/** Win32_Service as a CimInstance (docs/sources.md §3.6). PathName/StartName assumed for svchost services. */
function win32Service(v: ServiceView): PsObject {
  const path = v.group ? `C:\\Windows\\system32\\${v.image}.exe -k ${v.group}` : `C:\\Windows\\system32\\${v.image}.exe`;
  return dotnetObject(['Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_Service', 'Microsoft.Management.Infrastructure.CimInstance'], [
    ['Caption', v.displayName],
    ['Description', v.description],
    ['Name', v.name],
    ['Status', 'OK'],
    ['AcceptPause', false],
    ['AcceptStop', v.canStop],
    ['DisplayName', v.displayName],
    ['ErrorControl', 'Normal'],
    ['PathName', path],
    ['ServiceType', v.serviceType === 'Win32OwnProcess' ? 'Own Process' : 'Share Process'],
    ['StartMode', v.startMode],
    ['CheckPoint', 0],
    ['DelayedAutoStart', false],
    ['ExitCode', v.exitCode],
    ['ProcessId', v.processId],
    ['ServiceSpecificExitCode', 0],
    ['Started', v.statusName === 'Running'],
    ['StartName', 'LocalSystem'],
    ['State', v.state],
    ['WaitHint', 0],
  ], () => `Win32_Service (Name = "${v.name}")`);
}

/**
 * WQL filter: `Prop = 'value'` / `Prop = 123` terms joined by AND, alternatives joined by OR (AND
 * binds tighter; no parentheses). In a string literal a backslash escapes the next character
 * ([MS-WMI] 2.2.1 WQL Query, Microsoft Learn). Anything else fails loudly.
 */
function wqlPredicate(call: CmdletCall, filter: string): (o: PsObject) => boolean {
  const term = /\s*(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(\d+))\s*/y;
  const alternatives: Array<Array<[string, string]>> = [[]];
  let at = 0;
  for (;;) {
    term.lastIndex = at;
    const m = term.exec(filter);
    if (!m) notImplemented(call, `the WQL filter "${filter}" (only Prop='value' joined by AND / OR)`);
    alternatives[alternatives.length - 1].push([m![1], (m![2] ?? m![3] ?? m![4]).replace(/\\(.)/g, '$1')]);
    at = term.lastIndex;
    if (at === filter.length) break;
    const join = /(AND|OR)(?=\s)/iy;
    join.lastIndex = at;
    const j = join.exec(filter);
    if (!j) notImplemented(call, `the WQL filter "${filter}" (only Prop='value' joined by AND / OR)`);
    if (j![1].toUpperCase() === 'OR') alternatives.push([]);
    at = join.lastIndex;
  }
  return (o) => alternatives.some((terms) => terms.every(([name, want]) => {
    const v = prop(o, name);
    return v !== undefined && toStr(v ?? null).toLowerCase() === want.toLowerCase();
  }));
}

/**
 * Win32_PerfFormattedData_W3SVC_WebService: the IIS "Web Service" performance object as the WMI
 * performance class (class names are built from the service and object names, not localised:
 * Microsoft Learn, "Performance Counter Classes"); one instance per site plus _Total, Name the
 * instance, CurrentConnections the "Current Connections" counter (same source as Get-Counter's).
 */
async function webServicePerf(call: CmdletCall): Promise<PsObject[]> {
  const host = hostOf(call);
  const sites = await host.use((m) => m.sites().map((s) => s.name));
  const conns = currentConnections(host, call.ctx.computerName);
  const total = Object.values(conns).reduce((a, b) => a + b, 0);
  return [['_Total', total] as const, ...sites.map((n) => [n, conns[n.toLowerCase()] ?? 0] as const)].map(([name, value]) =>
    dotnetObject(['Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_PerfFormattedData_W3SVC_WebService', 'Microsoft.Management.Infrastructure.CimInstance'], [
      ['Name', name],
      ['CurrentConnections', value],
    ], () => `Win32_PerfFormattedData_W3SVC_WebService (Name = "${name}")`));
}

const getCimInstance: CmdletImpl = async (call) => {
  only(call, ['ClassName', 'Filter', 'Namespace', 'Property']);
  const cls = toStr(call.params.get('ClassName') ?? null);
  const ns = call.params.has('Namespace') ? toStr(call.params.get('Namespace') ?? null).toLowerCase() : 'root/cimv2';
  const perf = cls.toLowerCase() === 'win32_perfformatteddata_w3svc_webservice';
  if ((cls.toLowerCase() !== 'win32_service' && !perf) || !['root/cimv2', 'root\\cimv2'].includes(ns)) notImplemented(call, `CIM class ${ns}:${cls}`);
  let items: PsObject[];
  if (perf) items = await webServicePerf(call);
  else {
    const snap = await snapshot(hostOf(call));
    items = [...snap.values()].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase())).map(win32Service);
  }
  if (call.params.has('Filter')) items = items.filter(wqlPredicate(call, toStr(call.params.get('Filter') ?? null)));
  return items;
};

export const serviceCmdlets: Array<[string, CmdletImpl]> = [
  ['Get-Service', getService],
  ['Stop-Service', stopService],
  ['Start-Service', startService],
  ['Restart-Service', restartService],
  ['Set-Service', setService],
  ['Get-CimInstance', getCimInstance],
];
