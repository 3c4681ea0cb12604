/**
 * Automatic Restart of the IIS services (docs/sources.md §3.7, §7.1): the SCM recovery
 * actions (SERVICE_FAILURE_ACTIONS) of IISADMIN, WAS and W3SVC, read with `sc.exe qfailure` and
 * set with `sc.exe failure <svc> reset= <s> actions= restart/<ms>/...`. Always `sc.exe` (plain `sc`
 * is the Set-Content alias, docs/sources.md §3.7). Its stderr is captured with the error preference lowered for the
 * call (nativeLines: under 'Stop', 5.1 would turn the first redirected stderr line into a
 * terminating error), and success is decided by the exit code and the settings read back.
 */
import { ps } from '../powershell/quote';
import { asArray } from '../powershell/json';
import { IisctlError, invalidArgument } from '../errors';
import { DEFAULTS } from '../defaults';
import { nativeLines, type PsCommand } from './command';

/** The services whose automatic restart matters (docs/sources.md §7.1: IIS Admin; §3.8: WAS and W3SVC). */
export const RECOVERY_SERVICES = ['IISADMIN', 'WAS', 'W3SVC'] as const;

export type RecoveryActionType = 'restart' | 'reboot' | 'run' | 'none';
export interface RecoveryAction {
  type: RecoveryActionType;
  delayMs: number;
}

export interface ServiceRecoveryInfo {
  service: string;
  /** False when the service is not installed (e.g. IISADMIN on IIS 7+ without the IIS 6 compatibility). */
  exists: boolean;
  /** True when the first failure restarts the service. */
  automaticRestart: boolean;
  /** Failure count reset period in seconds. */
  resetSeconds: number;
  /** Actions for the 1st, 2nd, ... failure; the last one repeats ([MS-SCMR] 2.2.40, docs/sources.md §3.7). */
  actions: RecoveryAction[];
  /** sc.exe's exit code and output, when it failed. */
  error?: { exitCode: number; output: string };
}

/** iisctl's Automatic Restart: restart after the first, second and subsequent failures (lib/defaults.ts: iisctl's choice). */
export const DEFAULT_RECOVERY = { delayMs: DEFAULTS.recoveryDelayMs, resetSeconds: DEFAULTS.recoveryResetSeconds, failures: DEFAULTS.recoveryFailures };

export function checkRecoveryServices(services: readonly string[]): string[] {
  if (services.length === 0) throw invalidArgument('No service was given.');
  return services.map((s) => {
    const hit = RECOVERY_SERVICES.find((r) => r.toLowerCase() === String(s).trim().toLowerCase());
    if (!hit) throw invalidArgument(`${JSON.stringify(s)} is not one of the IIS services iisctl manages recovery for: ${RECOVERY_SERVICES.join(', ')}.`);
    return hit;
  });
}

export function readRecovery(services: readonly string[] = RECOVERY_SERVICES): PsCommand<ServiceRecoveryInfo[]> {
  const names = checkRecoveryServices(services);
  return {
    purpose: `read the recovery actions of ${names.join(', ')}`,
    script: ps`@(foreach ($n in ${names}) {
    if ($null -eq (Get-Service -Name $n -ErrorAction SilentlyContinue)) {
        [pscustomobject]@{ Name = $n; Exists = $false; ExitCode = 0; Output = @() }
    } else {
        $out = ${nativeLines(ps`sc.exe qfailure $n`)}
        [pscustomobject]@{ Name = $n; Exists = $true; ExitCode = $LASTEXITCODE; Output = $out }
    }
})`,
    parse: parseRecovery,
  };
}

const TYPES: Record<string, RecoveryActionType> = { RESTART: 'restart', REBOOT: 'reboot', 'RUN PROCESS': 'run', NONE: 'none' };

/**
 * Parses `sc.exe qfailure` output (docs/sources.md §3.7 field names). sc.exe's text is English only as far as any
 * source shows; on a Windows whose sc.exe says it otherwise, the output is not guessed at (no
 * silent "off"): without the RESET_PERIOD line, or with a FAILURE_ACTIONS line that is not
 * "<ACTION> -- Delay = <n> milliseconds", this throws a FAILED error saying so.
 */
export function parseQFailure(lines: string[], service = 'the service'): { resetSeconds: number; actions: RecoveryAction[] } {
  let resetSeconds: number | undefined;
  const actions: RecoveryAction[] = [];
  let inActions = false;
  const unreadable = (why: string): never => {
    throw new IisctlError('FAILED', `Could not read the recovery actions of ${service} from sc.exe qfailure: ${why}. Output: ${lines.join(' ').replace(/\s+/g, ' ').trim().slice(0, 300)}`, {
      hint: 'sc.exe may print another language on this Windows; check the recovery actions with: sc.exe qfailure ' + (service === 'the service' ? '<service>' : service),
    });
  };
  for (const line of lines) {
    const reset = /RESET_PERIOD \(in seconds\)\s*:\s*(\d+)/.exec(line);
    if (reset) resetSeconds = Number(reset[1]);
    if (/^\s*FAILURE_ACTIONS\s*:/.test(line)) inActions = true;
    else if (/^\s*[A-Z_]+(?: \([^)]*\))?\s*:/.test(line)) inActions = false;
    if (!inActions || !line.trim()) continue;
    const action = /(RESTART|REBOOT|RUN PROCESS|NONE) -- Delay = (\d+) milliseconds/.exec(line);
    if (!action) unreadable(`the failure action ${JSON.stringify(line.trim())} is not in the known form`);
    actions.push({ type: TYPES[action![1]], delayMs: Number(action![2]) });
  }
  if (resetSeconds === undefined) unreadable('no RESET_PERIOD line');
  return { resetSeconds: resetSeconds!, actions };
}

