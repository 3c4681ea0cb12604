/**
 * Scenarios: JSON descriptions of simulated computers (lib/sim/scenarios/*.json), validated
 * on load with errors that name the file, the JSON path and the problem. Keys starting with
 * "_" ("_comment", "_source", "_assumed") are annotations and ignored everywhere.
 * The format is documented in lib/sim/README.md ("Machine").
 */
import * as fs from 'node:fs';
import {
  CpuActions,
  IdentityTypes,
  IdleTimeoutActions,
  LoadBalancerCapabilities,
  PipelineModes,
  RecycleLogFlags,
  ServiceStartMode,
  StartModes,
  type PipelineMode,
  type PoolStartMode,
  type StartTypeName,
} from './machine/constants';
import { listBundledScenarios, resolveScenarioPath, SCENARIO_DIR } from './scenarioPath';
import { normaliseRegistryPath } from './machine/registry';
import { parseTimeSpan } from './machine/timespan';
import type { RegistryValueKind } from './machine/types';

// ---- the format ----------------------------------------------------------------------------

export interface Scenario {
  name: string;
  description: string;
  commandLogLimit?: number;
  host: { crashOnCall: number | null };
  computers: Record<string, ComputerSpec>;
  /** Name of the local computer (the one marked "local", or the only one). */
  localComputer: string;
  /** Where it was loaded from ('' for in-memory scenarios). */
  file: string;
}

export interface ComputerSpec {
  name: string;
  local: boolean;
  fqdn?: string;
  os?: string;
  iisVersion?: string;
  unreachable: boolean;
  bootAgoMinutes?: number;
  rebootMs?: number;
  user?: { name?: string; sid?: string; isAdmin?: boolean };
  modules?: { WebAdministration?: boolean; IISAdministration?: boolean };
  services: ServiceSpec[];
  appPools: PoolSpec[];
  sites: SiteSpec[];
  processes: { name: string; pid?: number; workingSet?: number; commandLine?: string; userName?: string }[];
  eventSources: Record<string, string>;
  eventLogMaxRecords?: number;
  registry: Record<string, Record<string, RegistryValueSpec>>;
  history: HistorySpec[];
}

export type RegistryValueSpec = string | number | string[] | { kind: RegistryValueKind; value: string | number | string[] | number[] };

export interface ServiceSpec {
  name: string;
  displayName: string;
  description?: string;
  startType: StartTypeName;
  dependsOn?: string[];
  image?: string;
  group?: string | null;
  status?: 'Running' | 'Stopped';
  startMs?: number;
  stopMs?: number;
  recovery?: { action: 'restart'; delayMs: number } | null;
  faults?: {
    hangOnStop?: boolean;
    failStart?: { times?: number | null; win32Code?: number; message?: string };
    cannotAcceptControl?: number;
  };
}

export interface PoolSpec {
  name: string;
  state?: 'Started' | 'Stopped';
  autoStart?: boolean;
  startMode?: PoolStartMode;
  managedRuntimeVersion?: string;
  managedPipelineMode?: PipelineMode;
  queueLength?: number;
  enable32BitAppOnWin64?: boolean;
  /** Workers running at load (default: 1 for AlwaysRunning, else 0). */
  workers?: number;
  processModel?: Record<string, unknown>;
  recycling?: Record<string, unknown>;
  failure?: Record<string, unknown>;
  cpu?: Record<string, unknown>;
  timing?: { startMs?: number; stopMs?: number; overlapMs?: number; workerStartMs?: number };
  faults?: { hangOnStop?: boolean; crashWorker?: { count: number; afterMs: number; exitCode?: string }; workerOutlivesIis?: boolean };
}

export interface SiteSpec {
  id: number;
  name: string;
  state?: 'Started' | 'Stopped';
  serverAutoStart?: boolean;
  physicalPath: string;
  applicationPool: string;
  bindings: { protocol: string; bindingInformation: string }[];
  applications?: { path: string; applicationPool: string; physicalPath: string }[];
  httpPort?: number | null;
}

export type HistorySpec = { agoMinutes: number } & (
  | { kind: 'serviceState'; service: string; state: 'running' | 'stopped' }
  | { kind: 'serviceCrash'; service: string; times?: number }
  | { kind: 'startTypeChanged'; service: string; from: StartTypeName; to: StartTypeName }
  | { kind: 'adminRecycle'; pool: string }
  | { kind: 'periodicRecycle'; pool: string; pid: number }
  | { kind: 'workerTerminated'; pool: string; pid: number; exitCode: string }
  | { kind: 'rapidFail'; pool: string }
  | { kind: 'iisReset'; command: 'start' | 'stop'; user?: string }
  | { kind: 'raw'; logName: string; providerName: string; id: number; level: number; message: string; properties?: string[] }
);

