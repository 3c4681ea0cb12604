/**
 * Persistence of the simulated world: one JSON state file shared by every process that runs
 * against the same machine, so separate runs see one consistent machine with time passing.
 *
 * - State file: options.stateFile, else $IISCTL_SIM_STATE, else
 *   ~/.iisctl-sim/<scenario>.state.json.
 * - Concurrency: a lock file "<state>.lock" created with O_EXCL; retry with backoff; a lock
 *   whose owner pid is dead (same host) or which is older than staleLockMs is broken.
 *   Read-modify-write under the lock; writes go to a temp file renamed over the state file.
 *   The lock's own times (deadline, staleness) are wall time: they are about real processes.
 * - In memory: each process keeps the parsed state per file (Store). Under the lock it reads the
 *   file and compares it byte for byte with what it last read or wrote: unchanged → no parse;
 *   changed by another process → parsed again. A save is skipped when nothing but the clock moved
 *   (a reader advances to its own now anyway). holdMachine keeps the lock across the accesses of
 *   one script line (released before any wait), so a line costs one lock and at most one write.
 * - Deleted state file → recreated from the scenario (by a host process that has not yet seen
 *   it; one that has fails: requireExisting); corrupted → SimStateError naming the file and how
 *   to reset.
 * - Command log: "<state>.commands.jsonl", one JSON line per executed script, appended under the
 *   lock after the state is saved, cut back to the last commandLogLimit lines once it has about
 *   twice that many. Kept out of the state file so that a machine access reads and writes a few
 *   hundred KB, not megabytes of scripts.
 * Keep the lock briefly: never hold it across a sleep (release, sleep, take it again).
 * The machine's time comes from options.clock (clock.ts), real time by default.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildWorld } from './machine/build';
import { STATE_FORMAT, STATE_VERSION, type CommandLogEntry, type WorldState } from './machine/types';
import { SimMachine, SimWorld } from './machine/world';
import { loadScenario, type Scenario } from './scenario';
import { realClock, type SimClock } from './clock';

export const DEFAULT_SCENARIO = 'default';

export interface SimStateOptions {
  /** Bundled scenario name or JSON path; default $IISCTL_SIM_SCENARIO or "default". */
  scenario?: string;
  /** State file; default $IISCTL_SIM_STATE or ~/.iisctl-sim/<scenario>.state.json. */
  stateFile?: string;
  /** The machine's time (default: realClock). A VirtualClock moves only when advanced. */
  clock?: SimClock;
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

