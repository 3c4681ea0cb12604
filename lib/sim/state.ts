/**
 * Persistence of the simulated world: one JSON state file shared by every process that runs
 * against the same machine, so separate runs see one consistent machine with time passing.
 *
 * - State file: options.stateFile, else $IISCTL_SIM_STATE, else
 *   ~/.iisctl-sim/<scenario>.state.json.
 * - Concurrency: a lock file "<state>.lock" created with O_EXCL; retry with backoff; a lock
 *   whose owner pid is dead (same host) or which is older than staleLockMs is broken.
 *   Read-modify-write under the lock; writes go to a temp file renamed over the state file.
 * - Deleted state file → recreated from the scenario (by a host process that has not yet seen
 *   it; one that has fails: requireExisting); corrupted → SimStateError naming the file and how
 *   to reset.
 * - Command log: "<state>.commands.jsonl", one JSON line per executed script, appended under the
 *   lock after the state is saved, cut back to the last commandLogLimit lines once it has about
 *   twice that many. Kept out of the state file so that a machine access reads and writes a few
 *   hundred KB, not megabytes of scripts.
 * Keep the lock briefly: never hold it across a sleep (release, sleep, take it again).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildWorld } from './machine/build';
import { STATE_FORMAT, STATE_VERSION, type CommandLogEntry, type WorldState } from './machine/types';
import { SimMachine, SimWorld } from './machine/world';
import { loadScenario, type Scenario } from './scenario';

export const DEFAULT_SCENARIO = 'default';

export interface SimStateOptions {
  /** Bundled scenario name or JSON path; default $IISCTL_SIM_SCENARIO or "default". */
  scenario?: string;
  /** State file; default $IISCTL_SIM_STATE or ~/.iisctl-sim/<scenario>.state.json. */
  stateFile?: string;
  /** Clock source (ms since epoch); default Date.now. */
  now?: () => number;
  /** How long to wait for the lock before failing (default 10 s). */
  lockTimeoutMs?: number;
  /** A lock older than this is considered abandoned (default 30 s). */
  staleLockMs?: number;
  /**
   * Set by a host process once it has its machine: from then on a missing state file is an error
   * (DELETED: the machine vanished mid-operation), not a new machine made from the scenario.
   */
  requireExisting?: boolean;
  /**
   * Called with a CORRUPT or DELETED error before it is thrown, wherever the machine is opened (a
   * host process ends itself there, like a crashed powershell.exe, instead of answering a cmdlet
   * with an error a real host would never give).
   */
  onUnusable?: (error: SimStateError) => void;
}

export type SimStateErrorCode = 'CORRUPT' | 'DELETED' | 'SCENARIO_MISMATCH' | 'LOCK_TIMEOUT' | 'IO';

export class SimStateError extends Error {
  constructor(
    readonly code: SimStateErrorCode,
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'SimStateError';
  }
}

export function scenarioNameOf(options: SimStateOptions = {}): string {
  return options.scenario ?? process.env.IISCTL_SIM_SCENARIO ?? DEFAULT_SCENARIO;
}

/** Where the state lives for these options. */
export function stateFilePath(options: SimStateOptions = {}, scenarioName?: string): string {
  if (options.stateFile) return path.resolve(options.stateFile);
  if (process.env.IISCTL_SIM_STATE) return path.resolve(process.env.IISCTL_SIM_STATE);
  return defaultStateFile(scenarioName ?? scenarioNameOf(options));
}

/** A scenario's state file when neither options nor IISCTL_SIM_STATE name one. */
function defaultStateFile(scenario: string): string {
  const base = path.basename(scenario).replace(/\.json$/i, '');
  return path.join(os.homedir(), '.iisctl-sim', `${base}.state.json`);
}

// ---- lock ------------------------------------------------------------------------------------

