/**
 * Application pool settings that are better than restarting IIS (docs/sources.md §7.3,
 * §7.4, §7.5): periodic restart, overlapping recycle, recycle event logging, rapid-fail protection,
 * CPU limit, idle timeout and action, start mode, autoStart, startup and shutdown time limits.
 *
 * Read and written with the WebAdministration configuration cmdlets at the server level:
 *   Get-/Set-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST'
 *     -Filter "system.applicationHost/applicationPools/add[@name='<pool>']/<element>" -Name <attribute>
 * (docs/sources.md §4.1: the filter/XPath form is given there for failure/rapidFailProtection;
 * syntax of both cmdlets from the 5.1 catalog, lib/sim/cmdlets.json). Attribute names, types, accepted
 * values and defaults: learn.microsoft.com/iis/configuration/system.applicationhost/applicationpools/add/
 * and its pages failure, cpu, processmodel, recycling, recycling/periodicrestart(/schedule).
 *
 * The pool name is user text inside an XPath string literal: XPath 1.0 (W3C REC-xpath-19991116
 * §3.7, `Literal ::= '"' [^"]* '"' | "'" [^']* "'"`) has no escape, so the literal is quoted with
 * the quote character the name does not contain. A name cannot contain both: `"` is one of the
 * characters IIS refuses in application pool names (Microsoft.Web.Administration
 * ApplicationPoolCollection.InvalidApplicationPoolNameCharacters: \ / " | < > : * ? ] [ + = ; , @ &;
 * IAppHostPropertySchema validationType "applicationPoolName"), so such a name is refused here
 * before anything runs. The whole filter string then reaches PowerShell through quote.ts.
 *
 * Pure: builders and parsers, no I/O.
 */
import { invalidArgument } from '../errors';
import { asArray } from '../powershell/json';
import { joinCode, ps, PsCode } from '../powershell/quote';
import type { PsCommand } from './command';
import { IMPORT_WEBADMINISTRATION } from './webadmin';

export const APPHOST_PSPATH = 'MACHINE/WEBROOT/APPHOST';

/** Characters IIS refuses in an application pool name (see the module comment). */
export const INVALID_POOL_NAME_CHARACTERS = ['\\', '/', '"', '|', '<', '>', ':', '*', '?', ']', '[', '+', '=', ';', ',', '@', '&'];

/** Recycle event flags (docs/sources.md §7.4 recycling/@logEventOnRecycle). */
export const RECYCLE_LOG_FLAGS = ['Time', 'Requests', 'Schedule', 'Memory', 'IsapiUnhealthy', 'OnDemand', 'ConfigChange', 'PrivateMemory'] as const;
export type RecycleLogFlag = (typeof RECYCLE_LOG_FLAGS)[number];
/** cpu/@action (learn.microsoft.com/iis/configuration/system.applicationhost/applicationpools/add/cpu; docs/sources.md §7.5). */
export const CPU_ACTIONS = ['NoAction', 'KillW3wp', 'Throttle', 'ThrottleUnderLoad'] as const;
export type CpuAction = (typeof CPU_ACTIONS)[number];
/** processModel/@idleTimeoutAction (learn.microsoft.com/iis/configuration/system.applicationhost/applicationpools/add/processmodel; docs/sources.md §7.4). */
export const IDLE_ACTIONS = ['Terminate', 'Suspend'] as const;
export type IdleAction = (typeof IDLE_ACTIONS)[number];
/** add/@startMode (docs/sources.md §7.4). */
export const START_MODES = ['OnDemand', 'AlwaysRunning'] as const;
export type StartMode = (typeof START_MODES)[number];

