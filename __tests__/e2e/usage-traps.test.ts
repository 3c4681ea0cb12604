/**
 * Usage traps: a command word mixed with iisreset switches, switch typos, narration before a
 * refusal, dry runs of refused actions, /REBOOTONERROR that reboots, names IIS forbids.
 */
import * as fs from 'node:fs';
import { IisctlError } from '../../lib/errors';
import { inProcessMachine } from '../helpers/cli';
import { closeClients, failure, scenarioFile, simClient } from '../helpers/sim';

afterEach(closeClients);

describe('iisreset switches', () => {
  it('restart /noforce: exit 2 naming both ways to write it, nothing run', async () => {
    const m = inProcessMachine();
    // Spawned: a usage error's exit code as the OS sees it, through the real entry point.
    const r = await m.run(['restart', '/noforce'], { spawned: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"restart" is an iisctl command and \/noforce is an iisreset switch.*write either iisctl restart or iisctl \/restart \/noforce\./);
    expect(fs.existsSync(m.stateFile)).toBe(false);
    const stop = await m.run(['stop', '/timeout:30']);
    expect(stop.code).toBe(2);
    expect(stop.stderr).toMatch(/write either iisctl stop --force --timeout 30 or iisctl \/stop \/timeout:30\./);
  });

  it.each([
    ['/restrat', /\/restrat is not an iisreset switch\. Did you mean \/RESTART\?/],
    ['/noforc', /Did you mean \/NOFORCE\?/],
    ['/help', /\/help is not an iisreset switch\. Did you mean \/\? .* or --help/],
  ])('%s suggests a switch', async (arg, message) => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    const r = await m.run([arg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/heal/);
  });
});

describe('refusals and dry runs while restarts are disabled', () => {
  it('"Attempting stop..." is not printed before a DISABLED refusal', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    expect((await m.run(['disable', '--reason', 'freeze'])).code).toBe(0);
    for (const args of [['stop'], ['restart'], ['/restart']]) {
      const r = await m.run(args);
      expect(r.code).toBe(6);
      expect(r.stdout).not.toMatch(/Attempting/);
    }
  });

  it('a pool or site dry run says the action would be refused; start stays allowed', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    expect((await m.run(['disable'])).code).toBe(0);
    for (const args of [['pool', 'recycle', 'DefaultAppPool'], ['site', 'stop', 'Default Web Site']]) {
      const r = await m.run([...args, '--dry-run']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/restarts are disabled on localhost; the .* would be refused \(exit 6\)/);
    }
    const start = await m.run(['pool', 'start', 'DefaultAppPool', '--dry-run']);
    expect(start.stdout).not.toMatch(/would be refused/);
  });
});

describe('/REBOOTONERROR', () => {
  it('a reboot is said in the message and result, and audited', async () => {
    const iis = await simClient(scenarioFile('hung-stop'));
    const e = await failure(iis.restart({ timeoutSeconds: 1, rebootOnError: true, reason: 'nightly' }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toMatch(/The computer is being restarted \(reboot on error\)/);
    expect(e.message).not.toMatch(/Nothing was killed/);
    expect(e.details!.rebooted).toBe(true);
    const result = (e as IisctlError<{ host: string; durationMs: number; steps: { step: string; outcome: string }[] }>).operation!;
    expect(result.steps.find((s) => s.step === 'reboot')).toMatchObject({ outcome: 'ok' });
    const audit = (await iis.events({ kinds: ['audit'] })).map((x) => [x.id, x.message]);
    expect(audit).toContainEqual([1021, expect.stringMatching(/^iisctl reboot succeeded; user=.+; reason=nightly; computer restart requested after a failed restart/)]);
  });
});

describe('names IIS forbids', () => {
  it('CLI: exit 2 before anything is sent, no audit event', async () => {
    const m = inProcessMachine();
    for (const args of [['pool', 'recycle', '--', 'a|b'], ['pool', 'stop', '--', 'api-*'], ['site', 'restart', '--', 'shop/api'], ['heal', '--', 'x?y']]) {
      const r = await m.run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/IIS does not allow/);
    }
    expect(fs.existsSync(m.stateFile)).toBe(false);
  });

  it('library: INVALID_ARGUMENT, not NOT_FOUND', async () => {
    const iis = await simClient(scenarioFile('fast'));
    const e: IisctlError = await failure(iis.appPools.recycle('My:Pool'));
    expect(e.code).toBe('INVALID_ARGUMENT');
  });
});

it("the command words the iisreset translation knows are iisctl's commands", async () => {
  const { commands } = await import('../../lib/cli/main');
  const { COMMAND_WORDS } = await import('../../lib/cli/iisreset');
  const registered = commands({ io: { stdout: process.stdout, stderr: process.stderr, env: process.env } }).map((m) => String(m.command).split(' ')[0]);
  expect([...COMMAND_WORDS].sort()).toEqual(registered.sort());
});
