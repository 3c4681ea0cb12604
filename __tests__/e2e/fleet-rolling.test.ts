/**
 * Issue 7 end to end against the simulated farm: PSSession reuse and re-creation, credentials
 * never shown, real HTTP from the simulated sites, fan-out with an unreachable host (library and
 * CLI), rolling restart stopping at an unhealthy host, drain honoured.
 * Assertions are about order and outcomes; every deadline is generous (slow shared machines).
 *
 * What needs no real socket runs in process on a virtual clock (sessions, fan-out, maxFailures,
 * remote errors: `here()`, the CLI through runInProcess); what the farm's real HTTP serves (health
 * checks, drain, the sites) runs in process on real time (the farm's sockets and the simulated
 * host share the wall clock); the credential's spawn environment stays on the process host.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { connect } from '../../lib/client';
import { connectMany } from '../../lib/fleet/fleet';
import { rollingRestart, RollingEvent } from '../../lib/fleet/rolling';
import { createLogger } from '../../lib/log';
import { startSimulatedFarm, SimulatedFarm } from '../../lib/sim/http';
import { withMachine } from '../../lib/sim/state';
import { runCli, runInProcess } from '../helpers/cli';
import { VirtualClock } from '../../lib/sim/clock';
import type { Clock } from '../../lib/clock';
import type { ConnectOptions } from '../../lib/client';
import { readUntil, scenarioFile, tempDir } from '../helpers/sim';
import { commandLog } from './faults-helpers';

jest.setTimeout(120_000);

const PASSWORD = 'Pa55-w0rd!SECRET-7f3a';

function get(url: string): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code }));
  });
}

/** farm.json with WEB03 reachable (three healthy hosts). */
const farm3 = () => scenarioFile('farm', (s) => void (s.computers.WEB03.unreachable = false));

interface World {
  scenario: string;
  stateFile: string;
  farm?: SimulatedFarm;
}

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close().catch(() => undefined)));
});

/**
 * In process on one virtual clock (the machine's and iisctl's): connection options for a client, a
 * fleet or a rolling run whose simulated host runs in this process; `clock` also for the fleet's own waits.
 */
function here(w: World, clock: VirtualClock): Pick<ConnectOptions, 'simulate' | 'clock' | 'pollIntervalMs'> {
  return { simulate: { scenario: w.scenario, stateFile: w.stateFile, inProcess: true, clock }, clock, pollIntervalMs: 50 };
}

const virtualClock = () => new VirtualClock(Date.now(), { auto: true });

/** readUntil on a (virtual) clock: reads until ok, 200 ms of that clock apart, at most waitMs of it. */
async function readUntilOn<T>(clock: Clock, read: () => Promise<T>, ok: (v: T) => boolean, waitMs = 30_000): Promise<T> {
  for (const end = clock.now() + waitMs; ; await clock.sleep(200)) {
    const v = await read();
    if (ok(v) || clock.now() > end) return v;
  }
}

function world(scenario: string): World {
  return { scenario, stateFile: path.join(tempDir(), 'state.json') };
}

async function withFarm(w: World): Promise<SimulatedFarm> {
  await withMachine({ scenario: w.scenario, stateFile: w.stateFile }, () => undefined);
  const farm = await startSimulatedFarm({ scenario: w.scenario, stateFile: w.stateFile });
  opened.push(farm);
  w.farm = farm;
  return farm;
}

