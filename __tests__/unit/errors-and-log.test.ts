import { currentUser } from '../../lib/control/operation';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ERROR_CODES, IisctlError, isIisctlError } from '../../lib/errors';
import { createLogger, silentLogger } from '../../lib/log';
import { classifyPowerShellError } from '../../lib/powershell/classify';

/**
 * Settles once the log file the next createLogger opens is closed (logger.end() flushes, then the
 * file is closed): the test reads it after that event, not after a guessed delay.
 */
function fileClosed(): Promise<void> {
  // The module object itself: the namespace import's bindings are read-only getters onto it.
  const fsModule = require('node:fs') as typeof fs;
  const real = fsModule.createWriteStream;
  const spy = jest.spyOn(fsModule, 'createWriteStream');
  return new Promise((resolve) => {
    spy.mockImplementationOnce((...args: Parameters<typeof fs.createWriteStream>) => {
      spy.mockRestore();
      const stream = real(...args);
      stream.once('close', () => resolve());
      return stream;
    });
  });
}

describe('IisctlError', () => {
  it('carries a stable code, PowerShell details and a JSON form without a stack', () => {
    const e = new IisctlError('NOT_FOUND', 'no pool', { host: 'WEB01', hint: 'check the name', powershell: { message: 'x', category: 'ObjectNotFound' } });
    expect(e).toBeInstanceOf(Error);
    expect(isIisctlError(e, 'NOT_FOUND')).toBe(true);
    expect(isIisctlError(e, 'FAILED')).toBe(false);
    const json = e.toJSON();
    expect(json).toEqual({ code: 'NOT_FOUND', message: 'no pool', host: 'WEB01', hint: 'check the name', powershell: { message: 'x', category: 'ObjectNotFound' } });
    expect(JSON.stringify(e)).not.toMatch(/stack|at Object/);
  });

  it('has the documented set of codes', () => {
    expect([...ERROR_CODES].sort()).toEqual(
      ['ACCESS_DENIED', 'DISABLED', 'FAILED', 'INVALID_ARGUMENT', 'NOT_FOUND', 'POWERSHELL_UNAVAILABLE', 'SESSION_DIED', 'SESSION_CLOSED', 'SESSION_TIMEOUT', 'TIMEOUT', 'TRANSIENT', 'UNREACHABLE', 'LOCKED', 'CANCELLED', 'CREDENTIAL_FILE'].sort(),
    );
  });
});