/** One pool's settings. TimeSpans as .NET renders them ("00:05:00", "1.05:00:00"). */
export interface PoolSettings {
  name: string;
  /** recycling/periodicRestart/@time (default 1.05:00:00 = 29 h; 00:00:00 = off). */
  recycleTime: string;
  /** recycling/periodicRestart/@requests (0 = off). */
  recycleRequests: number;
  /** recycling/periodicRestart/schedule add/@value: local times of day, "hh:mm:ss". */
  recycleSchedule: string[];
  /** recycling/periodicRestart/@privateMemory in KB (0 = off). */
  recyclePrivateMemoryKB: number;
  /** recycling/periodicRestart/@memory (virtual) in KB (0 = off). */
  recycleVirtualMemoryKB: number;
  /** NOT recycling/@disallowOverlappingRotation (default: overlapping, true). */
  overlappingRecycle: boolean;
  /** recycling/@logEventOnRecycle flags. */
  logEventOnRecycle: RecycleLogFlag[];
  /** failure/@rapidFailProtection (default true). */
  rapidFailProtection: boolean;
  /** failure/@rapidFailProtectionMaxCrashes (default 5). */
  rapidFailMaxCrashes: number;
  /** failure/@rapidFailProtectionInterval (default 00:05:00). */
  rapidFailInterval: string;
  /** cpu/@limit converted to percent (the attribute is in 1/1000ths of a percent; 0 = off). */
  cpuLimitPercent: number;
  cpuAction: CpuAction;
  /** cpu/@resetInterval (default 00:05:00). */
  cpuResetInterval: string;
  /** processModel/@idleTimeout (default 00:20:00; 00:00:00 = off). */
  idleTimeout: string;
  idleTimeoutAction: IdleAction;
  startMode: StartMode;
  autoStart: boolean;
  /** processModel/@startupTimeLimit (default 00:01:30). */
  startupTimeLimit: string;
  /** processModel/@shutdownTimeLimit (default 00:01:30). */
  shutdownTimeLimit: string;
}

export type SettingName = Exclude<keyof PoolSettings, 'name'>;
export type PoolSettingsChanges = Partial<Omit<PoolSettings, 'name'>>;

type Kind = 'timespan' | 'uint' | 'bool' | 'enum' | 'flags' | 'schedule';

interface SettingSpec {
  /** Element below the pool's <add>, '' for the <add> itself. */
  element: string;
  attribute: string;
  kind: Kind;
  /** Inclusive bounds: seconds for timespans, the attribute's number for uints. */
  min?: number;
  max?: number;
  values?: readonly string[];
  /** Where the range comes from. */
  source: string;
}

const UINT_MAX = 4294967295;
/** iisctl's own upper bound for timespans without a documented one: 30 days. */
const TIMESPAN_MAX_S = 30 * 86400;

