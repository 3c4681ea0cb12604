/**
 * The frame of every command: context, then the command's own work; its exit code, or that of
 * its error (reported on the command's own output), is returned to runCli (main.ts).
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { loadSimulator } from '../simulator';
import { DEFAULTS } from '../defaults';
import { endLogger } from '../log';
import { Context, createContext, isDebug, oneLine, reportFailure, Runtime, UsageError } from './context';
import type { ExitCode } from './exitCodes';
import type { GlobalOptions } from './options';
import { CliIo, simulatedMachine } from './io';

export type Args<T = object> = ArgumentsCamelCase<GlobalOptions & T>;

/** A command's module (commands/index.ts loads it): its yargs builder, and what runs it. */
export interface CliCommand {
  /** Adds the command's positionals and options to the global options (none: the globals only). */
  builder?(y: Argv<GlobalOptions>): Argv<object>;
  /** Runs the command on the arguments yargs parsed; its exit code. */
  run(args: Args): Promise<ExitCode>;
}

export function handler<T>(runtime: Runtime, command: string | ((args: Args<T>) => string), usage: string, body: (ctx: Context, args: Args<T>) => Promise<ExitCode>) {
  return async (args: Args<T>): Promise<ExitCode> => {
    const name = typeof command === 'string' ? command : command(args);
    const checked = args.scenario === undefined ? args : { ...args, scenario: await checkedScenario(args.scenario, usage, !name.startsWith('sim '), runtime.io) };
    const ctx = createContext(runtime, name, checked, usage);
    try {
      return await body(ctx, checked);
    } catch (error) {
      return reportFailure(ctx.out, error, { command: String(args._[0]), usage, debug: isDebug(ctx.args.logLevel) });
    } finally {
      // Waits until the log file has everything (winston writes asynchronously), at most DEFAULTS.logFlushMs.
      await endLogger(ctx.logger, DEFAULTS.logFlushMs);
    }
  };
}

/**
 * --simulate=FILE|NAME: the scenario must load and validate before anything runs (exit 2
 * otherwise). Returns its absolute path, which is what the simulated host is given.
 */
async function checkedScenario(value: string, usage: string, sameAsStateFile: boolean, io: CliIo): Promise<string> {
  if (value.trim() === '') throw new UsageError('--simulate= needs a scenario file or bundled scenario name.', usage);
  const { loadScenario, resolveScenarioPath, ScenarioError } = loadSimulator();
  try {
    const wanted = loadScenario(value).name;
    if (sameAsStateFile) await refuseOtherScenario(value, wanted, usage, simulatedMachine(io).stateFile);
  } catch (e) {
    if (e instanceof ScenarioError) {
      const first = e.problems[0];
      const more = e.problems.length > 1 ? ` (and ${e.problems.length - 1} more problem(s))` : '';
      throw new UsageError(`--simulate: invalid scenario ${e.file}: ${first ? `${first.path}: ${oneLine(first.problem)}` : oneLine(e.message)}${more}`, usage);
    }
    throw e;
  }
  return resolveScenarioPath(value);
}

/**
 * The simulated machine's state file already holds another scenario: exit 2 before anything
 * runs, with the exact command that starts it over from the scenario asked for.
 */
async function refuseOtherScenario(value: string, wanted: string, usage: string, stateFile: string | undefined): Promise<void> {
  const { peekState, stateFilePath } = loadSimulator();
  let held: string | undefined;
  try {
    held = peekState({ scenario: value, stateFile })?.scenario;
  } catch {
    return; // unreadable or corrupt: the simulated host reports it, with its own fix
  }
  if (held === undefined || held === wanted) return;
  const file = stateFilePath({ scenario: value, stateFile });
  throw new UsageError(
    `The simulated machine in ${file} holds scenario "${held}", not "${wanted}". To start it over from "${wanted}" (its current state is lost): iisctl --simulate=${shellWord(value)} sim reset`,
    usage,
  );
}

/** A word as a shell would need it typed. */
function shellWord(text: string): string {
  return /^[\w.\/:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