describe('PSSessions: one per computer, reused, re-created when broken', () => {
  it('many calls share one New-PSSession; a reboot breaks it and the next call opens a new one', async () => {
    const w = world(scenarioFile('farm'));
    const clock = virtualClock();
    const iis = await connect({ ...here(w, clock), computerName: 'WEB02' });
    opened.push(iis);
    for (let i = 0; i < 4; i++) expect((await iis.status()).services.length).toBeGreaterThan(0);
    await iis.appPools.list?.();
    expect(await iis.remoteSessions()).toEqual([{ id: 1, name: 'WinRM1', computerName: 'WEB02', state: 'Opened', availability: 'Available' }]);
    expect(iis.stats.spawns).toBe(1);

    await withMachine({ scenario: w.scenario, stateFile: w.stateFile, clock }, (_m, s) => s.world.connect('WEB02').reboot());
    // While WEB02 restarts (on the machine's clock): a typed UNREACHABLE (New-PSSession fails), then it works again.
    const status = await readUntilOn(
      clock,
      () => iis.status().then(() => 'ok', (e: { code?: string }) => e.code ?? 'error'),
      (v) => v === 'ok',
    );
    expect(status).toBe('ok');
    const sessions = await iis.remoteSessions();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ computerName: 'WEB02', state: 'Opened' });
    expect(sessions[0].id).toBeGreaterThan(1);
    expect(iis.stats.spawns).toBe(1); // same local process throughout
  });
});

describe('credentials are never shown', () => {
  it('not in error messages, plans, logs, nor the CLI output and log file', async () => {
    const w = world(scenarioFile('farm'));
    const logFile = path.join(tempDir(), 'log.jsonl');
    const logger = createLogger({ level: 'debug', consoleLevel: 'error', file: logFile });
    const credential = { userName: 'CONTOSO\\deploy', password: PASSWORD };
    // In process on one virtual clock: the password reaches each host in its own environment.
    const clock = new VirtualClock(Date.now(), { auto: true });
    const simulate = { scenario: w.scenario, stateFile: w.stateFile, inProcess: true, clock };
    const ok = await connect({ simulate, computerName: 'WEB02', credential, logger });
    const bad = await connect({ simulate, computerName: 'WEB03', credential, logger });
    opened.push(ok, bad);
    await ok.status();
    const plan = await ok.plan('restart');
    expect(JSON.stringify(plan)).not.toContain(PASSWORD);
    // The password is in no script at all: it reaches PowerShell in its spawn environment.
    expect(JSON.stringify(plan)).toContain('IISCTL_PASSWORD');
    expect(commandLog(w.stateFile).join('\n')).not.toContain(PASSWORD);
    const err = await bad.status().then(() => undefined, (e: unknown) => e as Error & { code: string });
    expect(err?.code).toBe('UNREACHABLE');
    expect(`${err?.message} ${JSON.stringify(err)} ${err?.stack}`).not.toContain(PASSWORD);
    await ok.close();
    await bad.close();
    await new Promise<void>((r) => {
      logger.on('finish', () => r());
      logger.end();
    });
    expect(fs.readFileSync(logFile, 'utf8')).not.toContain(PASSWORD);

    const cliLog = path.join(tempDir(), 'cli.jsonl');
    const env = { ...process.env, IISCTL_SIM_STATE: path.join(tempDir(), 'cli-state.json'), IISCTL_PASSWORD: PASSWORD };
    const r = await runInProcess([`--simulate=${w.scenario}`, 'status', '-c', 'WEB02,WEB03', '--user', 'CONTOSO\\deploy', '--json', '--log-file', cliLog, '--log-level', 'debug'], env, clock);
    expect(r.code).toBe(8);
    for (const text of [r.stdout, r.stderr, fs.readFileSync(cliLog, 'utf8')]) expect(text).not.toContain(PASSWORD);
    const dry = await runInProcess([`--simulate=${w.scenario}`, 'restart', '--dry-run', '-c', 'WEB02', '--user', 'CONTOSO\\deploy', '--json'], env, clock);
    expect(dry.code).toBe(0);
    expect(dry.stdout).not.toContain(PASSWORD);
    expect(dry.stdout).toContain('New-PSSession');
  });
});

