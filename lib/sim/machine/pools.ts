/**
 * Application pools, their worker processes (w3wp) and sites, as WAS/W3SVC run them:
 * - pools and sites only have a meaningful state while WAS and W3SVC run; otherwise they
 *   report Unknown (docs/sources.md §4.1: appcmd shows state:Unknown when WAS/W3SVC are not running);
 * - when both come up, autoStart pools and serverAutoStart sites start (docs/sources.md §7.4 autoStart);
 * - recycle overlaps old and new worker unless disallowOverlappingRotation (docs/sources.md §7.4), and
 *   logs WAS 5079 when logEventOnRecycle has OnDemand (docs/sources.md §2.2, §7.4);
 * - worker failures count toward rapid-fail protection; at maxCrashes within the interval
 *   the pool is Stopped and WAS logs 5002 (docs/sources.md §7.3, §2.2).
 */
import { IIS_CORE_SERVICES, ObjectState, RecycleLogFlags, type ObjectStateName, type RecycleLogFlag } from './constants';
import type { Ctx } from './context';
import { SimFault, Win32Errors, type SimTarget } from './faults';
import * as msg from './messages';
import { parseTimeSpan } from './timespan';
import type { ComputerState, PoolState, ProcessState, SiteState } from './types';
import { ownEntry } from './tables';

const key = (name: string) => name.toLowerCase();

export function poolTarget(pool: PoolState): SimTarget {
  return { type: 'appPool', name: pool.name };
}

export function siteTarget(site: SiteState): SimTarget {
  return { type: 'site', name: site.name };
}

export function iisRunning(comp: ComputerState): boolean {
  return IIS_CORE_SERVICES.every((n) => ownEntry(comp.services, key(n))?.status === 'Running');
}

export function findPool(comp: ComputerState, name: string): PoolState | undefined {
  return ownEntry(comp.pools, key(name));
}

export function findSite(comp: ComputerState, name: string): SiteState | undefined {
  return ownEntry(comp.sites, key(name));
}

function requirePool(ctx: Ctx, name: string): PoolState {
  const pool = findPool(ctx.comp, name);
  if (!pool) {
    throw new SimFault({
      kind: 'NotFound',
      message: `Cannot find an application pool named '${name}'.`, // assumed text; cmdlets word their own
      computer: ctx.comp.name,
      target: { type: 'appPool', name },
    });
  }
  return pool;
}

function requireSite(ctx: Ctx, name: string): SiteState {
  const site = findSite(ctx.comp, name);
  if (!site) {
    throw new SimFault({
      kind: 'NotFound',
      message: `Cannot find a site named '${name}'.`, // assumed text
      computer: ctx.comp.name,
      target: { type: 'site', name },
    });
  }
  return site;
}

/** Pool/site controls need WAS and W3SVC; the 0x80070426 answer is assumed for that case. */
function requireIis(ctx: Ctx, t: SimTarget): void {
  if (!iisRunning(ctx.comp)) throw SimFault.win32('NotActive', Win32Errors.SERVICE_NOT_ACTIVE, ctx.comp.name, t);
}

/** Controls while Starting/Stopping fail with 0x80070425 (docs/sources.md §4.1, microsoft/azure-pipelines-tasks#8262). */
function cannotAccept(ctx: Ctx, t: SimTarget): SimFault {
  return SimFault.win32('CannotAcceptControl', Win32Errors.SERVICE_CANNOT_ACCEPT_CTRL, ctx.comp.name, t);
}

function setPoolState(ctx: Ctx, pool: PoolState, state: ObjectStateName): void {
  pool.state = state;
  pool.lastChange = ctx.now;
}

/** Whether recycling/@logEventOnRecycle (flag names or their numeric sum) includes `flag` (docs/sources.md §7.4). */
export function logsRecycle(pool: PoolState, flag: RecycleLogFlag): boolean {
  const text = pool.recycling.logEventOnRecycle.trim();
  if (/^\d+$/.test(text)) return (Number(text) & RecycleLogFlags[flag]) !== 0;
  return text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .includes(flag.toLowerCase());
}

const ms = (timespan: string, fallback: number) => parseTimeSpan(timespan) ?? fallback;

// ---- views --------------------------------------------------------------------------------

