/**
 * The library validates like the CLI: every numeric option of the public API is checked before
 * anything runs (INVALID_ARGUMENT), against the same bounds the CLI applies (lib/limits.ts).
 * "Nothing ran" is read on the simulated host: services untouched, no audit event written.
 */
import { connect } from '../../lib/client';
import { rollingRestart } from '../../lib/fleet/rolling';
import { LIMITS } from '../../lib/limits';
import { closeClients, failure, scenarioFile, inProcessClient, tempDir } from '../helpers/sim';
import { inProcessMachine } from '../helpers/cli';
import * as path from 'node:path';

afterEach(closeClients);

const BAD_SECONDS = [-1, NaN, Infinity, 1e12, 86_401];

describe('operation options are checked before anything runs', () => {
  it.each(BAD_SECONDS)('restart, stop, start with timeoutSeconds %p: INVALID_ARGUMENT, host untouched, no audit', async (bad) => {
    const iis = await inProcessClient(scenarioFile('fast'));
    for (const call of [() => iis.restart({ timeoutSeconds: bad }), () => iis.stop({ timeoutSeconds: bad }), () => iis.start({ timeoutSeconds: bad }), () => iis.plan('restart', { timeoutSeconds: bad })]) {
      const e = await failure(call());
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toBe(`timeoutSeconds must be a number of seconds from 0 to 86400; got ${String(bad)}.`);
    }
    expect((await iis.status()).services.map((s) => s.status)).toEqual(['Running', 'Running']);
    expect(await iis.events({ kinds: ['audit'] })).toEqual([]);
  });

  it('pools, sites and heal check their time-outs too', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    const calls = [
      () => iis.appPools.recycle('DefaultAppPool', { timeoutSeconds: -1 }),
      () => iis.appPools.stop('DefaultAppPool', { timeoutSeconds: NaN }),
      () => iis.appPools.plan('stop', 'DefaultAppPool', { timeoutSeconds: Infinity }),
      () => iis.sites.restart('Default Web Site', { timeoutSeconds: 1e12 }),
      () => iis.heal('DefaultAppPool', { timeoutSeconds: -3 }),
      () => iis.heal('DefaultAppPool', { rungTimeoutSeconds: { recycle: NaN } }),
      () => iis.heal('DefaultAppPool', { rungTimeoutSeconds: { recylce: 5 } as never }),
      () => iis.advise({ days: 0 }),
      () => iis.events({ max: -3 }),
    ];
    for (const call of calls) expect((await failure(call())).code).toBe('INVALID_ARGUMENT');
    expect(await iis.events({ kinds: ['audit'] })).toEqual([]);
    expect((await iis.appPools.list()).find((p) => p.name === 'DefaultAppPool')!.state).toBe('Started');
  });
});

describe('connection options', () => {
  const stateFile = () => path.join(tempDir(), 'state.json');
  it.each([
    ['retry.attempts', { retry: { attempts: -3 } }],
    ['retry.attempts', { retry: { attempts: 2.5 } }],
    ['retry.baseDelayMs', { retry: { baseDelayMs: -1 } }],
    ['retry.maxDelayMs', { retry: { maxDelayMs: Infinity } }],
    ['pollIntervalMs', { pollIntervalMs: 0 }],
    ['pollIntervalMs', { pollIntervalMs: NaN }],
    ['callTimeoutMs', { callTimeoutMs: NaN }],
    ['callTimeoutMs', { callTimeoutMs: 1e12 }],
    ['lockTimeoutSeconds', { lockTimeoutSeconds: -1 }],
    ['lock.timeoutSeconds', { lock: { timeoutSeconds: Infinity } }],
    ['lock.leaseSeconds', { lock: { leaseSeconds: NaN } }],
  ])('%s: %j is INVALID_ARGUMENT at connect', async (name, options) => {
    const e = await failure(connect({ simulate: true, simulatorStateFile: stateFile(), ...options }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(new RegExp(`^${name.replace('.', '\\.')} must be `));
  });

  it('rolling numbers are checked before any host is touched, with the CLI bounds', async () => {
    for (const options of [{ batch: 0 }, { maxFailures: -1 }, { expectStatus: 600 }, { healthTimeoutMs: 1e12 }, { drainMs: NaN }, { healthIntervalMs: -5 }, { concurrency: 65 }]) {
      const e = await failure(rollingRestart(['WEB01'], { simulate: scenarioFile('farm'), simulatorStateFile: stateFile(), ...options }));
      expect(e.code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('one set of bounds for the library and the CLI', () => {
  it('the CLI refuses the same values with the same rule text', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    const cli = await m.run(['restart', '--timeout', '86401']);
    expect(cli.code).toBe(2);
    const iis = await inProcessClient(scenarioFile('fast'));
    const lib = await failure(iis.restart({ timeoutSeconds: 86_401 }));
    const rule = `must be a number of seconds from ${LIMITS.timeoutSeconds.min} to ${LIMITS.timeoutSeconds.max}`;
    expect(cli.stderr).toContain(`--timeout ${rule}; got "86401".`);
    expect(lib.message).toBe(`timeoutSeconds ${rule}; got 86401.`);
    // --retries N is retry.attempts N + 1: both ends agree.
    expect((await m.run(['status', '--retries', String(LIMITS.retries.max + 1)])).code).toBe(2);
    expect((await failure(connect({ simulate: true, retry: { attempts: LIMITS.retryAttempts.max + 1 } }))).code).toBe('INVALID_ARGUMENT');
    expect(LIMITS.retryAttempts.max).toBe(LIMITS.retries.max + 1);
  });
});

describe('the public PowerShellSession', () => {
  it('checks callTimeoutMs, maintenanceEvery and a call timeoutMs before a process is started', async () => {
    const { PowerShellSession } = await import('../../lib/powershell/session');
    const { resolveExecutable } = await import('../../lib/powershell/executable');
    const { ps } = await import('../../lib/powershell/quote');
    const executable = resolveExecutable({ simulate: true });
    expect(() => new PowerShellSession({ executable, callTimeoutMs: NaN })).toThrow(/callTimeoutMs must be/);
    expect(() => new PowerShellSession({ executable, maintenanceEvery: 0 })).toThrow(/maintenanceEvery must be/);
    const s = new PowerShellSession({ executable });
    const e = await failure(s.run(ps`Write-Output ${'x'}`, { timeoutMs: -1 }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(s.pid).toBeUndefined(); // nothing was started
    await s.close();
  });
});
