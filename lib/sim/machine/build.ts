/**
 * Builds the initial world state from a validated scenario at a given "now": services in
 * their initial states with their host processes, pools/sites/workers, the event history,
 * registry and event sources.
 */
import { initialStatus, type ComputerSpec, type HistorySpec, type RegistryValueSpec, type Scenario } from '../scenario';
import { EventLevels } from './constants';
import { Ctx } from './context';
import * as d from './defaults';
import { BUILTIN_SOURCES, newEventLog, DEFAULT_MAX_RECORDS, appendEvent } from './eventlog';
import * as msg from './messages';
import { iisRunning, spawnWorker } from './pools';
import { spawnBaseProcesses } from './reboot';
import { normaliseRegistryPath } from './registry';
import { normaliseTimeSpan } from './timespan';
import { ownEntry, setEntry } from './tables';
import {
  STATE_FORMAT,
  STATE_VERSION,
  type BaseProcessSpec,
  type ComputerState,
  type PoolState,
  type RegistryValue,
  type ServiceState,
  type SiteState,
  type WorldState,
} from './types';

const MINUTE = 60_000;

/** Processes of a booted Windows Server that are neither services nor workers (names assumed typical). */
const DEFAULT_BASE_PROCESSES: BaseProcessSpec[] = [
  { name: 'System', pid: 4, workingSet: 150 * 1024, commandLine: '', userName: 'NT AUTHORITY\\SYSTEM' },
  { name: 'smss', workingSet: 1_200_000, commandLine: '\\SystemRoot\\System32\\smss.exe', userName: 'NT AUTHORITY\\SYSTEM' },
  { name: 'csrss', workingSet: 5_000_000, commandLine: '%SystemRoot%\\system32\\csrss.exe', userName: 'NT AUTHORITY\\SYSTEM' },
  { name: 'wininit', workingSet: 7_000_000, commandLine: 'wininit.exe', userName: 'NT AUTHORITY\\SYSTEM' },
  { name: 'services', workingSet: 10_000_000, commandLine: 'C:\\Windows\\system32\\services.exe', userName: 'NT AUTHORITY\\SYSTEM' },
  { name: 'lsass', workingSet: 20_000_000, commandLine: 'C:\\Windows\\system32\\lsass.exe', userName: 'NT AUTHORITY\\SYSTEM' },
];

export function buildWorld(scenario: Scenario, now: number): WorldState {
  const world: WorldState = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    scenario: scenario.name,
    createdAt: now,
    clock: now,
    revision: 0,
    timers: [],
    nextTimerSeq: 1,
    computers: {},
    localComputer: scenario.localComputer.toUpperCase(),
    host: { crashOnCall: scenario.host.crashOnCall, calls: 0 },
    commandLogLines: 0,
    commandLogLimit: scenario.commandLogLimit ?? d.DEFAULT_COMMAND_LOG_LIMIT,
    nextCommandSeq: 1,
  };
  for (const spec of Object.values(scenario.computers)) {
    world.computers[spec.name.toUpperCase()] = buildComputer(world, spec, now);
  }
  world.clock = now;
  return world;
}

