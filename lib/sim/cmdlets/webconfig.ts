/**
 * Get-WebConfigurationProperty / Set-WebConfigurationProperty (WebAdministration; syntax from the
 * 5.1 catalog, docs/sources.md §4.1) over the machine's application pool settings, at the server level
 * (-PSPath 'MACHINE/WEBROOT/APPHOST' or 'IIS:\').
 *
 * Filters understood (XPath as in docs/sources.md §4.1; a leading '/' is optional):
 *   system.applicationHost/applicationPools/add[@name='<pool>'][/<element>...]   (either XPath quote, XPath 1.0 §3.7)
 *   system.applicationHost/applicationPools                                      (-Name Collection: the pools)
 * Elements: processModel, recycling, recycling/periodicRestart, recycling/periodicRestart/schedule
 * (-Name Collection: its add elements), failure, cpu. Any other filter or parameter fails with
 * NotImplementedBySimulatedHost, never silently.
 *
 * Output (Get): attributes come back as ConfigurationAttribute objects (Name, Value, TypeName,
 * IsInheritedFromDefaultValue, IsProtected, Schema) except enum and flags attributes, which come
 * back as their string (docs/sources.md §4.1: "Values of enum attributes come back as strings"; the object shape
 * is *assumed* from common transcripts). TimeSpans are System.TimeSpan. A filter that matches no
 * element gives no output (*assumed*).
 *
 * Set: the value is converted to the attribute's schema type and checked against the documented
 * accepted values and ranges (docs/sources.md §7.3-§7.5, the IIS configuration reference): enum names (case-insensitive) or their
 * numbers, flags as comma-separated names or a number, uint 0-4294967295
 * (rapidFailProtectionMaxCrashes 1-2147483647, docs/sources.md §7.3), non-negative TimeSpans, schedule times
 * "unique local time, on a 24-hour clock" (IIS settings schema). Refusals: COMException with
 * ERROR_INVALID_DATA 0x8007000D "The data is invalid." (the appcmd error shown in docs/sources.md §4.4 for a bad
 * value; its use for WebAdministration is *assumed*); no matching element: an *assumed*
 * "Filter ... does not match" error; non-administrators: 0x80070005 "Access is denied.".
 * -Location, -Clr, -AtElement/-AtIndex/-AtName, -Recurse, -InputObject are not simulated.
 */
import type { CmdletCall, CmdletImpl } from '../interp/types';
import { SimFault, parseTimeSpan, type PoolState, type PoolView } from '../machine';
import { formatTimeSpan } from '../machine/timespan';
import { RecycleLogFlags } from '../machine/constants';
import { PsEnum, PsHashtable, PsObject, type PsValue, asList, toStr } from '../values';
import { hostOf } from './simhost';
import { chain, dotnetObject, errorWith, notImplemented, only, strings } from './common';
import { inModule, iisError, poolObject, readIisConfig, timeSpan } from './webadmin';

const COM = 'System.Runtime.InteropServices.COMException';
const E_INVALID_DATA = 0x8007000d;
const UINT_MAX = 4294967295;

type Kind = 'bool' | 'uint' | 'timespan' | 'enum' | 'flags' | 'string';
interface Attr {
  kind: Kind;
  values?: string[];
  min?: number;
  max?: number;
  get(p: PoolState): unknown;
  set(p: PoolState, v: unknown): void;
}

const e = (values: string[]) => ({ kind: 'enum' as const, values });

