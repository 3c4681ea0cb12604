/**
 * Global options shared by every command, their yargs definitions, and their checks.
 */
import type { Argv, InferredOptionTypes, Options } from 'yargs';
import { LOG_LEVELS, LogLevel } from '../log';
import { DEFAULTS } from '../defaults';

export interface GlobalArgs {
  computer: string[];
  json: boolean;
  simulate: boolean;
  scenario?: string;
  dryRun: boolean;
  logFile?: string;
  logLevel?: LogLevel;
  quiet: boolean;
  color?: boolean;
  retries?: number;
  yes: boolean;
  /** Hosts worked on at once (--parallel; default DEFAULTS.concurrency, and DEFAULTS.hostDownConcurrency for stop, restart and heal). */
  parallel?: number;
  /** Account for the PSSessions (--user; password from IISCTL_PASSWORD). */
  user?: string;
  /** Credential file for the PSSessions (--credential-file; made with Get-Credential | Export-Clixml). */
  credentialFile?: string;
  /** false: --no-wait-lock (fail with LOCKED, exit 9, when another iisctl holds the host lock). */
  waitLock: boolean;
  lockTimeout?: number;
  /** Set by the iisreset translation: render the iisreset way. */
  iisreset: boolean;
}

export const GLOBAL_OPTIONS = {
  // nargs 1: one value per -c, so `iisctl -c WEB01 status` does not take `status` as a second host.
  computer: { alias: 'c', type: 'string', array: true, default: [], describe: 'Target computer (PowerShell remoting); repeat for several. Default: this machine', requiresArg: true, nargs: 1 },
  json: { type: 'boolean', default: false, describe: 'Print exactly one JSON document on stdout, also on failure' },
  simulate: { type: 'boolean', default: false, describe: 'Use the simulated Windows host; --simulate=scenario.json picks a scenario (state file: IISCTL_SIM_STATE)' },
  scenario: { type: 'string', hidden: true, requiresArg: true, describe: 'Scenario of the simulated host (what --simulate=FILE sets)' },
  'dry-run': { type: 'boolean', default: false, describe: 'Print the plan and the exact PowerShell; change nothing' },
  'log-file': { type: 'string', requiresArg: true, describe: 'Append JSON log lines to this file' },
  'log-level': { type: 'string', choices: [...LOG_LEVELS], requiresArg: true, describe: 'Log level (stderr and --log-file). Default: warn on stderr, info in the file' },
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only errors on stderr: no progress, no narration, no logs below error' },
  color: { type: 'boolean', describe: 'Colour state words (default: when stdout is a terminal; --no-color or a non-empty NO_COLOR turn it off)' },
  retries: { type: 'number', requiresArg: true, describe: `Retries of transient failures (default ${DEFAULTS.retryAttempts - 1})` },
  parallel: { type: 'number', requiresArg: true, describe: `With several --computer hosts: how many are worked on at once (default ${DEFAULTS.concurrency}; stop, restart and heal: ${DEFAULTS.hostDownConcurrency}, one host after another, so that a farm is never down at once)` },
  user: { type: 'string', requiresArg: true, describe: 'Account for PowerShell remoting to --computer hosts; the password is read from IISCTL_PASSWORD (never a command-line argument)' },
  'credential-file': { type: 'string', requiresArg: true, describe: 'Instead of --user: a credential file for PowerShell remoting to --computer hosts, made once with Get-Credential | Export-Clixml -Path FILE by the account that runs iisctl, on this computer (Windows DPAPI)' },
  'wait-lock': { type: 'boolean', default: true, describe: 'Wait for another iisctl working on the same host (--no-wait-lock: fail at once with exit 9)' },
  'lock-timeout': { type: 'number', requiresArg: true, describe: `Seconds to wait for the host lock (default ${DEFAULTS.lockTimeoutSeconds})` },
  yes: { alias: 'y', type: 'boolean', default: false, describe: 'Confirm an action that can reboot a computer' },
  iisreset: { type: 'boolean', default: false, hidden: true },
} satisfies Record<string, Options>;

/** The global options as yargs types them (what every command's builder starts from). */
export type GlobalOptions = InferredOptionTypes<typeof GLOBAL_OPTIONS>;

/** Every option (global or of a command) that takes a value, for the raw-argv translation. */
export const VALUE_OPTIONS: ReadonlySet<string> = new Set([
  'computer', 'c', 'scenario', 'log-file', 'log-level', 'retries', 'lock-timeout',
  'timeout', 'reason', 'since', 'until', 'max', 'kind',
  'parallel', 'user', 'credential-file', 'batch', 'health', 'expect', 'health-timeout', 'drain', 'drain-site', 'max-failures',
]);

const SHOWN_GLOBAL_OPTIONS = Object.entries(GLOBAL_OPTIONS).filter(([, o]) => !('hidden' in o && o.hidden)).map(([k]) => k);

export function withGlobalOptions(y: Argv): Argv<GlobalOptions> {
  return y.options(GLOBAL_OPTIONS).group(SHOWN_GLOBAL_OPTIONS, 'Global options:');
}

/**
 * `--simulate=FILE` is rewritten to `--simulate --scenario FILE` so that `--simulate` stays a
 * plain flag (`iisctl --simulate status` must not read "status" as a scenario).
 */
export function expandSimulate(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    const m = /^--simulate=(.*)$/s.exec(arg);
    if (m) out.push('--simulate', '--scenario', m[1]);
    else out.push(arg);
  }
  return out;
}