function buildComputer(world: WorldState, spec: ComputerSpec, now: number): ComputerState {
  const bootTime = now - (spec.bootAgoMinutes ?? 3 * 24 * 60) * MINUTE;
  const comp: ComputerState = {
    name: spec.name,
    fqdn: spec.fqdn ?? spec.name,
    os: spec.os ?? 'Microsoft Windows Server 2022 Datacenter',
    iisVersion: spec.iisVersion ?? '10.0',
    unreachable: spec.unreachable,
    rebootingUntil: null,
    rebootMs: spec.rebootMs ?? d.DEFAULT_REBOOT_MS,
    bootTime,
    iisRunning: false,
    user: {
      name: spec.user?.name ?? `${spec.name}\\Administrator`,
      sid: spec.user?.sid ?? 'S-1-5-21-1004336348-1177238915-682003330-500', // assumed sample SID (RID 500 = Administrator)
      isAdmin: spec.user?.isAdmin ?? true,
    },
    modules: {
      WebAdministration: spec.modules?.WebAdministration ?? true,
      IISAdministration: spec.modules?.IISAdministration ?? true,
    },
    services: {},
    pools: {},
    sites: {},
    processes: {},
    baseProcesses: spec.processes.length
      ? spec.processes.map((p) => ({
          name: p.name,
          pid: p.pid,
          workingSet: p.workingSet ?? 10_000_000,
          commandLine: p.commandLine ?? '',
          userName: p.userName ?? 'NT AUTHORITY\\SYSTEM',
        }))
      : DEFAULT_BASE_PROCESSES.map((p) => ({ ...p })),
    nextPid: 400,
    eventLogs: {},
    eventSources: {},
    registry: {},
  };
  const maxRecords = spec.eventLogMaxRecords ?? DEFAULT_MAX_RECORDS;
  for (const log of ['System', 'Application']) comp.eventLogs[log.toLowerCase()] = newEventLog(log, maxRecords);
  for (const [source, log] of Object.entries({ ...BUILTIN_SOURCES, ...spec.eventSources })) {
    if (!comp.eventLogs[log.toLowerCase()]) comp.eventLogs[log.toLowerCase()] = newEventLog(log, maxRecords);
    comp.eventSources[source.toLowerCase()] = { source, log: comp.eventLogs[log.toLowerCase()].name };
  }
  for (const sub of ['HKEY_LOCAL_MACHINE\\SOFTWARE', 'HKEY_LOCAL_MACHINE\\SYSTEM', 'HKEY_CURRENT_USER\\Software']) {
    comp.registry[sub.toUpperCase()] = { path: sub, values: {} };
  }
  buildRegistry(comp, spec.registry);

  for (const s of spec.services) setEntry(comp.services, s.name.toLowerCase(), buildService(s, bootTime));
  for (const p of spec.appPools) setEntry(comp.pools, p.name.toLowerCase(), buildPool(p, bootTime));
  for (const s of spec.sites) setEntry(comp.sites, s.name.toLowerCase(), buildSite(s));

  // Processes as of boot: base processes, then one host per running service (group).
  world.clock = bootTime;
  const ctx = new Ctx(world, comp);
  spawnBaseProcesses(ctx);
  for (const svc of Object.values(comp.services)) {
    if (svc.status !== 'Running') continue;
    const host = Object.values(comp.processes).find(
      (p) => svc.group !== null && p.owner.kind === 'service' && p.owner.group === svc.group && p.name === svc.image,
    );
    const exe = `C:\\Windows\\system32\\${svc.image}.exe`;
    const p =
      host ??
      ctx.spawn(svc.image, { kind: 'service', group: svc.group }, {
        workingSet: 24 * 1024 * 1024,
        commandLine: svc.group ? `${exe} -k ${svc.group}` : exe,
        userName: 'NT AUTHORITY\\SYSTEM',
      });
    p.services.push(svc.name);
    svc.pid = p.pid;
  }

  comp.iisRunning = iisRunning(comp);
  // Workers started an hour ago (or at boot if later) — assumed age; pools/sites keep their scenario state.
  world.clock = Math.max(bootTime, now - 60 * MINUTE);
  for (const spec_ of spec.appPools) {
    const pool = ownEntry(comp.pools, spec_.name.toLowerCase())!;
    if (!comp.iisRunning || pool.state !== 'Started') continue;
    const n = spec_.workers ?? (pool.startMode === 'AlwaysRunning' ? 1 : 0);
    for (let i = 0; i < n; i++) spawnWorker(ctx, pool);
  }
  // Crash faults apply to workers started after load, not to the ones the scenario starts with.
  world.timers = world.timers.filter((t) => !(t.computer === comp.name && t.kind === 'workerCrash'));
  world.clock = now;
  buildHistory(comp, spec.history, now);
  return comp;
}

