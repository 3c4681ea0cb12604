/**
 * The persisted shape of the simulated world. Plain JSON (no classes, no Dates) so it can be
 * written to the state file as-is; times are milliseconds since the Unix epoch (UTC).
 * Keys of the name-indexed maps are lower-case (Windows names are case-insensitive); the
 * record keeps the display casing.
 */
import type { ObjectStateName, PipelineMode, PoolStartMode, ServiceStatusName, StartTypeName } from './constants';

export const STATE_FORMAT = 'iisctl-sim-state';
export const STATE_VERSION = 1;

export interface WorldState {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  /** Scenario the world was built from (its `name`). */
  scenario: string;
  createdAt: number;
  /** The simulated "now": the latest time the world was advanced to. Never goes back. */
  clock: number;
  /** Bumped by every saved change; lets tests and tools see that a write happened. */
  revision: number;
  /** Pending timed transitions, processed in (at, seq) order by advance(). */
  timers: Timer[];
  nextTimerSeq: number;
  /** Upper-case computer name → computer. */
  computers: Record<string, ComputerState>;
  localComputer: string;
  host: HostState;
  /**
   * The command log itself is not here but in "<state file>.commands.jsonl" (state.ts): rewriting
   * up to 1 000 scripts of up to 16 KB with every machine access made each host call ~10x slower.
   * How many lines that file has (it is cut back to the last commandLogLimit now and then).
   */
  commandLogLines?: number;
  commandLogLimit: number;
  nextCommandSeq: number;
}

export interface HostState {
  /** The simulated powershell.exe crashes on this (1-based) call; null = never. */
  crashOnCall: number | null;
  /** Calls counted by noteHostCall(). */
  calls: number;
}

export interface CommandLogEntry {
  seq: number;
  at: number;
  computer: string;
  text: string;
  /** True when text was cut to the per-entry limit. */
  truncated?: boolean;
}

export type TimerKind =
  | 'svcStarted'
  | 'svcStopped'
  | 'svcRecoveryRestart'
  | 'poolStarted'
  | 'poolStopped'
  | 'workerExit'
  | 'workerSpawn'
  | 'workerCrash'
  | 'workerPeriodicRecycle'
  | 'bootDone';

export interface Timer {
  seq: number;
  at: number;
  computer: string;
  kind: TimerKind;
  /** Lower-case name of the service / pool, or a pid as a string. */
  target: string;
  data?: Record<string, unknown>;
}

export interface ComputerState {
  name: string;
  fqdn: string;
  os: string;
  iisVersion: string;
  /** Scenario flag: connecting from another computer fails. */
  unreachable: boolean;
  /** While a reboot is in progress: the time it completes; otherwise null. */
  rebootingUntil: number | null;
  rebootMs: number;
  bootTime: number;
  /** Whether WAS and W3SVC were both Running at the last check (pools/sites react on change). */
  iisRunning: boolean;
  user: UserState;
  modules: { WebAdministration: boolean; IISAdministration: boolean };
  services: Record<string, ServiceState>;
  pools: Record<string, PoolState>;
  sites: Record<string, SiteState>;
  /** pid (decimal string) → process. */
  processes: Record<string, ProcessState>;
  /** Processes that exist at every boot besides service hosts and workers (e.g. "System"). */
  baseProcesses: BaseProcessSpec[];
  nextPid: number;
  eventLogs: Record<string, EventLogState>;
  /** Lower-case source name → registration. */
  eventSources: Record<string, { source: string; log: string }>;
  /**
   * `iisreset /DISABLE` was run (docs/sources.md §1.8): the IIisServiceControl interface refuses every call
   * until `iisreset /ENABLE`. Absent in older state files (= enabled).
   */
  iisResetDisabled?: boolean;
  /** Canonical upper-case key path (e.g. "HKEY_LOCAL_MACHINE\\SOFTWARE\\ISCTL") → key. */
  registry: Record<string, RegistryKey>;
  /**
   * Named kernel mutexes (System.Threading.Mutex) by exact name (object names are case-sensitive):
   * the owning host process and its recursion count. Absent when none was ever created.
   */
  mutexes?: Record<string, { ownerPid: number; count: number }>;
  /** Backup-WebConfiguration backups (%windir%\\system32\\inetsrv\\backup\\<name>), oldest first. Absent = none. */
  configBackups?: ConfigBackup[];
}

