/**
 * Parse, don't validate: what a caller gives is checked once where it comes in (the public API, the
 * CLI's options), and the checked value is what the layers below take. Counted here by the calls
 * of the parse functions themselves: a computer name once per host, a credential once per run.
 */
import * as remote from '../../lib/scripts/remote';
import { connect, parseConnectOptions } from '../../lib/client';
import { checkHosts, parseHostsOptions } from '../../lib/fleet/hosts';
import { connectMany } from '../../lib/fleet/fleet';
import { inProcessMachine } from '../helpers/cli';
import { scenarioFile } from '../helpers/sim';

afterEach(() => jest.restoreAllMocks());

describe('the library parses its input once', () => {
  it('parseConnectOptions: a frozen result that connect() and parseConnectOptions take as it is', async () => {
    const parsed = parseConnectOptions({ computerName: ' WEB02 ', credential: { userName: ' CONTOSO\\ann ', password: 'pw' }, lock: { wait: false }, lockTimeoutSeconds: 30 });
    expect(Object.isFrozen(parsed)).toBe(true);
    expect(parsed.target).toMatchObject({ computerName: 'WEB02', auth: { credential: { userName: 'CONTOSO\\ann' } } });
    expect(parsed.lock).toEqual({ wait: false, timeoutSeconds: 30, leaseSeconds: undefined });
    expect(typeof parsed.user).toBe('string');
    const names = jest.spyOn(remote, 'parseComputerName');
    const auth = jest.spyOn(remote, 'parseRemoteAuth');
    expect(parseConnectOptions(parsed)).toBe(parsed);
    expect(names).not.toHaveBeenCalled();
    expect(auth).not.toHaveBeenCalled();
  });

  it('connect(): the computer name and the credential are checked once, not again by the client below', async () => {
    const names = jest.spyOn(remote, 'parseComputerName');
    const auth = jest.spyOn(remote, 'parseRemoteAuth');
    const iis = await connect({ computerName: 'WEB02', credentialFile: 'C:\\c.xml', simulate: { inProcess: true, clock: 'virtual' } });
    await iis.close();
    expect(names).toHaveBeenCalledTimes(1);
    expect(auth).toHaveBeenCalledTimes(1);
  });

  it('the same errors as before, from the one parse', () => {
    expect(() => parseConnectOptions({ computerName: '  ' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'A computer name is empty.' }));
    expect(() => parseConnectOptions({ credentialFile: 'C:\\c.xml' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'A credential file is for a remote computer: give computerName too.' }));
    expect(() => parseConnectOptions({ computerName: 'WEB02', lock: { leaseSeconds: 1 } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^lock\.leaseSeconds must be/) }));
  });

  it('several hosts: the list is checked once (a checked list is taken as it is) and the credential is built once for all', () => {
    const hosts = checkHosts([' WEB01 ', 'WEB02']);
    expect(Object.isFrozen(hosts)).toBe(true);
    const names = jest.spyOn(remote, 'parseComputerName');
    expect(checkHosts(hosts)).toBe(hosts);
    const auth = jest.spyOn(remote, 'parseRemoteAuth');
    const [a, b] = parseHostsOptions(hosts, { credential: { userName: 'CONTOSO\\ann', password: 'pw' } });
    expect(names).not.toHaveBeenCalled();
    expect(auth).toHaveBeenCalledTimes(1);
    expect([a.target?.computerName, b.target?.computerName]).toEqual(['WEB01', 'WEB02']);
    expect(a.target?.auth).toBe(b.target?.auth);
  });

  it('connectMany: bad connection options are refused when the Fleet is made, before any host is touched', () => {
    expect(() => connectMany(['WEB01', 'WEB02'], { credential: { userName: ' ', password: 'pw' } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'The user name of the credential is empty.' }));
  });
});

describe('the CLI parses its options once and hands the checked values down', () => {
  it('-c WEB01,WEB02: each computer name checked once, how to reach them once', async () => {
    const machine = inProcessMachine(scenarioFile('farm'), { clock: 'virtual' });
    const names = jest.spyOn(remote, 'parseComputerName');
    const auth = jest.spyOn(remote, 'parseRemoteAuth');
    const r = await machine.run(['status', '-c', 'WEB01,WEB02', '--json']);
    expect(r.code).toBe(0);
    expect(names.mock.calls.map(([n]) => n)).toEqual(['WEB01', 'WEB02']);
    expect(auth).toHaveBeenCalledTimes(1);
  });

  it('rolling: the same, through the fleet it works with', async () => {
    const machine = inProcessMachine(scenarioFile('farm'), { clock: 'virtual' });
    const names = jest.spyOn(remote, 'parseComputerName');
    const auth = jest.spyOn(remote, 'parseRemoteAuth');
    const r = await machine.run(['rolling', 'recycle', 'DefaultAppPool', '-c', 'WEB01', '-c', 'WEB02', '--json']);
    expect(r.code).toBe(0);
    expect(names.mock.calls.map(([n]) => n)).toEqual(['WEB01', 'WEB02']);
    expect(auth).toHaveBeenCalledTimes(1);
  });
});