/** element path (lower-case) -> attribute (lower-case) -> schema. IIS attribute names (docs/sources.md §7.3-§7.5). */
const ELEMENTS: Record<string, Record<string, Attr & { name: string }>> = {};
function el(path: string, attrs: Record<string, Attr>): void {
  ELEMENTS[path.toLowerCase()] = Object.fromEntries(Object.entries(attrs).map(([n, a]) => [n.toLowerCase(), { ...a, name: n }]));
}
el('', {
  name: { kind: 'string', get: (p) => p.name, set: () => undefined },
  autoStart: { kind: 'bool', get: (p) => p.autoStart, set: (p, v) => (p.autoStart = v as boolean) },
  startMode: { ...e(['OnDemand', 'AlwaysRunning']), get: (p) => p.startMode, set: (p, v) => (p.startMode = v as PoolState['startMode']) },
  queueLength: { kind: 'uint', min: 10, max: 65535, get: (p) => p.queueLength, set: (p, v) => (p.queueLength = v as number) },
});
el('processModel', {
  idleTimeout: { kind: 'timespan', get: (p) => p.processModel.idleTimeout, set: (p, v) => (p.processModel.idleTimeout = v as string) },
  idleTimeoutAction: { ...e(['Terminate', 'Suspend']), get: (p) => p.processModel.idleTimeoutAction, set: (p, v) => (p.processModel.idleTimeoutAction = v as string) },
  shutdownTimeLimit: { kind: 'timespan', get: (p) => p.processModel.shutdownTimeLimit, set: (p, v) => (p.processModel.shutdownTimeLimit = v as string) },
  startupTimeLimit: { kind: 'timespan', get: (p) => p.processModel.startupTimeLimit, set: (p, v) => (p.processModel.startupTimeLimit = v as string) },
  pingingEnabled: { kind: 'bool', get: (p) => p.processModel.pingingEnabled, set: (p, v) => (p.processModel.pingingEnabled = v as boolean) },
  maxProcesses: { kind: 'uint', get: (p) => p.processModel.maxProcesses, set: (p, v) => (p.processModel.maxProcesses = v as number) },
  identityType: { ...e(['LocalSystem', 'LocalService', 'NetworkService', 'SpecificUser', 'ApplicationPoolIdentity']), get: (p) => p.processModel.identityType, set: (p, v) => (p.processModel.identityType = v as string) },
});
el('recycling', {
  disallowOverlappingRotation: { kind: 'bool', get: (p) => p.recycling.disallowOverlappingRotation, set: (p, v) => (p.recycling.disallowOverlappingRotation = v as boolean) },
  disallowRotationOnConfigChange: { kind: 'bool', get: (p) => p.recycling.disallowRotationOnConfigChange, set: (p, v) => (p.recycling.disallowRotationOnConfigChange = v as boolean) },
  logEventOnRecycle: { kind: 'flags', values: Object.keys(RecycleLogFlags), get: (p) => p.recycling.logEventOnRecycle, set: (p, v) => (p.recycling.logEventOnRecycle = v as string) },
});
el('recycling/periodicRestart', {
  time: { kind: 'timespan', get: (p) => p.recycling.periodicRestart.time, set: (p, v) => (p.recycling.periodicRestart.time = v as string) },
  requests: { kind: 'uint', get: (p) => p.recycling.periodicRestart.requests, set: (p, v) => (p.recycling.periodicRestart.requests = v as number) },
  memory: { kind: 'uint', get: (p) => p.recycling.periodicRestart.memory, set: (p, v) => (p.recycling.periodicRestart.memory = v as number) },
  privateMemory: { kind: 'uint', get: (p) => p.recycling.periodicRestart.privateMemory, set: (p, v) => (p.recycling.periodicRestart.privateMemory = v as number) },
});
el('failure', {
  rapidFailProtection: { kind: 'bool', get: (p) => p.failure.rapidFailProtection, set: (p, v) => (p.failure.rapidFailProtection = v as boolean) },
  rapidFailProtectionInterval: { kind: 'timespan', get: (p) => p.failure.rapidFailProtectionInterval, set: (p, v) => (p.failure.rapidFailProtectionInterval = v as string) },
  rapidFailProtectionMaxCrashes: { kind: 'uint', min: 1, max: 2147483647, get: (p) => p.failure.rapidFailProtectionMaxCrashes, set: (p, v) => (p.failure.rapidFailProtectionMaxCrashes = v as number) },
  loadBalancerCapabilities: { ...e(['TcpLevel', 'HttpLevel']), get: (p) => p.failure.loadBalancerCapabilities, set: (p, v) => (p.failure.loadBalancerCapabilities = v as string) },
});
el('cpu', {
  limit: { kind: 'uint', get: (p) => p.cpu.limit, set: (p, v) => (p.cpu.limit = v as number) },
  action: { ...e(['NoAction', 'KillW3wp', 'Throttle', 'ThrottleUnderLoad']), get: (p) => p.cpu.action, set: (p, v) => (p.cpu.action = v as string) },
  resetInterval: { kind: 'timespan', get: (p) => p.cpu.resetInterval, set: (p, v) => (p.cpu.resetInterval = v as string) },
});
const SCHEDULE = 'recycling/periodicrestart/schedule';

interface Target {
  /** null: the applicationPools collection itself. */
  pool: string | null;
  element: string;
}