interface LockInfo {
  pid: number;
  host: string;
  at: number;
  token: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function readLock(lockPath: string): LockInfo | null | 'unreadable' {
  try {
    return JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockInfo;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? null : 'unreadable';
  }
}

function isStale(lockPath: string, info: LockInfo | 'unreadable', staleMs: number): boolean {
  if (info === 'unreadable') {
    // A lock being written right now is briefly empty; only an old unreadable one is abandoned.
    try {
      return Date.now() - fs.statSync(lockPath).mtimeMs > 1000;
    } catch {
      return false;
    }
  }
  if (Date.now() - info.at > staleMs) return true;
  return info.host === os.hostname() && !pidAlive(info.pid);
}

/** Breaks a stale lock without ever deleting a fresh lock someone else just took. */
function breakStaleLock(lockPath: string, seen: LockInfo | 'unreadable'): void {
  const aside = `${lockPath}.stale-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(lockPath, aside);
  } catch {
    return; // someone else broke or released it
  }
  const moved = readLock(aside);
  const same = seen === 'unreadable' ? moved === 'unreadable' || moved === null : moved !== null && moved !== 'unreadable' && moved.token === seen.token;
  if (!same) {
    // We moved a fresh lock: put it back if the slot is still free, else it is lost anyway.
    try {
      fs.linkSync(aside, lockPath);
    } catch {
      /* slot taken again */
    }
  }
  fs.rmSync(aside, { force: true });
}

function tryCreateLock(lockPath: string, token: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockPath, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    const info: LockInfo = { pid: process.pid, host: os.hostname(), at: Date.now(), token };
    fs.writeSync(fd, JSON.stringify(info));
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

interface Held {
  lockPath: string;
  token: string;
}

function lockStep(lockPath: string, token: string, staleMs: number): boolean {
  if (tryCreateLock(lockPath, token)) return true;
  const info = readLock(lockPath);
  if (info !== null && isStale(lockPath, info, staleMs)) breakStaleLock(lockPath, info);
  return false;
}

function lockTimeout(lockPath: string, timeoutMs: number): SimStateError {
  const info = readLock(lockPath);
  const who = info && info !== 'unreadable' ? ` (held by pid ${info.pid} on ${info.host})` : '';
  return new SimStateError('LOCK_TIMEOUT', lockPath, `Timed out after ${timeoutMs} ms waiting for the simulator lock ${lockPath}${who}.`);
}

const backoff = (attempt: number) => Math.min(100, 2 ** Math.min(attempt, 7)) + Math.floor(Math.random() * 5);

async function acquire(stateFile: string, o: SimStateOptions): Promise<Held> {
  const lockPath = `${stateFile}.lock`;
  const token = crypto.randomBytes(8).toString('hex');
  const deadline = Date.now() + (o.lockTimeoutMs ?? 10_000);
  fs.mkdirSync(path.dirname(stateFile), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    if (lockStep(lockPath, token, o.staleLockMs ?? 30_000)) return { lockPath, token };
    if (Date.now() > deadline) throw lockTimeout(lockPath, o.lockTimeoutMs ?? 10_000);
    await new Promise((r) => setTimeout(r, backoff(attempt)));
  }
}

function acquireSync(stateFile: string, o: SimStateOptions): Held {
  const lockPath = `${stateFile}.lock`;
  const token = crypto.randomBytes(8).toString('hex');
  const deadline = Date.now() + (o.lockTimeoutMs ?? 10_000);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  fs.mkdirSync(path.dirname(stateFile), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    if (lockStep(lockPath, token, o.staleLockMs ?? 30_000)) return { lockPath, token };
    if (Date.now() > deadline) throw lockTimeout(lockPath, o.lockTimeoutMs ?? 10_000);
    Atomics.wait(sleeper, 0, 0, backoff(attempt));
  }
}

function release(h: Held): void {
  const info = readLock(h.lockPath);
  if (info && info !== 'unreadable' && info.token === h.token) fs.rmSync(h.lockPath, { force: true });
}

// ---- read / write ------------------------------------------------------------------------------

function resetHint(file: string, scenario: string): string {
  // The exact command: the scenario this machine is made from (sim reset alone takes "default"),
  // and the state file when it is not that scenario's default one.
  const simulate = scenario === DEFAULT_SCENARIO ? '' : ` --simulate=${scenario}`;
  const where = path.resolve(file) === defaultStateFile(scenario) ? '' : ` with IISCTL_SIM_STATE=${file}`;
  return `Run \`iisctl sim reset${simulate}\`${where} (or delete the file, or call resetState("${scenario}", "${file}")) to recreate it from the scenario.`;
}

/** Parses and checks a state file's text (exported for tests and tools). */
export function parseState(text: string, file: string, scenario: string): WorldState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SimStateError('CORRUPT', file, `Simulator state file ${file} is corrupted (not valid JSON: ${(e as Error).message}). ${resetHint(file, scenario)}`);
  }
  const s = json as Partial<WorldState>;
  const problem =
    typeof json !== 'object' || json === null || Array.isArray(json)
      ? 'not a JSON object'
      : s.format !== STATE_FORMAT
        ? `"format" is not "${STATE_FORMAT}"`
        : s.version !== STATE_VERSION
          ? `unsupported version ${String(s.version)} (expected ${STATE_VERSION})`
          : typeof s.clock !== 'number' || !Array.isArray(s.timers) || typeof s.computers !== 'object' || s.computers === null
            ? 'missing clock, timers or computers'
            : typeof s.localComputer !== 'string' || !s.computers[s.localComputer]
              ? 'local computer missing'
              : null;
  if (problem) throw new SimStateError('CORRUPT', file, `Simulator state file ${file} is corrupted (${problem}). ${resetHint(file, scenario)}`);
  return json as WorldState;
}

