/**
 * Service Control Manager semantics (docs/sources.md §1.4, §3.1-§3.4, §3.6, §2.3):
 * - a stop request on a service with running dependents fails unless forced; forced stops
 *   stop the dependents first (the target stays Running until they are Stopped);
 * - a start request starts the dependencies first (the target waits in StartPending);
 * - starting a Disabled service fails (1058); controls while pending fail (1061);
 * - stop/start take the service's duration, passing through StopPending/StartPending;
 * - services of one group share one host process (svchost -k <group>, docs/sources.md §3.6).
 */
import { ServiceControllerStatus, ServiceStartMode, Scm7040StartType, Win32ServiceState, Win32StartMode } from './constants';
import type { ServiceStatusName, StartTypeName } from './constants';
import type { Ctx } from './context';
import { SimFault, Win32Errors, type SimTarget } from './faults';
import * as msg from './messages';
import { iisServicesChanged } from './pools';
import type { ComputerState, ProcessState, ServiceState } from './types';
import { ownEntry } from './tables';

const key = (name: string) => name.toLowerCase();

export function target(svc: ServiceState): SimTarget {
  return { type: 'service', name: svc.name, displayName: svc.displayName };
}

export function findService(comp: ComputerState, name: string): ServiceState | undefined {
  return ownEntry(comp.services, key(name));
}

/** Display names are compared case-insensitively, like service names (Win32_BaseService docs). */
export function findServiceByDisplayName(comp: ComputerState, displayName: string): ServiceState | undefined {
  const want = displayName.toLowerCase();
  return Object.values(comp.services).find((s) => s.displayName.toLowerCase() === want);
}

export function requireService(ctx: Ctx, name: string): ServiceState {
  const svc = findService(ctx.comp, name);
  if (!svc) {
    throw SimFault.win32('NotFound', Win32Errors.SERVICE_DOES_NOT_EXIST, ctx.comp.name, { type: 'service', name });
  }
  return svc;
}

/** Direct dependents (services whose ServicesDependedOn lists `name`). */
export function directDependents(comp: ComputerState, name: string): ServiceState[] {
  const k = key(name);
  return Object.values(comp.services).filter((s) => s.dependsOn.some((d) => key(d) === k));
}

/** All dependents, transitively, in a safe stop order (a service after everything that depends on it). */
export function allDependents(comp: ComputerState, name: string): ServiceState[] {
  const out: ServiceState[] = [];
  const seen = new Set<string>();
  const visit = (n: string) => {
    for (const d of directDependents(comp, n)) {
      if (seen.has(key(d.name))) continue;
      seen.add(key(d.name));
      visit(d.name);
      out.push(d);
    }
  };
  visit(name);
  return out;
}

/** All dependencies, transitively, in start order (deepest first). */
export function dependencyClosure(comp: ComputerState, name: string): ServiceState[] {
  const out: ServiceState[] = [];
  const seen = new Set<string>();
  const visit = (n: string) => {
    const svc = findService(comp, n);
    if (!svc) return;
    for (const d of svc.dependsOn) {
      if (seen.has(key(d))) continue;
      seen.add(key(d));
      visit(d);
      const dep = findService(comp, d);
      if (dep) out.push(dep);
    }
  };
  visit(name);
  return out;
}

/** What Get-Service / Win32_Service report for a service (docs/sources.md §3.4, §3.6). */
export interface ServiceView {
  name: string;
  displayName: string;
  description: string;
  status: number;
  statusName: ServiceStatusName;
  /** Win32_Service.State, e.g. "Stop Pending". */
  state: string;
  startType: number;
  startTypeName: StartTypeName;
  /** Win32_Service.StartMode, e.g. "Auto". */
  startMode: string;
  processId: number;
  serviceType: ServiceState['serviceType'];
  servicesDependedOn: string[];
  dependentServices: string[];
  canStop: boolean;
  exitCode: number;
  lastChange: number;
  image: string;
  group: string | null;
}

export function serviceView(comp: ComputerState, svc: ServiceState): ServiceView {
  return {
    name: svc.name,
    displayName: svc.displayName,
    description: svc.description,
    status: ServiceControllerStatus[svc.status],
    statusName: svc.status,
    state: Win32ServiceState[svc.status],
    startType: ServiceStartMode[svc.startType],
    startTypeName: svc.startType,
    startMode: Win32StartMode[svc.startType],
    processId: svc.pid ?? 0, // Win32_Service shows ProcessId 0 when stopped (docs/sources.md §3.6 example)
    serviceType: svc.serviceType,
    servicesDependedOn: svc.dependsOn.map((d) => findService(comp, d)?.name ?? d),
    dependentServices: directDependents(comp, svc.name).map((d) => d.name),
    canStop: svc.status === 'Running',
    exitCode: svc.exitCode,
    lastChange: svc.lastChange,
    image: svc.image,
    group: svc.group,
  };
}

