/**
 * The iisctl command line against the simulated host: in process (runCli, the host in process too)
 * for what it prints and the exit codes it returns; spawned as built (`node dist/cli/main.js`) for
 * a few of each kind (a --json document, a timeout's exit 3, PowerShell that cannot start, logs on
 * the process's stderr, --help) and the terminal. Every test has its own machine (state file).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { changedScenario, hasScript, inProcessMachine, localComputer, parseOneDocument, SCENARIOS, SimMachine, tempDir } from '../helpers/cli';

jest.setTimeout(60_000);

const scenario = (name: string) => path.join(SCENARIOS, `${name}.json`);
type Svc = { name: string; status: string; processId: number };
const statusOf = (services: Svc[], name: string) => services.find((s) => s.name === name)?.status;

/** The state a dry run must not change: services, their processes, pools and their workers. */
async function snapshot(m: SimMachine) {
  const { code, doc } = await m.json(['status']);
  expect(code).toBe(0);
  const r = doc.result;
  return {
    services: (r.services as Svc[]).map((s) => [s.name, s.status, s.processId]),
    workers: r.workerProcessIds,
    pools: (r.appPools as { name: string; state: string; workerProcessIds: number[] }[]).map((p) => [p.name, p.state, p.workerProcessIds]),
    sites: (r.sites as { name: string; state: string }[]).map((s) => [s.name, s.state]),
    restarts: r.restarts,
  };
}

describe('status', () => {
  it('human: a table of services, worker processes, the toggle, pools and sites', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    const r = await m.run(['status']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^SERVICE\s+DISPLAY NAME\s+STATUS\s+START TYPE\s+PID$/m);
    expect(r.stdout).toMatch(/^W3SVC\s+World Wide Web Publishing Service\s+Running\s+Automatic\s+\d+$/m);
    expect(r.stdout).toMatch(/^Restarts: enabled$/m);
    expect(r.stdout).toMatch(/^DefaultAppPool\s+Started/m);
    expect(r.stdout).toMatch(/^Default Web Site\s+Started/m);
    expect(r.stdout).not.toMatch(/\u001b\[/); // not a terminal: no colour
  });

  it('--json: exactly one document with the services, pools and sites', async () => {
    const m = inProcessMachine();
    const { code, doc } = await m.json(['status'], { spawned: true });
    expect(code).toBe(0);
    expect(doc).toMatchObject({ ok: true, command: 'status', exitCode: 0, host: 'localhost' });
    expect(statusOf(doc.result.services, 'W3SVC')).toBe('Running');
    expect(doc.result.appPools.map((p: { name: string }) => p.name)).toContain('DefaultAppPool');
  });

  it('iisreset /STATUS prints the iisreset lines (docs/sources.md §1.6), any case, / or -', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    for (const sw of ['/status', '-STATUS', '/Status']) {
      const r = await m.run([sw]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Status for World Wide Web Publishing Service ( W3SVC ) : Running\n');
      expect(r.stdout).toContain('Status for Windows Process Activation Service ( WAS ) : Running\n');
      expect(r.stdout.trim().split('\n').every((l) => l.startsWith('Status for '))).toBe(true);
    }
  });
});