// ---- errors --------------------------------------------------------------------------------

export interface ScenarioProblem {
  /** JSON path, e.g. "$.computers.WEB01.services[2].dependsOn[0]". */
  path: string;
  problem: string;
}

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ScenarioProblem[],
  ) {
    super(
      `Invalid scenario ${file || '(in memory)'}:\n` + problems.map((p) => `  ${p.path}: ${p.problem}`).join('\n'),
    );
    this.name = 'ScenarioError';
  }
}

// ---- loading ---------------------------------------------------------------------------------

export { listBundledScenarios, resolveScenarioPath, SCENARIO_DIR } from './scenarioPath';

export function loadScenario(nameOrPath: string): Scenario {
  const file = resolveScenarioPath(nameOrPath);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const known = fs.existsSync(SCENARIO_DIR) ? listBundledScenarios().join(', ') : '';
    throw new ScenarioError(file, [
      { path: '$', problem: `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})${known ? `; bundled scenarios: ${known}` : ''}` },
    ]);
  }
  return parseScenario(text, file);
}

export function parseScenario(text: string, file = ''): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(file, [{ path: '$', problem: `not valid JSON: ${(e as Error).message}` }]);
  }
  return validateScenario(json, file);
}

// ---- validation helpers ------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const ident = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);

class Checker {
  readonly problems: ScenarioProblem[] = [];

  add(p: string, problem: string): void {
    this.problems.push({ path: p, problem });
  }

