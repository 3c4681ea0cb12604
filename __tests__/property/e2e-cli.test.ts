/**
 * Issue 8 item 3, end to end through the CLI (runCli in process, its simulated host in process on
 * virtual time; the -c regression through the built `node dist/cli/main.js`): random and
 * adversarial text in every command-line argument that reaches a host — pool and site names,
 * --match, --reason, -c/--computer, --since, backup names, pool set values — against the
 * simulated host; the host's command log must show the text as a literal that decodes to exactly
 * the argument, only the commands of that command's allow-list, no syntax error; input iisctl
 * refuses exits 2 with nothing recorded on the host.
 *
 * What argv cannot carry is left out: NUL (the OS cannot pass it) and unpaired surrogates (argv is
 * UTF-8: they arrive as U+FFFD). Positional names are given after `--`, so that one that starts with
 * '-' (or is `--` itself) is a name too; the options are given as --name=value, which carries any
 * value.
 *
 * Case counts: 4 per command (2 for whole-IIS restart), as when every case spawned node and a
 * simulated host; FC_RUNS_E2E=N runs N per command. Every test has its own simulated machine. The
 * same inputs go through the library (e2e-api.test.ts) and the builders (builders.test.ts, 1 000 per API).
 */
import fc from 'fast-check';
import { INVALID_POOL_NAME_CHARACTERS } from '../../lib/scripts/settings';
import { INVALID_SITE_NAME_CHARACTERS } from '../../lib/control/selectors';
import { loadParser, PowerShellParser } from '../../lib/sim/parser';
import { inProcessMachine, SimMachine } from '../helpers/cli';
import * as path from 'node:path';
import { strays } from '../e2e/faults-helpers';
import { BACKUPS, checkRecorded, CommandLog, e2eRuns, factsOf, hostileText, learn, plantPool, planting, propertyScenario, plantSite, REMOTE, SERVICES, SETTINGS, SURGICAL, unrepresentable } from '../helpers/e2e-property';

jest.setTimeout(600_000);

const RUNS = e2eRuns(4);
const SCENARIO = propertyScenario();
/** iisctl's own limit on names typed on the command line. */
const MAX_NAME = 255;

/** Text argv can carry unchanged. */
const argText = hostileText(60).filter((s) => !unrepresentable(s));
const blank = (s: string) => s.trim() === '';

let parser: PowerShellParser;
/** This test's own machine and its command log. */
let machine: SimMachine;
let log: CommandLog;

beforeAll(async () => {
  parser = await loadParser();
});

beforeEach(async () => {
  // Virtual time: a restart's or a pool stop's simulated seconds cost no real time. The planting
  // helpers change the machine on the same clock (a change at wall time would lie in its future).
  machine = inProcessMachine(SCENARIO, { clock: 'virtual' });
  planting.clock = machine.clock;
  log = new CommandLog(machine.stateFile);
  expect((await machine.run(['status'])).code).toBe(0);
});

afterEach(async () => {
  expect(await strays(machine.stateFile)).toEqual([]);
});

interface CliCase {
  name: string;
  runs?: number;
  allow: ReadonlySet<string>;
  /** iisctl refuses it (exit 2) besides blank and over-long. */
  refuses?: (s: string) => boolean;
  prepare?: (s: string) => void;
  /** Inputs this case does not try. */
  skip?: (s: string) => boolean;
  args: (s: string) => string[][];
  embedded?: boolean;
  /** Free text: blank is refused by the CLI (--reason is empty) as well. */
  maxLength?: number;
}