export interface WorkerView {
  processId: number;
  startTime: number;
  workingSet: number;
}

export interface PoolView {
  name: string;
  /** ObjectState number (docs/sources.md §4.3). */
  state: number;
  stateName: ObjectStateName;
  autoStart: boolean;
  startMode: PoolState['startMode'];
  managedRuntimeVersion: string;
  managedPipelineMode: PoolState['managedPipelineMode'];
  queueLength: number;
  enable32BitAppOnWin64: boolean;
  processModel: PoolState['processModel'];
  recycling: PoolState['recycling'];
  failure: PoolState['failure'];
  cpu: PoolState['cpu'];
  workerProcesses: WorkerView[];
}

export function poolView(comp: ComputerState, pool: PoolState): PoolView {
  const stateName: ObjectStateName = comp.iisRunning ? pool.state : 'Unknown';
  const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  return {
    name: pool.name,
    state: ObjectState[stateName],
    stateName,
    autoStart: pool.autoStart,
    startMode: pool.startMode,
    managedRuntimeVersion: pool.managedRuntimeVersion,
    managedPipelineMode: pool.managedPipelineMode,
    queueLength: pool.queueLength,
    enable32BitAppOnWin64: pool.enable32BitAppOnWin64,
    processModel: clone(pool.processModel),
    recycling: clone(pool.recycling),
    failure: clone(pool.failure),
    cpu: clone(pool.cpu),
    workerProcesses: pool.workers
      .map((pid) => comp.processes[String(pid)])
      .filter((p): p is ProcessState => !!p)
      .map((p) => ({ processId: p.pid, startTime: p.startTime, workingSet: p.workingSet })),
  };
}

export interface SiteView {
  id: number;
  name: string;
  state: number;
  stateName: ObjectStateName;
  serverAutoStart: boolean;
  physicalPath: string;
  bindings: SiteState['bindings'];
  applications: SiteState['applications'];
  applicationPool: string;
  httpPort: number | null;
}

export function siteView(comp: ComputerState, site: SiteState): SiteView {
  // Site state while W3SVC is down: Unknown, by analogy with pools (derived, docs/sources.md §4.1).
  const stateName: ObjectStateName = comp.iisRunning ? site.state : 'Unknown';
  return {
    id: site.id,
    name: site.name,
    state: ObjectState[stateName],
    stateName,
    serverAutoStart: site.serverAutoStart,
    physicalPath: site.physicalPath,
    bindings: site.bindings.map((b) => ({ ...b })),
    applications: site.applications.map((a) => ({ ...a })),
    applicationPool: site.applications[0]?.applicationPool ?? '',
    httpPort: site.httpPort,
  };
}

// ---- workers ----------------------------------------------------------------------------------

function workerUser(pool: PoolState): string {
  switch (pool.processModel.identityType) {
    case 'LocalSystem':
      return 'NT AUTHORITY\\SYSTEM';
    case 'LocalService':
      return 'NT AUTHORITY\\LOCAL SERVICE';
    case 'NetworkService':
      return 'NT AUTHORITY\\NETWORK SERVICE';
    case 'SpecificUser':
      return pool.processModel.userName;
    default:
      return `IIS APPPOOL\\${pool.name}`; // ApplicationPoolIdentity virtual account (assumed form)
  }
}

export function spawnWorker(ctx: Ctx, pool: PoolState): ProcessState {
  const p = ctx.spawn('w3wp', { kind: 'worker', pool: pool.name }, {
    workingSet: 96 * 1024 * 1024, // assumed
    commandLine: `c:\\windows\\system32\\inetsrv\\w3wp.exe -ap "${pool.name}"`, // abridged (assumed)
    userName: workerUser(pool),
  });
  pool.workers.push(p.pid);
  const crash = pool.faults.crashWorker;
  if (crash && crash.remaining > 0) ctx.schedule('workerCrash', ctx.now + crash.afterMs, String(p.pid), { pool: pool.name });
  const periodic = ms(pool.recycling.periodicRestart.time, 0);
  if (periodic > 0) ctx.schedule('workerPeriodicRecycle', ctx.now + periodic, String(p.pid), { pool: pool.name });
  return p;
}