  /** Reports fields other than `allowed` (annotation keys starting with "_" are always allowed). */
  keys(p: string, o: Obj, allowed: string[]): void {
    for (const k of Object.keys(o)) {
      if (k.startsWith('_') || allowed.includes(k)) continue;
      this.add(p + ident(k), `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }

  obj(p: string, v: unknown, required = true): Obj | undefined {
    if (v === undefined && !required) return undefined;
    if (!isObj(v)) {
      this.add(p, v === undefined ? 'missing (an object is required)' : `must be an object, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  arr(p: string, v: unknown, required = false): unknown[] {
    if (v === undefined && !required) return [];
    if (!Array.isArray(v)) {
      this.add(p, v === undefined ? 'missing (an array is required)' : `must be an array, got ${describe(v)}`);
      return [];
    }
    return v;
  }

  str(p: string, v: unknown, opts: { required?: boolean; nonEmpty?: boolean; oneOf?: readonly string[] } = {}): string | undefined {
    if (v === undefined) {
      if (opts.required) this.add(p, 'missing (a string is required)');
      return undefined;
    }
    if (typeof v !== 'string') {
      this.add(p, `must be a string, got ${describe(v)}`);
      return undefined;
    }
    if (opts.nonEmpty && v.trim() === '') {
      this.add(p, 'must not be empty');
      return undefined;
    }
    if (opts.oneOf && !opts.oneOf.includes(v)) {
      this.add(p, `must be one of ${opts.oneOf.join(', ')}; got "${v}"`);
      return undefined;
    }
    return v;
  }

  int(p: string, v: unknown, opts: { required?: boolean; min?: number } = {}): number | undefined {
    if (v === undefined) {
      if (opts.required) this.add(p, 'missing (an integer is required)');
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.add(p, `must be an integer, got ${describe(v)}`);
      return undefined;
    }
    if (opts.min !== undefined && v < opts.min) {
      this.add(p, `must be >= ${opts.min}, got ${v}`);
      return undefined;
    }
    return v;
  }

  bool(p: string, v: unknown): boolean | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.add(p, `must be true or false, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  timespan(p: string, v: unknown): string | undefined {
    const s = this.str(p, v);
    if (s !== undefined && parseTimeSpan(s) === null) this.add(p, `must be a TimeSpan "[d.]hh:mm:ss", got "${s}"`);
    return s;
  }

  /** Checks a config section's fields against the type of the defaults (docs/sources.md §7.x). */
  section(p: string, v: unknown, spec: Record<string, 'bool' | 'int' | 'string' | 'timespan' | 'nested' | readonly string[]>): Obj | undefined {
    const o = this.obj(p, v, false);
    if (!o) return undefined;
    this.keys(p, o, Object.keys(spec));
    for (const [k, t] of Object.entries(spec)) {
      const fp = p + ident(k);
      if (o[k] === undefined) continue;
      if (t === 'bool') this.bool(fp, o[k]);
      else if (t === 'int') this.int(fp, o[k], { min: 0 });
      else if (t === 'string') this.str(fp, o[k]);
      else if (t === 'timespan') this.timespan(fp, o[k]);
      else if (t === 'nested') continue; // checked by the caller
      else this.str(fp, o[k], { oneOf: t });
    }
    return o;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `"${v}"` : typeof v;
}

const START_TYPES = Object.keys(ServiceStartMode) as StartTypeName[];
const BINDING_INFO = /^(\*|[0-9.]+|\[[0-9a-fA-F:]+\]):(\d{1,5}):(.*)$/;
const REG_KINDS: RegistryValueKind[] = ['String', 'ExpandString', 'DWord', 'QWord', 'MultiString', 'Binary'];

// ---- validation -------------------------------------------------------------------------------

export function validateScenario(json: unknown, file = ''): Scenario {
  const c = new Checker();
  const root = c.obj('$', json);
  if (!root) throw new ScenarioError(file, c.problems);
  c.keys('$', root, ['name', 'description', 'commandLogLimit', 'host', 'computers']);
  const name = c.str('$.name', root.name, { required: true, nonEmpty: true }) ?? '';
  if (name && !/^[A-Za-z0-9._-]+$/.test(name)) c.add('$.name', 'may only contain letters, digits, ".", "_" and "-" (it names the state file)');
  const description = c.str('$.description', root.description) ?? '';
  const commandLogLimit = c.int('$.commandLogLimit', root.commandLogLimit, { min: 1 });
  let crashOnCall: number | null = null;
  const host = c.obj('$.host', root.host, false);
  if (host) {
    c.keys('$.host', host, ['crashOnCall']);
    if (host.crashOnCall !== null) crashOnCall = c.int('$.host.crashOnCall', host.crashOnCall, { min: 1 }) ?? null;
  }

  const computers: Record<string, ComputerSpec> = {};
  const comps = c.obj('$.computers', root.computers);
  if (comps) {
    const names = Object.keys(comps).filter((k) => !k.startsWith('_'));
    if (names.length === 0) c.add('$.computers', 'must define at least one computer');
    const seen = new Set<string>();
    for (const cn of names) {
      const p = `$.computers${ident(cn)}`;
      if (!/^[A-Za-z0-9-]{1,15}$/.test(cn)) c.add(p, 'computer names are NetBIOS names: 1-15 letters, digits or "-"');
      if (seen.has(cn.toUpperCase())) c.add(p, `duplicate computer name (names are case-insensitive)`);
      seen.add(cn.toUpperCase());
      const spec = validateComputer(c, p, cn, comps[cn]);
      if (spec) computers[cn.toUpperCase()] = spec;
    }
  }

  const specs = Object.values(computers);
  const locals = specs.filter((s) => s.local);
  let localComputer = '';
  if (specs.length === 1 && locals.length === 0) {
    specs[0].local = true;
    localComputer = specs[0].name.toUpperCase();
  } else if (locals.length === 1) {
    localComputer = locals[0].name.toUpperCase();
    if (locals[0].unreachable) c.add(`$.computers${ident(locals[0].name)}.unreachable`, 'the local computer cannot be unreachable');
  } else if (specs.length > 0) {
    c.add('$.computers', `exactly one computer must have "local": true (found ${locals.length})`);
  }

  if (c.problems.length) throw new ScenarioError(file, c.problems);
  return {
    name,
    description,
    ...(commandLogLimit !== undefined ? { commandLogLimit } : {}),
    host: { crashOnCall },
    computers,
    localComputer,
    file,
  };
}

function validateComputer(c: Checker, p: string, name: string, v: unknown): ComputerSpec | undefined {
  const o = c.obj(p, v);
  if (!o) return undefined;
  c.keys(p, o, [
    'local', 'fqdn', 'os', 'iisVersion', 'unreachable', 'bootAgoMinutes', 'rebootMs', 'user', 'modules',
    'services', 'appPools', 'sites', 'processes', 'eventSources', 'eventLogMaxRecords', 'registry', 'history',
  ]);
  c.bool(`${p}.local`, o.local);
  c.str(`${p}.fqdn`, o.fqdn, { nonEmpty: true });
  c.str(`${p}.os`, o.os);
  c.str(`${p}.iisVersion`, o.iisVersion);
  c.bool(`${p}.unreachable`, o.unreachable);
  c.int(`${p}.bootAgoMinutes`, o.bootAgoMinutes, { min: 0 });
  c.int(`${p}.rebootMs`, o.rebootMs, { min: 0 });
  c.int(`${p}.eventLogMaxRecords`, o.eventLogMaxRecords, { min: 10 });
  const user = c.obj(`${p}.user`, o.user, false);
  if (user) {
    c.keys(`${p}.user`, user, ['name', 'sid', 'isAdmin']);
    c.str(`${p}.user.name`, user.name, { nonEmpty: true });
    const sid = c.str(`${p}.user.sid`, user.sid);
    if (sid && !/^S-1-[0-9-]+$/.test(sid)) c.add(`${p}.user.sid`, `must be a SID like "S-1-5-21-...", got "${sid}"`);
    c.bool(`${p}.user.isAdmin`, user.isAdmin);
  }
  const modules = c.obj(`${p}.modules`, o.modules, false);
  if (modules) {
    c.keys(`${p}.modules`, modules, ['WebAdministration', 'IISAdministration']);
    c.bool(`${p}.modules.WebAdministration`, modules.WebAdministration);
    c.bool(`${p}.modules.IISAdministration`, modules.IISAdministration);
  }

  const services = validateServices(c, `${p}.services`, o.services);
  const serviceNames = new Set(services.map((s) => s.name.toLowerCase()));
  const appPools = validatePools(c, `${p}.appPools`, o.appPools);
  const poolNames = new Set(appPools.map((x) => x.name.toLowerCase()));
  const sites = validateSites(c, `${p}.sites`, o.sites, poolNames);

  const processes = c.arr(`${p}.processes`, o.processes).map((x, i) => {
    const pp = `${p}.processes[${i}]`;
    const po = c.obj(pp, x) ?? {};
    c.keys(pp, po, ['name', 'pid', 'workingSet', 'commandLine', 'userName']);
    const pid = c.int(`${pp}.pid`, po.pid, { min: 0 });
    if (pid !== undefined && pid % 4 !== 0) c.add(`${pp}.pid`, 'Windows process ids are multiples of 4');
    return {
      name: c.str(`${pp}.name`, po.name, { required: true, nonEmpty: true }) ?? '',
      pid,
      workingSet: c.int(`${pp}.workingSet`, po.workingSet, { min: 0 }),
      commandLine: c.str(`${pp}.commandLine`, po.commandLine),
      userName: c.str(`${pp}.userName`, po.userName),
    };
  });

  const eventSources: Record<string, string> = {};
  const es = c.obj(`${p}.eventSources`, o.eventSources, false);
  if (es) {
    for (const [src, log] of Object.entries(es)) {
      if (src.startsWith('_')) continue;
      const l = c.str(`${p}.eventSources${ident(src)}`, log, { required: true, nonEmpty: true });
      if (l) eventSources[src] = l;
    }
  }

  const registry: Record<string, Record<string, RegistryValueSpec>> = {};
  const reg = c.obj(`${p}.registry`, o.registry, false);
  if (reg) {
    for (const [keyPath, values] of Object.entries(reg)) {
      if (keyPath.startsWith('_')) continue;
      const kp = `${p}.registry${ident(keyPath)}`;
      if (!normaliseRegistryPath(keyPath)) c.add(kp, 'registry key paths must start with HKLM:\\ or HKCU:\\');
      const vo = c.obj(kp, values);
      if (!vo) continue;
      registry[keyPath] = {};
      for (const [vn, vv] of Object.entries(vo)) {
        if (vn.startsWith('_')) continue;
        const ok = validateRegistryValue(c, `${kp}${ident(vn)}`, vv);
        if (ok) registry[keyPath][vn] = vv as RegistryValueSpec;
      }
    }
  }

  const history = c.arr(`${p}.history`, o.history).flatMap((h, i) => {
    const r = validateHistory(c, `${p}.history[${i}]`, h, serviceNames, poolNames);
    return r ? [r] : [];
  });

  return {
    name,
    local: o.local === true,
    fqdn: o.fqdn as string | undefined,
    os: o.os as string | undefined,
    iisVersion: o.iisVersion as string | undefined,
    unreachable: o.unreachable === true,
    bootAgoMinutes: o.bootAgoMinutes as number | undefined,
    rebootMs: o.rebootMs as number | undefined,
    user: user as ComputerSpec['user'],
    modules: modules as ComputerSpec['modules'],
    services,
    appPools,
    sites,
    processes,
    eventSources,
    eventLogMaxRecords: o.eventLogMaxRecords as number | undefined,
    registry,
    history,
  };
}

function validateRegistryValue(c: Checker, p: string, v: unknown): boolean {
  if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))) return true;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return true;
  const o = c.obj(p, v);
  if (!o) return false;
  c.keys(p, o, ['kind', 'value']);
  c.str(`${p}.kind`, o.kind, { required: true, oneOf: REG_KINDS });
  if (o.value === undefined) c.add(`${p}.value`, 'missing');
  return true;
}

function validateServices(c: Checker, p: string, v: unknown): ServiceSpec[] {
  const list = c.arr(p, v);
  const out: ServiceSpec[] = [];
  const byName = new Map<string, number>();
  const byDisplay = new Map<string, number>();
  list.forEach((x, i) => {
    const sp = `${p}[${i}]`;
    const o = c.obj(sp, x);
    if (!o) return;
    c.keys(sp, o, ['name', 'displayName', 'description', 'startType', 'dependsOn', 'image', 'group', 'status', 'startMs', 'stopMs', 'recovery', 'faults']);
    const name = c.str(`${sp}.name`, o.name, { required: true, nonEmpty: true });
    const displayName = c.str(`${sp}.displayName`, o.displayName, { required: true, nonEmpty: true });
    if (name && /[\\/]/.test(name)) c.add(`${sp}.name`, 'service names cannot contain "/" or "\\"');
    if (name) {
      const prev = byName.get(name.toLowerCase());
      if (prev !== undefined) c.add(`${sp}.name`, `duplicate service name "${name}" (also at ${p}[${prev}]; names are case-insensitive)`);
      else byName.set(name.toLowerCase(), i);
    }
    if (displayName) {
      const prev = byDisplay.get(displayName.toLowerCase());
      if (prev !== undefined) c.add(`${sp}.displayName`, `duplicate display name "${displayName}" (also at ${p}[${prev}])`);
      else byDisplay.set(displayName.toLowerCase(), i);
    }
    const startType = c.str(`${sp}.startType`, o.startType, { required: true, oneOf: START_TYPES }) as StartTypeName | undefined;
    const dependsOn = c.arr(`${sp}.dependsOn`, o.dependsOn).map((d, j) => c.str(`${sp}.dependsOn[${j}]`, d, { nonEmpty: true }) ?? '');
    c.str(`${sp}.image`, o.image, { nonEmpty: true });
    if (o.group !== null) c.str(`${sp}.group`, o.group, { nonEmpty: true });
    const status = c.str(`${sp}.status`, o.status, { oneOf: ['Running', 'Stopped'] }) as 'Running' | 'Stopped' | undefined;
    if (status === 'Running' && startType === 'Disabled') c.add(`${sp}.status`, 'a Disabled service cannot be Running');
    c.int(`${sp}.startMs`, o.startMs, { min: 0 });
    c.int(`${sp}.stopMs`, o.stopMs, { min: 0 });
    const rec = o.recovery === null ? undefined : c.obj(`${sp}.recovery`, o.recovery, false);
    if (rec) {
      c.keys(`${sp}.recovery`, rec, ['action', 'delayMs']);
      c.str(`${sp}.recovery.action`, rec.action, { required: true, oneOf: ['restart'] });
      c.int(`${sp}.recovery.delayMs`, rec.delayMs, { required: true, min: 0 });
    }
    const f = c.obj(`${sp}.faults`, o.faults, false);
    if (f) {
      c.keys(`${sp}.faults`, f, ['hangOnStop', 'failStart', 'cannotAcceptControl']);
      c.bool(`${sp}.faults.hangOnStop`, f.hangOnStop);
      c.int(`${sp}.faults.cannotAcceptControl`, f.cannotAcceptControl, { min: 0 });
      const fs_ = c.obj(`${sp}.faults.failStart`, f.failStart, false);
      if (fs_) {
        c.keys(`${sp}.faults.failStart`, fs_, ['times', 'win32Code', 'message']);
        if (fs_.times !== null) c.int(`${sp}.faults.failStart.times`, fs_.times, { min: 1 });
        c.int(`${sp}.faults.failStart.win32Code`, fs_.win32Code, { min: 1 });
        c.str(`${sp}.faults.failStart.message`, fs_.message, { nonEmpty: true });
      }
    }
    if (name && displayName && startType) {
      out.push({ ...(o as unknown as ServiceSpec), name, displayName, startType, dependsOn, status });
    }
  });
  // Cross-references: unknown dependencies, cycles, running services with stopped dependencies.
  const lookup = new Map(out.map((s) => [s.name.toLowerCase(), s]));
  out.forEach((s) => {
    const i = byName.get(s.name.toLowerCase()) ?? 0;
    (s.dependsOn ?? []).forEach((d, j) => {
      const dep = lookup.get(d.toLowerCase());
      if (!dep) c.add(`${p}[${i}].dependsOn[${j}]`, `unknown service "${d}" (not defined in this computer's services)`);
      else if (initialStatus(s) === 'Running' && initialStatus(dep) !== 'Running') {
        c.add(`${p}[${i}].status`, `"${s.name}" is Running but its dependency "${dep.name}" is not`);
      }
    });
  });
  for (const s of out) {
    const cycle = findCycle(s.name, lookup);
    if (cycle) {
      c.add(`${p}[${byName.get(s.name.toLowerCase())}].dependsOn`, `circular dependency: ${cycle.join(' -> ')}`);
      break;
    }
  }
  return out;
}

export function initialStatus(s: ServiceSpec): 'Running' | 'Stopped' {
  return s.status ?? (s.startType === 'Automatic' ? 'Running' : 'Stopped');
}

function findCycle(start: string, lookup: Map<string, ServiceSpec>): string[] | null {
  const walk = (n: string, trail: string[]): string[] | null => {
    const s = lookup.get(n.toLowerCase());
    if (!s) return null;
    for (const d of s.dependsOn ?? []) {
      if (d.toLowerCase() === start.toLowerCase()) return [...trail, s.name, lookup.get(d.toLowerCase())?.name ?? d];
      if (trail.some((t) => t.toLowerCase() === d.toLowerCase()) || d.toLowerCase() === s.name.toLowerCase()) continue;
      const r = walk(d, [...trail, s.name]);
      if (r) return r;
    }
    return null;
  };
  return walk(start, []);
}

const PROCESS_MODEL_SPEC = {
  identityType: IdentityTypes,
  userName: 'string',
  idleTimeout: 'timespan',
  idleTimeoutAction: IdleTimeoutActions,
  shutdownTimeLimit: 'timespan',
  startupTimeLimit: 'timespan',
  pingingEnabled: 'bool',
  pingInterval: 'timespan',
  pingResponseTime: 'timespan',
  maxProcesses: 'int',
  loadUserProfile: 'bool',
  logEventOnProcessModel: 'string',
} as const;

const FAILURE_SPEC = {
  rapidFailProtection: 'bool',
  rapidFailProtectionInterval: 'timespan',
  rapidFailProtectionMaxCrashes: 'int',
  loadBalancerCapabilities: LoadBalancerCapabilities,
  orphanWorkerProcess: 'bool',
  autoShutdownExe: 'string',
  autoShutdownParams: 'string',
  orphanActionExe: 'string',
  orphanActionParams: 'string',
} as const;

const CPU_SPEC = {
  limit: 'int',
  action: CpuActions,
  resetInterval: 'timespan',
  smpAffinitized: 'bool',
  smpProcessorAffinityMask: 'int',
  smpProcessorAffinityMask2: 'int',
} as const;

function validatePools(c: Checker, p: string, v: unknown): PoolSpec[] {
  const out: PoolSpec[] = [];
  const seen = new Map<string, number>();
  c.arr(p, v).forEach((x, i) => {
    const pp = `${p}[${i}]`;
    const o = c.obj(pp, x);
    if (!o) return;
    c.keys(pp, o, [
      'name', 'state', 'autoStart', 'startMode', 'managedRuntimeVersion', 'managedPipelineMode', 'queueLength',
      'enable32BitAppOnWin64', 'workers', 'processModel', 'recycling', 'failure', 'cpu', 'timing', 'faults',
    ]);
    const name = c.str(`${pp}.name`, o.name, { required: true, nonEmpty: true });
    if (name) {
      const prev = seen.get(name.toLowerCase());
      if (prev !== undefined) c.add(`${pp}.name`, `duplicate application pool name "${name}" (also at ${p}[${prev}])`);
      else seen.set(name.toLowerCase(), i);
    }
    c.str(`${pp}.state`, o.state, { oneOf: ['Started', 'Stopped'] });
    c.bool(`${pp}.autoStart`, o.autoStart);
    c.str(`${pp}.startMode`, o.startMode, { oneOf: StartModes });
    c.str(`${pp}.managedRuntimeVersion`, o.managedRuntimeVersion, { oneOf: ['', 'v2.0', 'v4.0'] });
    c.str(`${pp}.managedPipelineMode`, o.managedPipelineMode, { oneOf: PipelineModes });
    c.int(`${pp}.queueLength`, o.queueLength, { min: 10 });
    c.bool(`${pp}.enable32BitAppOnWin64`, o.enable32BitAppOnWin64);
    c.int(`${pp}.workers`, o.workers, { min: 0 });
    c.section(`${pp}.processModel`, o.processModel, PROCESS_MODEL_SPEC);
    const rec = c.section(`${pp}.recycling`, o.recycling, {
      disallowOverlappingRotation: 'bool',
      disallowRotationOnConfigChange: 'bool',
      logEventOnRecycle: 'string',
      periodicRestart: 'nested',
    } as const);
    if (rec) {
      if (typeof rec.logEventOnRecycle === 'string') {
        const bad = rec.logEventOnRecycle
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s && !(s in RecycleLogFlags) && !/^\d+$/.test(s));
        if (bad.length) c.add(`${pp}.recycling.logEventOnRecycle`, `unknown flag(s) ${bad.join(', ')}; allowed: ${Object.keys(RecycleLogFlags).join(', ')}`);
      }
      if (rec.periodicRestart !== undefined) {
        const pr = c.obj(`${pp}.recycling.periodicRestart`, rec.periodicRestart);
        if (pr) {
          c.keys(`${pp}.recycling.periodicRestart`, pr, ['time', 'requests', 'memory', 'privateMemory', 'schedule']);
          c.timespan(`${pp}.recycling.periodicRestart.time`, pr.time);
          c.int(`${pp}.recycling.periodicRestart.requests`, pr.requests, { min: 0 });
          c.int(`${pp}.recycling.periodicRestart.memory`, pr.memory, { min: 0 });
          c.int(`${pp}.recycling.periodicRestart.privateMemory`, pr.privateMemory, { min: 0 });
          c.arr(`${pp}.recycling.periodicRestart.schedule`, pr.schedule).forEach((t, j) =>
            c.timespan(`${pp}.recycling.periodicRestart.schedule[${j}]`, t),
          );
        }
      }
    }
    c.section(`${pp}.failure`, o.failure, FAILURE_SPEC);
    c.section(`${pp}.cpu`, o.cpu, CPU_SPEC);
    c.section(`${pp}.timing`, o.timing, { startMs: 'int', stopMs: 'int', overlapMs: 'int', workerStartMs: 'int' } as const);
    const f = c.obj(`${pp}.faults`, o.faults, false);
    if (f) {
      c.keys(`${pp}.faults`, f, ['hangOnStop', 'crashWorker', 'workerOutlivesIis']);
      c.bool(`${pp}.faults.hangOnStop`, f.hangOnStop);
      c.bool(`${pp}.faults.workerOutlivesIis`, f.workerOutlivesIis);
      const cw = c.obj(`${pp}.faults.crashWorker`, f.crashWorker, false);
      if (cw) {
        c.keys(`${pp}.faults.crashWorker`, cw, ['count', 'afterMs', 'exitCode']);
        c.int(`${pp}.faults.crashWorker.count`, cw.count, { required: true, min: 1 });
        c.int(`${pp}.faults.crashWorker.afterMs`, cw.afterMs, { required: true, min: 0 });
        c.str(`${pp}.faults.crashWorker.exitCode`, cw.exitCode, { nonEmpty: true });
      }
    }
    if (name) out.push({ ...(o as unknown as PoolSpec), name });
  });
  return out;
}

