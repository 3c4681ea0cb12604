#!/usr/bin/env node
/**
 * The iisctl command line: iisreset translation on the raw argv (iisreset.ts), then yargs, then
 * one thin command handler (commands/*.ts) that calls the library and renders its result.
 * Exit codes: exitCodes.ts. Output rules: render.ts.
 */
import yargs from 'yargs';
import { IisctlError } from '../errors';
import { errorExitCode, errorJson, isDebug, reportError, Runtime, UsageError } from './context';
import { EXIT, EXIT_CODE_HELP } from './exitCodes';
import { iisresetUsage, translateIisreset } from './iisreset';
import { expandSimulate, withGlobalOptions } from './options';
import { Output } from './render';
import { disableCommand, DISABLE_USAGE } from './commands/disable';
import { enableCommand, ENABLE_USAGE } from './commands/enable';
import { eventsCommand, EVENTS_USAGE } from './commands/events';
import { restartCommand } from './commands/restart';
import { simCommand, SIM_RESET_USAGE } from './commands/sim';
import { startCommand } from './commands/start';
import { statusCommand, STATUS_USAGE } from './commands/status';
import { stopCommand } from './commands/stop';
import { OPERATION_USAGE } from './operation';
import { healCommand, HEAL_USAGE } from './commands/heal';
import { poolCommand } from './commands/pool';
import { siteCommand } from './commands/site';
import { SURGICAL_USAGE } from './surgical';
import { POOL_USAGE } from './commands/pool';
import { recoveryCommand, RECOVERY_USAGE } from './commands/recovery';
import { backupCommand, BACKUP_USAGE } from './commands/backup';
import { adviseCommand, ADVISE_USAGE } from './commands/advise';
import { rollingCommand, ROLLING_USAGE } from './commands/rolling';

const USAGES: Record<string, string> = {
  status: STATUS_USAGE,
  ...OPERATION_USAGE,
  enable: ENABLE_USAGE,
  disable: DISABLE_USAGE,
  pool: POOL_USAGE,
  site: SURGICAL_USAGE.site,
  heal: HEAL_USAGE,
  rolling: ROLLING_USAGE,
  events: EVENTS_USAGE,
  recovery: RECOVERY_USAGE,
  backup: BACKUP_USAGE,
  advise: ADVISE_USAGE,
  sim: SIM_RESET_USAGE,
};
const GENERAL_USAGE = `iisctl <${Object.keys(USAGES).join('|')}> [options]   (iisctl --help; iisreset switches: iisctl /?)`;

const EPILOGUE = `${EXIT_CODE_HELP}

iisreset switches work too, case-insensitive, with / or -:
  iisctl /restart /noforce /timeout:30 SERVER1  =  iisctl restart --timeout 30 -c SERVER1
  iisctl /stop                                  =  iisctl stop --force  (forcing unless /NOFORCE)
iisctl /? lists them all. /REBOOT is refused (exit 2): IIS 7 and later dropped it.

Environment: IISCTL_SIM_STATE (state file of the simulated host), NO_COLOR, IISCTL_POWERSHELL.`;

export interface MainIo {
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

export async function main(raw: readonly string[]): Promise<number> {
  const runtime: Runtime = { exitCode: EXIT.OK };
  const wantsJson = raw.includes('--json');
  const fallbackOut = () => runtime.out ?? new Output({ json: wantsJson, quiet: false, color: raw.includes('--no-color') ? false : undefined });
  const commandName = raw.find((a) => !a.startsWith('-') && a in USAGES);
  const usage = (commandName && USAGES[commandName]) ?? GENERAL_USAGE;
  try {
    const translation = translateIisreset(raw);
    if (translation.kind === 'usage') {
      process.stdout.write(iisresetUsage());
      return EXIT.OK;
    }
    if (translation.kind === 'error') throw new UsageError(translation.message, 'iisctl /? lists the iisreset switches iisctl understands');
    const argv = expandSimulate(translation.argv);
    const parser = withGlobalOptions(yargs(argv))
      .scriptName('iisctl')
      .usage('iisctl <command> [options]\n\nStop, start, restart and inspect IIS safely: iisreset done right.')
      .command(statusCommand(runtime))
      .command(stopCommand(runtime))
      .command(startCommand(runtime))
      .command(restartCommand(runtime))
      .command(enableCommand(runtime))
      .command(disableCommand(runtime))
      .command(poolCommand(runtime))
      .command(siteCommand(runtime))
      .command(healCommand(runtime))
      .command(rollingCommand(runtime))
      .command(eventsCommand(runtime))
      .command(recoveryCommand(runtime))
      .command(backupCommand(runtime))
      .command(adviseCommand(runtime))
      .command(simCommand(runtime))
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
        throw error ?? new UsageError(message.replace(/\s+/g, ' ').trim(), usage);
      });
    await parser.parseAsync();
  } catch (error) {
    const out = fallbackOut();
    const err = error instanceof IisctlError && error.code === 'INVALID_ARGUMENT' ? new UsageError(error.message, runtime.usage ?? usage) : error;
    runtime.exitCode = errorExitCode(err);
    if (out.json) {
      if (!out.wroteDocument) out.document({ ok: false, ...(commandName ? { command: commandName } : {}), exitCode: runtime.exitCode, error: errorJson(err, runtime.usage ?? usage) });
    } else {
      reportError(out, err, { usage: runtime.usage ?? usage, debug: isDebug(debugLevel(raw)) });
    }
  } finally {
    await closeLogger(runtime);
  }
  return runtime.exitCode;
}

function debugLevel(raw: readonly string[]): 'debug' | undefined {
  const i = raw.findIndex((a) => a === '--log-level' || a.startsWith('--log-level='));
  if (i < 0) return undefined;
  const value = raw[i].includes('=') ? raw[i].split('=')[1] : raw[i + 1];
  return value === 'debug' || value === 'silly' ? 'debug' : undefined;
}

/** Waits until the log file has everything (winston writes asynchronously). */
async function closeLogger(runtime: Runtime): Promise<void> {
  const logger = runtime.logger;
  if (!logger) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    logger.on('finish', () => {
      clearTimeout(timer);
      setTimeout(resolve, 20);
    });
    logger.end();
  });
}

if (require.main === module) {
  // `iisctl events | head`: a closed stdout ends the run quietly, as with any Unix tool.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Everything is closed by now; this only guards against a stray handle keeping Node alive.
      setTimeout(() => process.exit(code), 3000).unref();
    },
    (error: unknown) => {
      process.stderr.write(`iisctl: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