/** Parses the filter; NotImplemented for anything else. */
function parseFilter(call: CmdletCall, filter: string): Target {
  const f = filter.trim().replace(/^\//, '');
  if (/^system\.applicationHost\/applicationPools$/i.test(f)) return { pool: null, element: '' };
  const m = /^system\.applicationHost\/applicationPools\/add\[@name=(?:'([^']*)'|"([^"]*)")\](?:\/(.+))?$/i.exec(f);
  if (!m) return notImplemented(call, `the configuration filter '${filter}' (only application pool elements are simulated)`);
  const element = (m[3] ?? '').replace(/\/$/, '').toLowerCase();
  if (!(element in ELEMENTS) && element !== SCHEDULE) return notImplemented(call, `the configuration element '${m[3]}' of an application pool`);
  return { pool: m[1] ?? m[2], element };
}

function checkPath(call: CmdletCall): void {
  only(call, ['PSPath', 'Filter', 'Name', 'Value']);
  const paths = strings(call.params.get('PSPath'));
  if (paths.length === 0) return notImplemented(call, `${call.name} without -PSPath (the current location)`);
  for (const p of paths) {
    if (!/^(MACHINE\/WEBROOT\/APPHOST\/?|IIS:\\?)$/i.test(p.trim())) notImplemented(call, `-PSPath '${p}' (only MACHINE/WEBROOT/APPHOST and IIS:\\ are simulated)`);
  }
}

function attributeObject(name: string, value: PsValue, typeName: string, isDefault: boolean): PsObject {
  return dotnetObject(['Microsoft.IIs.PowerShell.Framework.ConfigurationAttribute'], [
    ['IsInheritedFromDefaultValue', isDefault],
    ['IsProtected', false],
    ['Name', name],
    ['TypeName', typeName],
    ['Schema', dotnetObject(['Microsoft.IIs.PowerShell.Framework.ConfigurationAttributeSchema'], [['Name', name], ['Type', typeName]])],
    ['Value', value],
    ['IsExtended', false],
  ], () => toStr(value));
}

const TYPE_NAME: Record<Kind, string> = { bool: 'System.Boolean', uint: 'System.UInt32', timespan: 'System.TimeSpan', enum: 'System.String', flags: 'System.String', string: 'System.String' };

function readAttr(pool: PoolView, attr: Attr & { name: string }): PsValue {
  const raw = attr.get(pool as unknown as PoolState);
  if (attr.kind === 'enum' || attr.kind === 'flags') return String(raw).replace(/\s*,\s*/g, ',');
  const value: PsValue = attr.kind === 'timespan' ? timeSpan(String(raw)) : (raw as PsValue);
  return attributeObject(attr.name, value, TYPE_NAME[attr.kind], false);
}

function scheduleElements(pool: PoolView): PsObject[] {
  return pool.recycling.periodicRestart.schedule.map((t) => dotnetObject(['Microsoft.IIs.PowerShell.Framework.ConfigurationElement'], [['value', timeSpan(t)]]));
}

const getWebConfigurationProperty: CmdletImpl = async (call) => {
  checkPath(call);
  const names = strings(call.params.get('Name'));
  const out: PsValue[] = [];
  const { pools, computer } = await readIisConfig(call, (m) => ({ pools: m.pools(), computer: m.name }));
  for (const filter of strings(call.params.get('Filter'))) {
    const t = parseFilter(call, filter);
    if (t.pool === null) {
      for (const n of names) {
        if (n.toLowerCase() !== 'collection') notImplemented(call, `-Name '${n}' on the applicationPools collection`);
        out.push(...pools.map((p) => poolObject(p, computer)));
      }
      continue;
    }
    const pool = pools.find((p) => p.name.toLowerCase() === t.pool!.toLowerCase());
    if (!pool) continue; // no matching element: nothing (assumed)
    for (const n of names) {
      if (t.element === SCHEDULE) {
        if (n.toLowerCase() !== 'collection') notImplemented(call, `-Name '${n}' on the schedule collection`);
        out.push(...scheduleElements(pool));
        continue;
      }
      const attr = ELEMENTS[t.element][n.toLowerCase()];
      if (!attr) notImplemented(call, `the attribute '${n}' of '${filter}'`);
      out.push(readAttr(pool, attr));
    }
  }
  return out;
};

function invalid(call: CmdletCall, message: string): never {
  return call.ctx.throwTerminating(errorWith(chain({ type: COM, message: `${message}\r\nThe data is invalid. (Exception from HRESULT: 0x8007000D)`, hresult: E_INVALID_DATA | 0 }),
    `${COM},${call.ctx.cmdletTypeName}`, 'InvalidArgument', null));
}

/** The value converted to the attribute's type, or an invalid-data error. */
function convert(call: CmdletCall, attr: Attr & { name: string }, raw: PsValue): unknown {
  const v = raw;
  const text = v instanceof PsEnum ? v.name : toStr(v);
  switch (attr.kind) {
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
      return invalid(call, `'${text}' is not a valid value for the Boolean attribute '${attr.name}'.`);
    case 'uint': {
      const n = typeof v === 'number' ? v : /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
      const min = attr.min ?? 0;
      const max = attr.max ?? UINT_MAX;
      if (!Number.isInteger(n) || n < min || n > max) return invalid(call, `'${text}' is not a valid value for '${attr.name}' (a whole number from ${min} to ${max}).`);
      return n;
    }
    case 'timespan': {
      let ms: number | null;
      if (v instanceof PsObject && v.typeNames[0] === 'System.TimeSpan') ms = Number(toStr(v.getProperty('TotalMilliseconds') ?? null));
      else ms = parseTimeSpan(text);
      if (ms === null || !Number.isFinite(ms) || ms < 0) return invalid(call, `'${text}' is not a valid TimeSpan value for '${attr.name}'.`);
      return formatTimeSpan(ms);
    }
    case 'enum': {
      const values = attr.values!;
      const hit = typeof v === 'number' ? values[v] : values.find((x) => x.toLowerCase() === text.trim().toLowerCase());
      if (!hit) return invalid(call, `'${text}' is not a valid value for '${attr.name}'; valid values: ${values.join(', ')}.`);
      return hit;
    }
    case 'flags': {
      const values = attr.values!;
      if (typeof v === 'number' || /^\s*\d+\s*$/.test(text)) {
        const n = Number(text);
        const all = values.reduce((a, f) => a | RecycleLogFlags[f as keyof typeof RecycleLogFlags], 0);
        if (!Number.isInteger(n) || n < 0 || (n & ~all) !== 0) return invalid(call, `'${text}' is not a valid value for '${attr.name}'.`);
        return values.filter((f) => (n & RecycleLogFlags[f as keyof typeof RecycleLogFlags]) !== 0).join(', ');
      }
      const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
      const picked: string[] = [];
      for (const p of parts) {
        const hit = values.find((x) => x.toLowerCase() === p.toLowerCase());
        if (!hit) return invalid(call, `'${p}' is not a valid flag for '${attr.name}'; valid flags: ${values.join(', ')}.`);
        if (!picked.includes(hit)) picked.push(hit);
      }
      return values.filter((f) => picked.includes(f)).join(', ');
    }
    default:
      return invalid(call, `The attribute '${attr.name}' cannot be set here (the simulated host keeps it read-only).`);
  }
}

/** The schedule collection from a hashtable (or hashtables) with `value` (schedule/add/@value). */
function scheduleTimes(call: CmdletCall, raw: PsValue): string[] {
  const times: string[] = [];
  for (const item of asList(raw)) {
    const v = item instanceof PsHashtable ? item.get('value') : item instanceof PsObject ? item.getProperty('value') : undefined;
    if (v === undefined) notImplemented(call, 'a schedule value that is not a hashtable with a value key');
    const text = v instanceof PsObject && v.typeNames[0] === 'System.TimeSpan' ? toStr(v) : toStr(v ?? null);
    const ms = parseTimeSpan(text);
    if (ms === null || ms < 0 || ms >= 86_400_000) invalid(call, `'${text}' is not a valid time of day for a periodic restart schedule.`);
    const t = formatTimeSpan(ms!);
    if (times.includes(t)) invalid(call, `Cannot add duplicate collection entry of type 'add' with unique key attribute 'value' set to '${t}'.`);
    times.push(t);
  }
  return times.sort();
}

const setWebConfigurationProperty: CmdletImpl = async (call) => {
  checkPath(call);
  const name = toStr(call.params.get('Name') ?? null);
  const raw = call.params.get('Value') ?? null;
  const host = hostOf(call);
  for (const filter of strings(call.params.get('Filter'))) {
    const t = parseFilter(call, filter);
    if (t.pool === null) notImplemented(call, 'Set-WebConfigurationProperty on the applicationPools collection');
    let change: (p: PoolState) => void;
    if (t.element === 'recycling/periodicrestart' && name.toLowerCase() === 'schedule') {
      const times = scheduleTimes(call, raw);
      change = (p) => (p.recycling.periodicRestart.schedule = times);
    } else {
      const attr = ELEMENTS[t.element]?.[name.toLowerCase()];
      if (!attr) return notImplemented(call, `the attribute '${name}' of '${filter}'`);
      const value = convert(call, attr, raw);
      change = (p) => attr.set(p, value);
    }
    if (call.ctx.whatIf) continue;
    try {
      await host.use((m) => m.updatePoolConfig(t.pool!, change));
    } catch (err) {
      if (err instanceof SimFault && err.kind === 'NotFound') {
        call.ctx.throwTerminating(errorWith(chain({ type: 'System.ArgumentException', message: `Filter '${filter}' does not match any configuration element.` }), // assumed text
          `System.ArgumentException,${call.ctx.cmdletTypeName}`, 'InvalidArgument', filter));
      }
      if (err instanceof SimFault) iisError(call, err, 'AppPools', t.pool!);
      throw err;
    }
  }
  return [];
};

const W = 'WebAdministration';
export const webConfigCmdlets: Array<[string, CmdletImpl]> = [
  ['Get-WebConfigurationProperty', inModule(W, getWebConfigurationProperty)],
  ['Set-WebConfigurationProperty', inModule(W, setWebConfigurationProperty)],
];