function validateSites(c: Checker, p: string, v: unknown, pools: Set<string>): SiteSpec[] {
  const out: SiteSpec[] = [];
  const ids = new Map<number, number>();
  const names = new Map<string, number>();
  const checkPool = (pp: string, pool: unknown) => {
    const s = c.str(pp, pool, { required: true, nonEmpty: true });
    if (s && !pools.has(s.toLowerCase())) c.add(pp, `unknown application pool "${s}"`);
  };
  c.arr(p, v).forEach((x, i) => {
    const sp = `${p}[${i}]`;
    const o = c.obj(sp, x);
    if (!o) return;
    c.keys(sp, o, ['id', 'name', 'state', 'serverAutoStart', 'physicalPath', 'applicationPool', 'bindings', 'applications', 'httpPort']);
    const id = c.int(`${sp}.id`, o.id, { required: true, min: 1 });
    if (id !== undefined) {
      const prev = ids.get(id);
      if (prev !== undefined) c.add(`${sp}.id`, `duplicate site id ${id} (also at ${p}[${prev}])`);
      else ids.set(id, i);
    }
    const name = c.str(`${sp}.name`, o.name, { required: true, nonEmpty: true });
    if (name) {
      const prev = names.get(name.toLowerCase());
      if (prev !== undefined) c.add(`${sp}.name`, `duplicate site name "${name}" (also at ${p}[${prev}])`);
      else names.set(name.toLowerCase(), i);
    }
    c.str(`${sp}.state`, o.state, { oneOf: ['Started', 'Stopped'] });
    c.bool(`${sp}.serverAutoStart`, o.serverAutoStart);
    c.str(`${sp}.physicalPath`, o.physicalPath, { required: true, nonEmpty: true });
    checkPool(`${sp}.applicationPool`, o.applicationPool);
    const bindings = c.arr(`${sp}.bindings`, o.bindings, true);
    if (Array.isArray(o.bindings) && bindings.length === 0) c.add(`${sp}.bindings`, 'a site needs at least one binding');
    bindings.forEach((b, j) => {
      const bp = `${sp}.bindings[${j}]`;
      const bo = c.obj(bp, b);
      if (!bo) return;
      c.keys(bp, bo, ['protocol', 'bindingInformation']);
      const proto = c.str(`${bp}.protocol`, bo.protocol, { required: true, nonEmpty: true });
      const info = c.str(`${bp}.bindingInformation`, bo.bindingInformation, { required: true });
      if (info !== undefined && (proto === 'http' || proto === 'https')) {
        const m = BINDING_INFO.exec(info);
        if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) c.add(`${bp}.bindingInformation`, `must be "ip:port:host" (e.g. "*:80:"), got "${info}"`);
      }
    });
    c.arr(`${sp}.applications`, o.applications).forEach((a, j) => {
      const ap = `${sp}.applications[${j}]`;
      const ao = c.obj(ap, a);
      if (!ao) return;
      c.keys(ap, ao, ['path', 'applicationPool', 'physicalPath']);
      const ph = c.str(`${ap}.path`, ao.path, { required: true });
      if (ph !== undefined && !ph.startsWith('/')) c.add(`${ap}.path`, `must start with "/", got "${ph}"`);
      checkPool(`${ap}.applicationPool`, ao.applicationPool);
      c.str(`${ap}.physicalPath`, ao.physicalPath, { required: true, nonEmpty: true });
    });
    if (o.httpPort !== null) c.int(`${sp}.httpPort`, o.httpPort, { min: 1 });
    if (id !== undefined && name) out.push({ ...(o as unknown as SiteSpec), id, name });
  });
  return out;
}