/** A configuration backup: its name, when it was made, and the pools' configuration it holds. */
export interface ConfigBackup {
  name: string;
  createdAt: number;
  pools: Record<string, Pick<PoolState, 'autoStart' | 'startMode' | 'processModel' | 'recycling' | 'failure' | 'cpu'>>;
}

export interface UserState {
  /** DOMAIN\user form, e.g. "WEB01\\Administrator". */
  name: string;
  sid: string;
  isAdmin: boolean;
}

export interface ServiceFaults {
  /** A stop request leaves the service in StopPending forever (until killed or reboot). */
  hangOnStop: boolean;
  /** The next start attempts fail: remaining count (null = every attempt). */
  failStart: { remaining: number | null; win32Code: number; message: string } | null;
  /** Remaining control requests to reject with ERROR_SERVICE_CANNOT_ACCEPT_CTRL. */
  cannotAcceptControl: number;
}

export interface ServiceRecovery {
  /** Only "restart" is simulated (docs/sources.md §3.7; the 7031 text for it is sourced, §2.3). */
  action: 'restart';
  delayMs: number;
  /**
   * SERVICE_FAILURE_ACTIONS (docs/sources.md §3.7, set by `sc.exe failure`): the actions for the 1st, 2nd,
   * ... failure (the last repeats) and the reset period in seconds. Absent in older state files:
   * one restart after delayMs, reset 0.
   */
  actions?: Array<{ type: 'restart' | 'reboot' | 'run' | 'none'; delayMs: number }>;
  resetSeconds?: number;
}

export interface ServiceState {
  name: string;
  displayName: string;
  description: string;
  startType: StartTypeName;
  /** Canonical names of the services this one depends on (ServicesDependedOn). */
  dependsOn: string[];
  /** Process image, e.g. "svchost", "inetinfo". */
  image: string;
  /** Services with the same group share one process while running (svchost -k <group>). */
  group: string | null;
  serviceType: 'Win32OwnProcess' | 'Win32ShareProcess';
  status: ServiceStatusName;
  pid: number | null;
  startMs: number;
  stopMs: number;
  /** Waiting for dependencies to run (start) or dependents to stop (forced stop). */
  queued: 'start' | 'stop' | null;
  lastChange: number;
  exitCode: number;
  crashCount: number;
  recovery: ServiceRecovery | null;
  faults: ServiceFaults;
}

export interface PoolTiming {
  /** Stopped → Started. */
  startMs: number;
  /** Started → Stopped (worker shutdown). */
  stopMs: number;
  /** Overlapped recycle: how long the old worker lives after the new one started. */
  overlapMs: number;
  /** Time to launch a new w3wp (non-overlapped recycle gap, crash respawn). */
  workerStartMs: number;
}

export interface PoolFaults {
  /** A stop request leaves the pool in Stopping forever. */
  hangOnStop: boolean;
  /** The next `remaining` workers crash `afterMs` after they start; demand keeps respawning them. */
  crashWorker: { remaining: number; afterMs: number; exitCode: string } | null;
  /** Its workers do not exit when IIS stops: the w3wp processes are left behind, orphaned (what iisctl's orphan check after every stop finds). */
  workerOutlivesIis: boolean;
}

export interface PoolState {
  name: string;
  /** Runtime state while WAS/W3SVC run; reported as Unknown when they don't (see pools.ts). */
  state: ObjectStateName;
  autoStart: boolean;
  startMode: PoolStartMode;
  managedRuntimeVersion: string;
  managedPipelineMode: PipelineMode;
  queueLength: number;
  enable32BitAppOnWin64: boolean;
  processModel: ProcessModelConfig;
  recycling: RecyclingConfig;
  failure: FailureConfig;
  cpu: CpuConfig;
  timing: PoolTiming;
  faults: PoolFaults;
  /** Worker pids, oldest first. */
  workers: number[];
  /** Times of recent worker failures (rapid-fail window). */
  crashTimes: number[];
  lastChange: number;
}

