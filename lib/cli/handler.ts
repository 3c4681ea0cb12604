/**
 * The frame of every command handler: context, then the command's own work, with its exit code
 * stored in the runtime (main.ts turns it into the process exit code).
 */
import type { ArgumentsCamelCase } from 'yargs';
import { loadSimulator } from '../simulator';
import { Context, createContext, oneLine, Runtime, UsageError } from './context';
import type { ExitCode } from './exitCodes';
import type { GlobalArgs } from './options';

export type Args<T = object> = ArgumentsCamelCase<GlobalArgs & T>;

export function handler<T>(runtime: Runtime, command: string | ((args: Args<T>) => string), usage: string, body: (ctx: Context, args: Args<T>) => Promise<ExitCode>) {
  return async (args: Args<T>): Promise<void> => {
    const name = typeof command === 'string' ? command : command(args);
    if (args.scenario !== undefined) (args as GlobalArgs).scenario = await checkedScenario(args.scenario, usage);
    const ctx = createContext(runtime, name, args, usage);
    runtime.exitCode = await body(ctx, args);
  };
}

/**
 * --simulate=FILE|NAME: the scenario must load and validate before anything runs (exit 2
 * otherwise). Returns its absolute path, which is what the simulated host is given.
 */
async function checkedScenario(value: string, usage: string): Promise<string> {
  if (value.trim() === '') throw new UsageError('--simulate= needs a scenario file or bundled scenario name.', usage);
  const { loadScenario, resolveScenarioPath, ScenarioError } = loadSimulator();
  try {
    loadScenario(value);
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