function removeWorker(ctx: Ctx, pool: PoolState, pid: number): void {
  pool.workers = pool.workers.filter((w) => w !== pid);
  ctx.cancel(String(pid));
  ctx.endProcess(pid);
}

/** Timer: a worker exits gracefully (recycle overlap over, pool stopped). */
export function onWorkerExit(ctx: Ctx, pid: string, poolName: string): void {
  const pool = findPool(ctx.comp, poolName);
  if (pool) removeWorker(ctx, pool, Number(pid));
  else ctx.endProcess(Number(pid));
}

/** Timer: a new worker is launched (non-overlapped recycle, crash respawn). */
export function onWorkerSpawn(ctx: Ctx, poolName: string): void {
  const pool = findPool(ctx.comp, poolName);
  if (!pool || pool.state !== 'Started' || !ctx.comp.iisRunning) return;
  if (pool.workers.length >= Math.max(1, pool.processModel.maxProcesses)) return;
  spawnWorker(ctx, pool);
}

function recycleWorker(ctx: Ctx, pool: PoolState, pid: number): void {
  ctx.cancel(String(pid), ['workerPeriodicRecycle', 'workerCrash']);
  if (pool.recycling.disallowOverlappingRotation) {
    // Old worker shuts down first; the new one launches afterwards: a gap with no worker.
    // Assumed: the new worker starts without waiting for a request. On a real OnDemand pool it may
    // only start with the next request; iisctl's recycle check then waits for a new pid it might
    // not see (README "Known limits").
    const exitAt = ctx.now + pool.timing.stopMs;
    ctx.schedule('workerExit', exitAt, String(pid), { pool: pool.name });
    ctx.schedule('workerSpawn', exitAt + pool.timing.workerStartMs, key(pool.name));
  } else {
    spawnWorker(ctx, pool);
    ctx.schedule('workerExit', ctx.now + pool.timing.overlapMs, String(pid), { pool: pool.name });
  }
}

/**
 * A worker died (crash fault or Stop-Process). WAS logs 5009 and counts the failure for
 * rapid-fail protection (docs/sources.md §2.2, §7.3). Returns true when the pool was disabled.
 */
export function workerFailed(ctx: Ctx, pool: PoolState, pid: number, exitCode: string): boolean {
  removeWorker(ctx, pool, pid);
  ctx.log(msg.wasWorkerTerminated(pool.name, pid, exitCode));
  if (!pool.failure.rapidFailProtection || pool.state !== 'Started') return false;
  const windowMs = ms(pool.failure.rapidFailProtectionInterval, 5 * 60_000);
  pool.crashTimes = [...pool.crashTimes.filter((t) => ctx.now - t < windowMs), ctx.now];
  if (pool.crashTimes.length < pool.failure.rapidFailProtectionMaxCrashes) return false;
  setPoolState(ctx, pool, 'Stopped');
  pool.crashTimes = [];
  ctx.cancel(key(pool.name));
  for (const w of [...pool.workers]) removeWorker(ctx, pool, w);
  ctx.log(msg.wasRapidFail(pool.name));
  return true;
}

/** Timer: scenario fault — the worker crashes; traffic keeps coming, so WAS launches another (assumed). */
export function onWorkerCrash(ctx: Ctx, pid: string, poolName: string): void {
  const pool = findPool(ctx.comp, poolName);
  if (!pool || !pool.workers.includes(Number(pid))) return;
  const crash = pool.faults.crashWorker;
  if (crash) crash.remaining = Math.max(0, crash.remaining - 1);
  const disabled = workerFailed(ctx, pool, Number(pid), crash?.exitCode ?? '0xc0000005');
  if (!disabled && pool.state === 'Started') ctx.schedule('workerSpawn', ctx.now + pool.timing.workerStartMs, key(pool.name));
}

