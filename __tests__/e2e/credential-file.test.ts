/**
 * A remote credential from a credential file (`Get-Credential | Export-Clixml -Path FILE`), end to
 * end against the simulated farm (farm.json: WEB01, the local computer, runs as
 * WEB01\Administrator; WEB02 is remote): library and CLI. The simulated host decrypts only a file
 * made for its own account on its own computer (lib/sim/cmdlets/clixml.ts, its DPAPI model).
 * The CLI runs in process on virtual time (exit codes, output, the host's command log); with
 * --user the password reaches the in-process host in its own environment, as a spawned one's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connect } from '../../lib/client';
import { isIisctlError } from '../../lib/errors';
import { writeSimulatedCredentialFile } from '../../lib/sim/cmdlets/clixml';
import { VirtualClock } from '../../lib/sim/clock';
import { runInProcess } from '../helpers/cli';
import { scenarioFile, tempDir } from '../helpers/sim';
import { commandLog } from './faults-helpers';

jest.setTimeout(120_000);

const PASSWORD = 'Cr3d-FILE!secret-9b1e';
const OWNER = { account: 'WEB01\\Administrator', computer: 'WEB01' };
const dir = tempDir();
const files = {
  good: path.join(dir, "deploy's cred [1].xml"),
  otherUser: path.join(dir, 'other-user.xml'),
  otherComputer: path.join(dir, 'other-computer.xml'),
  notCredential: path.join(dir, 'string.xml'),
  plain: path.join(dir, 'plain-linux.xml'),
  missing: path.join(dir, 'missing.xml'),
};

beforeAll(() => {
  writeSimulatedCredentialFile(files.good, { userName: 'CONTOSO\\deploy', password: PASSWORD }, OWNER);
  writeSimulatedCredentialFile(files.otherUser, { userName: 'CONTOSO\\deploy', password: PASSWORD }, { ...OWNER, account: 'CONTOSO\\someone' });
  writeSimulatedCredentialFile(files.otherComputer, { userName: 'CONTOSO\\deploy', password: PASSWORD }, { ...OWNER, computer: 'BUILD07' });
  const objs = (body: string) => `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">\n${body}\n</Objs>`;
  fs.writeFileSync(files.notCredential, objs('  <S>CONTOSO\\deploy</S>'));
  // What pwsh 7.6 on Linux writes for [pscredential]::new('u', (ConvertTo-SecureString 'p' -AsPlainText -Force)) | Export-Clixml:
  // the password as plain UTF-16 hex, no DPAPI blob; Windows cannot decrypt it.
  fs.writeFileSync(files.plain, objs('  <Obj RefId="0">\n    <TN RefId="0">\n      <T>System.Management.Automation.PSCredential</T>\n      <T>System.Object</T>\n    </TN>\n    <ToString>System.Management.Automation.PSCredential</ToString>\n    <Props>\n      <S N="UserName">u</S>\n      <SS N="Password">7000</SS>\n    </Props>\n  </Obj>'));
});

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close().catch(() => undefined)));
});

function state(): string {
  return path.join(tempDir(), 'state.json');
}

describe('library: connect({ computerName, credentialFile })', () => {
  it('builds the PSSession from the file; the password is in no script and no environment', async () => {
    const stateFile = state();
    const iis = await connect({ simulate: scenarioFile('farm'), simulatorStateFile: stateFile, computerName: 'WEB02', credentialFile: files.good });
    opened.push(iis);
    const status = await iis.status();
    expect(status.services.find((s) => s.name === 'W3SVC')?.status).toBe('Running');
    await iis.status();
    // One PSSession, made once and reused.
    expect((await iis.remoteSessions()).map((s) => [s.computerName, s.state])).toEqual([['WEB02', 'Opened']]);
    const local = commandLog(stateFile, 'WEB01').join('\n');
    expect(local).toContain('Import-Clixml -LiteralPath');
    expect(local).toContain('-Credential $global:IisctlCredential');
    expect(`${local}\n${commandLog(stateFile, 'WEB02').join('\n')}`).not.toContain(PASSWORD);
    expect(local).not.toContain('IISCTL_PASSWORD');
  });

  it.each([
    ['made by another user', 'otherUser', /Key not valid for use in specified state/],
    ['made on another computer', 'otherComputer', /Key not valid for use in specified state/],
    ['written by pwsh on Linux (no DPAPI)', 'plain', /could not be read into a credential/],
    ['holding no PSCredential', 'notCredential', /does not hold one PSCredential/],
    ['missing', 'missing', /Could not find file/],
  ] as const)('a file %s is CREDENTIAL_FILE with a hint, and nothing reaches the remote computer', async (_what, key, message) => {
    const stateFile = state();
    const iis = await connect({ simulate: scenarioFile('farm'), simulatorStateFile: stateFile, computerName: 'WEB02', credentialFile: files[key], retry: { attempts: 1 } });
    opened.push(iis);
    const e = await iis.status().then(() => undefined, (x: unknown) => x);
    expect(isIisctlError(e, 'CREDENTIAL_FILE')).toBe(true);
    const err = e as Error & { hint?: string };
    expect(err.message).toMatch(message);
    expect(err.message).toContain(files[key]);
    expect(err.hint).toMatch(/Export-Clixml/);
    expect(commandLog(stateFile, 'WEB02')).toEqual([]);
  });

  it('credential and credentialFile exclude each other; a file needs a computer: INVALID_ARGUMENT before anything runs', async () => {
    await expect(connect({ simulate: true, computerName: 'WEB02', credential: { userName: 'a', password: 'b' }, credentialFile: files.good })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('not both') });
    await expect(connect({ simulate: true, credentialFile: files.good })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(connect({ simulate: true, computerName: 'WEB02', credentialFile: ' ' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('CLI: --credential-file', () => {
  const env = () => ({ ...process.env, IISCTL_SIM_STATE: state() });
  /** One virtual clock per simulated machine (state file): the CLI in process, its host in process. */
  const clocks = new Map<string | undefined, VirtualClock>();
  const runCli = (args: string[], e: NodeJS.ProcessEnv) => {
    if (!clocks.has(e.IISCTL_SIM_STATE)) clocks.set(e.IISCTL_SIM_STATE, new VirtualClock(Date.now(), { auto: true }));
    return runInProcess(args, e, clocks.get(e.IISCTL_SIM_STATE));
  };

  it('status on a remote host with a good file: exit 0; the password is nowhere', async () => {
    const e = env();
    const r = await runCli([`--simulate=${scenarioFile('farm')}`, 'status', '-c', 'WEB02', '--credential-file', files.good, '--json'], e);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, host: 'WEB02' });
    expect(`${r.stdout}${commandLog(e.IISCTL_SIM_STATE).join('\n')}`).not.toContain(PASSWORD);
  });

  it('a file of another user: exit 2, CREDENTIAL_FILE with the hint; rolling passes the file to every host too', async () => {
    const r = await runCli([`--simulate=${scenarioFile('farm')}`, 'status', '-c', 'WEB02', '--credential-file', files.otherUser, '--json'], env());
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { code: 'CREDENTIAL_FILE', hint: expect.stringMatching(/Export-Clixml/) } });
    const human = await runCli([`--simulate=${scenarioFile('farm')}`, 'rolling', 'recycle', 'DefaultAppPool', '-c', 'WEB02', '--credential-file', files.missing], env());
    expect(human.stderr).toMatch(/Could not find file/);
    expect(human.code).not.toBe(0);
  });

  it('rolling passes --user to every host as well (it used to drop it)', async () => {
    const e = env();
    // In process: the password reaches the in-process host in its own environment, as a spawned one gets it.
    const r = await runCli([`--simulate=${scenarioFile('farm')}`, 'rolling', 'recycle', 'DefaultAppPool', '-c', 'WEB02', '--user', 'CONTOSO\\deploy'], { ...e, IISCTL_PASSWORD: PASSWORD });
    expect(r.code).toBe(0);
    expect(commandLog(e.IISCTL_SIM_STATE, 'WEB01').join('\n')).toContain('-Credential $global:IisctlCredential');
  });

  it('an in-process host gets the password in its own environment: the remote call works, and this process\'s environment is neither read nor changed', async () => {
    const before = { ...process.env };
    process.env.IISCTL_PASSWORD = 'not this one';
    try {
      const iis = await connect({ simulate: { scenario: scenarioFile('farm'), stateFile: path.join(tempDir(), 'state.json'), inProcess: true, clock: 'virtual' }, computerName: 'WEB02', credential: { userName: 'CONTOSO\\deploy', password: PASSWORD } });
      try {
        expect((await iis.status()).services.length).toBeGreaterThan(0);
      } finally {
        await iis.close();
      }
      // The host deleted the variable from its environment once read (lib/scripts/remote.ts), not from this process's.
      expect(process.env.IISCTL_PASSWORD).toBe('not this one');
    } finally {
      process.env = before;
    }
  });

  it('with --user, or without -c, or empty: exit 2 before anything runs', async () => {
    const e = env();
    for (const args of [
      ['status', '-c', 'WEB02', '--credential-file', files.good, '--user', 'CONTOSO\\deploy'],
      ['status', '--credential-file', files.good],
      ['status', '-c', 'WEB02', '--credential-file', ''],
    ]) {
      const r = await runCli([`--simulate=${scenarioFile('farm')}`, ...args], { ...e, IISCTL_PASSWORD: PASSWORD });
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(/--credential-file/);
    }
    expect(fs.existsSync(e.IISCTL_SIM_STATE) ? commandLog(e.IISCTL_SIM_STATE) : []).toEqual([]);
  });
});
