#!/usr/bin/env node
/**
 * The iisctl command line: iisreset translation on the raw argv (iisreset.ts), then yargs, then
 * one thin command handler (commands/*.ts) that calls the library and renders its result.
 * Exit codes: exitCodes.ts. Output rules: render.ts.
 */
import yargs, { Argv } from 'yargs';
import { DEFAULTS } from '../defaults';
// Type only: context.ts loads the library; it is loaded when an error is reported (cold start: README, Benchmarks).
import type { Runtime } from './context';
import { UsageError } from './usageError';
import { EXIT, EXIT_CODE_HELP } from './exitCodes';
import { iisresetUsage, translateIisreset } from './iisreset';
import { expandSimulate, GlobalOptions, withGlobalOptions } from './options';
import { clearLiveProgress, Output } from './render';
import { chosenCommand, COMMANDS, LazyCommand, lazyCommand, usageOf } from './commands/index';
import { explainUnknownArguments, OPERANDS_FLAG, restoreOperands, restoreText, splitAtEndOfOptions, SplitArgv, yargsArgv } from './endOfOptions';
import { refuseEmptyOptionValues, rememberTypedOptions } from './validate';
import type { CliIo } from './io';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const context = () => require('./context') as typeof import('./context');

/** Commands that take pool, site or backup names as positionals (the unknown-option hint about `--`). */
const TAKES_NAMES: ReadonlySet<string> = new Set(['pool', 'site', 'heal', 'rolling', 'backup']);
const GENERAL_USAGE = `iisctl <${Object.keys(COMMANDS).join('|')}> [options]   (iisctl --help; iisreset switches: iisctl /?)`;

const EPILOGUE = `${EXIT_CODE_HELP}

iisreset switches work too, case-insensitive, with / or -:
  iisctl /restart /noforce /timeout:30 SERVER1  =  iisctl restart --timeout 30 -c SERVER1
  iisctl /stop                                  =  iisctl stop --force  (forcing unless /NOFORCE)
iisctl /? lists them all. /REBOOT is refused (exit 2): IIS 7 and later dropped it.

-- ends the options: a name that starts with '-' goes after it (iisctl pool recycle -- -legacy).

Environment: IISCTL_SIM_STATE (state file of the simulated host), IISCTL_SIM_ENGINE (pwsh|interp|auto:
what runs the simulated host's scripts; auto: real pwsh 7 where it is found, else interp; status
and sim name the one that runs), NO_COLOR, IISCTL_POWERSHELL.`;

/** The signals that interrupt iisctl like Ctrl-C (SIGBREAK exists on Windows only). */
export const INTERRUPTING_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', ...(process.platform === 'win32' ? (['SIGBREAK'] as const) : [])];

export interface RunCliOptions extends CliIo {
  /** The arguments after `iisctl`. */
  argv: readonly string[];
  /** Ctrl-C and its kin (the process entry below): the library stops waiting and reports the state. */
  signal?: AbortSignal;
}

/**
 * One iisctl command line, start to end, in this Node process: the exit code is returned, output
 * goes to the streams given, the environment is the one given. The process entry below is a thin
 * wrapper around it (signals, a broken stdout, the process's exit code).
 */
export async function runCli(options: RunCliOptions): Promise<number> {
  const { argv: raw, signal, ...io } = options;
  const runtime: Runtime = { signal, io };
  // Everything after the first `--` is a name, never an option or a command (endOfOptions.ts).
  const line = splitAtEndOfOptions(raw);
  const before = line.options;
  const wantsJson = before.includes('--json');
  const fallbackOut = () => new Output({ json: wantsJson, quiet: false, color: before.includes('--no-color') ? false : undefined, stdout: io.stdout, stderr: io.stderr, env: io.env });
  const commandName = before.find((a) => !a.startsWith('-') && Object.prototype.hasOwnProperty.call(COMMANDS, a));
  const usage = commandName ? usageOf(commandName) : GENERAL_USAGE;
  try {
    const translation = translateIisreset(before);
    if (translation.kind === 'usage') {
      io.stdout.write(iisresetUsage());
      return EXIT.OK;
    }
    if (translation.kind === 'error') throw new UsageError(translation.message, 'iisctl /? lists the iisreset switches iisctl understands');
    const split = { options: expandSimulate(translation.argv), operands: line.operands };
    refuseEmptyOptionValues(split.options, usage);
    // With a parse callback yargs hands its own output (--help, --version) to it instead of console.log.
    let helpText = '';
    const modules = commands(runtime);
    const args = await cliParser(split, modules, { usage, takesNames: commandName !== undefined && TAKES_NAMES.has(commandName) }).parseAsync(yargsArgv(split).argv, {}, (_e, _a, output: string) => {
      helpText = output;
    });
    if (helpText) {
      io.stdout.write(`${helpText}\n`);
      return EXIT.OK;
    }
    // yargs parsed and validated the line (strict, demandCommand): argv._[0] is one of the commands.
    const chosen = chosenCommand(modules, args);
    if (!chosen) throw new UsageError('A command is needed.', usage);
    return await chosen.run(args);
  } catch (error) {
    // Errors before a command's own output exists (parsing, the iisreset translation, its context).
    const { isDebug, reportFailure } = context();
    return reportFailure(fallbackOut(), error, { command: commandName, usage, debug: isDebug(debugLevel(before)) });
  }
}