export const SETTINGS: Readonly<Record<SettingName, SettingSpec>> = {
  recycleTime: { element: 'recycling/periodicRestart', attribute: 'time', kind: 'timespan', min: 0, max: 71582 * 60, source: 'periodicRestart/@time, timeSpan, 0 disables (IIS configuration reference); at most 71,582 minutes (IIS 6.0 SDK PeriodicRestartTime, ms525914)' },
  recycleRequests: { element: 'recycling/periodicRestart', attribute: 'requests', kind: 'uint', min: 0, max: UINT_MAX, source: 'periodicRestart/@requests, uint, 0 disables (IIS configuration reference)' },
  recycleSchedule: { element: 'recycling/periodicRestart/schedule', attribute: 'value', kind: 'schedule', min: 0, max: 86399, source: 'schedule/add/@value: "a unique local time, on a 24-hour clock" (IIS settings schema bb386528)' },
  recyclePrivateMemoryKB: { element: 'recycling/periodicRestart', attribute: 'privateMemory', kind: 'uint', min: 0, max: UINT_MAX, source: 'periodicRestart/@privateMemory, KB, uint, 0 disables (IIS configuration reference)' },
  recycleVirtualMemoryKB: { element: 'recycling/periodicRestart', attribute: 'memory', kind: 'uint', min: 0, max: UINT_MAX, source: 'periodicRestart/@memory, KB, uint, 0 disables (IIS configuration reference)' },
  overlappingRecycle: { element: 'recycling', attribute: 'disallowOverlappingRotation', kind: 'bool', source: 'recycling/@disallowOverlappingRotation (IIS configuration reference), inverted' },
  logEventOnRecycle: { element: 'recycling', attribute: 'logEventOnRecycle', kind: 'flags', values: RECYCLE_LOG_FLAGS, source: 'recycling/@logEventOnRecycle flags (IIS configuration reference)' },
  rapidFailProtection: { element: 'failure', attribute: 'rapidFailProtection', kind: 'bool', source: 'failure/@rapidFailProtection (IIS configuration reference)' },
  rapidFailMaxCrashes: { element: 'failure', attribute: 'rapidFailProtectionMaxCrashes', kind: 'uint', min: 1, max: 2147483647, source: 'failure/@rapidFailProtectionMaxCrashes, IIS 7.5+ range 1-2147483647 (IIS configuration reference)' },
  rapidFailInterval: { element: 'failure', attribute: 'rapidFailProtectionInterval', kind: 'timespan', min: 1, max: TIMESPAN_MAX_S, source: 'failure/@rapidFailProtectionInterval, timeSpan (IIS configuration reference); a zero window counts nothing (iisctl bound)' },
  cpuLimitPercent: { element: 'cpu', attribute: 'limit', kind: 'uint', min: 0, max: 100000, source: 'cpu/@limit, 1/1000ths of a percent, 0 disables (IIS configuration reference); a share of CPU time cannot exceed 100 %' },
  cpuAction: { element: 'cpu', attribute: 'action', kind: 'enum', values: CPU_ACTIONS, source: 'cpu/@action (IIS configuration reference)' },
  cpuResetInterval: { element: 'cpu', attribute: 'resetInterval', kind: 'timespan', min: 1, max: TIMESPAN_MAX_S, source: 'cpu/@resetInterval, timeSpan, must exceed the logging interval (IIS configuration reference)' },
  idleTimeout: { element: 'processModel', attribute: 'idleTimeout', kind: 'timespan', min: 0, max: TIMESPAN_MAX_S, source: 'processModel/@idleTimeout, 0 disables (IIS configuration reference)' },
  idleTimeoutAction: { element: 'processModel', attribute: 'idleTimeoutAction', kind: 'enum', values: IDLE_ACTIONS, source: 'processModel/@idleTimeoutAction (IIS configuration reference)' },
  startMode: { element: '', attribute: 'startMode', kind: 'enum', values: START_MODES, source: 'add/@startMode (IIS configuration reference)' },
  autoStart: { element: '', attribute: 'autoStart', kind: 'bool', source: 'add/@autoStart (IIS configuration reference)' },
  startupTimeLimit: { element: 'processModel', attribute: 'startupTimeLimit', kind: 'timespan', min: 1, max: TIMESPAN_MAX_S, source: 'processModel/@startupTimeLimit (IIS configuration reference)' },
  shutdownTimeLimit: { element: 'processModel', attribute: 'shutdownTimeLimit', kind: 'timespan', min: 1, max: TIMESPAN_MAX_S, source: 'processModel/@shutdownTimeLimit (IIS configuration reference)' },
};

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

// ---- values ------------------------------------------------------------------------------------

const TIMESPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** Seconds of "[d.]hh:mm[:ss]", or null. */
export function timeSpanSeconds(text: string): number | null {
  const m = TIMESPAN.exec(text.trim());
  if (!m) return null;
  const [, d, h, mi, s] = m;
  if (Number(h) > 23 && d !== undefined) return null;
  if (Number(mi) > 59 || Number(s ?? 0) > 59) return null;
  return ((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(mi)) * 60 + Number(s ?? 0);
}

/** .NET's TimeSpan rendering: "00:05:00", "1.05:00:00". */
export function formatTimeSpan(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const pad = (n: number) => String(n).padStart(2, '0');
  const core = `${pad(Math.floor((seconds % 86400) / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
  return days ? `${days}.${core}` : core;
}

/** "90s", "5m", "1h30m", "2d", a TimeSpan "hh:mm:ss", or "0" (the "0 disables" of the IIS docs) -> seconds; null when none. */
export function durationSeconds(text: string): number | null {
  const t = text.trim();
  if (t === '0') return 0;
  const span = timeSpanSeconds(t);
  if (span !== null) return span;
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/i.exec(t);
  if (!m || t === '' || !/\d/.test(t)) return null;
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0);
}

function fail(setting: string, message: string): never {
  throw invalidArgument(`${setting}: ${message}`, `See ${SETTINGS[setting as SettingName]?.source ?? 'the IIS documentation'}.`);
}

/** Checks one value against the documented type and range; returns it normalised. */
function normalise<K extends SettingName>(key: K, value: unknown): PoolSettings[K] {
  const spec = SETTINGS[key];
  if (!spec) throw invalidArgument(`Unknown application pool setting ${JSON.stringify(key)}; known: ${SETTING_NAMES.join(', ')}.`);
  const range = (n: number, unit = '') => {
    if (n < (spec.min ?? -Infinity) || n > (spec.max ?? Infinity)) fail(key, `${n}${unit} is outside the accepted range ${spec.min}${unit}-${spec.max}${unit}.`);
  };
  switch (spec.kind) {
    case 'bool':
      if (typeof value !== 'boolean') fail(key, `expected true or false, got ${JSON.stringify(value)}.`);
      return value as PoolSettings[K];
    case 'uint': {
      if (key === 'cpuLimitPercent') {
        if (typeof value !== 'number' || !Number.isFinite(value)) fail(key, `expected a percentage from 0 to 100, got ${JSON.stringify(value)}.`);
        const thousandths = Math.round((value as number) * 1000);
        if (Math.abs(thousandths - (value as number) * 1000) > 1e-6) fail(key, `${value} has more than 3 decimals (the limit is stored in 1/1000ths of a percent).`);
        if (thousandths < 0 || thousandths > 100000) fail(key, `${value} % is outside the accepted range 0-100 %.`);
        return (thousandths / 1000) as PoolSettings[K];
      }
      if (typeof value !== 'number' || !Number.isInteger(value)) fail(key, `expected a whole number, got ${JSON.stringify(value)}.`);
      range(value as number);
      return value as PoolSettings[K];
    }
    case 'timespan': {
      const seconds = typeof value === 'string' ? durationSeconds(value) : typeof value === 'number' && Number.isInteger(value) ? value : null;
      if (seconds === null) fail(key, `expected a duration such as 00:05:00, 90s, 5m or 1h, got ${JSON.stringify(value)}.`);
      if (seconds < (spec.min ?? 0) || seconds > (spec.max ?? Infinity)) fail(key, `${formatTimeSpan(seconds)} is outside the accepted range ${formatTimeSpan(spec.min ?? 0)}-${formatTimeSpan(spec.max ?? 0)}.`);
      return formatTimeSpan(seconds) as PoolSettings[K];
    }
    case 'enum': {
      const hit = typeof value === 'string' ? spec.values!.find((v) => v.toLowerCase() === value.trim().toLowerCase()) : undefined;
      if (!hit) fail(key, `expected one of ${spec.values!.join(', ')}, got ${JSON.stringify(value)}.`);
      return hit as PoolSettings[K];
    }
    case 'flags': {
      if (!Array.isArray(value)) fail(key, `expected a list of ${spec.values!.join(', ')}.`);
      const out: string[] = [];
      for (const v of value as unknown[]) {
        const hit = typeof v === 'string' ? spec.values!.find((x) => x.toLowerCase() === v.trim().toLowerCase()) : undefined;
        if (!hit) fail(key, `${JSON.stringify(v)} is not one of ${spec.values!.join(', ')}.`);
        if (!out.includes(hit)) out.push(hit);
      }
      return spec.values!.filter((f) => out.includes(f)) as PoolSettings[K];
    }
    case 'schedule': {
      if (!Array.isArray(value)) fail(key, 'expected a list of times of day (hh:mm).');
      const times = (value as unknown[]).map((v) => {
        const s = typeof v === 'string' ? timeSpanSeconds(v) : null;
        if (s === null || s > 86399) fail(key, `${JSON.stringify(v)} is not a time of day from 00:00 to 23:59:59.`);
        return formatTimeSpan(s);
      });
      if (new Set(times).size !== times.length) fail(key, 'each time may appear only once ("a unique local time").');
      return [...times].sort() as PoolSettings[K];
    }
  }
}

/** Validates a change set before anything is sent: unknown keys, types, ranges, accepted values. */
export function validateChanges(changes: PoolSettingsChanges): PoolSettingsChanges {
  if (!changes || typeof changes !== 'object') throw invalidArgument('The changes must be an object of settings.');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    out[key] = normalise(key as SettingName, value);
  }
  if (Object.keys(out).length === 0) throw invalidArgument('No setting to change was given.');
  return out as PoolSettingsChanges;
}

/** Refuses names IIS cannot have (and so could not be put in an XPath literal). */
export function validatePoolName(name: string): void {
  if (typeof name !== 'string' || name.trim() === '') throw invalidArgument('The application pool name is empty.');
  const bad = INVALID_POOL_NAME_CHARACTERS.filter((c) => name.includes(c));
  if (bad.length) throw invalidArgument(`${JSON.stringify(name)} cannot be an application pool name: IIS does not allow ${bad.map((c) => JSON.stringify(c)).join(' ')} in pool names.`);
}

/** An XPath 1.0 string literal for the value (no escape exists: pick the quote it does not contain). */
export function xpathLiteral(value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw invalidArgument(`${JSON.stringify(value)} contains both quote characters and cannot be written as an XPath literal.`);
}

/** The configuration filter of one pool's <add> element. */
export function poolFilter(name: string): string {
  validatePoolName(name);
  return `system.applicationHost/applicationPools/add[@name=${xpathLiteral(name)}]`;
}

// ---- scripts -----------------------------------------------------------------------------------

const READ_HELPER = ps`function Read-IisctlAttribute {
    param([string]$Element, [string]$Attribute)
    $filter = $iisctlPool
    if ($Element) { $filter = $iisctlPool + '/' + $Element }
    $v = Get-WebConfigurationProperty -PSPath ${APPHOST_PSPATH} -Filter $filter -Name $Attribute
    # Most attributes come back as a ConfigurationAttribute (its Value), enums as strings (docs/sources.md §4.1).
    if ($null -ne $v -and $null -ne $v.Value) { $v = $v.Value }
    $v
}`;

function readExpression(key: SettingName): PsCode {
  const s = SETTINGS[key];
  if (s.kind === 'schedule') {
    return ps`@(Get-WebConfigurationProperty -PSPath ${APPHOST_PSPATH} -Filter ($iisctlPool + ${'/' + s.element}) -Name 'Collection' | ForEach-Object { [string]$_.value })`;
  }
  const call = ps`(Read-IisctlAttribute ${s.element} ${s.attribute})`;
  if (s.kind === 'timespan' || s.kind === 'enum' || s.kind === 'flags') return ps`[string]${call}`;
  return call;
}

/** Reads every setting of one pool in one round trip; `exists: false` when there is no such pool. */
export function readPoolSettings(name: string): PsCommand<PoolSettings | null> {
  const filter = poolFilter(name);
  const fields = joinCode(SETTING_NAMES.map((k) => new PsCode(`        ${k} = ${readExpression(k).text}`)), '\n');
  return {
    purpose: `read the settings of application pool ${name}`,
    script: ps`${IMPORT_WEBADMINISTRATION}
$iisctlPool = ${filter}
${READ_HELPER}
$found = Get-WebConfigurationProperty -PSPath ${APPHOST_PSPATH} -Filter $iisctlPool -Name 'name'
if ($null -ne $found -and $null -ne $found.Value) { $found = $found.Value }
if ($null -eq $found) {
    [pscustomobject]@{ exists = $false }
} else {
    [pscustomobject]@{
        exists = $true
        name = [string]$found
${fields}
    }
}`,
    parse: parsePoolSettings,
  };
}

const asBool = (v: unknown): boolean => v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
const asNumber = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

/** A TimeSpan as read: a string, or (should a host return the object) its TotalSeconds. */
function asTimeSpan(v: unknown): string {
  if (v && typeof v === 'object' && 'TotalSeconds' in v) return formatTimeSpan(Math.round(Number((v as { TotalSeconds: unknown }).TotalSeconds)));
  const s = timeSpanSeconds(String(v ?? '').replace(/\.\d+$/, ''));
  return s === null ? String(v ?? '') : formatTimeSpan(s);
}

export function parsePoolSettings(data: unknown): PoolSettings | null {
  const r = (data ?? {}) as Record<string, unknown>;
  if (r.exists !== true) return null;
  const flags = String(r.logEventOnRecycle ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const pick = <T extends string>(values: readonly T[], v: unknown): T => values.find((x) => x.toLowerCase() === String(v ?? '').toLowerCase()) ?? (String(v) as T);
  return {
    name: String(r.name),
    recycleTime: asTimeSpan(r.recycleTime),
    recycleRequests: asNumber(r.recycleRequests),
    recycleSchedule: asArray<unknown>(r.recycleSchedule).map(asTimeSpan).sort(),
    recyclePrivateMemoryKB: asNumber(r.recyclePrivateMemoryKB),
    recycleVirtualMemoryKB: asNumber(r.recycleVirtualMemoryKB),
    overlappingRecycle: !asBool(r.overlappingRecycle),
    logEventOnRecycle: RECYCLE_LOG_FLAGS.filter((f) => flags.some((x) => x.toLowerCase() === f.toLowerCase())),
    rapidFailProtection: asBool(r.rapidFailProtection),
    rapidFailMaxCrashes: asNumber(r.rapidFailMaxCrashes),
    rapidFailInterval: asTimeSpan(r.rapidFailInterval),
    cpuLimitPercent: asNumber(r.cpuLimitPercent) / 1000,
    cpuAction: pick(CPU_ACTIONS, r.cpuAction),
    cpuResetInterval: asTimeSpan(r.cpuResetInterval),
    idleTimeout: asTimeSpan(r.idleTimeout),
    idleTimeoutAction: pick(IDLE_ACTIONS, r.idleTimeoutAction),
    startMode: pick(START_MODES, r.startMode),
    autoStart: asBool(r.autoStart),
    startupTimeLimit: asTimeSpan(r.startupTimeLimit),
    shutdownTimeLimit: asTimeSpan(r.shutdownTimeLimit),
  };
}

/** The attribute value sent for a (validated) setting value. */
function attributeValue(key: SettingName, value: unknown): PsCode {
  switch (key) {
    case 'overlappingRecycle':
      return ps`${!(value as boolean)}`;
    case 'cpuLimitPercent':
      return ps`${Math.round((value as number) * 1000)}`;
    case 'logEventOnRecycle':
      return ps`${(value as string[]).join(',')}`;
    default:
      return ps`${value as string | number | boolean}`;
  }
}

/** One Set-WebConfigurationProperty per changed attribute, in one round trip. Validates first. */
export function writePoolSettings(name: string, changes: PoolSettingsChanges): PsCommand<void> {
  const filter = poolFilter(name);
  const valid = validateChanges(changes);
  const lines = (Object.keys(valid) as SettingName[]).map((key) => {
    const s = SETTINGS[key];
    if (s.kind === 'schedule') {
      // The schedule collection is replaced as a whole: one element per time (schedule/add/@value).
      const items = (valid[key] as string[]).map((t) => ({ value: t }));
      return ps`Set-WebConfigurationProperty -PSPath ${APPHOST_PSPATH} -Filter ($iisctlPool + ${'/recycling/periodicRestart'}) -Name 'schedule' -Value ${items}`;
    }
    const target = s.element ? ps`($iisctlPool + ${'/' + s.element})` : ps`$iisctlPool`;
    return ps`Set-WebConfigurationProperty -PSPath ${APPHOST_PSPATH} -Filter ${target} -Name ${s.attribute} -Value ${attributeValue(key, valid[key])}`;
  });
  return {
    purpose: `set ${Object.keys(valid).join(', ')} of application pool ${name}`,
    script: ps`${IMPORT_WEBADMINISTRATION}
$iisctlPool = ${filter}
${joinCode(lines)}
$null`,
    parse: () => undefined,
  };
}