export function parseRecovery(data: unknown): ServiceRecoveryInfo[] {
  return asArray<Record<string, unknown>>(data).map((r) => {
    const output = asArray<unknown>(r.Output).map(String);
    const exitCode = Number(r.ExitCode ?? 0);
    const base = { service: String(r.Name), exists: r.Exists === true };
    if (!base.exists) return { ...base, automaticRestart: false, resetSeconds: 0, actions: [] };
    if (exitCode !== 0) return { ...base, automaticRestart: false, resetSeconds: 0, actions: [], error: { exitCode, output: output.join('\n').trim() } };
    const q = parseQFailure(output, base.service);
    return { ...base, automaticRestart: q.actions[0]?.type === 'restart', ...q };
  });
}

export interface ScResult {
  service: string;
  exitCode: number;
  output: string;
}

/** `sc.exe failure`: restart actions (enable) or none (disable, `actions= ""`: TechNet "Sc failure" cc742019). */
export function writeRecovery(service: string, setting: { actions: RecoveryAction[]; resetSeconds: number }): PsCommand<ScResult> {
  const [name] = checkRecoveryServices([service]);
  if (!Number.isInteger(setting.resetSeconds) || setting.resetSeconds < 0 || setting.resetSeconds > 4294967295) throw invalidArgument('The reset period must be a whole number of seconds (0-4294967295).');
  for (const a of setting.actions) {
    if (a.type !== 'restart' && a.type !== 'none') throw invalidArgument(`Only restart actions are set by iisctl; got ${a.type}.`);
    if (!Number.isInteger(a.delayMs) || a.delayMs < 0 || a.delayMs > 4294967295) throw invalidArgument('A restart delay must be a whole number of milliseconds (0-4294967295).');
  }
  const actions = setting.actions.length ? setting.actions.map((a) => `${a.type === 'none' ? '""' : a.type}/${a.delayMs}`).join('/') : '""';
  return {
    purpose: `set the recovery actions of ${name}`,
    script: ps`$out = ${nativeLines(ps`sc.exe failure ${name} reset= ${String(setting.resetSeconds)} actions= ${actions}`)}
[pscustomobject]@{ Name = ${name}; ExitCode = $LASTEXITCODE; Output = ($out -join "\`n") }`,
    parse: (data) => {
      const r = (data ?? {}) as Record<string, unknown>;
      return { service: String(r.Name), exitCode: Number(r.ExitCode), output: String(r.Output ?? '') };
    },
  };
}

/**
 * Recovery actions a forced stop suspended, kept on the host (so any iisctl's next `start` puts
 * them back): one value per service, "<reset seconds>;<type>/<ms>,<type>/<ms>...".
 */
export const SUSPENDED_RECOVERY_KEY = 'HKLM:\\SOFTWARE\\iisctl\\SuspendedRecovery';

export interface SuspendedRecovery {
  service: string;
  resetSeconds: number;
  actions: RecoveryAction[];
}

export function encodeSuspended(info: { resetSeconds: number; actions: RecoveryAction[] }): string {
  return `${info.resetSeconds};${info.actions.map((a) => `${a.type}/${a.delayMs}`).join(',')}`;
}

export function decodeSuspended(service: string, value: string): SuspendedRecovery {
  const m = /^(\d+);((?:(?:restart|none)\/\d+)(?:,(?:restart|none)\/\d+)*)?$/.exec(value.trim());
  if (!m) throw new Error(`unreadable saved recovery actions of ${service}: ${JSON.stringify(value)}`);
  const actions = (m[2] ? m[2].split(',') : []).map((a) => {
    const [type, ms] = a.split('/');
    return { type: type as RecoveryActionType, delayMs: Number(ms) };
  });
  return { service, resetSeconds: Number(m[1]), actions };
}

/** Saves a service's recovery actions before a forced stop suspends them. */
export function saveSuspendedRecovery(info: ServiceRecoveryInfo): PsCommand<void> {
  const [name] = checkRecoveryServices([info.service]);
  return {
    purpose: `save the recovery actions of ${name} before suspending them`,
    script: ps`$key = ${SUSPENDED_RECOVERY_KEY}
if (-not (Test-Path -Path $key)) { New-Item -Path $key -Force | Out-Null }
Set-ItemProperty -Path $key -Name ${name} -Value ${encodeSuspended(info)}
$null`,
    parse: () => undefined,
  };
}

export function readSuspendedRecovery(): PsCommand<SuspendedRecovery[]> {
  return {
    purpose: 'read the recovery actions a forced stop suspended',
    script: ps`$key = ${SUSPENDED_RECOVERY_KEY}
@(if (Test-Path -Path $key) {
    $p = Get-ItemProperty -Path $key
    foreach ($n in ${[...RECOVERY_SERVICES]}) {
        $v = $p.$n
        if ($null -ne $v -and [string]$v -ne '') { [pscustomobject]@{ Name = $n; Setting = [string]$v } }
    }
})`,
    parse: (data) => asArray<Record<string, unknown>>(data).map((r) => decodeSuspended(String(r.Name), String(r.Setting))),
  };
}

export function clearSuspendedRecovery(service: string): PsCommand<void> {
  const [name] = checkRecoveryServices([service]);
  return {
    purpose: `forget the suspended recovery actions of ${name}`,
    script: ps`$key = ${SUSPENDED_RECOVERY_KEY}
if (Test-Path -Path $key) { Remove-ItemProperty -Path $key -Name ${name} -ErrorAction SilentlyContinue }
$null`,
    parse: () => undefined,
  };
}