describe('classifyPowerShellError', () => {
  it.each([
    [{ message: 'The service cannot accept control messages at this time.', hresult: 0x80070425 | 0 }, 'TRANSIENT'],
    // The credential file's error id wins over the category and type of the failure behind it.
    [{ message: "The credential file x could not be read into a credential: Could not find file 'x'.", fullyQualifiedErrorId: 'IisctlCredentialFile', category: 'ReadError', type: 'Microsoft.PowerShell.Commands.WriteErrorException' }, 'CREDENTIAL_FILE'],
    [{ message: 'not one PSCredential', fullyQualifiedErrorId: 'IisctlCredentialFile,Invoke-Thing', category: 'ObjectNotFound' }, 'CREDENTIAL_FILE'],
    [{ message: 'other', fullyQualifiedErrorId: 'IisctlCredentialFileX', category: 'ObjectNotFound' }, 'NOT_FOUND'],
    [{ message: 'Access is denied', hresult: -2147024891 }, 'ACCESS_DENIED'],
    [{ message: 'denied', type: 'System.UnauthorizedAccessException' }, 'ACCESS_DENIED'],
    [{ message: "Cannot find any service with service name 'X'.", category: 'ObjectNotFound' }, 'NOT_FOUND'],
    [{ message: 'The object identifier does not represent a valid object.', hresult: 0x800710d8 | 0 }, 'TRANSIENT'],
    [{ message: "Service 'W (W3SVC)' cannot be stopped due to the following error: Cannot stop W3SVC service on computer '.'.", hresult: -2146233087, baseType: 'System.ComponentModel.Win32Exception', win32Code: 1061 }, 'TRANSIENT'],
    [{ message: "Service 'W (W3SVC)' cannot be stopped due to the following error: Cannot open W3SVC service on computer '.'.", hresult: -2146233087, win32Code: 5 }, 'ACCESS_DENIED'],
    [{ message: 'other', category: 'InvalidOperation' }, 'FAILED'],
    // A COM error wrapped in another exception: its HResult only on the base exception.
    [{ message: 'Exception calling "Start" with "0" argument(s): "The object identifier does not represent a valid object."', hresult: -2146233087, baseHresult: 0x800710d8 | 0 }, 'TRANSIENT'],
    [{ message: 'Exception calling "Stop" with "0" argument(s): "Access is denied."', hresult: -2146233087, baseHresult: 0x80070005 | 0 }, 'ACCESS_DENIED'],
    [{ message: 'Connecting to remote server WEB03 failed', type: 'System.Management.Automation.Remoting.PSRemotingTransportException', fullyQualifiedErrorId: 'WinRMOperationTimeout,PSSessionStateBroken', category: 'OpenError' }, 'UNREACHABLE'],
    [{ message: 'cannot be resolved', fullyQualifiedErrorId: 'ComputerNotFound,PSSessionStateBroken' }, 'UNREACHABLE'],
    [{ message: 'Access is denied.', type: 'System.Management.Automation.Remoting.PSRemotingTransportException', fullyQualifiedErrorId: 'AccessDenied,PSSessionStateBroken' }, 'ACCESS_DENIED'],
  ])('maps %j to %s', (details, code) => {
    const e = classifyPowerShellError(details, 'WEB01');
    expect(e.code).toBe(code);
    expect(e.message).toBe(details.message);
    expect(e.powershell).toEqual(details);
    expect(e.host).toBe('WEB01');
  });
});

describe('logger factory', () => {
  it('is silent by default for the library', () => {
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      silentLogger().error('should not appear');
      expect(spy).not.toHaveBeenCalled();
      expect(out).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      out.mockRestore();
    }
  });

  it('writes JSON lines to a file at the chosen level', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-log-')), 'iisctl.log');
    const closed = fileClosed();
    const logger = createLogger({ console: false, file, level: 'warn' });
    logger.info('not written');
    logger.warn('written', { pool: 'DefaultAppPool' });
    logger.end();
    await closed;
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', message: 'written', pool: 'DefaultAppPool' });
  });

  it('filters stderr and the file separately with consoleLevel', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-log-')), 'iisctl.log');
    const closed = fileClosed();
    const logger = createLogger({ file, level: 'info', consoleLevel: 'warn' });
    // Under jest the console transport does not reach process.stderr; its own filter is checked instead.
    const levels = logger.transports.map((t) => [t.constructor.name, t.level]);
    expect(levels).toEqual([
      ['Console', 'warn'],
      ['Stream', 'info'], // the log file: our own stream, so write errors are reported
    ]);
    expect(logger.level).toBe('info');
    logger.info('file only');
    logger.debug('nowhere');
    logger.end();
    await closed;
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { message: string }).message);
    expect(lines).toEqual(['file only']);
    expect(createLogger({ console: true, level: 'info', consoleLevel: 'debug' }).level).toBe('debug');
  });
});

describe('currentUser (the user= of audit events)', () => {
  it('is DOMAIN\\user on Windows, the bare name elsewhere', () => {
    const name = os.userInfo().username;
    expect(currentUser('win32', { USERDOMAIN: 'CONTOSO' })).toBe(`CONTOSO\\${name}`);
    expect(currentUser('win32', {})).toBe(name);
    expect(currentUser('linux', { USERDOMAIN: 'CONTOSO' })).toBe(name);
  });
});
