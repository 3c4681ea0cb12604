/**
 * The command table (lib/cli/commands/index.ts): every command's line and help line are there and
 * only there, and its module (loaded on first use) brings the builder, what runs it and the usage line.
 */
import yargs from 'yargs';
import { COMMANDS, lazyCommand, usageOf } from '../../../lib/cli/commands/index';
import type { Runtime } from '../../../lib/cli/context';
import { withGlobalOptions } from '../../../lib/cli/options';

const runtime = (): Runtime => ({ io: { stdout: process.stdout, stderr: process.stderr, env: process.env } });

describe('the command table', () => {
  it.each(Object.keys(COMMANDS))('%s: its module gives what runs it and a usage line, and no command line or help line of its own', (name) => {
    const loaded = COMMANDS[name].load();
    const module = loaded.create(runtime());
    expect(typeof module.run).toBe('function');
    expect('command' in module).toBe(false);
    expect('describe' in module).toBe(false);
    expect(usageOf(name)).toBe(loaded.usage);
    expect(loaded.usage).toMatch(new RegExp(`^iisctl ${name}\\b`));
  });

  it("a lazy command's builder adds the command's own options (the module's builder ran), the command not run", () => {
    let help = '';
    const restart = lazyCommand(runtime(), 'restart');
    withGlobalOptions(yargs([])).command(restart.command, restart.describe, restart.builder).exitProcess(false).parseSync(['restart', '--help'], {}, (_err, _argv, output) => {
      help = output;
    });
    expect(help).toContain('--timeout');
    expect(help).toContain('Seconds to wait for the stop');
  });
});