/** iisctl in this process, on the process's own streams and environment (what the entry below runs). */
export function main(raw: readonly string[], signal?: AbortSignal): Promise<number> {
  return runCli({ argv: raw, signal, stdout: process.stdout, stderr: process.stderr, env: process.env });
}

/** Every iisctl command, in the order of `iisctl --help`; each module is loaded when its command runs. */
export function commands(runtime: Runtime): LazyCommand[] {
  return Object.keys(COMMANDS).map((name) => lazyCommand(runtime, name));
}

/**
 * The yargs parser of one command line (native iisctl argv, split at `--`). Every parse failure
 * becomes a UsageError (exit 2) with the usage given; operands after `--` reach the commands'
 * positionals exactly as typed.
 */
export function cliParser(split: SplitArgv, modules: readonly LazyCommand[], options: { usage: string; takesNames: boolean }): Argv<GlobalOptions> {
  const given = yargsArgv(split);
  rememberTypedOptions(split.options);
  let parser = withGlobalOptions(yargs(given.argv))
    .scriptName('iisctl')
    .usage('iisctl <command> [options]\n\nStop, start, restart and inspect IIS safely: iisreset done right.');
  // No handler: runCli runs the command yargs chose and returns its exit code.
  for (const m of modules) parser = parser.command(m.command, m.describe, m.builder);
  return parser
    .option(OPERANDS_FLAG, { type: 'boolean', hidden: true })
    .middleware(restoreOperands(given.texts), true)
    .demandCommand(1, 'A command is needed.')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .epilogue(EPILOGUE)
    .wrap(100)
    .exitProcess(false)
    .fail((message, error) => {
      // yargs' own parse errors (YError, e.g. "Not enough arguments following: timeout" for an
      // option without its value) are usage errors; anything else was thrown by a handler.
      if (error && error.name !== 'YError') throw error;
      if (error) message = error.message.replace(/^Not enough arguments following: (.+)$/, (_m, name: string) => `${name.length === 1 ? '-' : '--'}${name} needs a value.`);
      const text = explainUnknownArguments(message.replace(/\s+/g, ' ').trim(), split.options, options.takesNames);
      throw new UsageError(restoreText(text, given.texts), options.usage);
    });
}

function debugLevel(raw: readonly string[]): 'debug' | undefined {
  const i = raw.findIndex((a) => a === '--log-level' || a.startsWith('--log-level='));
  if (i < 0) return undefined;
  const value = raw[i].includes('=') ? raw[i].split('=')[1] : raw[i + 1];
  return value === 'debug' || value === 'silly' ? 'debug' : undefined;
}

if (require.main === module) {
  // `iisctl restart | head -1`, or a console / ssh session that closed: a stdout or stderr that
  // is gone must not end a changing operation half-done (no read-back, no audit event). Writes to
  // it stop (a destroyed stream ignores them), the operation finishes, the exit code is its own.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => stream.destroy());
  // Ctrl-C, SIGTERM, SIGHUP (the console window or the ssh session closed) and, on Windows,
  // SIGBREAK (Ctrl-Break): the first one stops the waiting; the running operation then reads the
  // host's state back, writes its audit event, releases the host lock and reports (exit 130). A
  // second one ends the process at once. Windows ends Node about 10 s after its console closed
  // (https://nodejs.org/api/process.html#signal-events), so that path takes no more than the call
  // in flight plus a handful of short ones (read-back, audit event, events, lock release).
  const interrupt = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    // A closed terminal can send SIGHUP twice (the kernel, then the shell to its jobs) and nobody
    // is left to ask for a quick exit: only a person's second Ctrl-C / Ctrl-Break / SIGTERM quits at once.
    if (interrupt.signal.aborted) {
      if (name === 'SIGHUP') return;
      process.exit(EXIT.CANCELLED);
    }
    clearLiveProgress();
    process.stderr.write(`iisctl: ${name}: stopping the wait, reading back the state of the host (again to quit at once)\n`);
    interrupt.abort();
  };
  for (const name of INTERRUPTING_SIGNALS) process.on(name, onSignal);
  main(process.argv.slice(2), interrupt.signal).then(
    (code) => {
      process.exitCode = code;
      // Everything is closed by now; this only guards against a stray handle keeping Node alive.
      setTimeout(() => process.exit(code), DEFAULTS.exitGuardMs).unref();
    },
    (error: unknown) => {
      process.stderr.write(`iisctl: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