/** Stop-Process on a w3wp: a failure like any other; a new worker only on demand (or AlwaysRunning). */
export function killWorker(ctx: Ctx, proc: ProcessState): void {
  const poolName = proc.owner.kind === 'worker' ? proc.owner.pool : '';
  const pool = findPool(ctx.comp, poolName);
  if (!pool) {
    ctx.endProcess(proc.pid);
    return;
  }
  // TerminateProcess exit code from Process.Kill is -1 = 0xffffffff (assumed rendering).
  const disabled = workerFailed(ctx, pool, proc.pid, '0xffffffff');
  // A pool hung in Stopping completes its stop once its last worker is gone: Carbon.IIS kills the
  // workers of a pool that does not stop and then waits for Stopped (docs/sources.md §U16).
  if (pool.state === 'Stopping' && pool.workers.length === 0) onPoolStopped(ctx, pool.name);
  if (!disabled && pool.state === 'Started' && pool.startMode === 'AlwaysRunning') {
    ctx.schedule('workerSpawn', ctx.now + pool.timing.workerStartMs, key(pool.name));
  }
}

/** Timer: periodicRestart/time reached: WAS 5074 (when logged) and an overlapped recycle (docs/sources.md §2.2, §7.4). */
export function onPeriodicRecycle(ctx: Ctx, pid: string, poolName: string): void {
  const pool = findPool(ctx.comp, poolName);
  if (!pool || pool.state !== 'Started' || !pool.workers.includes(Number(pid))) return;
  if (logsRecycle(pool, 'Time')) ctx.log(msg.wasRecycleTime(Number(pid), pool.name));
  recycleWorker(ctx, pool, Number(pid));
}

/** A request arrives for the pool: WAS starts a worker on demand (docs/sources.md §7.4 startMode OnDemand). */
export function demandWorker(ctx: Ctx, name: string): number | null {
  ctx.requireUp();
  const pool = requirePool(ctx, name);
  if (!ctx.comp.iisRunning || pool.state !== 'Started') return null;
  if (pool.workers.length > 0) return pool.workers[pool.workers.length - 1];
  return spawnWorker(ctx, pool).pid;
}

// ---- pool control -------------------------------------------------------------------------------

export function requestPoolStart(ctx: Ctx, name: string): void {
  ctx.requireUp();
  const pool = requirePool(ctx, name);
  ctx.requireAdmin(poolTarget(pool));
  requireIis(ctx, poolTarget(pool));
  if (pool.state === 'Started') return; // assumed: starting a started pool is a no-op
  if (pool.state !== 'Stopped') throw cannotAccept(ctx, poolTarget(pool));
  setPoolState(ctx, pool, 'Starting');
  pool.crashTimes = [];
  ctx.schedule('poolStarted', ctx.now + pool.timing.startMs, key(pool.name));
}

export function onPoolStarted(ctx: Ctx, name: string): void {
  const pool = findPool(ctx.comp, name);
  if (!pool || pool.state !== 'Starting') return;
  setPoolState(ctx, pool, 'Started');
  if (pool.startMode === 'AlwaysRunning' && pool.workers.length === 0) spawnWorker(ctx, pool);
}

/** Stopping an already stopped pool throws 0x80070426 (aspnet/IISIntegration#1195, docs/sources.md §4.3). */
export function requestPoolStop(ctx: Ctx, name: string): void {
  ctx.requireUp();
  const pool = requirePool(ctx, name);
  ctx.requireAdmin(poolTarget(pool));
  requireIis(ctx, poolTarget(pool));
  if (pool.state === 'Stopped') throw SimFault.win32('NotActive', Win32Errors.SERVICE_NOT_ACTIVE, ctx.comp.name, poolTarget(pool));
  if (pool.state !== 'Started') throw cannotAccept(ctx, poolTarget(pool));
  setPoolState(ctx, pool, 'Stopping');
  ctx.cancel(key(pool.name), ['workerSpawn']);
  if (pool.faults.hangOnStop) return;
  const at = ctx.now + pool.timing.stopMs;
  for (const pid of pool.workers) {
    ctx.cancel(String(pid));
    ctx.schedule('workerExit', at, String(pid), { pool: pool.name });
  }
  ctx.schedule('poolStopped', at, key(pool.name));
}

export function onPoolStopped(ctx: Ctx, name: string): void {
  const pool = findPool(ctx.comp, name);
  if (!pool || pool.state !== 'Stopping') return;
  for (const pid of [...pool.workers]) removeWorker(ctx, pool, pid);
  setPoolState(ctx, pool, 'Stopped');
}

