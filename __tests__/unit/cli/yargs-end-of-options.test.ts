/**
 * Why `--` is handled by lib/cli/endOfOptions.ts (placeholders) and not by a yargs setting: what
 * the installed yargs 17.7 / yargs-parser 21.1 do with `--` under each parser configuration that
 * could do it (yargs-parser README: `populate--`, `halt-at-non-option`, `parse-positional-numbers`).
 * The CLI's own behaviour is asserted in iisreset.test.ts ("names that look like numbers stay the
 * strings typed", "every command with positional names takes them after --", "an operand is never
 * a command", "--opt=VALUE keeps quotes"). Should an upgrade of yargs make one of these expectations
 * fail, a setting may now do what the placeholders do (README, Known limits).
 */
import yargs from 'yargs';

interface Parsed {
  _: (string | number)[];
  names?: unknown[];
  name?: unknown;
  reason?: unknown;
  '--'?: unknown[];
}

/** A parser shaped like iisctl's (a command with positional names, strict), under one configuration. */
async function parse(argv: string[], configuration: Record<string, boolean>): Promise<Parsed> {
  const parsed = await yargs(argv)
    .parserConfiguration(configuration)
    .command('pool <action> [names..]', 'pool', (y) => y.positional('action', { type: 'string' }).positional('names', { type: 'string', array: true }))
    .command('heal [name]', 'heal', (y) => y.positional('name', { type: 'string' }))
    .command('status', 'status')
    .option('reason', { type: 'string' })
    .strict()
    .exitProcess(false)
    .fail((message) => {
      throw new Error(message);
    })
    .parseAsync();
  return parsed;
}

const NAMES = ['-legacy', '1e3', '0123'];

describe('yargs and `--` (why endOfOptions.ts exists)', () => {
  it('default: the words after -- never reach a positional, 1e3 becomes 1000, and `-- status` runs status', async () => {
    const pool = await parse(['pool', 'recycle', '--', ...NAMES], {});
    expect(pool.names).toEqual([]);
    expect(pool._).toContain(1000);
    expect((await parse(['--', 'status'], {}))._).toEqual(['status']);
  });

  it("populate--: the operands stay in argv['--'] (as typed only without parse-positional-numbers), never in a positional", async () => {
    const config = { 'populate--': true, 'parse-positional-numbers': false };
    const pool = await parse(['pool', 'recycle', '--', ...NAMES], config);
    expect(pool.names).toEqual([]);
    expect(pool['--']).toEqual(NAMES);
    expect((await parse(['heal', '--', 'x'], config)).name).toBeUndefined();
    // No command is chosen and nothing is refused: not "Unknown argument: status".
    expect((await parse(['--', 'status'], config))._).toEqual([]);
    await expect(parse(['status', '--', '-x'], config)).resolves.toMatchObject({ '--': ['-x'] });
  });

  it('halt-at-non-option: parsing stops at the command word; the rest, `--` included, is argv._', async () => {
    const pool = await parse(['pool', 'recycle', '--', ...NAMES], { 'halt-at-non-option': true });
    expect(pool._).toEqual(['pool', 'recycle', '--', '-legacy', 1000, '0123']);
    expect(pool.names).toBeUndefined();
  });

  it('--opt=VALUE loses the quotes that wrap VALUE under every configuration (yargs-parser stripQuotes)', async () => {
    const configs: Record<string, boolean>[] = [{}, { 'populate--': true }, { 'halt-at-non-option': true }];
    for (const config of configs) {
      expect((await parse(['--reason="urgent"', 'status'], config)).reason).toBe('urgent');
    }
  });
});
