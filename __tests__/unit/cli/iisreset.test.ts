import { Output } from '../../../lib/cli/render';
import { parseHealth } from '../../../lib/cli/commands/rolling';
/**
 * The raw argv before and through yargs: the translation of iisreset switches (docs/sources.md §1.1,
 * §1.2), `--` ending the options (names after it exactly as typed), and the exit-code rules.
 */
import { combinedExitCode, errorExitCode, UsageError } from '../../../lib/cli/context';
import { explainUnknownArguments, splitAtEndOfOptions } from '../../../lib/cli/endOfOptions';
import { chosenCommand } from '../../../lib/cli/commands/index';
import { cliParser, commands, main } from '../../../lib/cli/main';
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
    // A mistyped switch is not a computer name.
    [['/restart', '/timeout=30'], /^\/timeout=30 is not an iisreset switch\. Did you mean \/TIMEOUT:30\?$/],
    [['/restart', '/bogus'], /^\/bogus is not an iisreset switch\. iisctl's own options are written --bogus\.$/],
    [['/status', '/json'], /^\/json is not an iisreset switch\. iisctl's own options are written --json\.$/],
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

describe('-- ends the options: what follows is names, exactly as typed', () => {
  type Parsed = Record<string, unknown>;
  /** Parses argv with the real commands and global options; nothing is run (no host). */
  async function parse(argv: string[]): Promise<{ command: string; args: Parsed }> {
    const modules = commands({ io: { stdout: process.stdout, stderr: process.stderr, env: process.env } });
    const args = await cliParser(splitAtEndOfOptions(argv), modules, { usage: 'usage', takesNames: true }).parseAsync();
    const chosen = chosenCommand(modules, args);
    if (!chosen) throw new Error(`no command chosen for ${JSON.stringify(argv)}`);
    return { command: chosen.command, args };
  }

  it('splits at the first -- only', () => {
    expect(splitAtEndOfOptions(['pool', 'recycle', '--json'])).toEqual({ options: ['pool', 'recycle', '--json'], operands: [] });
    expect(splitAtEndOfOptions(['pool', 'recycle', '--', '-legacy', '--', '--x'])).toEqual({ options: ['pool', 'recycle'], operands: ['-legacy', '--', '--x'] });
  });

  it('names that look like numbers stay the strings typed; leading dashes, spaces and option-like words are kept', async () => {
    const names = ['0123', '1e3', '-1', '0x10', '-legacy', '--x', '--json', ' padded ', '--', '-'];
    const { command, args } = await parse(['pool', 'recycle', '--', ...names]);
    expect(command).toMatch(/^pool /);
    expect(args.action).toBe('recycle');
    expect(args.names).toEqual(names);
    expect((args.names as unknown[]).every((n) => typeof n === 'string')).toBe(true);
    expect(args.json).toBe(false); // `--json` after -- is a name, not the option
    expect(JSON.stringify(args)).not.toContain('\\u0000'); // no placeholder left anywhere
  });

  it('options before -- still apply; every command with positional names takes them after --', async () => {
    const pool = await parse(['--simulate', '-c', 'WEB01', 'pool', 'stop', '--json', '--force', '--', '-legacy']);
    expect(pool.args).toMatchObject({ simulate: true, computer: ['WEB01'], json: true, force: true, action: 'stop', names: ['-legacy'] });
    expect((await parse(['site', 'restart', '--', '--shop', '007'])).args).toMatchObject({ action: 'restart', names: ['--shop', '007'] });
    expect((await parse(['heal', '--site', '--', '1e3'])).args).toMatchObject({ site: true, name: '1e3' });
    expect((await parse(['pool', 'show', '--', '-legacy'])).args).toMatchObject({ action: 'show', names: ['-legacy'] });
    expect((await parse(['backup', 'create', '--', '-nightly'])).args).toMatchObject({ action: 'create', name: '-nightly' });
    // An array option before -- ends there: --health does not take the name.
    expect((await parse(['rolling', 'recycle', '-c', 'A,B', '--health', 'http://{host}/', '--', '0123'])).args).toMatchObject({ name: '0123', health: ['http://{host}/'] });
  });

  it('--opt=VALUE keeps quotes that wrap VALUE (yargs-parser strips them): the reason or name arrives as typed', async () => {
    const r = await parse(['restart', `--reason="urgent"`, '--timeout=5']);
    expect(r.args).toMatchObject({ reason: '"urgent"', timeout: 5 });
    expect((await parse(['disable', "--reason='x'"])).args.reason).toBe("'x'");
    expect((await parse(['disable', '--reason="; & calc; "'])).args.reason).toBe('"; & calc; "');
    expect((await parse(['-c="web01"', 'status'])).args.computer).toEqual(['"web01"']);
    expect((await parse(['--computer="a" "b"', 'pool', 'recycle', '--', '"x"'])).args).toMatchObject({ computer: ['"a" "b"'], names: ['"x"'] });
    // Not wrapped, or given as a separate word: unchanged, as before.
    expect((await parse(['disable', '--reason="half'])).args.reason).toBe('"half');
    expect((await parse(['disable', '--reason', '"word"'])).args.reason).toBe('"word"');
    expect(JSON.stringify(r.args)).not.toContain('\\u0000');
  });

  it('without --, a word that starts with - is an unknown option (exit 2), named as typed, with the hint', async () => {
    await expect(parse(['pool', 'recycle', '-legacy'])).rejects.toThrow(new UsageError("Unknown argument: -legacy (to pass a name that starts with '-', put it after --)"));
    await expect(parse(['pool', 'recycle', '--x'])).rejects.toThrow("Unknown argument: --x (to pass a name that starts with '-', put it after --)");
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (writes.push(String(chunk)), true));
    try {
      expect(await main(['pool', 'recycle', '-legacy'])).toBe(EXIT.USAGE);
    } finally {
      spy.mockRestore();
    }
    expect(writes.join('').split('\n')[0]).toBe("iisctl: Unknown argument: -legacy (to pass a name that starts with '-', put it after --)");
  });

  it('an operand is never a command, and a command without names refuses one', async () => {
    await expect(parse(['--', 'status'])).rejects.toThrow('Unknown argument: status');
    await expect(parse(['status', '--', '-x'])).rejects.toThrow('Unknown argument: -x');
    await expect(parse(['heal', '--', 'a', 'b'])).rejects.toThrow('Unknown argument: b');
  });

  it('explainUnknownArguments: the words as typed; the hint only for commands that take names; other messages unchanged', () => {
    expect(explainUnknownArguments('Unknown arguments: l, e, g, a', ['pool', 'recycle', '-legacy'], true)).toBe("Unknown argument: -legacy (to pass a name that starts with '-', put it after --)");
    expect(explainUnknownArguments('Unknown argument: bogus', ['restart', '--bogus'], false)).toBe('Unknown argument: --bogus');
    expect(explainUnknownArguments('Unknown argument: bogus', ['restart', '--no-bogus'], false)).toBe('Unknown argument: --no-bogus');
    expect(explainUnknownArguments('Unknown arguments: x, extra', ['site', 'stop', '--x', 'extra'], true)).toBe("Unknown arguments: --x, extra (to pass a name that starts with '-', put it after --)");
    expect(explainUnknownArguments('Unknown argument: frobnicate', ['frobnicate'], false)).toBe('Unknown argument: frobnicate');
    expect(explainUnknownArguments('A command is needed.', [], false)).toBe('A command is needed.');
  });
});

describe('exit codes', () => {
  it('maps every error code', () => {
    const table = Object.fromEntries(ERROR_CODES.map((c) => [c, exitCodeOf(c)]));
    expect(table).toEqual({
      SESSION_TIMEOUT: 1,
      SESSION_DIED: 1,
      SESSION_CLOSED: 1,
      POWERSHELL_UNAVAILABLE: 7,
      INVALID_ARGUMENT: 2,
      CREDENTIAL_FILE: 2,
      NOT_FOUND: 4,
      ACCESS_DENIED: 5,
      TIMEOUT: 3,
      DISABLED: 6,
      TRANSIENT: 1,
      UNREACHABLE: 7,
      FAILED: 1,
      LOCKED: 9,
      CANCELLED: 130,
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

describe('rolling --health', () => {
  it('HOST=URL per host keeps every host, also one named __proto__ or constructor', () => {
    const health = parseHealth(['__proto__=http://a/', 'constructor=http://b/', 'WEB01=http://c/']) as Record<string, string>;
    expect(Object.keys(health)).toEqual(['__proto__', 'constructor', 'WEB01']);
    expect(health['__proto__']).toBe('http://a/');
    expect(health.constructor).toBe('http://b/');
    expect(parseHealth(['http://{host}/health'])).toBe('http://{host}/health');
  });
});

describe('bad option values: exit 2 with the usage, never a run with a default nobody chose', () => {
  async function firstLine(argv: string[]): Promise<[number, string]> {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (writes.push(String(chunk)), true));
    try {
      const code = await main(argv);
      return [code, writes.join('').split('\n')[0]];
    } finally {
      spy.mockRestore();
    }
  }

  it.each([
    // An empty number used to be 0: with --force, "terminate at once".
    [['stop', '--timeout=', '--force'], 'iisctl: --timeout is given an empty value.'],
    [['stop', '--timeout', '', '--force'], 'iisctl: --timeout is given an empty value.'],
    [['status', '--retries='], 'iisctl: --retries is given an empty value.'],
    [['restart', '--lock-timeout', ''], 'iisctl: --lock-timeout is given an empty value.'],
    // An option without its value used to be exit 1, "unexpected error".
    [['stop', '--force', '--timeout'], 'iisctl: --timeout needs a value.'],
    [['status', '-c'], 'iisctl: -c needs a value.'],
    [['events', '--until'], 'iisctl: --until needs a value.'],
    // A mistyped iisreset switch used to be taken for a computer name (exit 7).
    [['/restart', '/timeout=30'], 'iisctl: /timeout=30 is not an iisreset switch. Did you mean /TIMEOUT:30?'],
    // A remote account without a remote host used to be silently unused.
    [['status', '--user', 'CONTOSO\\ann'], 'iisctl: --user is for remote hosts: give -c/--computer too (this machine is driven as the account iisctl runs as).'],
    [['rolling', 'restart', '-c', 'WEB01,WEB02', '--expect', '999'], 'iisctl: --expect must be an HTTP status code from 100 to 599; got "999".'],
  ])('%j', async (argv, message) => {
    expect(await firstLine(argv)).toEqual([EXIT.USAGE, message]);
  });
});

describe('--json output', () => {
  const doc = { ok: true, command: 'status', nested: { list: [1, 2] } };
  const capture = (isTTY: boolean) => {
    const chunks: string[] = [];
    const out = new Output({ json: true, quiet: false, stdout: { isTTY, write: (t: string) => chunks.push(t) }, stderr: { write: () => true } });
    out.document(doc);
    return chunks.join('');
  };

  it('is one line when stdout is not a terminal (runs appended to a file are JSON Lines), indented on a terminal', () => {
    const piped = capture(false);
    expect(piped).toBe(`${JSON.stringify(doc)}\n`);
    expect(piped.trim().split('\n')).toHaveLength(1);
    const tty = capture(true);
    expect(tty.trim().split('\n').length).toBeGreaterThan(1);
    expect(JSON.parse(tty)).toEqual(doc);
  });
});
