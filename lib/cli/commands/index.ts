/**
 * The iisctl commands, in the order of `iisctl --help`: each one's command line and help line
 * here, its module loaded only when it runs (or its own --help is asked for), so that
 * `iisctl --help`, `--version` and every command pay only for what they use (README, Benchmarks).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type { Argv } from 'yargs';
import type { Runtime } from '../context';
import type { ExitCode } from '../exitCodes';
import type { Args, CliCommand } from '../handler';
import type { GlobalOptions } from '../options';

/**
 * A command as yargs is given it (the global options in and out; its own are its module's), and
 * what runs it on the arguments yargs parsed: runCli calls it and returns its exit code.
 */
export interface LazyCommand {
  command: string;
  describe: string;
  builder(y: Argv<GlobalOptions>): Argv<GlobalOptions>;
  run(args: Args): Promise<ExitCode>;
}

export interface CommandEntry {
  /** yargs' command line: the name and its positionals. */
  command: string;
  /** The command's line in `iisctl --help`. */
  describe: string;
  /** Its module: the yargs builder and handler (a CommandModule without command and describe), and the usage line of its errors. */
  load(): { create(runtime: Runtime): CliCommand; usage: string };
}

const operation = (action: 'stop' | 'start' | 'restart') => () => {
  const m = require('../operation') as typeof import('../operation');
  return { create: (runtime: Runtime) => m.operationCommand(runtime, action), usage: m.OPERATION_USAGE[action] };
};

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  status: {
    command: 'status',
    describe: 'Show the IIS services, worker processes and whether restarts are enabled',
    load: () => {
      const m = require('./status') as typeof import('./status');
      return { create: m.statusCommand, usage: m.STATUS_USAGE };
    },
  },
  stop: { command: 'stop', describe: 'Stop IIS gracefully (IISADMIN, WAS, W3SVC and their dependents); terminate only with --force', load: operation('stop') },
  start: { command: 'start', describe: 'Start IIS', load: operation('start') },
  restart: { command: 'restart', describe: 'Stop IIS, then start IISADMIN, WAS, W3SVC and the dependents that were running', load: operation('restart') },
  enable: {
    command: 'enable',
    describe: 'Allow stop and restart on the host again',
    load: () => {
      const m = require('./enable') as typeof import('./enable');
      return { create: m.enableCommand, usage: m.ENABLE_USAGE };
    },
  },
  disable: {
    command: 'disable',
    describe: 'Block stop and restart on the host (start stays allowed)',
    load: () => {
      const m = require('./disable') as typeof import('./disable');
      return { create: m.disableCommand, usage: m.DISABLE_USAGE };
    },
  },
  pool: {
    command: 'pool <action> [names..]',
    describe: "List application pools, recycle, start or stop some, or show and set one pool's recycling, rapid-fail, CPU and idle settings",
    load: () => {
      const m = require('./pool') as typeof import('./pool');
      return { create: m.poolCommand, usage: m.POOL_USAGE };
    },
  },
  site: {
    command: 'site <action> [names..]',
    describe: 'List sites, or start, stop or restart some',
    load: () => {
      const m = require('../poolsAndSites') as typeof import('../poolsAndSites');
      return { create: (runtime: Runtime) => m.surgicalCommand(runtime, 'site'), usage: m.SURGICAL_USAGE.site };
    },
  },
  heal: {
    command: 'heal <name>',
    describe: "Bring one application pool (or a site's pool) back: recycle, restart it, then with --force kill workers and restart IIS",
    load: () => {
      const m = require('./heal') as typeof import('./heal');
      return { create: m.healCommand, usage: m.HEAL_USAGE };
    },
  },
  rolling: {
    command: 'rolling <action> [name]',
    describe: 'Restart IIS, recycle a pool or heal, one batch of hosts at a time, with drain and health gate',
    load: () => {
      const m = require('./rolling') as typeof import('./rolling');
      return { create: m.rollingCommand, usage: m.ROLLING_USAGE };
    },
  },
  events: {
    command: 'events',
    describe: 'Show IIS resets, recycles, crashes, service changes and iisctl audit events',
    load: () => {
      const m = require('./events') as typeof import('./events');
      return { create: m.eventsCommand, usage: m.EVENTS_USAGE };
    },
  },
  recovery: {
    command: 'recovery <action> [services..]',
    describe: 'Show, enable or disable Automatic Restart (service recovery) of IISADMIN, WAS and W3SVC',
    load: () => {
      const m = require('./recovery') as typeof import('./recovery');
      return { create: m.recoveryCommand, usage: m.RECOVERY_USAGE };
    },
  },
  backup: {
    command: 'backup <action> [name]',
    describe: 'Create, list or restore IIS configuration backups',
    load: () => {
      const m = require('./backup') as typeof import('./backup');
      return { create: m.backupCommand, usage: m.BACKUP_USAGE };
    },
  },
  advise: {
    command: 'advise',
    describe: 'Inspect the host and print what to change instead of resetting IIS, with the command that fixes each finding',
    load: () => {
      const m = require('./advise') as typeof import('./advise');
      return { create: m.adviseCommand, usage: m.ADVISE_USAGE };
    },
  },
  sim: {
    command: 'sim <action>',
    describe: 'The simulated Windows host: `sim reset` restores its scenario; `sim serve` serves its sites over HTTP on 127.0.0.1',
    load: () => {
      const m = require('./sim') as typeof import('./sim');
      return { create: m.simCommand, usage: m.SIM_RESET_USAGE };
    },
  },
};

/** The command named `name` as yargs takes it (no handler: runCli runs it); its builder and run load its module on first use. */
export function lazyCommand(runtime: Runtime, name: string): LazyCommand {
  const entry = COMMANDS[name];
  let loaded: CliCommand | undefined;
  const real = () => (loaded ??= entry.load().create(runtime));
  return {
    command: entry.command,
    describe: entry.describe,
    // yargs' methods add to the instance they are called on: the builder's options are on y.
    builder: (y) => {
      real().builder?.(y);
      return y;
    },
    run: (args) => real().run(args),
  };
}

/** The command yargs chose for a parsed line: the one named by its first word (argv._[0]). */
export function chosenCommand(modules: readonly LazyCommand[], args: Args): LazyCommand | undefined {
  return modules.find((m) => m.command.split(' ')[0] === args._[0]);
}

/** The usage line of a command's errors (loads its module). */
export function usageOf(name: string): string {
  return COMMANDS[name].load().usage;
}