function cannotAccept(ctx: Ctx, svc: ServiceState, related?: ServiceState[]): SimFault {
  return SimFault.win32('CannotAcceptControl', Win32Errors.SERVICE_CANNOT_ACCEPT_CTRL, ctx.comp.name, target(svc), {
    related: related?.map(target),
  });
}

/** Scenario fault: the first N control requests fail with 1061 (the "IISRESET internals" case, docs/sources.md §1.5). */
function consumeCannotAccept(ctx: Ctx, svc: ServiceState): void {
  if (svc.faults.cannotAcceptControl > 0) {
    svc.faults.cannotAcceptControl--;
    throw cannotAccept(ctx, svc);
  }
}

function setStatus(ctx: Ctx, svc: ServiceState, status: ServiceStatusName): void {
  svc.status = status;
  svc.lastChange = ctx.now;
}

// ---- host processes -------------------------------------------------------------------

function hostProcessFor(ctx: Ctx, svc: ServiceState): ProcessState | undefined {
  if (!svc.group) return undefined;
  return Object.values(ctx.comp.processes).find(
    (p) => p.owner.kind === 'service' && p.owner.group === svc.group && p.name === svc.image,
  );
}

function attachProcess(ctx: Ctx, svc: ServiceState): void {
  let p = hostProcessFor(ctx, svc);
  if (!p) {
    const exe = `C:\\Windows\\system32\\${svc.image}.exe`;
    p = ctx.spawn(svc.image, { kind: 'service', group: svc.group }, {
      workingSet: 24 * 1024 * 1024, // assumed
      commandLine: svc.group ? `${exe} -k ${svc.group}` : exe,
      userName: 'NT AUTHORITY\\SYSTEM', // assumed: IIS services run as LocalSystem
    });
  }
  if (!p.services.includes(svc.name)) p.services.push(svc.name);
  svc.pid = p.pid;
}

function detachProcess(ctx: Ctx, svc: ServiceState): void {
  if (svc.pid === null) return;
  const p = ctx.process(svc.pid);
  svc.pid = null;
  if (!p) return;
  p.services = p.services.filter((n) => key(n) !== key(svc.name));
  if (p.services.length === 0) ctx.endProcess(p.pid);
}

// ---- start ------------------------------------------------------------------------------

export function requestStart(ctx: Ctx, name: string): void {
  ctx.requireUp();
  const svc = requireService(ctx, name);
  ctx.requireAdmin(target(svc));
  consumeCannotAccept(ctx, svc);
  if (svc.status === 'Running' || svc.status === 'StartPending') {
    throw SimFault.win32('AlreadyRunning', Win32Errors.SERVICE_ALREADY_RUNNING, ctx.comp.name, target(svc));
  }
  if (svc.status === 'StopPending' || svc.queued) throw cannotAccept(ctx, svc); // assumed for start while stopping
  startInternal(ctx, svc);
}

/** Starts a stopped service and its stopped dependencies (used by requests, recovery and boot). */
export function startInternal(ctx: Ctx, svc: ServiceState): void {
  if (svc.startType === 'Disabled') {
    throw SimFault.win32('Disabled', Win32Errors.SERVICE_DISABLED, ctx.comp.name, target(svc));
  }
  const deps = dependencyClosure(ctx.comp, svc.name);
  const disabled = deps.find((d) => d.startType === 'Disabled' && d.status !== 'Running');
  if (disabled) {
    ctx.log(msg.scmDependencyFailed(svc.displayName, disabled.displayName, Win32Errors.SERVICE_DISABLED.message));
    throw SimFault.win32('DependencyFailed', Win32Errors.SERVICE_DEPENDENCY_FAIL, ctx.comp.name, target(svc), {
      related: [target(disabled)],
    });
  }
  const stopping = deps.filter((d) => d.status === 'StopPending' || d.queued === 'stop');
  if (stopping.length) throw cannotAccept(ctx, svc, stopping); // assumed
  for (const d of deps) if (d.status === 'Stopped') beginStart(ctx, d);
  beginStart(ctx, svc);
  settle(ctx);
}

function depsRunning(comp: ComputerState, svc: ServiceState): boolean {
  return svc.dependsOn.every((d) => findService(comp, d)?.status === 'Running');
}

function beginStart(ctx: Ctx, svc: ServiceState): void {
  setStatus(ctx, svc, 'StartPending');
  svc.exitCode = 0;
  if (depsRunning(ctx.comp, svc)) launch(ctx, svc);
  else svc.queued = 'start';
}