describe('the simulated sites serve real HTTP on 127.0.0.1', () => {
  it('200 with computer, site, pool and pid; 503 while the pool is stopped; refused while IIS is stopped or the computer unreachable', async () => {
    const w = world(scenarioFile('farm'));
    const farm = await withFarm(w);
    const url = farm.url('WEB02', 'Default Web Site');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const ok = await get(url);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body as string)).toMatchObject({ computer: 'WEB02', site: 'Default Web Site', pool: 'DefaultAppPool', pid: expect.any(Number) });
    expect(JSON.parse((await get(`${farm.url('WEB02', 'Shop')}api/orders`)).body as string)).toMatchObject({ site: 'Shop', pool: 'ShopApi' });
    expect((await get(farm.url('WEB03'))).error).toBe('ECONNREFUSED');

    const iis = await connect({ simulate: { scenario: w.scenario, stateFile: w.stateFile, inProcess: true }, computerName: 'WEB02', pollIntervalMs: 50 });
    opened.push(iis);
    await iis.appPools.stop('DefaultAppPool');
    expect((await readUntil(() => get(url), (r) => r.status === 503)).status).toBe(503);
    await iis.appPools.start('DefaultAppPool');
    expect((await readUntil(() => get(url), (r) => r.status === 200)).status).toBe(200);
    await iis.stop();
    expect((await readUntil(() => get(url), (r) => r.error === 'ECONNREFUSED')).error).toBe('ECONNREFUSED');
    await iis.start();
    expect((await readUntil(() => get(url), (r) => r.status === 200)).status).toBe(200);
  });
});

describe('fan-out', () => {
  it('library: per-host results with one unreachable host', async () => {
    const w = world(scenarioFile('farm'));
    const fleet = connectMany(['WEB01', 'WEB02', 'WEB03'], { ...here(w, virtualClock()), retry: { attempts: 1 } });
    opened.push(fleet);
    const results = await fleet.restart();
    expect(results.map((r) => [r.host, r.ok])).toEqual([
      ['WEB01', true],
      ['WEB02', true],
      ['WEB03', false],
    ]);
    const failed = results[2];
    expect(!failed.ok && failed.error.code).toBe('UNREACHABLE');
  });

  it('CLI: --computer a,b,c in parallel, exit 8, one --json document with every host', async () => {
    const w = world(scenarioFile('farm'));
    const env = { ...process.env, IISCTL_SIM_STATE: w.stateFile };
    const clock = virtualClock();
    const runCli = (args: string[], e: NodeJS.ProcessEnv) => runInProcess(args, e, clock);
    const r = await runCli([`--simulate=${w.scenario}`, 'restart', '--computer', 'WEB01,WEB02,WEB03', '--parallel', '3', '--json'], env);
    expect(r.code).toBe(8);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: false, exitCode: 8, error: { code: 'PARTIAL', failed: ['WEB03'] } });
    expect(doc.hosts.map((h: { host: string; ok: boolean }) => [h.host, h.ok])).toEqual([
      ['WEB01', true],
      ['WEB02', true],
      ['WEB03', false],
    ]);
    expect(doc.hosts[2].error).toMatchObject({ code: 'UNREACHABLE', exitCode: 7 });
    const human = await runCli([`--simulate=${w.scenario}`, 'status', '-c', 'WEB02', '-c', 'WEB03'], env);
    expect(human.code).toBe(8);
    expect(human.stdout).toMatch(/== WEB02 ==[\s\S]*== WEB03 ==/);
    expect(human.stderr).toMatch(/^iisctl: WEB03: .*\[UNREACHABLE, exit 7\]$/m);
    const bad = await runCli([`--simulate=${w.scenario}`, 'status', '-c', 'WEB02', '--parallel', '0'], env);
    expect(bad.code).toBe(2);
  });
});