const HISTORY_FIELDS: Record<string, string[]> = {
  serviceState: ['service', 'state'],
  serviceCrash: ['service', 'times'],
  startTypeChanged: ['service', 'from', 'to'],
  adminRecycle: ['pool'],
  periodicRecycle: ['pool', 'pid'],
  workerTerminated: ['pool', 'pid', 'exitCode'],
  rapidFail: ['pool'],
  iisReset: ['command', 'user'],
  raw: ['logName', 'providerName', 'id', 'level', 'message', 'properties'],
};

function validateHistory(c: Checker, p: string, v: unknown, services: Set<string>, pools: Set<string>): HistorySpec | undefined {
  const o = c.obj(p, v);
  if (!o) return undefined;
  const kind = c.str(`${p}.kind`, o.kind, { required: true, oneOf: Object.keys(HISTORY_FIELDS) });
  c.int(`${p}.agoMinutes`, o.agoMinutes, { required: true, min: 0 });
  if (!kind) return undefined;
  c.keys(p, o, ['kind', 'agoMinutes', ...HISTORY_FIELDS[kind]]);
  const svc = () => {
    const s = c.str(`${p}.service`, o.service, { required: true });
    if (s && !services.has(s.toLowerCase())) c.add(`${p}.service`, `unknown service "${s}"`);
  };
  const pool = () => {
    const s = c.str(`${p}.pool`, o.pool, { required: true });
    if (s && !pools.has(s.toLowerCase())) c.add(`${p}.pool`, `unknown application pool "${s}"`);
  };
  switch (kind) {
    case 'serviceState':
      svc();
      c.str(`${p}.state`, o.state, { required: true, oneOf: ['running', 'stopped'] });
      break;
    case 'serviceCrash':
      svc();
      c.int(`${p}.times`, o.times, { min: 1 });
      break;
    case 'startTypeChanged':
      svc();
      c.str(`${p}.from`, o.from, { required: true, oneOf: START_TYPES });
      c.str(`${p}.to`, o.to, { required: true, oneOf: START_TYPES });
      break;
    case 'adminRecycle':
    case 'rapidFail':
      pool();
      break;
    case 'periodicRecycle':
      pool();
      c.int(`${p}.pid`, o.pid, { required: true, min: 4 });
      break;
    case 'workerTerminated':
      pool();
      c.int(`${p}.pid`, o.pid, { required: true, min: 4 });
      c.str(`${p}.exitCode`, o.exitCode, { required: true, nonEmpty: true });
      break;
    case 'iisReset':
      c.str(`${p}.command`, o.command, { required: true, oneOf: ['start', 'stop'] });
      c.str(`${p}.user`, o.user, { nonEmpty: true });
      break;
    case 'raw':
      c.str(`${p}.logName`, o.logName, { required: true, oneOf: ['System', 'Application'] });
      c.str(`${p}.providerName`, o.providerName, { required: true, nonEmpty: true });
      c.int(`${p}.id`, o.id, { required: true, min: 0 });
      c.int(`${p}.level`, o.level, { required: true, min: 0 });
      c.str(`${p}.message`, o.message, { required: true });
      c.arr(`${p}.properties`, o.properties).forEach((x, j) => c.str(`${p}.properties[${j}]`, x, { required: true }));
      break;
  }
  return o as unknown as HistorySpec;
}
