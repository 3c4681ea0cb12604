/**
 * iisctl: stop, start, restart and inspect Microsoft IIS safely.
 *
 *   import { connect } from 'iisctl';
 *   const iis = await connect({ simulate: true });
 *   const result = await iis.restart({ timeoutSeconds: 30, reason: 'deploy 1.2.3' });
 *   await iis.close();
 */
export { connect, IisClient, parseConnectOptions } from './client';
export type { ConnectOptions, ParsedConnectOptions, SimulateOptions } from './client';
export { realClock } from './clock';
export type { Clock } from './clock';
export type { OperationPlan, PlannedStep, ServiceOperationResult, StatusResult, StopOptions, StartOptions, RestartOptions, Progress, StepRecord } from './control/iisServices';
export type { LockHolder, LockState } from './scripts/lock';
export type { LockOptions } from './control/lock';
export { describeHolder } from './control/lock';
export type { ServiceInfo } from './scripts/services';
export type { AppPoolInfo, ServedApplication, PoolState } from './scripts/appPools';
export type { SiteInfo, Binding, ApplicationInfo } from './scripts/sites';
export type { Selector } from './control/selectors';
export type { SurgicalOptions, SurgicalResult, SurgicalPlan, TargetResult } from './control/webOperations';
export type { PoolOptions, PoolOperation, AppPoolController } from './control/appPools';
export type { SiteOptions, SiteOperation, SiteController, BindingConflict } from './control/sites';
export type { HealOptions, HealRecord, HealResult, HealRung, HealTarget, RungRecord } from './control/heal';
export { HEAL_RUNGS } from './control/heal';
export type { ToggleState } from './scripts/toggle';
export type { EventQuery, EventRecord, EventKind } from './scripts/events';
export { EVENT_KINDS } from './scripts/events';
export type { RetryPolicy, RetryRecord } from './control/retry';
export { connectMany, Fleet } from './fleet/fleet';
export type { FleetOptions } from './fleet/fleet';
export { allOk, DEFAULT_CONCURRENCY, fanOut } from './fleet/fanOut';
export { checkHosts, parseHostsOptions } from './fleet/hosts';
export type { CheckedHosts } from './fleet/hosts';
export type { FanOutOptions, HostResult } from './fleet/fanOut';
export { rollingRestart, healthUrl, probe } from './fleet/rolling';
export type { RollingAction, RollingOptions, RollingEvent, RollingResult, RollingHostResult, RollingPhase, HealthSpec } from './fleet/rolling';
export { DEFAULTS, DEFAULT_SPECS } from './defaults';
export type { DefaultName, DefaultSpec } from './defaults';
export type { PoolSettings, PoolSettingsChanges, SettingName, CpuAction, IdleAction, StartMode, RecycleLogFlag } from './scripts/settings';
export { SETTING_NAMES } from './scripts/settings';
export type { SettingChange, PoolConfigureResult, PoolConfigurePlan } from './control/settings';
export type { RecoveryAction, RecoveryActionType, ServiceRecoveryInfo } from './scripts/recovery';
export { RECOVERY_SERVICES } from './scripts/recovery';
export type { RecoveryOptions, RecoveryChangeResult } from './control/recovery';
export type { ConfigBackupInfo } from './scripts/backups';
export type { Finding, FindingId, AdviseOptions, AdviseResult } from './control/advise';
export { Secret, ps, PsCode } from './powershell/quote';
// The layer underneath: one persistent PowerShell session, for scripts of your own (README).
export { PowerShellSession } from './powershell/session';
export type { SessionOptions, RunOptions, SessionStats } from './powershell/session';
export type { Transport, TransportFactory, TransportOutput } from './powershell/transport';
export { resolveExecutable } from './powershell/executable';
export type { ExecutableOptions, ResolvedExecutable } from './powershell/executable';
export type { ComputerName, RemoteSessionInfo } from './scripts/remote';
export { IisctlError, isIisctlError, ERROR_CODES } from './errors';
export type { ErrorCode, OperationRecord, PowerShellErrorDetails } from './errors';
export { createLogger, silentLogger } from './log';
export type { Logger, LoggerOptions, LogLevel } from './log';