function launch(ctx: Ctx, svc: ServiceState): void {
  svc.queued = null;
  attachProcess(ctx, svc);
  ctx.schedule('svcStarted', ctx.now + svc.startMs, key(svc.name));
}

/** Timer: the start duration elapsed. */
export function onStarted(ctx: Ctx, name: string): void {
  const svc = findService(ctx.comp, name);
  if (!svc || svc.status !== 'StartPending' || svc.queued) return;
  const fail = svc.faults.failStart;
  if (fail && (fail.remaining === null || fail.remaining > 0)) {
    if (fail.remaining !== null) fail.remaining--;
    setStatus(ctx, svc, 'Stopped');
    svc.exitCode = fail.win32Code;
    detachProcess(ctx, svc);
    ctx.log(msg.scmStartFailed(svc.displayName, fail.message));
    failWaiters(ctx, svc, fail.message);
  } else {
    setStatus(ctx, svc, 'Running');
    ctx.log(msg.scmStateChanged(svc.displayName, 'running'));
  }
  afterChange(ctx);
}

/** Services queued to start after `failed` go back to Stopped with SCM 7001 (docs/sources.md §2.3, a real WAS start failure). */
function failWaiters(ctx: Ctx, failed: ServiceState, errorText: string): void {
  for (const d of directDependents(ctx.comp, failed.name)) {
    if (d.queued !== 'start') continue;
    d.queued = null;
    setStatus(ctx, d, 'Stopped');
    d.exitCode = Win32Errors.SERVICE_DEPENDENCY_FAIL.code;
    ctx.log(msg.scmDependencyFailed(d.displayName, failed.displayName, errorText));
    failWaiters(ctx, d, Win32Errors.SERVICE_DEPENDENCY_FAIL.message);
  }
}

// ---- stop -------------------------------------------------------------------------------

export interface StopOptions {
  /** Stop-Service -Force: stop running dependents first (docs/sources.md §3.1, §3.3). */
  force?: boolean;
}

export function requestStop(ctx: Ctx, name: string, opts: StopOptions = {}): void {
  ctx.requireUp();
  const svc = requireService(ctx, name);
  ctx.requireAdmin(target(svc));
  consumeCannotAccept(ctx, svc);
  if (svc.status === 'Stopped') {
    throw SimFault.win32('NotActive', Win32Errors.SERVICE_NOT_ACTIVE, ctx.comp.name, target(svc));
  }
  if (svc.status !== 'Running' || svc.queued) throw cannotAccept(ctx, svc);
  const active = allDependents(ctx.comp, svc.name).filter((d) => d.status !== 'Stopped');
  if (active.length && !opts.force) {
    throw SimFault.win32('DependentServices', Win32Errors.DEPENDENT_SERVICES_RUNNING, ctx.comp.name, target(svc), {
      related: active.map(target),
    });
  }
  const starting = active.filter((d) => d.status === 'StartPending');
  if (starting.length) throw cannotAccept(ctx, svc, starting); // assumed
  for (const d of active) if (d.status === 'Running' && !d.queued) queueOrBeginStop(ctx, d);
  queueOrBeginStop(ctx, svc);
}

function queueOrBeginStop(ctx: Ctx, svc: ServiceState): void {
  if (allDependents(ctx.comp, svc.name).some((d) => d.status !== 'Stopped')) svc.queued = 'stop';
  else beginStop(ctx, svc);
}

function beginStop(ctx: Ctx, svc: ServiceState): void {
  svc.queued = null;
  setStatus(ctx, svc, 'StopPending');
  if (!svc.faults.hangOnStop) ctx.schedule('svcStopped', ctx.now + svc.stopMs, key(svc.name));
}

/**
 * Sets the `hangOnStop` fault (tests and tools, not a Windows operation: nothing is logged). true:
 * later stops hang in StopPending. false: the hang ends, as when whatever blocked the service
 * returns; a stop it held finishes after `stopMs`, as an unhung one does. Returns whether a held
 * stop was released.
 */
export function setHangOnStop(ctx: Ctx, name: string, hang: boolean): boolean {
  const svc = requireService(ctx, name);
  const released = !hang && svc.faults.hangOnStop && svc.status === 'StopPending';
  svc.faults.hangOnStop = hang;
  if (released) ctx.schedule('svcStopped', ctx.now + svc.stopMs, key(svc.name));
  return released;
}

/** Timer: the stop duration elapsed. */
export function onStopped(ctx: Ctx, name: string): void {
  const svc = findService(ctx.comp, name);
  if (!svc || svc.status !== 'StopPending') return;
  setStatus(ctx, svc, 'Stopped');
  detachProcess(ctx, svc);
  ctx.log(msg.scmStateChanged(svc.displayName, 'stopped'));
  afterChange(ctx);
}