const pool = (state: 'Started' | 'Stopped') => (s: string) => plantPool(machine.stateFile, SCENARIO, s, state);
const site = (state: 'Started' | 'Stopped') => (s: string) => plantSite(machine.stateFile, SCENARIO, s, state);
// eslint-disable-next-line no-control-regex
const badBackupName = (s: string) => /[\\/:*?"<>|\x00-\x1f]/.test(s) || /[. ]$/.test(s) || s === '.' || s === '..';
const forbiddenInPoolNames = (s: string) => INVALID_POOL_NAME_CHARACTERS.some((c) => s.includes(c));
/** Names IIS forbids are refused (exit 2) before anything is sent (lib/control/selectors.ts validateTargetName). */
const forbiddenInSiteNames = (s: string) => INVALID_SITE_NAME_CHARACTERS.some((c) => s.includes(c));

const CASES: CliCase[] = [
  { name: 'pool recycle NAME', allow: SURGICAL, refuses: forbiddenInPoolNames, prepare: pool('Started'), args: (s) => [['pool', 'recycle', '--json', '--', s]] },
  { name: 'pool stop NAME', allow: SURGICAL, refuses: forbiddenInPoolNames, prepare: pool('Started'), args: (s) => [['pool', 'stop', '--json', '--', s]] },
  { name: 'pool start NAME', allow: SURGICAL, refuses: forbiddenInPoolNames, prepare: pool('Stopped'), args: (s) => [['pool', 'start', '--json', '--', s]] },
  { name: 'pool recycle --match=NAME (a pool name IIS allows: no * or ?)', allow: SURGICAL, skip: forbiddenInPoolNames, prepare: pool('Started'), args: (s) => [['pool', 'recycle', `--match=${s}`, '--json']], maxLength: MAX_NAME },
  { name: 'site start NAME', allow: SURGICAL, refuses: forbiddenInSiteNames, prepare: site('Stopped'), args: (s) => [['site', 'start', '--json', '--', s]] },
  { name: 'site stop NAME', allow: SURGICAL, refuses: forbiddenInSiteNames, prepare: site('Started'), args: (s) => [['site', 'stop', '--json', '--', s]] },
  { name: 'site restart NAME --reason=TEXT', allow: SURGICAL, refuses: forbiddenInSiteNames, prepare: site('Started'), args: (s) => [['site', 'restart', `--reason=${s}`, '--json', '--', s]], embedded: true },
  { name: 'heal NAME --reason=TEXT', allow: SURGICAL, refuses: forbiddenInPoolNames, prepare: pool('Started'), args: (s) => [['heal', `--reason=${s}`, '--json', '--', s]], embedded: true },
  { name: 'disable --reason=TEXT, enable', allow: SERVICES, args: (s) => [['disable', `--reason=${s}`, '--json'], ['enable', '--json']], embedded: true, maxLength: 1000 },
  { name: 'restart --reason=TEXT', runs: e2eRuns(2), allow: SERVICES, args: (s) => [['restart', `--reason=${s}`, '--json']], embedded: true, maxLength: 1000 },
  { name: 'backup create NAME, backup restore NAME --yes', allow: BACKUPS, refuses: badBackupName, args: (s) => [['backup', 'create', '--json', '--', s], ['backup', 'restore', '--yes', '--json', '--', s]], embedded: true },
  { name: 'pool show NAME', allow: SETTINGS, refuses: forbiddenInPoolNames, prepare: pool('Started'), args: (s) => [['pool', 'show', '--json', '--', s]], embedded: true },
  { name: 'pool set NAME --recycle-at=03:00', allow: SETTINGS, refuses: forbiddenInPoolNames, prepare: pool('Started'), args: (s) => [['pool', 'set', '--recycle-at=03:00', '--json', '--', s]], embedded: true },
];

async function runAll(argvs: string[][]): Promise<number[]> {
  const codes: number[] = [];
  for (const a of argvs) codes.push((await machine.run(a)).code);
  return codes;
}

describe('hostile command-line arguments end to end (built CLI, simulated host, its command log)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const harmless = ['HarmlessProbeA', 'HarmlessProbeB'];
    const constants = new Set<string>();
    const commands = new Set<string>();
    for (const h of harmless) {
      c.prepare?.(h);
      const mark = log.mark();
      expect(await runAll(c.args(h))).toEqual(c.args(h).map(() => 0));
      learn(parser, log.since(mark), harmless, { constants, commands });
    }
    expect([...commands].filter((x) => !c.allow.has(x))).toEqual([]);
    await fc.assert(
      fc.asyncProperty(argText, async (s) => {
        if (c.skip?.(s)) return;
        const refused = blank(s) || s.length > (c.maxLength ?? MAX_NAME) || c.refuses?.(s) === true;
        if (!refused) c.prepare?.(s);
        const mark = log.mark();
        const codes = await runAll(refused ? c.args(s).slice(0, 1) : c.args(s));
        const recorded = log.since(mark);
        if (refused) {
          expect(codes).toEqual([2]);
          expect(recorded).toEqual([]);
          return;
        }
        expect(codes).toEqual(c.args(s).map(() => 0));
        checkRecorded(parser, recorded, { input: s, embedded: c.embedded, allow: c.allow, constants, mustReach: true });
      }),
      // Always tried: a name after -- that starts with '-', one named like an Object.prototype member, a quote-wrapped --opt=VALUE.
      { numRuns: c.runs ?? RUNS, examples: [...(c.args('x').some((a) => a.includes('--')) ? [['-legacy']] : []), ['__proto__'], ['"; & calc; "']] },
    );
  });

  it('-c/--computer=NAME status: an unknown computer is exit 7 (unreachable) with nothing run on it, or exit 2; the name reaches the local host exactly', async () => {
    const constants = new Set<string>();
    const commands = new Set<string>();
    // Two unknown names (exit 7) and one that reaches this machine (its status scripts then run there).
    const harmless = ['HarmlessHostA', 'HarmlessHostB', 'WEB01.contoso.local'];
    for (const h of harmless) {
      const mark = log.mark();
      expect((await machine.run([`--computer=${h}`, 'status', '--json', '--retries', '0'])).code).toBe(h.startsWith('Harmless') ? 7 : 0);
      learn(parser, log.since(mark), [...harmless, ...harmless.map((x) => x.toLowerCase())], { constants, commands });
    }
    expect([...commands].filter((x) => !REMOTE.has(x))).toEqual([]);
    await fc.assert(
      fc.asyncProperty(argText, async (s) => {
        const mark = log.mark();
        const r = await machine.run([`--computer=${s}`, 'status', '--json', '--retries', '0']);
        const recorded = log.since(mark);
        // --computer a,b,c is a list: a comma makes several names (each trimmed; twice is an error).
        const names = s.split(',').map((n) => n.trim());
        const keys = names.map((n) => n.toLowerCase());
        if (names.some((n) => n === '' || n.length > 255) || new Set(keys).size !== keys.length) {
          expect(r.code).toBe(2);
          expect(recorded).toEqual([]);
          return;
        }
        if (keys.every((k) => !['web01', 'web01.contoso.local', 'localhost', '.', '127.0.0.1'].includes(k))) {
          expect([7, 8]).toContain(r.code);
          expect(recorded.filter((x) => x.computer !== 'WEB01')).toEqual([]);
        }
        checkRecorded(parser, recorded, { input: names[0], alsoExact: [...names, ...keys], embedded: true, allow: REMOTE, constants, mustReach: true });
      }),
      { numRuns: RUNS, examples: [['"; & calc; "'], ['.']] },
    );
  });

  it('regression: -c HOST before the command is one host, not the host and the command (the array option took `status` as a second host)', async () => {
    // Spawned: the argv as the OS hands it to the real entry point.
    for (const args of [['-c', 'NoSuchHost', 'status', '--json'], ['--computer=NoSuchHost', 'status', '--json']]) {
      const r = await machine.json(args, { spawned: true });
      expect(r.code).toBe(7);
      expect(r.doc.error.code).toBe('UNREACHABLE');
    }
    const two = await machine.json(['-c', 'NoSuchA', '-c', 'NoSuchB', 'status', '--json'], { spawned: true });
    expect(two.code).toBe(7); // both failed the same way
    expect(JSON.stringify(two.doc)).toMatch(/NoSuchA[\s\S]*NoSuchB/);
  });

  /** The command either runs (exit 0) with only the allowed commands, or exits 2 with nothing run. */
  async function acceptedOrRefused(args: string[], allowed: ReadonlySet<string>): Promise<void> {
    const mark = log.mark();
    const r = await machine.run(args);
    const recorded = log.since(mark);
    expect([0, 2]).toContain(r.code);
    if (r.code === 2) {
      expect(recorded).toEqual([]);
      return;
    }
    for (const x of recorded) {
      const f = factsOf(parser, x.text);
      expect(f.syntaxOk).toBe(true);
      expect(f.commands.filter((cmd) => !allowed.has(cmd))).toEqual([]);
    }
  }

  it('events --since=TEXT: a duration or ISO date-time runs the event query, anything else exits 2 with nothing run', async () => {
    const text = fc.oneof(argText, fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom('s', 'm', 'h', 'd', 'w', 'H', 'x', '')).map(([n, u]) => `${n}${u}`), fc.date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2030, 0, 1)), noInvalidDate: true }).map((d) => d.toISOString()));
    await fc.assert(
      fc.asyncProperty(text, async (s) => {
        await acceptedOrRefused(['events', `--since=${s}`, '--json'], REMOTE);
      }),
      { numRuns: RUNS },
    );
  });

  it('pool set POOL --OPTION=TEXT: a value iisctl accepts changes the pool with the allowed commands only; anything else exits 2 with nothing run', async () => {
    plantPool(machine.stateFile, SCENARIO, 'SetTarget', 'Started');
    const option = fc.constantFrom('recycle-at', 'recycle-every', 'rapid-fail', 'cpu-limit', 'cpu-action', 'idle-timeout', 'idle-action', 'start-mode', 'auto-start', 'shutdown-time-limit');
    const value = fc.oneof(argText, fc.constantFrom('03:00', '1d', '29h', '5/5m', 'on', 'off', '80', 'KillW3wp', 'Suspend', 'AlwaysRunning', '00:03:00', '0', '-1', '1e3', '03:00,04:00'));
    await fc.assert(
      fc.asyncProperty(option, value, async (o, v) => {
        await acceptedOrRefused(['pool', 'set', 'SetTarget', `--${o}=${v}`, '--json'], SETTINGS);
      }),
      { numRuns: RUNS },
    );
  });
});