/** processModel (docs/sources.md §7.4). TimeSpans are IIS strings "[d.]hh:mm:ss". */
export interface ProcessModelConfig {
  identityType: string;
  userName: string;
  idleTimeout: string;
  idleTimeoutAction: string;
  shutdownTimeLimit: string;
  startupTimeLimit: string;
  pingingEnabled: boolean;
  pingInterval: string;
  pingResponseTime: string;
  maxProcesses: number;
  loadUserProfile: boolean;
  logEventOnProcessModel: string;
}

/** recycling (docs/sources.md §7.4). */
export interface RecyclingConfig {
  disallowOverlappingRotation: boolean;
  disallowRotationOnConfigChange: boolean;
  /** Comma-separated flag names, e.g. "Time, Requests, ..." (IIS renders flags that way). */
  logEventOnRecycle: string;
  periodicRestart: {
    time: string;
    requests: number;
    /** Virtual memory limit in KB. */
    memory: number;
    privateMemory: number;
    schedule: string[];
  };
}

/** failure (docs/sources.md §7.3). */
export interface FailureConfig {
  rapidFailProtection: boolean;
  rapidFailProtectionInterval: string;
  rapidFailProtectionMaxCrashes: number;
  loadBalancerCapabilities: string;
  orphanWorkerProcess: boolean;
  autoShutdownExe: string;
  autoShutdownParams: string;
  orphanActionExe: string;
  orphanActionParams: string;
}

/** cpu (docs/sources.md §7.5). limit is in 1/1000ths of a percent. */
export interface CpuConfig {
  limit: number;
  action: string;
  resetInterval: string;
  smpAffinitized: boolean;
  smpProcessorAffinityMask: number;
  smpProcessorAffinityMask2: number;
}

export interface Binding {
  protocol: string;
  /** "ip:port:host", e.g. "*:80:" (docs/sources.md §4.4 appcmd sample "HTTP/*:80:"). */
  bindingInformation: string;
}

export interface ApplicationState {
  path: string;
  applicationPool: string;
  physicalPath: string;
}

export interface SiteState {
  id: number;
  name: string;
  state: ObjectStateName;
  serverAutoStart: boolean;
  physicalPath: string;
  bindings: Binding[];
  /** Root application ("/") first. */
  applications: ApplicationState[];
  /** Loopback port a later HTTP simulation may serve this site on (not served here). */
  httpPort: number | null;
}

export type ProcessOwner =
  | { kind: 'service'; group: string | null }
  | { kind: 'worker'; pool: string }
  | { kind: 'system' };

export interface ProcessState {
  pid: number;
  /** Image name without ".exe", as Get-Process shows it (e.g. "svchost", "w3wp"). */
  name: string;
  startTime: number;
  /** Working set in bytes. */
  workingSet: number;
  owner: ProcessOwner;
  /** Services hosted (for service hosts): canonical names. */
  services: string[];
  commandLine: string;
  userName: string;
}

export interface BaseProcessSpec {
  name: string;
  workingSet: number;
  commandLine: string;
  userName: string;
  /** Fixed pid (e.g. 4 for System); otherwise allocated at boot. */
  pid?: number;
}

export interface EventRecord {
  recordId: number;
  id: number;
  providerName: string;
  logName: string;
  level: number;
  levelDisplayName: string;
  /** ms since epoch, UTC: when the event happened (not when it was observed). */
  timeCreated: number;
  message: string;
  /** Insertion strings (EventLogRecord.Properties). */
  properties: string[];
  machineName: string;
  /** SID string or null ("N/A"). */
  userId: string | null;
  userName: string | null;
}

export interface EventLogState {
  name: string;
  nextRecordId: number;
  /** Oldest records are dropped beyond this (Windows overwrites as needed). */
  maxRecords: number;
  records: EventRecord[];
}

export type RegistryValueKind = 'String' | 'ExpandString' | 'DWord' | 'QWord' | 'MultiString' | 'Binary';

export interface RegistryValue {
  name: string;
  kind: RegistryValueKind;
  value: string | number | string[] | number[];
}

export interface RegistryKey {
  /** Canonical path with the casing it was created with. */
  path: string;
  /** Lower-case value name → value. "" is the default value. */
  values: Record<string, RegistryValue>;
}