function buildService(s: ComputerSpec['services'][number], bootTime: number): ServiceState {
  const fail = s.faults?.failStart;
  return {
    name: s.name,
    displayName: s.displayName,
    description: s.description ?? '',
    startType: s.startType,
    dependsOn: [...(s.dependsOn ?? [])],
    image: s.image ?? 'svchost',
    group: s.group === undefined ? null : s.group,
    // A service sharing a group is WIN32_SHARE_PROCESS (W3SVC shows it in sc output, docs/sources.md §3.7).
    serviceType: s.group ? 'Win32ShareProcess' : 'Win32OwnProcess',
    status: initialStatus(s),
    pid: null,
    startMs: s.startMs ?? d.DEFAULT_SERVICE_START_MS,
    stopMs: s.stopMs ?? d.DEFAULT_SERVICE_STOP_MS,
    queued: null,
    lastChange: bootTime,
    exitCode: 0,
    crashCount: 0,
    recovery: s.recovery ? { action: 'restart', delayMs: s.recovery.delayMs } : null,
    faults: {
      hangOnStop: s.faults?.hangOnStop ?? false,
      failStart: fail
        ? {
            remaining: fail.times === undefined ? null : fail.times,
            win32Code: fail.win32Code ?? 87,
            message: fail.message ?? 'The parameter is incorrect.', // the real WAS start failure (docs/sources.md §2.3)
          }
        : null,
      cannotAcceptControl: s.faults?.cannotAcceptControl ?? 0,
    },
  };
}

function merge<T extends object>(base: T, over: Record<string, unknown> | undefined, timespans: string[]): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(over ?? {})) {
    if (k.startsWith('_')) continue;
    out[k] = timespans.includes(k) && typeof v === 'string' ? normaliseTimeSpan(v) : v;
  }
  return out as T;
}

function buildPool(p: ComputerSpec['appPools'][number], bootTime: number): PoolState {
  const recyclingOver = { ...(p.recycling ?? {}) };
  const periodicOver = recyclingOver.periodicRestart as Record<string, unknown> | undefined;
  delete recyclingOver.periodicRestart;
  const recycling = merge(d.defaultRecycling(), recyclingOver, []);
  recycling.periodicRestart = merge(d.defaultRecycling().periodicRestart, periodicOver, ['time']);
  recycling.periodicRestart.schedule = recycling.periodicRestart.schedule.map(normaliseTimeSpan);
  const autoStart = p.autoStart ?? true; // docs/sources.md §7.4
  const crash = p.faults?.crashWorker;
  return {
    name: p.name,
    state: p.state ?? (autoStart ? 'Started' : 'Stopped'),
    autoStart,
    startMode: p.startMode ?? 'OnDemand',
    managedRuntimeVersion: p.managedRuntimeVersion ?? 'v4.0', // Server 2022 DefaultAppPool shows v4.0 (docs/sources.md §4.2)
    managedPipelineMode: p.managedPipelineMode ?? 'Integrated',
    queueLength: p.queueLength ?? 1000,
    enable32BitAppOnWin64: p.enable32BitAppOnWin64 ?? false,
    processModel: merge(d.defaultProcessModel(), p.processModel, [
      'idleTimeout', 'shutdownTimeLimit', 'startupTimeLimit', 'pingInterval', 'pingResponseTime',
    ]),
    recycling,
    failure: merge(d.defaultFailure(), p.failure, ['rapidFailProtectionInterval']),
    cpu: merge(d.defaultCpu(), p.cpu, ['resetInterval']),
    timing: { ...d.defaultPoolTiming(), ...(p.timing ?? {}) },
    faults: {
      hangOnStop: p.faults?.hangOnStop ?? false,
      crashWorker: crash ? { remaining: crash.count, afterMs: crash.afterMs, exitCode: crash.exitCode ?? '0xc0000005' } : null,
      workerOutlivesIis: p.faults?.workerOutlivesIis ?? false,
    },
    workers: [],
    crashTimes: [],
    lastChange: bootTime,
  };
}

