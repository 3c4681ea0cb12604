/**
 * Documented IIS 10 defaults of an application pool (IIS configuration reference,
 * applicationPools/add: docs/sources.md §7.3, §7.4, §7.5) and assumed timings of the simulation.
 */
import type { CpuConfig, FailureConfig, PoolTiming, ProcessModelConfig, RecyclingConfig } from './types';

export function defaultProcessModel(): ProcessModelConfig {
  return {
    identityType: 'ApplicationPoolIdentity', // default since IIS 7.5 (docs/sources.md §7.4)
    userName: '',
    idleTimeout: '00:20:00',
    idleTimeoutAction: 'Terminate',
    shutdownTimeLimit: '00:01:30',
    startupTimeLimit: '00:01:30',
    pingingEnabled: true,
    pingInterval: '00:00:30',
    pingResponseTime: '00:01:30',
    maxProcesses: 1,
    loadUserProfile: false, // "doc says default false" (docs/sources.md §7.4)
    logEventOnProcessModel: 'IdleTimeout',
  };
}

export function defaultRecycling(): RecyclingConfig {
  return {
    disallowOverlappingRotation: false,
    disallowRotationOnConfigChange: false,
    // IIS 10+: all eight flags by default (docs/sources.md §7.4).
    logEventOnRecycle: 'Time, Requests, Schedule, Memory, IsapiUnhealthy, OnDemand, ConfigChange, PrivateMemory',
    periodicRestart: { time: '1.05:00:00', requests: 0, memory: 0, privateMemory: 0, schedule: [] }, // 29:00:00
  };
}

export function defaultFailure(): FailureConfig {
  return {
    rapidFailProtection: true,
    rapidFailProtectionInterval: '00:05:00',
    rapidFailProtectionMaxCrashes: 5,
    loadBalancerCapabilities: 'HttpLevel',
    orphanWorkerProcess: false,
    autoShutdownExe: '',
    autoShutdownParams: '',
    orphanActionExe: '',
    orphanActionParams: '',
  };
}

export function defaultCpu(): CpuConfig {
  return {
    limit: 0,
    action: 'NoAction',
    resetInterval: '00:05:00',
    smpAffinitized: false,
    smpProcessorAffinityMask: 4294967295,
    smpProcessorAffinityMask2: 4294967295,
  };
}

/** Assumed durations (real milliseconds); scenarios override them. */
export function defaultPoolTiming(): PoolTiming {
  return { startMs: 500, stopMs: 1000, overlapMs: 1500, workerStartMs: 400 };
}

/** Assumed service durations when a scenario gives none. */
export const DEFAULT_SERVICE_START_MS = 1500;
export const DEFAULT_SERVICE_STOP_MS = 2000;
export const DEFAULT_REBOOT_MS = 60_000;
export const DEFAULT_COMMAND_LOG_LIMIT = 1000;
