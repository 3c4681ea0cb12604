/**
 * Windows / IIS enumerations and fixed strings used by the simulated machine.
 * Every value cites its public source, directly or as "docs/sources.md §x.y", or another
 * source; anything not sourced is marked "assumed".
 */

/** System.ServiceProcess.ServiceControllerStatus (learn.microsoft.com/dotnet/api/system.serviceprocess.servicecontrollerstatus). */
export const ServiceControllerStatus = {
  Stopped: 1,
  StartPending: 2,
  StopPending: 3,
  Running: 4,
  ContinuePending: 5,
  PausePending: 6,
  Paused: 7,
} as const;
export type ServiceStatusName = keyof typeof ServiceControllerStatus;

/** Win32_Service.State strings for each status (learn.microsoft.com/windows/win32/cimwin32prov/win32-service). */
export const Win32ServiceState: Record<ServiceStatusName, string> = {
  Stopped: 'Stopped',
  StartPending: 'Start Pending',
  StopPending: 'Stop Pending',
  Running: 'Running',
  ContinuePending: 'Continue Pending',
  PausePending: 'Pause Pending',
  Paused: 'Paused',
};

/** System.ServiceProcess.ServiceStartMode (learn.microsoft.com/dotnet/api/system.serviceprocess.servicestartmode). */
export const ServiceStartMode = {
  Boot: 0,
  System: 1,
  Automatic: 2,
  Manual: 3,
  Disabled: 4,
} as const;
export type StartTypeName = keyof typeof ServiceStartMode;

/** Win32_Service.StartMode strings: note "Auto", not "Automatic" (learn.microsoft.com/windows/win32/cimwin32prov/win32-service). */
export const Win32StartMode: Record<StartTypeName, string> = {
  Boot: 'Boot',
  System: 'System',
  Automatic: 'Auto',
  Manual: 'Manual',
  Disabled: 'Disabled',
};

/**
 * Start-type words SCM writes in event 7040 (docs/sources.md §2.3: "auto start", "demand start",
 * "disabled" are sourced from a real log; "boot start"/"system start" are assumed by analogy).
 */
export const Scm7040StartType: Record<StartTypeName, string> = {
  Boot: 'boot start',
  System: 'system start',
  Automatic: 'auto start',
  Manual: 'demand start',
  Disabled: 'disabled',
};

/** Microsoft.Web.Administration ObjectState (learn.microsoft.com/dotnet/api/microsoft.web.administration.objectstate?view=iis-dotnet). Not the same numbers as services. */
export const ObjectState = {
  Starting: 0,
  Started: 1,
  Stopping: 2,
  Stopped: 3,
  Unknown: 4,
} as const;
export type ObjectStateName = keyof typeof ObjectState;

/** applicationPools/add/@startMode (docs/sources.md §7.4). */
export const StartModes = ['OnDemand', 'AlwaysRunning'] as const;
export type PoolStartMode = (typeof StartModes)[number];

/** applicationPools/add/@managedPipelineMode (docs/sources.md §7.4). */
export const PipelineModes = ['Integrated', 'Classic'] as const;
export type PipelineMode = (typeof PipelineModes)[number];

/** processModel/@identityType (docs/sources.md §7.4). */
export const IdentityTypes = [
  'LocalSystem',
  'LocalService',
  'NetworkService',
  'SpecificUser',
  'ApplicationPoolIdentity',
] as const;
export type IdentityType = (typeof IdentityTypes)[number];

/** processModel/@idleTimeoutAction (docs/sources.md §7.4). */
export const IdleTimeoutActions = ['Terminate', 'Suspend'] as const;

/** cpu/@action (docs/sources.md §7.5). */
export const CpuActions = ['NoAction', 'KillW3wp', 'Throttle', 'ThrottleUnderLoad'] as const;

/** failure/@loadBalancerCapabilities (docs/sources.md §7.3). */
export const LoadBalancerCapabilities = ['HttpLevel', 'TcpLevel'] as const;

/** recycling/@logEventOnRecycle flags (docs/sources.md §7.4). */
export const RecycleLogFlags = {
  Time: 1,
  Requests: 2,
  Schedule: 4,
  Memory: 8,
  IsapiUnhealthy: 16,
  OnDemand: 32,
  ConfigChange: 64,
  PrivateMemory: 128,
} as const;
export type RecycleLogFlag = keyof typeof RecycleLogFlags;

/**
 * Event levels: standard Windows event levels (System.Diagnostics.Eventing.Reader
 * StandardEventLevel: Critical 1, Error 2, Warning 3, Informational 4, Verbose 5); the
 * display names are what Get-WinEvent shows in English (assumed for "Verbose").
 */
export const EventLevels = {
  Critical: 1,
  Error: 2,
  Warning: 3,
  Information: 4,
  Verbose: 5,
} as const;
export type EventLevelName = keyof typeof EventLevels;
export const LevelDisplayNames: Record<number, string> = {
  0: 'Information', // classic audit events carry level 0 (assumed display name)
  1: 'Critical',
  2: 'Error',
  3: 'Warning',
  4: 'Information',
  5: 'Verbose',
};

/** Write-EventLog -EntryType values (cmdlets.json Write-EventLog acceptedValues) → level. */
export const EntryTypeLevels: Record<string, number> = {
  Error: 2,
  Warning: 3,
  Information: 4,
  SuccessAudit: 0, // assumed: audit entries have no severity level
  FailureAudit: 0, // assumed
};

/** Event providers (docs/sources.md §2.1-§2.3). */
export const Providers = {
  SCM: 'Service Control Manager',
  WAS: 'Microsoft-Windows-WAS',
  IISReset: 'Microsoft-Windows-IIS-IISReset',
} as const;

/** The services whose state decides whether IIS is serving (docs/sources.md §1.4: WAS + W3SVC on IIS 7+). */
export const IIS_CORE_SERVICES = ['WAS', 'W3SVC'] as const;