function releaseLock(h: Held): void {
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

/**
 * Atomic replace: temp file in the same directory, renamed over the file, so a reader sees the old
 * or the new text, never a mix. No fsync: other processes read through the page cache; surviving
 * a power cut is not a simulator's job, and fsync was the largest cost of a script line.
 */
function writeText(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
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

// ---- the machine held in memory ------------------------------------------------------------------

/**
 * One state file as this process holds it: the parsed state, the exact text last read or written
 * (the change check: under the lock the file is read and compared byte for byte, so another
 * process's write is always seen, and an unchanged file is not parsed again), the commands recorded
 * since the last save, and the lock while a lease (holdMachine) keeps it between accesses.
 */
class Store {
  state: WorldState | null = null;
  text: string | null = null;
  /**
   * The volatile fields as persisted: a save is skipped when only they moved. Readers advance the
   * clock to their own now anyway; the command counters are derived from the command log (syncLog).
   */
  persisted: Volatile = { clock: 0, nextCommandSeq: 0, commandLogLines: 0 };
  /** The command log as this process last saw it: its size, lines and next sequence number. */
  log = { size: -1, lines: 0, nextSeq: 0 };
  checkedScenario: string | undefined;
  pending: CommandLogEntry[] = [];
  held: Held | null = null;
  heldSince = 0;
  leases = 0;
  busy = false;
  tail: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  /** Under the lock: makes `state` the file's current content (reading it only when it changed). */
  refresh(o: SimStateOptions, now: number): void {
    try {
      this.refreshState(o, now);
    } catch (e) {
      if (e instanceof SimStateError && (e.code === 'CORRUPT' || e.code === 'DELETED')) o.onUnusable?.(e);
      throw e;
    }
  }

  private refreshState(o: SimStateOptions, now: number): void {
    let text: string | null;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new SimStateError('IO', this.file, `Cannot read simulator state file ${this.file}: ${(e as Error).message}`);
      text = null;
    }
    const wanted = o.scenario ?? process.env.IISCTL_SIM_SCENARIO;
    if (text !== null && text === this.text && this.state) {
      if (wanted !== this.checkedScenario) this.checkScenario(wanted, this.state);
      this.syncLog();
      return;
    }
    this.pending = [];
    if (text === null) {
      // Deleted under a running host: fail at once rather than carry on with a new machine whose
      // services are not in the state the operation is waiting for.
      if (o.requireExisting) {
        throw new SimStateError('DELETED', this.file, `Simulator state file ${this.file} was deleted while the simulated host was using it. ${resetHint(this.file, scenarioNameOf(o))}`);
      }
      // Never created (or deleted while no host used it): a new machine from the scenario, with an empty command log.
      fs.rmSync(commandLogPath(this.file), { force: true });
      this.state = buildWorld(loadScenario(scenarioNameOf(o)), now);
      this.text = null;
      this.checkedScenario = wanted;
      this.log.size = -1;
      this.syncLog();
      return;
    }
    const state = parseState(text, this.file, scenarioNameOf(o));
    this.checkScenario(wanted, state);
    this.state = state;
    this.text = text;
    this.persisted = volatileOf(state);
    migrateCommandLog(this.file, state);
    this.log.size = -1;
    this.syncLog();
  }

  /**
   * Under the lock: the command counters from the log file (the commands other processes appended
   * since this one last looked), so recording a command changes the log, not the state file.
   */
  private syncLog(): void {
    const state = this.state!;
    const logFile = commandLogPath(this.file);
    let size = 0;
    try {
      size = fs.statSync(logFile).size;
    } catch {
      /* no log yet */
    }
    if (size !== this.log.size) {
      const grown = this.log.size >= 0 && size > this.log.size;
      const text = readFrom(logFile, grown ? this.log.size : 0);
      const lines = text.split('\n');
      const complete = lines.slice(0, -1).filter((l) => l);
      let nextSeq = grown ? this.log.nextSeq : 0;
      for (let i = complete.length - 1; i >= 0; i--) {
        const seq = seqOf(complete[i]);
        if (seq !== null) {
          nextSeq = Math.max(nextSeq, seq + 1);
          break;
        }
      }
      this.log = { size, lines: (grown ? this.log.lines : 0) + complete.length, nextSeq };
    }
    state.nextCommandSeq = Math.max(state.nextCommandSeq, this.log.nextSeq);
    state.commandLogLines = this.log.lines;
  }

  private checkScenario(wanted: string | undefined, state: WorldState): void {
    if (wanted) {
      const wantedName = scenarioDisplayName(wanted);
      if (wantedName !== null && wantedName !== state.scenario) {
        throw new SimStateError('SCENARIO_MISMATCH', this.file, `Simulator state file ${this.file} holds scenario "${state.scenario}", not "${wantedName}". ${resetHint(this.file, wanted)}`);
      }
    }
    this.checkedScenario = wanted;
  }

  /** A world over the held state for one access; its new commands join `pending`. */
  open(now: number): SimWorld {
    const world = new SimWorld(this.state!);
    world.earlierCommands = () => [...readCommandFile(commandLogPath(this.file)), ...this.pending];
    world.advance(now);
    return world;
  }

  /** Under the lock: writes the state when it changed (not when only the clock moved), then the new commands. */
  save(): void {
    const state = this.state;
    if (!state) return;
    const added = this.pending.splice(0);
    if (added.length) this.appendCommands(added);
    const now = volatileOf(state);
    Object.assign(state, this.persisted);
    const same = this.text !== null && JSON.stringify(state) === this.text;
    Object.assign(state, now);
    if (same) return;
    state.revision++;
    const text = JSON.stringify(state);
    writeText(this.file, text);
    this.text = text;
    this.persisted = now;
  }

  /** Appends to the command log, cut back to commandLogLimit lines once it holds about twice that. */
  private appendCommands(added: CommandLogEntry[]): void {
    const state = this.state!;
    const logFile = commandLogPath(this.file);
    fs.appendFileSync(logFile, (endsTorn(logFile) ? '\n' : '') + added.map((c) => JSON.stringify(c) + '\n').join(''));
    let lines = this.log.lines + added.length;
    if (lines > state.commandLogLimit * 2 + 100) {
      const kept = readCommandFile(logFile).slice(-state.commandLogLimit);
      writeText(logFile, kept.map((c) => JSON.stringify(c) + '\n').join(''));
      lines = kept.length;
    }
    this.log = { size: fs.statSync(logFile).size, lines, nextSeq: Math.max(this.log.nextSeq, added[added.length - 1].seq + 1) };
    state.commandLogLines = lines;
  }

  /** Saves and unlocks; what this process holds stays in memory for the next access's change check. */
  release(): void {
    if (!this.held) return;
    const held = this.held;
    this.held = null;
    try {
      this.save();
    } finally {
      releaseLock(held);
    }
  }

  /** A lease longer than this is given back at the next access, so no lock looks abandoned (staleLockMs). */
  static readonly MAX_LEASE_MS = 1000;

  private leaseExpired(): boolean {
    return this.held !== null && Date.now() - this.heldSince > Store.MAX_LEASE_MS;
  }

  async lock(o: SimStateOptions, now: number): Promise<void> {
    if (this.leaseExpired()) this.release();
    if (this.held) return;
    this.held = await acquire(this.file, o);
    this.heldSince = Date.now();
    this.refreshOrRelease(o, now);
  }

  lockSync(o: SimStateOptions, now: number): void {
    if (this.leaseExpired()) this.release();
    if (this.held) return;
    this.held = acquireSync(this.file, o);
    this.heldSince = Date.now();
    this.refreshOrRelease(o, now);
  }

  private refreshOrRelease(o: SimStateOptions, now: number): void {
    try {
      this.refresh(o, now);
    } catch (e) {
      const held = this.held!;
      this.held = null;
      releaseLock(held);
      throw e;
    }
  }

  /** After an access: without a lease the lock goes at once (withMachine's contract: saved on return). */
  done(): void {
    this.busy = false;
    if (this.leases === 0) this.release();
  }
}

type Volatile = Pick<WorldState, 'clock' | 'nextCommandSeq' | 'commandLogLines'>;

const volatileOf = (s: WorldState): Volatile => ({ clock: s.clock, nextCommandSeq: s.nextCommandSeq, commandLogLines: s.commandLogLines });

/** A file's text from byte `offset` on ('' when it is missing). */
function readFrom(file: string, offset: number): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(Math.max(0, size - offset));
    fs.readSync(fd, buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** The seq of one command-log line (null when the line is not one). */
function seqOf(line: string): number | null {
  try {
    const seq = (JSON.parse(line) as CommandLogEntry).seq;
    return typeof seq === 'number' ? seq : null;
  } catch {
    return null;
  }
}

const stores = new Map<string, Store>();

function storeFor(file: string): Store {
  let s = stores.get(file);
  if (!s) stores.set(file, (s = new Store(file)));
  return s;
}

/** Whatever a lease still holds is saved when the process exits (SIGTERM, `exit N`, a host crash). */
process.on('exit', () => {
  for (const s of stores.values()) {
    try {
      s.release();
    } catch {
      /* exiting: nothing left to tell */
    }
  }
});

// ---- public API ----------------------------------------------------------------------------------

export interface MachineSession {
  world: SimWorld;
  machine: SimMachine;
  stateFile: string;
}

const clockOf = (o: SimStateOptions): SimClock => o.clock ?? realClock;

/**
 * Lock, load (or create from the scenario), advance to the clock's now, run fn, save, unlock.
 * fn gets the local computer; machine.world reaches the others. Save happens even when fn
 * throws (SimFaults are thrown before any change, and advancing time is a change worth keeping).
 * The state stays in memory: the next access re-reads the file only when another process changed it.
 * Accesses of one process to one state file run one at a time.
 */
export async function withMachine<T>(options: SimStateOptions, fn: (machine: SimMachine, session: MachineSession) => Promise<T> | T): Promise<T> {
  const store = storeFor(stateFilePath(options));
  const run = store.tail.then(async () => {
    const now = clockOf(options).now();
    await store.lock(options, now);
    store.busy = true;
    try {
      const world = store.open(now);
      try {
        return await fn(world.local, { world, machine: world.local, stateFile: store.file });
      } finally {
        store.pending.push(...world.newCommands.splice(0));
      }
    } finally {
      store.done();
    }
  });
  store.tail = run.catch(() => undefined);
  return run;
}

/** Synchronous twin of withMachine, for synchronous callers (the lock wait blocks the thread). */
export function withMachineSync<T>(options: SimStateOptions, fn: (machine: SimMachine, session: MachineSession) => T): T {
  const store = storeFor(stateFilePath(options));
  if (store.busy) throw new SimStateError('LOCK_TIMEOUT', store.file, `The simulator state ${store.file} is in use by an asynchronous access of this process.`);
  const now = clockOf(options).now();
  store.lockSync(options, now);
  store.busy = true;
  try {
    const world = store.open(now);
    try {
      return fn(world.local, { world, machine: world.local, stateFile: store.file });
    } finally {
      store.pending.push(...world.newCommands.splice(0));
    }
  } finally {
    store.done();
  }
}

/**
 * Keeps the state file's lock between the accesses `work` makes (one script line of the host:
 * one lock, one change check and at most one write instead of one per cmdlet), saving and
 * unlocking when `work` ends. Whoever waits inside must call releaseMachine first (SimHost.sleep
 * does): the lock is never held across a wait.
 */
export async function holdMachine<T>(options: SimStateOptions, work: () => Promise<T>): Promise<T> {
  const store = storeFor(stateFilePath(options));
  store.leases++;
  try {
    return await work();
  } finally {
    store.leases--;
    if (store.leases === 0) await store.tail.then(() => store.release());
  }
}

/** Saves and unlocks a held state now (before a wait); the next access takes the lock again. */
export function releaseMachine(options: SimStateOptions): void {
  const store = stores.get(stateFilePath(options));
  if (store && !store.busy) store.release();
}

/**
 * Recreates the state file from the scenario (under the lock). Returns the file path.
 * `scenario` is a bundled name, a JSON path or an already loaded Scenario.
 */
export function resetState(scenario: string | Scenario = scenarioNameOf(), stateFile?: string, now: number = realClock.now()): string {
  const loaded = typeof scenario === 'string' ? loadScenario(scenario) : scenario;
  const file = stateFilePath({ stateFile }, loaded.name);
  const held = acquireSync(file, {});
  try {
    writeState(file, buildWorld(loaded, now));
    fs.rmSync(commandLogPath(file), { force: true });
  } finally {
    releaseLock(held);
  }
  return file;
}

/** Reads the state without advancing or writing it (inspection tools). Null if there is none. */
export function peekState(options: SimStateOptions = {}): WorldState | null {
  const file = stateFilePath(options);
  // This process holds the lock with changes not saved yet: they are the truth (a copy: peeking changes nothing).
  const store = stores.get(file);
  if (store?.held && store.state) return JSON.parse(JSON.stringify(store.state)) as WorldState;
  return readState(file, scenarioNameOf(options));
}
