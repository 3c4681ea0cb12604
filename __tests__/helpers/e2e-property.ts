/**
 * Shared by the end-to-end hostile-input properties (__tests__/property/e2e-*.test.ts): the
 * arbitraries, planting pools and sites with a given name into a simulated machine's state, and
 * reading back what the host executed (the simulator's command log, each script parsed with
 * tree-sitter-powershell).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { commandLogPath, withMachineSync } from '../../lib/sim/state';
import { unquoteVerbatim } from '../../lib/powershell/quote';
import type { PowerShellParser } from '../../lib/sim/parser';
import { hostileCorpus } from './hostile';
import type { SimClock } from '../../lib/sim/clock';

/**
 * Cases per property end to end. Every case is real round trips to a simulated host process (an
 * API call: 2-10 scripts, ~0.1-1.5 s; a CLI run: two process spawns, ~0.5-2 s), so the defaults
 * keep the property folder within a few minutes on a 2-core machine; FC_RUNS_E2E raises them
 * (e.g. FC_RUNS_E2E=1000 for the 1 000 cases per API, a long run).
 */
export function e2eRuns(defaultRuns: number): number {
  const n = Number(process.env.FC_RUNS_E2E);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : defaultRuns;
}

const META = fc.constantFrom("'", '\u2018', '\u2019', '\u201A', '\u201B', '"', '`', '$', '(', ')', ';', '|', '&', '\n', '\r', '#', '<', '>', '{', '}', '@', ' ', '-', 'a', '*', '?', '[', ']');

/**
 * The clock the planting helpers change the machine on: the clients' own when they run in process
 * on virtual time (a machine changed at wall time would lie in their clock's future).
 */
export const planting: { clock?: SimClock } = {};

/** Random text of every kind plus the hand-made corpus (as in builders.test.ts). */
export function hostileText(maxLength = 40): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: META, maxLength: Math.min(maxLength, 30) }) },
    { weight: 3, arbitrary: fc.constantFrom(...hostileCorpus()) },
  );
}

/** What PowerShell cannot carry unchanged: quote() refuses it. */
export const unrepresentable = (s: string): boolean => s.includes('\0') || /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

// (b) The commands each group of APIs may run, as written in lib/scripts (plus the envelope's).
// The envelope and the session's own upkeep (history trimming).
const ENVELOPE = ['convertto-json', 'out-null', 'clear-history'];
// The host lock (lib/scripts/lock.ts): the mutex, and its holder in the registry (also read by status).
const LOCK = ['new-object', 'iisctllockholder', 'iisctlleaserunning', 'get-date', 'test-path', 'new-item', 'new-itemproperty', 'set-itemproperty', 'remove-itemproperty', 'get-itemproperty'];
// Reading services, pools, sites, processes, the toggle (iisreset present: get-command).
const WEBADMIN = ['import-module', 'get-module', 'get-item', 'get-childitem', 'get-webapppoolstate', 'get-website', 'get-webapplication', 'get-service', 'get-process', 'get-ciminstance', 'get-command', 'out-string', 'where-object', 'foreach-object', 'select-object', 'sort-object', 'measure-object', 'group-object', 'get-itemproperty', 'set-itemproperty', 'test-path'];
const EVENTS = ['get-winevent', 'write-eventlog', 'new-eventlog', 'get-eventlog'];
// Waiting on the host (lib/scripts/wait.ts): a short sleep between reads of the awaited state.
const WAIT = ['start-sleep', 'iisctlpoolstates', 'iisctlsitestates'];
export const SURGICAL = new Set([...ENVELOPE, ...LOCK, ...WEBADMIN, ...EVENTS, ...WAIT, 'start-webapppool', 'stop-webapppool', 'restart-webapppool', 'start-website', 'stop-website', 'stop-process', 'start-service']);
export const SETTINGS = new Set([...ENVELOPE, ...LOCK, ...WEBADMIN, ...EVENTS, ...WAIT, 'get-webconfigurationproperty', 'set-webconfigurationproperty', 'read-iisctlattribute', 'backup-webconfiguration']);
export const BACKUPS = new Set([...ENVELOPE, ...LOCK, ...WEBADMIN, ...EVENTS, ...WAIT, 'backup-webconfiguration', 'restore-webconfiguration', 'get-webconfigurationbackup']);
export const SERVICES = new Set([...ENVELOPE, ...LOCK, ...WEBADMIN, ...EVENTS, ...WAIT, 'stop-service', 'start-service', 'set-service', 'stop-process', 'iisreset.exe', 'iisreset', 'sc.exe', 'backup-webconfiguration']);
export const RECOVERY = new Set([...ENVELOPE, ...LOCK, ...EVENTS, 'sc.exe', 'where-object', 'foreach-object', 'select-object', 'get-service']);
export const REMOTE = new Set([...ENVELOPE, ...LOCK, ...WEBADMIN, ...EVENTS, ...WAIT, 'new-object', 'new-pssession', 'get-pssession', 'remove-pssession', 'invoke-command', 'sc.exe']);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * fast.json with a short command log (200 scripts): the whole state file is read and written on
 * every host call, and a full default log (1 000 scripts of up to 16 KB) makes each call slow.
 * One case records far fewer than 200 scripts.
 */