/**
 * Restart-WebAppPool / ApplicationPool.Recycle(): the pool must be started ("Before you can
 * use the Recycle method, you must start the application pool", docs/sources.md §4.3). WAS logs 5079.
 */
export function requestPoolRecycle(ctx: Ctx, name: string): void {
  ctx.requireUp();
  const pool = requirePool(ctx, name);
  ctx.requireAdmin(poolTarget(pool));
  requireIis(ctx, poolTarget(pool));
  if (pool.state === 'Stopped') throw SimFault.win32('NotActive', Win32Errors.SERVICE_NOT_ACTIVE, ctx.comp.name, poolTarget(pool));
  if (pool.state !== 'Started') throw cannotAccept(ctx, poolTarget(pool));
  if (logsRecycle(pool, 'OnDemand')) ctx.log(msg.wasAdminRecycle(pool.name));
  for (const pid of [...pool.workers]) recycleWorker(ctx, pool, pid);
}

// ---- sites ------------------------------------------------------------------------------------

/** Site start/stop take effect at once (assumed; sites have no worker of their own). */
export function requestSiteStart(ctx: Ctx, name: string): void {
  ctx.requireUp();
  const site = requireSite(ctx, name);
  ctx.requireAdmin(siteTarget(site));
  requireIis(ctx, siteTarget(site));
  site.state = 'Started';
}

export function requestSiteStop(ctx: Ctx, name: string): void {
  ctx.requireUp();
  const site = requireSite(ctx, name);
  ctx.requireAdmin(siteTarget(site));
  requireIis(ctx, siteTarget(site));
  site.state = 'Stopped';
}

// ---- configuration writes ------------------------------------------------------------------------

/** applicationPools/add/@autoStart (docs/sources.md §7.4): read when WAS/W3SVC start (iisServicesChanged). */
export function setPoolAutoStart(ctx: Ctx, name: string, value: boolean): void {
  ctx.requireUp();
  const pool = requirePool(ctx, name);
  ctx.requireAdmin(poolTarget(pool));
  pool.autoStart = value;
}

/**
 * A configuration write to a pool's applicationHost.config element (Set-WebConfigurationProperty):
 * `change` gets the persisted pool; the caller has validated the value. Administrators only.
 * Not simulated: the recycle a change triggers unless disallowRotationOnConfigChange (WAS 5080).
 */
export function updatePoolConfig(ctx: Ctx, name: string, change: (pool: PoolState) => void): void {
  ctx.requireUp();
  const pool = requirePool(ctx, name);
  ctx.requireAdmin(poolTarget(pool));
  change(pool);
}

/** sites/site/@serverAutoStart (docs/sources.md §U11): read when W3SVC starts. */
export function setSiteServerAutoStart(ctx: Ctx, name: string, value: boolean): void {
  ctx.requireUp();
  const site = requireSite(ctx, name);
  ctx.requireAdmin(siteTarget(site));
  site.serverAutoStart = value;
}

// ---- reacting to WAS / W3SVC ---------------------------------------------------------------------

/**
 * Called after every service change. When WAS or W3SVC leaves Running, all workers go away
 * (assumed: they exit with their manager) and pools/sites report Unknown; when both run
 * again, autoStart pools and serverAutoStart sites come back.
 */
export function iisServicesChanged(ctx: Ctx): void {
  const up = iisRunning(ctx.comp);
  if (up === ctx.comp.iisRunning) return;
  ctx.comp.iisRunning = up;
  for (const pool of Object.values(ctx.comp.pools)) {
    ctx.cancel(key(pool.name));
    if (!up && pool.faults.workerOutlivesIis) {
      // Fault: the w3wp processes stay in the process table, no longer the pool's (orphans).
      for (const pid of pool.workers) ctx.cancel(String(pid));
      pool.workers = [];
    }
    for (const pid of [...pool.workers]) removeWorker(ctx, pool, pid);
    pool.crashTimes = [];
    if (up) {
      setPoolState(ctx, pool, pool.autoStart ? 'Started' : 'Stopped');
      if (pool.state === 'Started' && pool.startMode === 'AlwaysRunning') spawnWorker(ctx, pool);
    }
  }
  if (up) for (const site of Object.values(ctx.comp.sites)) site.state = site.serverAutoStart ? 'Started' : 'Stopped';
}