function buildSite(s: ComputerSpec['sites'][number]): SiteState {
  const root = { path: '/', applicationPool: s.applicationPool, physicalPath: s.physicalPath };
  const apps = (s.applications ?? []).filter((a) => a.path !== '/');
  return {
    id: s.id,
    name: s.name,
    state: s.state ?? ((s.serverAutoStart ?? true) ? 'Started' : 'Stopped'),
    serverAutoStart: s.serverAutoStart ?? true,
    physicalPath: s.physicalPath,
    bindings: s.bindings.map((b) => ({ protocol: b.protocol, bindingInformation: b.bindingInformation })),
    applications: [root, ...apps.map((a) => ({ ...a }))],
    httpPort: s.httpPort ?? null,
  };
}

function buildRegistry(comp: ComputerState, reg: Record<string, Record<string, RegistryValueSpec>>): void {
  for (const [keyPath, values] of Object.entries(reg)) {
    const canonical = normaliseRegistryPath(keyPath);
    if (!canonical) continue;
    const parts = canonical.split('\\');
    for (let i = 2; i <= parts.length; i++) {
      const sub = parts.slice(0, i).join('\\');
      comp.registry[sub.toUpperCase()] ??= { path: sub, values: {} };
    }
    const key = comp.registry[canonical.toUpperCase()];
    for (const [name, v] of Object.entries(values)) {
      const value: RegistryValue =
        typeof v === 'object' && !Array.isArray(v)
          ? { name, kind: v.kind, value: v.value }
          : { name, kind: typeof v === 'number' ? 'DWord' : Array.isArray(v) ? 'MultiString' : 'String', value: v };
      key.values[name.toLowerCase()] = value;
    }
  }
}

function buildHistory(comp: ComputerState, history: HistorySpec[], now: number): void {
  const dn = (name: string) => ownEntry(comp.services, name.toLowerCase())?.displayName ?? name;
  const pool = (name: string) => ownEntry(comp.pools, name.toLowerCase())?.name ?? name;
  const sorted = [...history].sort((a, b) => b.agoMinutes - a.agoMinutes);
  for (const h of sorted) {
    const at = now - h.agoMinutes * MINUTE;
    switch (h.kind) {
      case 'serviceState':
        appendEvent(comp, msg.scmStateChanged(dn(h.service), h.state), at);
        break;
      case 'serviceCrash':
        appendEvent(comp, msg.scmCrashNoAction(dn(h.service), h.times ?? 1), at);
        break;
      case 'startTypeChanged': {
        const words = { Boot: 'boot start', System: 'system start', Automatic: 'auto start', Manual: 'demand start', Disabled: 'disabled' };
        appendEvent(comp, msg.scmStartTypeChanged(dn(h.service), words[h.from], words[h.to]), at, { sid: comp.user.sid, name: comp.user.name });
        break;
      }
      case 'adminRecycle':
        appendEvent(comp, msg.wasAdminRecycle(pool(h.pool)), at);
        break;
      case 'periodicRecycle':
        appendEvent(comp, msg.wasRecycleTime(h.pid, pool(h.pool)), at);
        break;
      case 'workerTerminated':
        appendEvent(comp, msg.wasWorkerTerminated(pool(h.pool), h.pid, h.exitCode), at);
        break;
      case 'rapidFail':
        appendEvent(comp, msg.wasRapidFail(pool(h.pool)), at);
        break;
      case 'iisReset':
        appendEvent(comp, msg.iisResetCommand(h.command, h.user ?? comp.user.name), at);
        break;
      case 'raw':
        appendEvent(comp, { logName: h.logName as 'System', providerName: h.providerName, id: h.id, level: h.level ?? EventLevels.Information, message: h.message, properties: h.properties ?? [] }, at);
        break;
    }
  }
}