describe('stop, start, restart', () => {
  it('restart (human): iisreset wording in order, then before/after', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    const r = await m.run(['restart', '--reason', 'deploy 1.2.3']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const at = (t: string) => lines.indexOf(t);
    expect(at('Attempting stop...')).toBe(0);
    expect(at('Internet services successfully stopped')).toBeGreaterThan(at('Attempting stop...'));
    expect(at('Attempting start...')).toBeGreaterThan(at('Internet services successfully stopped'));
    expect(at('Internet services successfully restarted')).toBeGreaterThan(at('Attempting start...'));
    expect(r.stdout).toMatch(/^W3SVC\s+Running\s+Running\s+\d+ -> \d+$/m);
    expect(r.stdout).toMatch(/restart on localhost took [\d.]+ (ms|s) \(graceful, nothing terminated\)/);
    expect(r.stderr).toBe(''); // no TTY: no progress line
  });

  it('restart --json: one document with the verified state and the audit event', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    const { code, doc } = await m.json(['restart', '--reason', 'deploy 1.2.3']);
    expect(code).toBe(0);
    expect(doc).toMatchObject({ ok: true, command: 'restart', exitCode: 0 });
    expect(statusOf(doc.result.after, 'W3SVC')).toBe('Running');
    expect(doc.result.forced).toBe(false);
    expect(doc.result.events.some((e: { kind: string; message: string }) => e.kind === 'audit' && e.message.includes('reason=deploy 1.2.3'))).toBe(true);
  });

  it('stop then start, human and --json', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    const stop = await m.run(['stop']);
    expect(stop.code).toBe(0);
    expect(stop.stdout.split('\n').slice(0, 2)).toEqual(['Attempting stop...', 'Internet services successfully stopped']);
    const stopped = await m.json(['status']);
    expect(statusOf(stopped.doc.result.services, 'W3SVC')).toBe('Stopped');
    const start = await m.json(['start']);
    expect(start.code).toBe(0);
    expect(statusOf(start.doc.result.after, 'W3SVC')).toBe('Running');
    const stop2 = await m.json(['stop']);
    expect(stop2.doc.result.after.every((s: Svc) => s.status === 'Stopped')).toBe(true);
    const start2 = await m.run(['start']);
    expect(start2.stdout.split('\n').slice(0, 2)).toEqual(['Attempting start...', 'Internet services successfully started']);
  });

  it('iisreset-style: /restart /noforce /timeout:30 prints only the iisreset lines', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    const r = await m.run(['/restart', '/noforce', '/timeout:30']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Attempting stop...\nInternet services successfully stopped\nAttempting start...\nInternet services successfully restarted\n');
  });

  it('iisreset-style: forcing unless /NOFORCE, /TIMEOUT:val in seconds (seen in the dry-run plan)', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    const forced = await m.json(['-STOP', '/Timeout:7', '--dry-run']);
    expect(forced.code).toBe(0);
    const descriptions = (forced.doc.result.plan.steps as { description: string }[]).map((s) => s.description);
    expect(descriptions[0]).toContain('deadline 7 s');
    expect(descriptions.some((d) => d.includes('terminate'))).toBe(true);
    const graceful = await m.json(['/stop', '/noforce', '--dry-run']);
    const d2 = (graceful.doc.result.plan.steps as { description: string }[]).map((s) => s.description);
    expect(d2[0]).toContain('deadline 60 s'); // iisreset's stop default (1.2)
    expect(d2.some((d) => d.includes('terminate'))).toBe(false);
    const restart = await m.json(['/noforce', '--dry-run']); // no action switch: /RESTART (1.2)
    expect(restart.doc.command).toBe('restart');
    expect(restart.doc.result.plan.steps[0].description).toContain('deadline 20 s');
  });

  it('--dry-run changes nothing and prints the exact PowerShell', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    const before = await snapshot(m);
    for (const args of [['restart', '--force'], ['stop'], ['pool', 'recycle', '--all'], ['site', 'stop', 'Shop'], ['disable', '--reason', 'x']]) {
      const r = await m.run([...args, '--dry-run']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Nothing was changed\./);
    }
    const human = await m.run(['stop', '--dry-run']);
    expect(human.stdout).toContain("Stop-Service -Name $name -NoWait");
    expect(await snapshot(m)).toEqual(before);
  });
});