describe('rolling', () => {
  it('stops at the host whose health check fails and leaves the rest untouched', async () => {
    const w = world(farm3());
    const farm = await withFarm(w);
    const events: RollingEvent[] = [];
    const result = await rollingRestart(['WEB01', 'WEB02', 'WEB03'], {
      simulate: { scenario: w.scenario, stateFile: w.stateFile, inProcess: true },
      pollIntervalMs: 50,
      // WEB02's health URL points at a port nothing listens on.
      health: { WEB01: farm.url('WEB01'), WEB02: 'http://127.0.0.1:9/', WEB03: farm.url('WEB03') },
      healthTimeoutMs: 3000,
      healthIntervalMs: 200,
      onProgress: (e) => events.push(e),
    });
    expect(result).toMatchObject({ ok: false, done: ['WEB01'], failed: ['WEB02'], untouched: ['WEB03'], stoppedEarly: true });
    expect(result.hosts[1]).toMatchObject({ phase: 'health', error: { code: 'TIMEOUT' } });
    expect(events.filter((e) => e.type === 'act').map((e) => (e as { host: string }).host)).toEqual(['WEB01', 'WEB02']);
    const web03 = await withMachine({ scenario: w.scenario, stateFile: w.stateFile }, (_m, s) => s.world.commands().filter((c) => c.computer.toUpperCase() === 'WEB03'));
    expect(web03).toEqual([]);

    const env = { ...process.env, IISCTL_SIM_STATE: w.stateFile };
    const cli = await runInProcess([`--simulate=${w.scenario}`, 'rolling', 'recycle', 'DefaultAppPool', '-c', 'WEB01,WEB02,WEB03', '--health', `WEB01=${farm.url('WEB01')}`, '--health', 'WEB02=http://127.0.0.1:9/', '--health', `WEB03=${farm.url('WEB03')}`, '--health-timeout', '2', '--json'], env);
    expect(cli.code).toBe(8);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: false, command: 'rolling', action: 'recycle', done: ['WEB01'], failed: ['WEB02'], untouched: ['WEB03'], exitCode: 8 });
  });

  it('CLI, --batch 2: both hosts of a batch acted on together; "healthy" only where a health URL was checked', async () => {
    const w = world(farm3());
    const farm = await withFarm(w);
    const env = { ...process.env, IISCTL_SIM_STATE: w.stateFile, NO_COLOR: '1' };
    const cli = await runInProcess([`--simulate=${w.scenario}`, 'rolling', 'recycle', 'DefaultAppPool', '-c', 'WEB01,WEB02,WEB03', '--batch', '2', '--health', `WEB01=${farm.url('WEB01')}`], env);
    expect(cli.code).toBe(0);
    const lines = cli.stdout.split('\n');
    expect(lines).toContain('batch 1: WEB01, WEB02');
    expect(lines).toContain('batch 2: WEB03');
    expect(lines).toContain('  WEB01: healthy');
    expect(lines).toContain('  WEB02: done (no health gate)');
    expect(lines).toContain('  WEB03: done (no health gate)');
  });

  it('maxFailures: 1 goes on past one unreachable host; the default 0 stops there', async () => {
    const scenario = scenarioFile('farm'); // WEB03 is unreachable
    const stateFile = path.join(tempDir(), 'state.json');
    const common = { ...here({ scenario, stateFile }, virtualClock()), retry: { attempts: 1 } };
    const tolerant = await rollingRestart(['WEB02', 'WEB03', 'WEB01'], { ...common, action: { kind: 'recycle', pool: 'DefaultAppPool' }, maxFailures: 1 });
    expect(tolerant).toMatchObject({ ok: false, done: ['WEB02', 'WEB01'], failed: ['WEB03'], untouched: [], stoppedEarly: false });
    const strict = await rollingRestart(['WEB02', 'WEB03', 'WEB01'], { ...common, action: { kind: 'recycle', pool: 'DefaultAppPool' } });
    expect(strict).toMatchObject({ ok: false, done: ['WEB02'], failed: ['WEB03'], untouched: ['WEB01'], stoppedEarly: true });
  });

  // WEB01 is this machine; WEB02 is remote: its count comes back through remoting (a bare number
  // would arrive wrapped with PSComputerName & co. and read as NaN, "drained" at once).
  // The held request ends when the drain has seen it (the client closes it), not after a fixed
  // time: a drain that read 0 too early, or acted before the count fell to 0, fails either way,
  // however slow the machine (a fixed hold let a loaded machine reach the drain after it had ended).
  it.each([
    ['this machine', 'WEB01', ['WEB01', 'WEB02']],
    ['a remote host', 'WEB02', ['WEB02', 'WEB01']],
  ])('drains %s: waits for the current connections to reach 0 before acting', async (_what, host, hosts) => {
    const w = world(farm3());
    const farm = await withFarm(w);
    const events: Array<RollingEvent & { at: number }> = [];
    let releasedAt = 0;
    const request = http.get(`${farm.url(host)}?hold=30000`, { agent: false });
    const held = new Promise<string | undefined>((resolve) => {
      request.on('error', (e: NodeJS.ErrnoException) => resolve(e.code));
      request.on('response', () => resolve('answered'));
    });
    await readUntil(async () => farm.connections()[host]?.['default web site'] ?? 0, (n) => n > 0, 10_000);
    const result = await rollingRestart(hosts, {
      simulate: { scenario: w.scenario, stateFile: w.stateFile, inProcess: true },
      pollIntervalMs: 50,
      action: { kind: 'recycle', pool: 'DefaultAppPool' },
      drainMs: 60_000,
      drainIntervalMs: 200,
      health: 'http://127.0.0.1:{port}/'.replace('{port}', String(farm.sites.find((s) => s.computer === 'WEB01')!.port)),
      onProgress: (e) => {
        events.push({ ...e, at: Date.now() });
        // The drain saw the open connection: now it goes away (as a client finishing would).
        if (e.type === 'drain' && e.host === host && e.connections > 0 && releasedAt === 0) {
          releasedAt = Date.now();
          request.destroy();
        }
      },
    });
    expect(await held).toBe('ECONNRESET'); // ended by the client, not answered after the hold
    expect(result).toMatchObject({ ok: true, done: hosts });
    expect(result.hosts[0].drain).toMatchObject({ final: 0, timedOut: false });
    expect(result.hosts[0].drain!.initial).toBeGreaterThan(0);
    expect(releasedAt).toBeGreaterThan(0);
    const act = events.find((e) => e.type === 'act' && e.host === host)!;
    expect(act.at).toBeGreaterThanOrEqual(releasedAt);
  });
});