// ---- configuration ----------------------------------------------------------------------

/** Set-Service -StartupType; SCM logs 7040 with the caller's SID when the type changes (docs/sources.md §2.3). */
export function setStartType(ctx: Ctx, name: string, startType: StartTypeName): void {
  ctx.requireUp();
  const svc = requireService(ctx, name);
  ctx.requireAdmin(target(svc));
  if (!(startType in ServiceStartMode)) {
    throw SimFault.win32('InvalidArgument', Win32Errors.INVALID_PARAMETER, ctx.comp.name, target(svc));
  }
  if (svc.startType === startType) return;
  const from = svc.startType;
  svc.startType = startType;
  ctx.log(msg.scmStartTypeChanged(svc.displayName, Scm7040StartType[from], Scm7040StartType[startType]), ctx.now, ctx.user);
}

// ---- crashes ------------------------------------------------------------------------------

/**
 * The host process of these services died (Stop-Process on the svchost): each non-stopped
 * service goes to Stopped and SCM logs 7031 (recovery action configured) or 7034 (none) (docs/sources.md §2.3).
 */
export function crashHostedServices(ctx: Ctx, proc: ProcessState): void {
  for (const n of proc.services) {
    const svc = findService(ctx.comp, n);
    if (!svc || svc.status === 'Stopped') continue;
    ctx.cancel(key(svc.name), ['svcStarted', 'svcStopped']);
    svc.queued = null;
    svc.pid = null;
    setStatus(ctx, svc, 'Stopped');
    svc.exitCode = 1067; // ERROR_PROCESS_ABORTED (assumed)
    svc.crashCount++;
    // The Nth failure takes action N-1; beyond the list the last one repeats (docs/sources.md §3.7, MS-SCMR 2.2.40).
    const actions = svc.recovery?.actions ?? (svc.recovery ? [{ type: svc.recovery.action, delayMs: svc.recovery.delayMs }] : []);
    const action = actions[Math.min(svc.crashCount, actions.length) - 1];
    if (action?.type === 'restart') {
      ctx.log(msg.scmCrashWithAction(svc.displayName, svc.crashCount, action.delayMs, msg.RESTART_ACTION_TEXT));
      ctx.schedule('svcRecoveryRestart', ctx.now + action.delayMs, key(svc.name));
    } else {
      ctx.log(msg.scmCrashNoAction(svc.displayName, svc.crashCount));
    }
  }
  proc.services = [];
  ctx.endProcess(proc.pid);
  afterChange(ctx);
}

/** Timer: SCM recovery action "restart" (docs/sources.md §3.7 sc failure). */
export function onRecoveryRestart(ctx: Ctx, name: string): void {
  const svc = findService(ctx.comp, name);
  if (!svc || svc.status !== 'Stopped') return;
  try {
    startInternal(ctx, svc);
  } catch {
    // Recovery that cannot start leaves the service stopped (SCM would log 7032; not simulated).
  }
}

/** Boot: every Automatic service starts (dependencies first). */
export function startAutomaticServices(ctx: Ctx): void {
  for (const svc of Object.values(ctx.comp.services)) {
    if (svc.startType !== 'Automatic' || svc.status !== 'Stopped') continue;
    try {
      startInternal(ctx, svc);
    } catch {
      // A failing automatic service is logged by the start path; boot continues.
    }
  }
}

// ---- settling -------------------------------------------------------------------------------

/** Advances queued work: starts whose dependencies now run, stops whose dependents are now stopped. */
function settle(ctx: Ctx): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const svc of Object.values(ctx.comp.services)) {
      if (svc.queued === 'start') {
        if (depsRunning(ctx.comp, svc)) {
          launch(ctx, svc);
          changed = true;
        } else {
          const dead = svc.dependsOn
            .map((d) => findService(ctx.comp, d))
            .find((d) => d && d.status === 'Stopped' && !d.queued);
          if (dead) {
            svc.queued = null;
            setStatus(ctx, svc, 'Stopped');
            svc.exitCode = Win32Errors.SERVICE_DEPENDENCY_FAIL.code;
            ctx.log(msg.scmDependencyFailed(svc.displayName, dead.displayName, Win32Errors.SERVICE_DEPENDENCY_FAIL.message));
            changed = true;
          }
        }
      } else if (svc.queued === 'stop' && svc.status === 'Running') {
        if (allDependents(ctx.comp, svc.name).every((d) => d.status === 'Stopped')) {
          beginStop(ctx, svc);
          changed = true;
        }
      }
    }
  }
}

function afterChange(ctx: Ctx): void {
  settle(ctx);
  iisServicesChanged(ctx);
}