describe('enable, disable, events, sim reset', () => {
  it('a host disabled by its registry toggle refuses restart: exit 6, in human and --json form', async () => {
    const file = changedScenario('fast', (s) => {
      localComputer(s).registry = { 'HKLM:\\SOFTWARE\\iisctl': { RestartsDisabled: 1, DisabledBy: 'WEB01\\ops', DisabledAt: '2024-05-01T08:00:00Z', DisabledReason: 'change freeze' } };
    });
    const m = inProcessMachine(file, { clock: 'virtual' });
    const human = await m.run(['restart']);
    expect(human.code).toBe(6);
    expect(human.stderr).toMatch(/Restarts are disabled on localhost by WEB01\\ops.*change freeze.*\[DISABLED, exit 6\]/);
    const { code, doc } = await m.json(['/restart']);
    expect(code).toBe(6);
    expect(doc).toMatchObject({ ok: false, exitCode: 6, error: { code: 'DISABLED', exitCode: 6 } });
    const status = await m.run(['status']);
    expect(status.stdout).toMatch(/^Restarts: disabled by WEB01\\ops at 2024-05-01T08:00:00Z \(change freeze\)$/m);
  });

  it('disable, then restart is refused (6) while start is allowed; enable (iisreset /ENABLE) restores', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    const disable = await m.run(['disable', '--reason', 'change freeze']);
    expect(disable.code).toBe(0);
    expect(disable.stdout).toMatch(/^Restarts disabled on localhost by .+ \(change freeze\)\.$/m);
    const refused = await m.json(['restart']);
    expect(refused.code).toBe(6);
    expect(refused.doc.error).toMatchObject({ code: 'DISABLED', details: { reason: 'change freeze' } });
    expect((await m.run(['start'])).code).toBe(0);
    const enable = await m.json(['/enable']);
    expect(enable.code).toBe(0);
    expect(enable.doc.result.enabled).toBe(true);
    const again = await m.json(['disable']);
    expect(again.doc).toMatchObject({ ok: true, command: 'disable', result: { enabled: false } });
    expect((await m.run(['enable'])).stdout).toBe('Restarts enabled on localhost.\n');
    expect((await m.run(['restart'])).code).toBe(0);
  });

  it('events: human table and --json, filtered by kind', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    expect((await m.run(['restart', '--reason', 'nightly'])).code).toBe(0);
    const human = await m.run(['events', '--since', '1h', '--kind', 'audit,service']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^TIME\s+KIND\s+ID\s+SOURCE\s+MESSAGE$/m);
    expect(human.stdout).toMatch(/audit\s+\d+\s+iisctl\s+iisctl restart succeeded; .*reason=nightly/);
    const { code, doc } = await m.json(['events', '--kind', 'audit', '--max', '5']);
    expect(code).toBe(0);
    expect(doc.result.length).toBeGreaterThanOrEqual(1);
    expect(doc.result.every((e: { kind: string }) => e.kind === 'audit')).toBe(true);
  });

  it('sim reset puts the simulated machine back to its scenario', async () => {
    const m = inProcessMachine();
    expect((await m.run(['stop'])).code).toBe(0);
    const r = await m.run(['sim', 'reset']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`state file ${m.stateFile}`);
    const { doc } = await m.json(['status']);
    expect(statusOf(doc.result.services, 'W3SVC')).toBe('Running');
    const j = await m.json(['sim', 'reset']);
    expect(j.doc).toMatchObject({ ok: true, command: 'sim reset', result: { stateFile: m.stateFile, reset: true } });
  });
});

describe('pool, site, heal', () => {
  it('pool list / recycle / stop --dry-run; site list / restart; heal', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    const list = await m.run(['pool', 'list']);
    expect(list.stdout).toMatch(/^POOL\s+STATE\s+START MODE\s+RUNTIME\s+WORKERS\s+SITES$/m);
    const recycle = await m.json(['pool', 'recycle', 'DefaultAppPool', '--reason', 'leak']);
    expect(recycle.code).toBe(0);
    expect(recycle.doc.result.targets[0]).toMatchObject({ name: 'DefaultAppPool', changed: true, after: 'Started' });
    const sites = await m.json(['site', 'list']);
    expect(sites.doc.result.map((s: { name: string }) => s.name)).toEqual(['Default Web Site', 'Shop']);
    const restart = await m.run(['site', 'restart', 'Shop']);
    expect(restart.code).toBe(0);
    expect(restart.stdout).toMatch(/^Shop\s+Started\s+Started\s+yes/m);
    const heal = await m.run(['heal', 'ShopApi']);
    expect(heal.code).toBe(0);
    expect(heal.stdout).toMatch(/is healthy after recycle/);
    const missing = await m.json(['pool', 'stop', 'Nope']);
    expect(missing.code).toBe(4);
    expect(missing.doc.error.code).toBe('NOT_FOUND');
  });
});

