/**
 * The raw-argv translation of iisreset switches (iis-reference 1.1, 1.2) and the exit-code rules.
 */
import { combinedExitCode, errorExitCode, UsageError } from '../../../lib/cli/context';
import { EXIT, exitCodeOf } from '../../../lib/cli/exitCodes';
import { translateIisreset } from '../../../lib/cli/iisreset';
import { expandSimulate } from '../../../lib/cli/options';
import { ERROR_CODES, IisctlError } from '../../../lib/errors';

const argv = (args: string[]) => {
  const t = translateIisreset(args);
  if (t.kind !== 'translated') throw new Error(`not translated: ${JSON.stringify(t)}`);
  return t.argv;
};

describe('translateIisreset', () => {
  it('leaves iisctl command lines alone', () => {
    expect(translateIisreset(['restart', '--timeout', '30', '-c', 'WEB01'])).toEqual({ kind: 'native', argv: ['restart', '--timeout', '30', '-c', 'WEB01'] });
    expect(translateIisreset([])).toEqual({ kind: 'native', argv: [] });
  });

  it('maps the classic example, forcing unless /NOFORCE', () => {
    expect(argv(['/restart', '/noforce', '/timeout:30', 'SERVER1'])).toEqual(['restart', '--timeout', '30', '--computer', 'SERVER1', '--iisreset']);
    expect(argv(['/RESTART', 'SERVER1'])).toEqual(['restart', '--force', '--computer', 'SERVER1', '--iisreset']);
    expect(argv(['-stop'])).toEqual(['stop', '--force', '--iisreset']);
    expect(argv(['/Start'])).toEqual(['start', '--iisreset']);
    expect(argv(['/status'])).toEqual(['status', '--iisreset']);
    expect(argv(['/ENABLE'])).toEqual(['enable', '--iisreset']);
    expect(argv(['-disable'])).toEqual(['disable', '--iisreset']);
  });

  it('no action switch means /RESTART (1.2)', () => {
    expect(argv(['/noforce'])).toEqual(['restart', '--iisreset']);
    expect(argv(['SERVER1', '/timeout:5'])).toEqual(['restart', '--force', '--timeout', '5', '--computer', 'SERVER1', '--iisreset']);
  });

  it('keeps iisctl options and their values, so values are not taken for computer names', () => {
    expect(argv(['/stop', '--log-file', 'x.log', '--json', 'WEB01', '-c', 'WEB02'])).toEqual(['stop', '--force', '--computer', 'WEB01', '--iisreset', '--log-file', 'x.log', '--json', '-c', 'WEB02']);
  });

  it('/REBOOTONERROR becomes --reboot-on-error; /? asks for the usage', () => {
    expect(argv(['/rebootonerror'])).toEqual(['restart', '--force', '--reboot-on-error', '--iisreset']);
    expect(translateIisreset(['/restart', '/?'])).toEqual({ kind: 'usage' });
    expect(translateIisreset(['-?'])).toEqual({ kind: 'usage' });
  });

  it.each([
    [['/reboot'], /REBOOT is not supported/],
    [['/stop', '/start'], /Conflicting switches/],
    [['/timeout:'], /needs a value/],
    [['/timeout:abc'], /whole number of seconds/],
    [['/timeout:-5'], /whole number of seconds/],
    [['/timeout:5', '/timeout:6'], /given twice/],
    [['/status', '/noforce'], /cannot be combined with \/STATUS/],
    [['/enable', '/timeout:3'], /cannot be combined with \/ENABLE/],
  ])('refuses %j', (args, message) => {
    const t = translateIisreset(args);
    expect(t.kind).toBe('error');
    expect(t.kind === 'error' && t.message).toMatch(message);
  });
});

describe('expandSimulate', () => {
  it('turns --simulate=FILE into a flag and a value so that `--simulate status` keeps its command', () => {
    expect(expandSimulate(['--simulate=farm.json', 'status'])).toEqual(['--simulate', '--scenario', 'farm.json', 'status']);
    expect(expandSimulate(['--simulate', 'status'])).toEqual(['--simulate', 'status']);
  });
});

describe('exit codes', () => {
  it('maps every error code', () => {
    const table = Object.fromEntries(ERROR_CODES.map((c) => [c, exitCodeOf(c)]));
    expect(table).toEqual({
      SESSION_TIMEOUT: 1,
      SESSION_DIED: 1,
      POWERSHELL_UNAVAILABLE: 7,
      INVALID_ARGUMENT: 2,
      NOT_FOUND: 4,
      ACCESS_DENIED: 5,
      TIMEOUT: 3,
      DISABLED: 6,
      TRANSIENT: 1,
      UNREACHABLE: 7,
      FAILED: 1,
      LOCKED: 9,
    });
    expect(errorExitCode(new UsageError('x'))).toBe(2);
    expect(errorExitCode(new Error('boom'))).toBe(1);
  });

  it('combines several hosts: 0 all ok, 8 some failed, the common code when all failed alike, else 1', () => {
    const ok = { host: 'a', ok: true };
    const unreachable = { host: 'b', ok: false, error: new IisctlError('UNREACHABLE', 'x') };
    const timeout = { host: 'c', ok: false, error: new IisctlError('TIMEOUT', 'x') };
    expect(combinedExitCode([ok, ok])).toBe(EXIT.OK);
    expect(combinedExitCode([ok, unreachable])).toBe(EXIT.PARTIAL);
    expect(combinedExitCode([unreachable, unreachable])).toBe(EXIT.UNREACHABLE);
    expect(combinedExitCode([unreachable, timeout])).toBe(EXIT.FAILED);
    expect(combinedExitCode([timeout])).toBe(EXIT.TIMEOUT);
  });
});
