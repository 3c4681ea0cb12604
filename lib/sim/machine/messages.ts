/**
 * Event templates of the components the simulation plays: SCM, WAS and iisreset.
 * Texts are verbatim from docs/sources.md §2.1-§2.3 (two spaces after a period are real). "%n" in a
 * message file is a line break; it is rendered "\r\n" here (assumed: FormatMessage output).
 * Levels marked "assumed" were not given by the sources.
 */
import { EventLevels, Providers } from './constants';

export interface EventTemplate {
  id: number;
  providerName: string;
  logName: 'System' | 'Application';
  level: number;
  message: string;
  properties: string[];
}

const NL = '\r\n';

function system(provider: string, id: number, level: number, message: string, properties: string[]): EventTemplate {
  return { id, providerName: provider, logName: 'System', level, message, properties };
}

/** 7036 "The %1 service entered the %2 state." — %2 lower-case ("running", "stopped") (docs/sources.md §2.3). */
export function scmStateChanged(displayName: string, state: 'running' | 'stopped' | 'paused'): EventTemplate {
  return system(Providers.SCM, 7036, EventLevels.Information, `The ${displayName} service entered the ${state} state.`, [
    displayName,
    state,
  ]);
}

/** 7031 EVENT_SERVICE_CRASH (docs/sources.md §2.3). %4 is the action type (SC_ACTION_RESTART = 1, assumed). Level Error (assumed). */
export function scmCrashWithAction(displayName: string, times: number, delayMs: number, action: string): EventTemplate {
  return system(
    Providers.SCM,
    7031,
    EventLevels.Error,
    `The ${displayName} service terminated unexpectedly.  It has done this ${times} time(s).  The following corrective action will be taken in ${delayMs} milliseconds: ${action}.`,
    [displayName, String(times), String(delayMs), '1', action],
  );
}

/** The %5 text of a restart action, from the real 7031 example in docs/sources.md §2.3. */
export const RESTART_ACTION_TEXT = 'Restart the service';

/** 7034 EVENT_SERVICE_CRASH_NO_ACTION (docs/sources.md §2.3). Level Error (assumed). */
export function scmCrashNoAction(displayName: string, times: number): EventTemplate {
  return system(
    Providers.SCM,
    7034,
    EventLevels.Error,
    `The ${displayName} service terminated unexpectedly.  It has done this ${times} time(s).`,
    [displayName, String(times)],
  );
}

/** 7000 "The %1 service failed to start due to the following error: %n%2" (docs/sources.md §2.3). Level Error (assumed). */
export function scmStartFailed(displayName: string, errorText: string): EventTemplate {
  return system(
    Providers.SCM,
    7000,
    EventLevels.Error,
    `The ${displayName} service failed to start due to the following error: ${NL}${errorText}`,
    [displayName, errorText],
  );
}

/**
 * 7001 dependency failure; text shaped after the real example in docs/sources.md §2.3 ("The World Wide Web
 * Publishing Service service depends on the Windows Process Activation Service service which
 * failed to start because of the following error: The parameter is incorrect."); the %n
 * before the error text is assumed by analogy with 7000. Level Error (assumed).
 */
export function scmDependencyFailed(displayName: string, dependencyDisplayName: string, errorText: string): EventTemplate {
  return system(
    Providers.SCM,
    7001,
    EventLevels.Error,
    `The ${displayName} service depends on the ${dependencyDisplayName} service which failed to start because of the following error: ${NL}${errorText}`,
    [displayName, dependencyDisplayName, errorText],
  );
}

/** 7040 "The start type of the %1 service was changed from %2 to %3." (docs/sources.md §2.3). */
export function scmStartTypeChanged(displayName: string, from: string, to: string): EventTemplate {
  return system(
    Providers.SCM,
    7040,
    EventLevels.Information,
    `The start type of the ${displayName} service was changed from ${from} to ${to}.`,
    [displayName, from, to],
  );
}

/** WAS 5002 WAS_EVENT_RAPID_FAIL_PROTECTION, Level Error (docs/sources.md §2.2). */
export function wasRapidFail(pool: string): EventTemplate {
  return system(
    Providers.WAS,
    5002,
    EventLevels.Error,
    `Application pool '${pool}' is being automatically disabled due to a series of failures in the process(es) serving that application pool.`,
    [pool],
  );
}

/** WAS 5009 worker terminated unexpectedly (docs/sources.md §2.2). Level Warning (assumed). */
export function wasWorkerTerminated(pool: string, pid: number, exitCode: string): EventTemplate {
  return system(
    Providers.WAS,
    5009,
    EventLevels.Warning,
    `A process serving application pool '${pool}' terminated unexpectedly. The process id was '${pid}'. The process exit code was '${exitCode}'.`,
    [pool, String(pid), exitCode],
  );
}

/** WAS 5074 periodic (time) recycle (docs/sources.md §2.2). Level Information (assumed). */
export function wasRecycleTime(pid: number, pool: string): EventTemplate {
  return system(
    Providers.WAS,
    5074,
    EventLevels.Information,
    `A worker process with process id of '${pid}' serving application pool '${pool}' has requested a recycle because the worker process reached its allowed processing time limit.`,
    [String(pid), pool],
  );
}

/** WAS 5079 administrator recycle (docs/sources.md §2.2, a real log). Level Information (assumed). */
export function wasAdminRecycle(pool: string): EventTemplate {
  return system(
    Providers.WAS,
    5079,
    EventLevels.Information,
    `An administrator has requested a recycle of all worker processes in application pool '${pool}'.`,
    [pool],
  );
}

/**
 * Microsoft-Windows-IIS-IISReset (docs/sources.md §2.1). Only 3201 (start) is confirmed; 3202 (stop) and
 * its text are a guess by analogy with 3201 — assumed, match on id + provider only.
 */
export function iisResetCommand(kind: 'start' | 'stop', user: string): EventTemplate {
  const id = kind === 'start' ? 3201 : 3202;
  return system(
    Providers.IISReset,
    id,
    EventLevels.Information,
    `IIS ${kind} command received from user ${user}. The logged data is the status code.`,
    [user],
  );
}
