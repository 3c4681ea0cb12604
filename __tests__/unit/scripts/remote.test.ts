/**
 * Remote commands (lib/scripts/remote.ts): the answer of the remote block is read the same way as
 * a local envelope's, so a remote error keeps its class; a count that cannot be read is an error.
 */
import { currentConnections, onComputer, parseRemoteAuth, parseRemoteTarget, remoteSecretEnv } from '../../../lib/scripts/remote';
import { classifyPowerShellError } from '../../../lib/powershell/classify';
import { requestServiceStop } from '../../../lib/scripts/services';
import { IisctlError } from '../../../lib/errors';

/** What the local envelope's data is for a remote call: the one object Invoke-Command returned, with remoting's notes. */
function reply(result: unknown): unknown {
  return { iisctlRemote: JSON.stringify(result), PSComputerName: 'WEB02', RunspaceId: '6f1c0e2a-8c5d-4a57-9a59-3b8e3f0e1a11', PSShowComputerName: true };
}

function failure(error: Record<string, unknown>): unknown {
  return reply({ ok: false, data: null, error });
}

const thrown = (fn: () => unknown): IisctlError => {
  try {
    fn();
  } catch (e) {
    return e as IisctlError;
  }
  throw new Error('did not throw');
};

describe('current connections', () => {
  it('reads the count from an object', () => {
    expect(currentConnections().parse({ connections: 3 })).toBe(3);
    expect(onComputer(parseRemoteTarget('WEB02'), currentConnections()).parse(reply({ ok: true, data: { connections: 0 }, error: null }))).toBe(0);
  });

  it.each([[null], [{ connections: null }], [{ value: 37, PSComputerName: 'WEB02' }], ['x'], [{ connections: -1 }]])('a count that is not a number (%j) is an error, never "drained"', (data) => {
    expect(thrown(() => currentConnections().parse(data)).code).toBe('FAILED');
  });
});

describe('remote errors keep their class', () => {
  const stop = () => onComputer(parseRemoteTarget('WEB02'), requestServiceStop(['W3SVC']));

  it('cannot accept control messages (Win32 1061 on the remote base exception) is TRANSIENT, on WEB02', () => {
    const e = thrown(() =>
      stop().parse(failure({ message: "Service 'World Wide Web Publishing Service (W3SVC)' cannot be stopped due to the following error: Cannot stop W3SVC service on computer '.'.", type: 'Microsoft.PowerShell.Commands.ServiceCommandException', hresult: -2146233087, baseType: 'System.ComponentModel.Win32Exception', baseMessage: 'The service cannot accept control messages at this time', win32Code: 1061, baseHresult: -2147467259 })),
    );
    expect(e).toBeInstanceOf(IisctlError);
    expect(e.code).toBe('TRANSIENT');
    expect(e.host).toBe('WEB02');
  });

  it('access denied is ACCESS_DENIED; a wrapped COM error keeps its HResult', () => {
    expect(thrown(() => stop().parse(failure({ message: 'Cannot open W3SVC service', hresult: -2146233087, win32Code: 5 }))).code).toBe('ACCESS_DENIED');
    expect(thrown(() => stop().parse(failure({ message: 'Exception calling "Stop"', hresult: -2146233087, baseHresult: 0x800710d8 | 0 }))).code).toBe('TRANSIENT');
  });

  it('a reply that is not one iisctl result is FAILED', () => {
    expect(thrown(() => stop().parse(null)).code).toBe('FAILED');
    expect(thrown(() => stop().parse([reply({ ok: true }), reply({ ok: true })])).code).toBe('FAILED');
  });
});

describe('credentials', () => {
  it('the password is never in the script; it travels in the spawn environment', () => {
    const password = "S3cret'$(x)-PW";
    const target = parseRemoteTarget('WEB02', { credential: { userName: 'CONTOSO\\ann', password } });
    const command = onComputer(target, requestServiceStop(['W3SVC']));
    expect(command.script.text).not.toContain(password);
    expect(command.script.text).toContain('CONTOSO\\ann');
    expect(remoteSecretEnv(target)).toEqual({ IISCTL_PASSWORD: password });
    expect(remoteSecretEnv(parseRemoteTarget('WEB02'))).toEqual({});
  });

  it('a password with a NUL character is INVALID_ARGUMENT (an environment variable cannot carry it), before any script exists', () => {
    expect(() => parseRemoteAuth({ credential: { userName: 'CONTOSO\\ann', password: 'p\0w' } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('the session and the remote block are written once per script', () => {
    const text = onComputer(parseRemoteTarget('WEB02'), requestServiceStop(['W3SVC'])).script.text;
    expect(text.split('New-PSSession').length - 1).toBe(1);
    expect(text.split('Invoke-Command').length - 1).toBe(1);
  });
});

describe('credential file', () => {
  const file = "C:\\tools\\it's $(whoami) [x].xml";

  it('is read once with Import-Clixml -LiteralPath, the path quoted; no password and no environment', () => {
    const target = parseRemoteTarget('WEB02', { credentialFile: file });
    const text = onComputer(target, requestServiceStop(['W3SVC'])).script.text;
    expect(text).toContain(`Import-Clixml -LiteralPath 'C:\\tools\\it''s $(whoami) [x].xml'`);
    expect(text).toContain('-isnot [System.Management.Automation.PSCredential]');
    expect(text).toContain('-Credential $global:IisctlCredential');
    expect(text).not.toContain('IISCTL_PASSWORD');
    expect(text.split('Import-Clixml').length - 1).toBe(1);
    expect(remoteSecretEnv(target)).toEqual({});
  });

  it('and a credential exclude each other: INVALID_ARGUMENT before any script exists', () => {
    const both = { credential: { userName: 'CONTOSO\\ann', password: 'pw' }, credentialFile: 'C:\\c.xml' };
    expect(() => onComputer(parseRemoteTarget('WEB02', both), requestServiceStop(['W3SVC']))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('not both') }));
  });

  it.each([[''], ['   '], ['a\0b'], ['\ud800x'], ['x'.repeat(32_768)], [42 as unknown as string]])('a path that cannot be used (%#) is INVALID_ARGUMENT', (p) => {
    expect(() => parseRemoteAuth({ credentialFile: p })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => onComputer(parseRemoteTarget('WEB02', { credentialFile: p }), requestServiceStop(['W3SVC']))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it("a failure to read it (the script's error id) is CREDENTIAL_FILE with a hint to make it again as the right account", () => {
    const e = classifyPowerShellError({ message: "The credential file C:\\c.xml could not be read into a credential: Key not valid for use in specified state.", fullyQualifiedErrorId: 'IisctlCredentialFile', category: 'ReadError', type: 'Microsoft.PowerShell.Commands.WriteErrorException' }, 'localhost');
    expect(e.code).toBe('CREDENTIAL_FILE');
    expect(e.hint).toMatch(/Export-Clixml/);
  });
});