export function propertyScenario(): string {
  const scenario = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../lib/sim/scenarios/fast.json'), 'utf8')) as Json;
  scenario.name = 'fast-property';
  scenario.commandLogLimit = 200;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-property-'));
  const file = path.join(dir, 'fast-property.json');
  fs.writeFileSync(file, JSON.stringify(scenario, null, 2));
  return file;
}

function local(stateFile: string, scenario: string, fn: (computer: Json) => void): void {
  withMachineSync({ stateFile, scenario, clock: planting.clock }, (_m, s) => {
    const state = s.world.state as unknown as Json;
    fn(state.computers[state.localComputer]);
  });
}

const SCENARIO_POOLS = ['defaultapppool', 'shopapi'];
const SCENARIO_SITES = ['default web site', 'shop'];

/**
 * Adds (or replaces) an application pool named exactly `name`, without workers, a copy of
 * DefaultAppPool. Pools planted before are removed (unless keepOthers), so the host's lists stay
 * short however many cases run.
 */
/** obj[key] = value as an own property, also for "__proto__" (plain assignment would set the prototype and plant nothing). */
function own(obj: Json, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export function plantPool(stateFile: string, scenario: string, name: string, state: 'Started' | 'Stopped' = 'Started', keepOthers = false): void {
  local(stateFile, scenario, (c) => {
    if (!keepOthers) for (const k of Object.keys(c.pools)) if (!SCENARIO_POOLS.includes(k)) delete c.pools[k];
    const pool = JSON.parse(JSON.stringify(c.pools.defaultapppool)) as Json;
    Object.assign(pool, { name, state, workers: [], crashTimes: [] });
    own(c.pools, name.toLowerCase(), pool);
  });
}

/** Adds (or replaces) a site named exactly `name` on a port of its own, served by DefaultAppPool; earlier planted sites are removed. */
export function plantSite(stateFile: string, scenario: string, name: string, state: 'Started' | 'Stopped'): void {
  local(stateFile, scenario, (c) => {
    for (const k of Object.keys(c.sites)) if (!SCENARIO_SITES.includes(k)) delete c.sites[k];
    const template = Object.values(c.sites as Record<string, Json>)[0];
    const site = JSON.parse(JSON.stringify(template)) as Json;
    const id = Math.max(...Object.values(c.sites as Record<string, Json>).map((s) => Number(s.id))) + 1;
    Object.assign(site, { id, name, state, httpPort: null, bindings: [{ protocol: 'http', bindingInformation: `*:${20000 + (id % 40000)}:` }] });
    own(c.sites, name.toLowerCase(), site);
  });
}

export interface Recorded {
  seq: number;
  computer: string;
  text: string;
  truncated?: boolean;
}

/**
 * The command log of a simulated machine: what ran since a mark. It reads the log file
 * (lib/sim/state.ts commandLogPath: one JSON line per script, appended, cut back to the last
 * commandLogLimit lines now and then) from its end, only as far back as the mark: a whole read and
 * parse of a log of hundreds of scripts for every mark and every check was an eighth of the
 * property files' CPU. The same entries as readCommandLog filtered by seq, as long as fewer than
 * commandLogLimit scripts ran since the mark (one case runs far fewer); a torn line is skipped as
 * readCommandLog skips it.
 */
export class CommandLog {
  constructor(readonly stateFile: string) {}
  mark(): number {
    let last = -1;
    readBackwards(commandLogPath(this.stateFile), (e) => {
      last = e.seq;
      return false;
    });
    return last;
  }
  since(mark: number): Recorded[] {
    const out: Recorded[] = [];
    readBackwards(commandLogPath(this.stateFile), (e) => {
      if (e.seq <= mark) return false;
      out.push(e);
      return true;
    });
    return out.reverse();
  }
}

/** Visits the entries of a command log file from the last one back, while visit returns true. */
function readBackwards(file: string, visit: (e: Recorded) => boolean): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    let pos = fs.fstatSync(fd).size;
    // Bytes before `pos` not yet visited that may hold the start of a line cut by a chunk boundary.
    let carry = Buffer.alloc(0);
    while (pos > 0) {
      const n = Math.min(1 << 16, pos);
      pos -= n;
      const chunk = Buffer.alloc(n);
      fs.readSync(fd, chunk, 0, n, pos);
      const text = Buffer.concat([chunk, carry]);
      // Whole lines only: what precedes the first newline may continue in the bytes before `pos`.
      const from = pos === 0 ? 0 : text.indexOf(0x0a) + 1;
      if (pos > 0 && from === 0) {
        carry = text;
        continue;
      }
      carry = text.subarray(0, from);
      const lines = text.subarray(from).toString('utf8').split('\n');
      for (let i = lines.length - 1; i >= 0; i--) {
        if (!lines[i]) continue;
        let entry: Recorded;
        try {
          entry = JSON.parse(lines[i]) as Recorded;
        } catch {
          continue; // a line torn by a crash mid-append
        }
        if (!visit(entry)) return;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

export interface ScriptFacts {
  /** Lower-case command names (cmdlets, functions, native commands such as sc.exe). */
  commands: string[];
  /** Decoded values of the single-quoted literals. */
  literals: string[];
  /** Raw text of the other string literals (double-quoted, here-strings). */
  expandable: string[];
  syntaxOk: boolean;
}

/**
 * The walk goes by a tree cursor, not by `children`: web-tree-sitter builds a Node object for every
 * child it lists (as in property/builders.test.ts), and that was a ninth of the property files' CPU.
 */
export function factsOf(parser: PowerShellParser, script: string): ScriptFacts {
  const tree = parser.parse(script);
  const facts: ScriptFacts = { commands: [], literals: [], expandable: [], syntaxOk: !tree.rootNode.hasError };
  const cursor = tree.walk();
  // The node under the cursor and its subtree; the cursor is back on that node afterwards.
  const walk = (): void => {
    const type = cursor.nodeType;
    if (type === 'string_literal') {
      const text = cursor.nodeText;
      if (/^['\u2018\u2019\u201A\u201B]/.test(text)) facts.literals.push(unquoteVerbatim(text));
      else facts.expandable.push(text);
      return;
    }
    if (type === 'command_name') facts.commands.push(cursor.nodeText.toLowerCase());
    if (cursor.gotoFirstChild()) {
      do walk();
      while (cursor.gotoNextSibling());
      cursor.gotoParent();
    }
  };
  walk();
  cursor.delete();
  tree.delete();
  return facts;
}

/** Per-call parts of constant literals (result markers, lock tokens, times, pids) made uniform. */
export const normalise = (literal: string): string => literal.replace(/[0-9a-f]{8,}/gi, 'H').replace(/\d+/g, '0');

export interface Expectation {
  /** The user text; every literal that carries it must decode to it exactly (or contain it, when embedded). */
  input: string;
  /** Also accepted as the input's literal (e.g. a computer name trimmed, or lower-cased as a key). */
  alsoExact?: string[];
  /** The input may travel inside a larger literal (an XPath filter, an audit message, a mutex name). */
  embedded?: boolean;
  /** Lower-case command names that may run. */
  allow: ReadonlySet<string>;
  /** Normalised literals of the same API run with harmless input: the API's constants. */
  constants: ReadonlySet<string>;
  /** At least one literal must carry the input (it reached the host). */
  mustReach: boolean;
}

/**
 * Checks every recorded script of one case: it parses without error, runs only allowed commands,
 * and every literal is either one of the API's constants or exactly the input (contains it, when
 * embedded, and in an audit message); an altered input (trimmed, re-encoded, cut, lower-cased) is a literal that is
 * neither, and fails.
 */
export function checkRecorded(parser: PowerShellParser, recorded: Recorded[], e: Expectation): void {
  const exact = new Set([e.input, ...(e.alsoExact ?? [])]);
  let reached = false;
  for (const r of recorded) {
    if (r.truncated) {
      // Over the log's 16 KB per script: only a very long input can do that; nothing to parse.
      expect(e.input.length).toBeGreaterThan(4000);
      reached = true;
      continue;
    }
    const f = factsOf(parser, r.text);
    if (!f.syntaxOk) throw new Error(`a recorded script has a syntax error:\n${r.text.slice(0, 2000)}`);
    const stray = f.commands.filter((c) => !e.allow.has(c));
    if (stray.length) throw new Error(`unexpected command(s) ran: ${[...new Set(stray)].join(', ')}\n${r.text.slice(0, 1500)}`);
    for (const lit of f.literals) {
      // An audit event's message ("iisctl <action> <outcome>; user=...; reason=...; <what>") is composed text: the input may sit inside it.
      const composed = e.embedded || lit.startsWith('iisctl ');
      if (exact.has(lit) || (composed && [...exact].some((x) => x !== '' && lit.includes(x)))) {
        reached = true;
        continue;
      }
      if (e.constants.has(normalise(lit))) continue;
      throw new Error(`a literal the host received is neither a constant of this API nor the input ${JSON.stringify(e.input).slice(0, 200)}: ${JSON.stringify(lit).slice(0, 300)}`);
    }
    for (const text of f.expandable) {
      if (!e.constants.has(normalise(text))) throw new Error(`an expandable string that is not a constant of this API reached the host: ${text.slice(0, 300)}`);
    }
  }
  if (e.mustReach && !reached) throw new Error(`the input ${JSON.stringify(e.input).slice(0, 200)} never reached the host as a literal`);
}

/** Learns an API's constants and commands from scripts run with harmless input (which is left out). */
export function learn(parser: PowerShellParser, recorded: Recorded[], harmless: string[], into: { constants: Set<string>; commands: Set<string> }): void {
  for (const r of recorded) {
    const f = factsOf(parser, r.text);
    for (const c of f.commands) into.commands.add(c);
    // An empty harmless input (a blank reason) is learnt with everything it leaves in the script.
    for (const lit of f.literals) if (!harmless.some((h) => h !== '' && lit.includes(h))) into.constants.add(normalise(lit));
    for (const t of f.expandable) into.constants.add(normalise(t));
  }
}