describe('remote errors keep their class', () => {
  it('a remote "cannot accept control messages" is retried; a remote access denied is ACCESS_DENIED (CLI exit 5)', async () => {
    const scenario = scenarioFile('farm', (sc) => {
      const web02 = (sc.computers as Record<string, { services: Array<{ name: string; faults?: Record<string, unknown> }> }>).WEB02;
      const w3svc = web02.services.find((x) => x.name === 'W3SVC')!;
      w3svc.faults = { ...(w3svc.faults ?? {}), cannotAcceptControl: 1 };
      (sc.computers as Record<string, { user?: Record<string, unknown> }>).WEB03.user = { name: 'WEB03\\operator', isAdmin: false };
      (sc.computers as Record<string, { unreachable?: boolean }>).WEB03.unreachable = false;
    });
    const w = world(scenario);
    const clock = virtualClock();
    const web02 = await connect({ ...here(w, clock), computerName: 'WEB02' });
    opened.push(web02);
    const stopped = await web02.stop();
    expect(stopped.retries?.length ?? 0).toBeGreaterThan(0);
    expect(JSON.stringify(stopped.retries)).toMatch(/TRANSIENT|cannot accept control/i);
    const web03 = await connect({ ...here(w, clock), computerName: 'WEB03', lock: { wait: false } });
    opened.push(web03);
    const denied = await web03.stop().then(() => undefined, (e: unknown) => e as { code: string; host?: string });
    expect(denied).toMatchObject({ code: 'ACCESS_DENIED', host: 'WEB03' });
    const env = { ...process.env, IISCTL_SIM_STATE: w.stateFile };
    const r = await runInProcess([`--simulate=${w.scenario}`, 'stop', '-c', 'WEB03'], env, clock);
    expect(r.code).toBe(5);
  });
});