function readState(file: string, scenarioName: string): WorldState | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SimStateError('IO', file, `Cannot read simulator state file ${file}: ${(e as Error).message}`);
  }
  return parseState(text, file, scenarioName);
}

function writeState(file: string, state: WorldState): void {
  writeText(file, JSON.stringify(state));
}

/** Atomic replace: temp file in the same directory, fsync, rename. */
function writeText(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

function loadOrCreate(file: string, o: SimStateOptions, now: number): WorldState {
  try {
    return loadOrCreateState(file, o, now);
  } catch (e) {
    if (e instanceof SimStateError && (e.code === 'CORRUPT' || e.code === 'DELETED')) o.onUnusable?.(e);
    throw e;
  }
}

function loadOrCreateState(file: string, o: SimStateOptions, now: number): WorldState {
  const scenarioName = scenarioNameOf(o);
  const existing = readState(file, scenarioName);
  if (existing) {
    const wanted = o.scenario ?? process.env.IISCTL_SIM_SCENARIO;
    if (wanted) {
      const wantedName = scenarioDisplayName(wanted);
      if (wantedName !== null && wantedName !== existing.scenario) {
        throw new SimStateError(
          'SCENARIO_MISMATCH',
          file,
          `Simulator state file ${file} holds scenario "${existing.scenario}", not "${wantedName}". ${resetHint(file, wanted)}`,
        );
      }
    }
    migrateCommandLog(file, existing);
    return existing;
  }
  // Deleted under a running host (issue: deleted mid-operation): fail at once rather than carry on
  // with a new machine whose services are not in the state the operation is waiting for.
  if (o.requireExisting) {
    throw new SimStateError('DELETED', file, `Simulator state file ${file} was deleted while the simulated host was using it. ${resetHint(file, scenarioName)}`);
  }
  // A new machine starts with an empty log (a deleted state file may have left one behind).
  fs.rmSync(commandLogPath(file), { force: true });
  return buildWorld(loadScenario(scenarioName), now);
}

// ---- command log ---------------------------------------------------------------------------------

/** Where a state file's command log lives. */
export function commandLogPath(stateFile: string): string {
  return `${stateFile}.commands.jsonl`;
}

/** The lines of a command log file; a line cut short by a crash is skipped. */
function readCommandFile(logFile: string): CommandLogEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SimStateError('IO', logFile, `Cannot read simulator command log ${logFile}: ${(e as Error).message}`);
  }
  const out: CommandLogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as CommandLogEntry);
    } catch {
      /* torn last line */
    }
  }
  return out;
}

/** The last commandLogLimit scripts the machine ran, oldest first (what tests and tools inspect). */
export function readCommandLog(options: SimStateOptions = {}): CommandLogEntry[] {
  const file = stateFilePath(options);
  const state = peekState(options);
  if (!state) return [];
  return readCommandFile(commandLogPath(file)).slice(-state.commandLogLimit);
}

function openWorld(file: string, state: WorldState): SimWorld {
  const world = new SimWorld(state);
  world.earlierCommands = () => readCommandFile(commandLogPath(file));
  return world;
}