describe('names that start with -: after --, exactly as typed', () => {
  type Pool = { name: string; state: string; workerProcessIds: number[] };
  type Site = { name: string; state: string };
  /** fast.json plus pools "-legacy" and "0123" and a site "--shop" served by "-legacy". */
  const dashed = () =>
    changedScenario('fast', (s) => {
      const c = localComputer(s);
      c.appPools.push({ name: '-legacy', workers: 1, timing: { startMs: 50, stopMs: 100, overlapMs: 150, workerStartMs: 50 } });
      c.appPools.push({ name: '0123', workers: 1, timing: { startMs: 50, stopMs: 100, overlapMs: 150, workerStartMs: 50 } });
      c.sites.push({ id: 3, name: '--shop', physicalPath: 'D:\\sites\\legacy', applicationPool: '-legacy', bindings: [{ protocol: 'http', bindingInformation: '*:80:legacy.contoso.local' }], httpPort: null });
    });
  async function state(m: SimMachine) {
    const { code, doc } = await m.json(['status']);
    expect(code).toBe(0);
    const pools = Object.fromEntries((doc.result.appPools as Pool[]).map((p) => [p.name, [p.state, p.workerProcessIds]]));
    const sites = Object.fromEntries((doc.result.sites as Site[]).map((x) => [x.name, x.state]));
    return { pools, sites };
  }
  /** iisctl <args> --json -- <names>: options before --, the names after it. */
  async function after(m: SimMachine, args: string[], names: string[]) {
    const r = await m.run([...args, '--json', '--', ...names]);
    return { code: r.code, doc: parseOneDocument(r.stdout), stderr: r.stderr };
  }

  it('pool recycle/stop -- -legacy and site stop -- --shop change exactly that pool or site (exit 0)', async () => {
    const m = inProcessMachine(dashed(), { clock: 'virtual' });
    const before = await state(m);
    expect(before.pools['-legacy']).toEqual(['Started', [expect.any(Number)]]);
    expect(before.sites['--shop']).toBe('Started');

    const recycle = await after(m, ['pool', 'recycle', '--reason', 'leak'], ['-legacy']);
    expect(recycle.code).toBe(0);
    expect(recycle.doc).toMatchObject({ ok: true, command: 'pool recycle', result: { targets: [{ name: '-legacy', changed: true, after: 'Started' }] } });
    const recycled = await state(m);
    expect(recycled.pools['-legacy'][1]).not.toEqual(before.pools['-legacy'][1]); // a new worker
    expect({ ...recycled.pools, '-legacy': null }).toEqual({ ...before.pools, '-legacy': null });
    expect(recycled.sites).toEqual(before.sites);

    const stop = await after(m, ['pool', 'stop'], ['-legacy']);
    expect(stop.code).toBe(0);
    expect(stop.doc.result.targets).toEqual([expect.objectContaining({ name: '-legacy', before: 'Started', after: 'Stopped' })]);
    const stopped = await state(m);
    expect(stopped.pools['-legacy']).toEqual(['Stopped', []]);
    expect({ ...stopped.pools, '-legacy': null }).toEqual({ ...before.pools, '-legacy': null });

    const site = await after(m, ['site', 'stop'], ['--shop']);
    expect(site.code).toBe(0);
    expect(site.doc.result.targets).toEqual([expect.objectContaining({ name: '--shop', after: 'Stopped' })]);
    expect((await state(m)).sites).toEqual({ ...before.sites, '--shop': 'Stopped' });
  });

  it('a name that looks like a number stays that string: pool stop -- 0123 stops "0123", nothing else', async () => {
    const m = inProcessMachine(dashed(), { clock: 'virtual' });
    const before = await state(m);
    const r = await after(m, ['pool', 'stop'], ['0123']);
    expect(r.code).toBe(0);
    expect(r.doc.result.targets).toEqual([expect.objectContaining({ name: '0123', after: 'Stopped' })]);
    expect((await state(m)).pools).toEqual({ ...before.pools, '0123': ['Stopped', []] });
  });

  it('without --, -legacy is an unknown option: exit 2, the hint, nothing run', async () => {
    const m = inProcessMachine(dashed());
    const r = await m.run(['pool', 'recycle', '-legacy']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("iisctl: Unknown argument: -legacy (to pass a name that starts with '-', put it after --)");
    expect(fs.existsSync(m.stateFile)).toBe(false);
  });
});

describe('exit codes', () => {
  it('3: a stop that times out without force kills nothing (hung-stop.json)', async () => {
    const m = inProcessMachine(scenario('hung-stop'));
    const human = await m.run(['stop', '--timeout', '1'], { spawned: true });
    expect(human.code).toBe(3);
    expect(human.stderr).toMatch(/W3SVC \(StopPending\).*Nothing was killed\. \[TIMEOUT, exit 3\]/);
    // --json in process on virtual time: the process entry passes any exit code through unchanged
    // (seen as a process just above), and a whole --json document through a pipe is the spawned status --json's.
    const { code, doc } = await inProcessMachine(scenario('hung-stop'), { clock: 'virtual' }).json(['/stop', '/noforce', '/timeout:1']);
    expect(code).toBe(3);
    expect(doc).toMatchObject({ ok: false, exitCode: 3, error: { code: 'TIMEOUT', details: { pending: ['W3SVC'] } } });
    expect(doc.error.operation.killedProcessIds).toEqual([]);
  });

  it('5: not an administrator (not-admin.json)', async () => {
    const m = inProcessMachine(scenario('not-admin'), { clock: 'virtual' });
    const human = await m.run(['restart']);
    expect(human.code).toBe(5);
    expect(human.stderr).toMatch(/\[ACCESS_DENIED, exit 5\]/);
    const { code, doc } = await m.json(['stop']);
    expect(code).toBe(5);
    expect(doc.error.code).toBe('ACCESS_DENIED');
  });

  it('7: an unreachable or unknown --computer (farm.json), and PowerShell that cannot start', async () => {
    const m = inProcessMachine(scenario('farm'));
    const unreachable = await m.run(['status', '-c', 'WEB03']);
    expect(unreachable.code).toBe(7);
    expect(unreachable.stderr).toMatch(/\[UNREACHABLE, exit 7\]/);
    const bogus = await m.json(['status', '--computer', 'NO-SUCH-HOST']);
    expect(bogus.code).toBe(7);
    expect(bogus.doc.error.code).toBe('UNREACHABLE');
    // Spawned: IISCTL_POWERSHELL is read from the process's own environment by the library.
    const noPowerShell = await m.run(['status'], { simulate: false, env: { IISCTL_POWERSHELL: path.join(tempDir(), 'no-such-powershell') }, spawned: true });
    expect(noPowerShell.code).toBe(7);
    expect(noPowerShell.stderr).toMatch(/POWERSHELL_UNAVAILABLE, exit 7/);
  });

  it('8: several hosts, some failed: per-host results in the order given (farm.json)', async () => {
    const m = inProcessMachine(scenario('farm'), { clock: 'virtual' });
    const human = await m.run(['restart', '-c', 'WEB02', '-c', 'WEB03']);
    expect(human.code).toBe(8);
    expect(human.stdout).toMatch(/== WEB02 ==\n[\s\S]*Internet services successfully restarted[\s\S]*== WEB03 ==/);
    expect(human.stderr).toMatch(/^iisctl: WEB03: .*\[UNREACHABLE, exit 7\]$/m);
    const { code, doc } = await m.json(['status', '-c', 'WEB02', '-c', 'WEB03']);
    expect(code).toBe(8);
    expect(doc).toMatchObject({ ok: false, exitCode: 8, error: { code: 'PARTIAL', failed: ['WEB03'] } });
    expect(doc.hosts[0]).toMatchObject({ host: 'WEB02', ok: true });
    expect(statusOf(doc.hosts[0].result.services, 'W3SVC')).toBe('Running');
    expect(doc.hosts[1]).toMatchObject({ host: 'WEB03', ok: false, error: { code: 'UNREACHABLE', exitCode: 7 } });
  });

  it('several hosts: one --json document with per-host results', async () => {
    const m = inProcessMachine(scenario('farm'), { clock: 'virtual' });
    const { code, doc } = await m.json(['status', '-c', 'WEB03', '-c', 'NO-SUCH-HOST']);
    expect(code).toBe(7); // all failed the same way
    expect(doc.hosts.map((h: { host: string; ok: boolean }) => [h.host, h.ok])).toEqual([
      ['WEB03', false],
      ['NO-SUCH-HOST', false],
    ]);
    expect(doc.error.failed).toEqual(['WEB03', 'NO-SUCH-HOST']);
  });

  describe('2: bad input, one line naming the problem, the usage, nothing changed', () => {
    const cases: [string, string[], RegExp][] = [
      ['unknown command', ['frobnicate'], /Unknown argument: frobnicate/],
      ['unknown option', ['restart', '--bogus'], /Unknown argument: --bogus$/],
      ['a name that starts with - without --', ['site', 'stop', '--shop'], /Unknown argument: --shop \(to pass a name that starts with '-', put it after --\)$/],
      ['negative timeout', ['restart', '--timeout', '-5'], /--timeout must be a number of seconds from 0 to 86400; got "-5"\.$/],
      // What was typed is echoed, not yargs' NaN.
      ['non-numeric timeout', ['stop', '--timeout', 'soon'], /--timeout must be a number of seconds from 0 to 86400; got "soon"\.$/],
      ['non-numeric timeout with =', ['stop', '--timeout=3x'], /--timeout must be a number of seconds from 0 to 86400; got "3x"\.$/],
      ['non-numeric iisreset timeout', ['/stop', '/timeout:abc'], /\/TIMEOUT takes a whole number of seconds/],
      ['empty computer name', ['restart', '-c', ''], /-c is given an empty value/],
      ['over-long computer name', ['restart', '-c', 'x'.repeat(300)], /longer than 255/],
      ['empty pool name', ['pool', 'recycle', ''], /A name is empty/],
      ['over-long pool name', ['pool', 'stop', 'p'.repeat(300)], /longer than 255/],
      ['empty reason', ['restart', '--reason', ''], /--reason is given an empty value/],
      ['conflicting iisreset switches', ['/stop', '/start'], /Conflicting switches \/STOP and \/START/],
      ['conflicting selectors', ['pool', 'stop', 'A', '--all'], /Conflicting selectors/],
      ['/REBOOT', ['/reboot'], /\/REBOOT is not supported/],
      ['reboot without --yes', ['restart', '--reboot-on-error'], /add --yes/],
      ['--reboot-on-error on stop', ['/stop', '/rebootonerror', '--yes'], /restart only/],
      ['no command', [], /A command is needed/],
      ['bad --kind', ['events', '--kind', 'reset,nap'], /unknown kind "nap"/],
      ['bad --since', ['events', '--since', 'yesterday'], /--since must be a duration/],
      ['negative --retries', ['status', '--retries', '-1'], /--retries must be a whole number/],
      ['bad --log-level', ['status', '--log-level', 'loud'], /Invalid values/],
    ];
    it.each(cases)('%s', async (_label, args, message) => {
      const m = inProcessMachine();
      const human = await m.run(args);
      expect(human.code).toBe(2);
      expect(human.stdout).toBe('');
      const lines = human.stderr.trim().split('\n');
      expect(lines[0]).toMatch(message);
      expect(lines[0]).toMatch(/^iisctl: /);
      expect(lines[1]).toMatch(/^usage: iisctl/);
      expect(human.stderr).not.toMatch(/\n\s+at /); // no stack trace
      const { code, doc } = await m.json(args);
      expect(code).toBe(2);
      expect(doc).toMatchObject({ ok: false, exitCode: 2, error: { code: 'INVALID_ARGUMENT', exitCode: 2 } });
      expect(doc.error.message).toMatch(message);
      // Nothing ran on the host: its state file was never even created.
      expect(fs.existsSync(m.stateFile)).toBe(false);
    });

    it('a scenario file that does not parse', async () => {
      const bad = path.join(tempDir(), 'bad.json');
      fs.writeFileSync(bad, '{ "name": "bad", ');
      const m = inProcessMachine(bad, { clock: 'virtual' });
      const r = await m.run(['status']);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(/^iisctl: --simulate: invalid scenario .*bad\.json: \$: not valid JSON/);
    });
  });
});

describe('output channels', () => {
  it('logs go to stderr and the log file, never to stdout, also with --json at debug level', async () => {
    const m = inProcessMachine();
    const log = path.join(tempDir(), 'iisctl.log');
    const r = await m.run(['restart', '--json', '--log-level', 'debug', '--log-file', log], { spawned: true });
    expect(r.code).toBe(0);
    const doc = parseOneDocument(r.stdout);
    expect(doc.ok).toBe(true);
    expect(r.stderr).toMatch(/debug: /);
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { level: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((l) => l.level === 'debug')).toBe(true);
  });

  it('--quiet: no narration, result still printed', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    const r = await m.run(['restart', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('Attempting');
    expect(r.stdout).toMatch(/^W3SVC\s+Running\s+Running/m);
    expect(r.stderr).toBe('');
  });

  it('/? prints the iisreset usage mapped to iisctl (docs/sources.md §1.1)', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    const r = await m.run(['/?']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('    /RESTART            Stop and then restart all Internet services.');
    expect(r.stdout).toContain('-> iisctl restart --force');
    expect(r.stdout).toContain('    /NOFORCE            Do not forcefully terminate Internet services if');
  });

  it('--help lists the commands and the exit codes', async () => {
    const m = inProcessMachine();
    // In process (yargs' output through its parse callback) and spawned (through console.log): the same text.
    const [here, spawned] = [await m.run(['--help'], { simulate: false }), await m.run(['--help'], { simulate: false, spawned: true })];
    expect(here).toEqual(spawned);
    for (const r of [here, spawned]) {
      expect(r.code).toBe(0);
      for (const c of ['status', 'stop', 'start', 'restart', 'enable', 'disable', 'pool', 'site', 'heal', 'events', 'sim']) expect(r.stdout).toMatch(new RegExp(`^  iisctl ${c}\\b`, 'm'));
      expect(r.stdout).toMatch(/^ {2}8 {2}partial success/m);
    }
  });

  const tty = hasScript() ? it : it.skip;
  tty('the progress line and colour appear only on a terminal (pseudo-terminal via `script`)', () => {
    const m = inProcessMachine();
    const r = m.runTty(['restart']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\r\u001b\[2Klocalhost: stopping W3SVC {2}[\d.]+ (ms|s) \/ 20\.0 s/);
    expect(r.stdout).toContain('Internet services successfully restarted');
    expect(r.stdout).toContain('\u001b[32mRunning\u001b[0m');
    const noColour = m.runTty(['status', '--no-color']);
    expect(noColour.stdout).not.toContain('\u001b[32m');
  });
});