/** Saves the state, then appends the commands recorded meanwhile (under the caller's lock). */
function save(file: string, world: SimWorld): void {
  const state = world.state;
  const added = world.newCommands.splice(0);
  state.revision++;
  if (added.length) state.commandLogLines = (state.commandLogLines ?? 0) + added.length;
  const logFile = commandLogPath(file);
  const cut = added.length > 0 && state.commandLogLines! > state.commandLogLimit * 2 + 100;
  if (cut) state.commandLogLines = state.commandLogLimit;
  writeState(file, state);
  if (!added.length) return;
  fs.appendFileSync(logFile, (endsTorn(logFile) ? '\n' : '') + added.map((c) => JSON.stringify(c) + '\n').join(''));
  if (cut) {
    const kept = readCommandFile(logFile).slice(-state.commandLogLimit);
    writeText(logFile, kept.map((c) => JSON.stringify(c) + '\n').join(''));
  }
}

/** True when the file's last line was cut short (a crash mid-append): the next line must not join it. */
function endsTorn(logFile: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(logFile, 'r');
  } catch {
    return false;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    fs.closeSync(fd);
  }
}

/** A state file written by an earlier version kept its log inside: move it out. */
function migrateCommandLog(file: string, state: WorldState): void {
  const old = (state as { commandLog?: CommandLogEntry[] }).commandLog;
  if (!Array.isArray(old)) return;
  delete (state as { commandLog?: CommandLogEntry[] }).commandLog;
  if (!fs.existsSync(commandLogPath(file))) fs.writeFileSync(commandLogPath(file), old.map((c) => JSON.stringify(c) + '\n').join(''));
  state.commandLogLines = old.length;
}

/** The "name" inside a scenario (bundled name or file); null when it cannot be read (load will say why). */
function scenarioDisplayName(nameOrPath: string): string | null {
  try {
    return loadScenario(nameOrPath).name;
  } catch {
    return null;
  }
}

// ---- public API ----------------------------------------------------------------------------------

export interface MachineSession {
  world: SimWorld;
  machine: SimMachine;
  stateFile: string;
}

/**
 * Lock, load (or create from the scenario), advance to now, run fn, save, unlock.
 * fn gets the local computer; machine.world reaches the others. Save happens even when fn
 * throws (SimFaults are thrown before any change, and advancing time is a change worth keeping).
 */
export async function withMachine<T>(options: SimStateOptions, fn: (machine: SimMachine, session: MachineSession) => Promise<T> | T): Promise<T> {
  const file = stateFilePath(options);
  const held = await acquire(file, options);
  try {
    const now = (options.now ?? Date.now)();
    const state = loadOrCreate(file, options, now);
    const world = openWorld(file, state);
    world.advance(now);
    try {
      return await fn(world.local, { world, machine: world.local, stateFile: file });
    } finally {
      save(file, world);
    }
  } finally {
    release(held);
  }
}

/** Synchronous twin of withMachine, for synchronous callers (the lock wait blocks the thread). */
export function withMachineSync<T>(options: SimStateOptions, fn: (machine: SimMachine, session: MachineSession) => T): T {
  const file = stateFilePath(options);
  const held = acquireSync(file, options);
  try {
    const now = (options.now ?? Date.now)();
    const state = loadOrCreate(file, options, now);
    const world = openWorld(file, state);
    world.advance(now);
    try {
      return fn(world.local, { world, machine: world.local, stateFile: file });
    } finally {
      save(file, world);
    }
  } finally {
    release(held);
  }
}

/**
 * Recreates the state file from the scenario (under the lock). Returns the file path.
 * `scenario` is a bundled name, a JSON path or an already loaded Scenario.
 */
export function resetState(scenario: string | Scenario = scenarioNameOf(), stateFile?: string, now: number = Date.now()): string {
  const loaded = typeof scenario === 'string' ? loadScenario(scenario) : scenario;
  const file = stateFilePath({ stateFile }, loaded.name);
  const held = acquireSync(file, {});
  try {
    writeState(file, buildWorld(loaded, now));
    fs.rmSync(commandLogPath(file), { force: true });
  } finally {
    release(held);
  }
  return file;
}

/** Reads the state without advancing or writing it (inspection tools). Null if there is none. */
export function peekState(options: SimStateOptions = {}): WorldState | null {
  const file = stateFilePath(options);
  return readState(file, scenarioNameOf(options));
}
