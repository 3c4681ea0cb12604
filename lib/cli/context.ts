/**
 * What every command handler shares: the parsed global options, the output, the logger, the
 * connection to each --computer, per-host results and the exit code they add up to.
 * No IIS logic here: hosts are connected with the library's connect() and its results rendered.
 */
import { cliHint } from './hints';
import { IisctlError, isIisctlError } from '../errors';
import { createLogger, Logger, LogLevel, LOG_LEVELS } from '../log';
import { connect, connectMany, type CheckedHosts, type ConnectOptions, type Fleet, type FleetOptions, type IisClient, fanOut, HostResult, checkHosts, parseConnectOptions, parseHostsOptions, type ParsedConnectOptions } from '../index';
import { LIMITS } from '../limits';
import { cliNumber } from './validate';
import { EXIT, exitCodeOf, ExitCode } from './exitCodes';
import type { GlobalArgs } from './options';
import { Output } from './render';
import { UsageError } from './usageError';
import { CliIo, simulatedMachine, simulatorEngine } from './io';

export { UsageError };

/** What runCli gives every command: read only, nothing is written back into it. */
export interface Runtime {
  /** Fired on Ctrl-C, SIGTERM, SIGHUP, SIGBREAK (main.ts): the library stops waiting and reports the state. */
  readonly signal?: AbortSignal;
  /** The streams and environment of this run (runCli's caller). */
  readonly io: CliIo;
}

/** The numeric global options, checked once (createContext). */
export interface CheckedGlobals {
  retries?: number;
  lockTimeout?: number;
  /** Hosts worked on at once (--parallel). */
  parallel?: number;
}

export interface Context {
  command: string;
  args: GlobalArgs;
  checked: CheckedGlobals;
  out: Output;
  logger: Logger;
  usage: string;
  signal?: AbortSignal;
  io: CliIo;
}

export function createContext(runtime: Runtime, command: string, args: GlobalArgs, usage: string): Context {
  const checked: CheckedGlobals = {
    retries: cliNumber('retries', args.retries, LIMITS.retries, usage),
    lockTimeout: cliNumber('lock-timeout', args.lockTimeout, LIMITS.lockTimeoutSeconds, usage),
    parallel: cliNumber('parallel', args.parallel, LIMITS.concurrency, usage),
  };
  if (args.user !== undefined && !(args.computer && args.computer.length > 0)) {
    // Without a remote host it would be silently unused: this machine runs as the account iisctl runs as.
    throw new UsageError('--user is for remote hosts: give -c/--computer too (this machine is driven as the account iisctl runs as).', usage);
  }
  if (args.credentialFile !== undefined) {
    if (args.user !== undefined) throw new UsageError('--credential-file and --user exclude each other: the file holds the user name and the password.', usage);
    if (!(args.computer && args.computer.length > 0)) throw new UsageError('--credential-file is for remote hosts: give -c/--computer too (this machine is driven as the account iisctl runs as).', usage);
  }
  const { io } = runtime;
  const out = new Output({ json: args.json, quiet: args.quiet, color: args.color, stdout: io.stdout, stderr: io.stderr, env: io.env });
  const consoleLevel: LogLevel = args.quiet ? 'error' : args.logLevel ?? 'warn';
  const logFile = args.logFile;
  // One line, whatever the level or --quiet: a scheduled task's log is lost otherwise.
  const onFileError = (e: Error) => io.stderr.write(`iisctl: warning: could not write the log file ${logFile}: ${e.message}\n`);
  // The operation records (start, each step, result) are for the file; stderr shows them only at
  // --log-level info and more (the CLI prints its own result and error lines).
  const consoleRecords = LOG_LEVELS.indexOf(consoleLevel) >= LOG_LEVELS.indexOf('info');
  const logger = createLogger({ level: args.logLevel ?? 'info', consoleLevel, file: logFile, onFileError, consoleRecords, consolePrefix: 'iisctl', consoleStream: io.stderr });
  return { command, args, checked, out, logger, usage, signal: runtime.signal, io };
}

/** One host of the run and its connection options, parsed from the command line. */
export interface Target {
  host: string;
  options: ParsedConnectOptions;
}

const parsedTargets = new WeakMap<Context, Target[]>();
const parsedHosts = new WeakMap<Context, CheckedHosts | undefined>();

/** The --computer hosts of this run, checked once before anything is sent anywhere; undefined: none, this machine. */
export function remoteHosts(ctx: Context): CheckedHosts | undefined {
  if (!parsedHosts.has(ctx)) {
    // --computer a,b,c and repeated -c both work.
    const names = ctx.args.computer.flatMap((n) => (n.includes(',') ? n.split(',') : [n]));
    parsedHosts.set(ctx, names.length === 0 ? undefined : asUsage('--computer', () => checkHosts(names), ctx.usage));
  }
  return parsedHosts.get(ctx);
}

/**
 * The hosts of this run with their connection options, parsed once from the command line (exit 2
 * on a bad value): connect() takes them as they are.
 */
export function targets(ctx: Context): Target[] {
  let list = parsedTargets.get(ctx);
  if (!list) {
    const hosts = remoteHosts(ctx);
    const options = connectOptions(ctx);
    list = hosts === undefined ? [{ host: 'localhost', options: connectionOption(ctx, () => parseConnectOptions(options)) }] : connectionOption(ctx, () => parseHostsOptions(hosts, options)).map((o, i) => ({ host: hosts[i], options: o }));
    parsedTargets.set(ctx, list);
  }
  return list;
}

/** Connections to the --computer hosts, parsed once (rolling works through them). */
export function fleetOf(ctx: Context, hosts: CheckedHosts, options: Pick<FleetOptions, 'concurrency'>): Fleet {
  return connectionOption(ctx, () => connectMany(hosts, { ...connectOptions(ctx), ...options }));
}

/** A library check of a value given on the command line, as a usage error naming the option. */
function asUsage<T>(option: string, parse: () => T, usage: string): T {
  try {
    return parse();
  } catch (e) {
    throw new UsageError(`${option}: ${(e as Error).message}`, usage);
  }
}

/**
 * The connection options parsed: every number was checked as its flag and --user excludes
 * --credential-file, so a refused value here is the credential file's path.
 */
function connectionOption<T>(ctx: Context, parse: () => T): T {
  return ctx.args.credentialFile === undefined ? parse() : asUsage('--credential-file', parse, ctx.usage);
}

/** The connection options the command line gives, for every host of the run. */
function connectOptions(ctx: Context): Omit<ConnectOptions, 'computerName'> {
  const { args } = ctx;
  const simulated = args.simulate || args.scenario !== undefined;
  // IISCTL_SIM_ENGINE of this run's environment (the library would read the process's).
  const engine = simulated ? simulatorEngine(ctx.io) : undefined;
  const inProcess = ctx.io.simulator?.inProcess === true;
  // In process (the caller's choice, CliIo.simulator): the scenario of this run's environment, and
  // the host's clock is iisctl's too (on a virtual clock its waits cost no real time).
  const simulate = !simulated ? undefined : inProcess
    ? { scenario: simulatedMachine(ctx.io, args.scenario).scenario, engine, inProcess, clock: ctx.io.simulator?.clock }
    : engine ? { scenario: args.scenario, engine } : args.scenario ?? true;
  return {
    simulate,
    simulatorStateFile: simulate ? simulatedMachine(ctx.io).stateFile : undefined,
    logger: ctx.logger,
    retry: ctx.checked.retries === undefined ? undefined : { attempts: ctx.checked.retries + 1 },
    lock: { wait: args.waitLock !== false, timeoutSeconds: ctx.checked.lockTimeout },
    // Every host of the run (createContext makes sure there are -c hosts).
    credential: args.user !== undefined ? { userName: args.user, password: remotePassword(ctx) } : undefined,
    credentialFile: args.credentialFile,
    signal: ctx.signal,
  };
}

export interface HostWork<T> {
  /** Calls the library for one host. */
  run(iis: IisClient, host: string): Promise<T>;
  /** Human rendering of one host's result. */
  human(result: T, host: string): void;
  /** The JSON form of one host's result (default: the result itself). */
  json?(result: T): unknown;
  /**
   * Takes the host's IIS (or an application) down: several hosts go one after another unless
   * --parallel is given, so that `-c WEB01 -c WEB02 restart` never has the whole farm down at once.
   */
  takesHostDown?: boolean;
  /** Human rendering of what a failed host's error carries (its partial result), before the error line. */
  humanFailure?(error: unknown, host: string): void;
}

/**
 * Runs the work on every target host (one after another or up to --parallel at once),
 * renders each result, and returns the exit code: the host's own with one host; with several,
 * 0 when all succeeded, 8 when some failed, and the common code when all failed the same way.
 */
export async function forEachHost<T>(ctx: Context, work: HostWork<T>): Promise<ExitCode> {
  const hosts = targets(ctx);
  const several = hosts.length > 1;
  // Several hosts run in parallel (at most --parallel at once, each with its own connection; one
  // at a time for what takes a host down); their results are printed afterwards in the order
  // given, each under its "== HOST ==" header. After Ctrl-C no further host is started.
  const outcomes = await fanOut(
    hosts.map((t) => t.host),
    async (host, i): Promise<T> => {
      let iis: IisClient | undefined;
      const { options } = hosts[i];
      const started = Date.now();
      const reason = (ctx.args as { reason?: unknown }).reason;
      ctx.logger.info(`iisctl ${ctx.command} started on ${host}`, { record: 'start', command: ctx.command, host, user: options.user, reason: typeof reason === 'string' ? reason : undefined, dryRun: ctx.args.dryRun || undefined });
      try {
        iis = await connect(options);
        const result = await work.run(iis, host);
        ctx.logger.info(`iisctl ${ctx.command} succeeded on ${host}`, { record: 'result', command: ctx.command, host, outcome: 'succeeded', exitCode: EXIT.OK, durationMs: Date.now() - started });
        return result;
      } catch (error) {
        const e = error as Partial<IisctlError> & Error;
        ctx.logger.error(`iisctl ${ctx.command} failed on ${host}: ${e.message}`, { record: 'result', command: ctx.command, host, outcome: 'failed', exitCode: errorExitCode(error), durationMs: Date.now() - started, code: e.code, hint: cliHint(e.hint) });
        throw error;
      } finally {
        await iis?.close().catch((e: unknown) => ctx.logger.warn('could not close the connection', { host, error: (e as Error).message }));
      }
    },
    { concurrency: ctx.checked.parallel, takesHostDown: work.takesHostDown, signal: ctx.signal },
    (error) => error,
  );
  if (!ctx.args.json) {
    outcomes.forEach((o, i) => {
      if (several) ctx.out.line(`${i ? '\n' : ''}== ${o.host} ==`);
      if (o.ok) work.human(o.value, o.host);
      else if (work.humanFailure) work.humanFailure(o.error, o.host);
      if (!o.ok) reportError(ctx.out, o.error, { host: several ? o.host : undefined, usage: ctx.usage, debug: isDebug(ctx.args.logLevel) });
    });
  }
  const code = combinedExitCode(outcomes);
  if (ctx.args.json) ctx.out.document(jsonDocument(ctx, outcomes, code, work));
  return code;
}

/** The remoting password of --user: only from the environment, never from the command line. */
export function remotePassword(ctx: Context): string {
  const pw = ctx.io.env.IISCTL_PASSWORD;
  if (pw === undefined || pw === '') throw new UsageError('--user needs the password in the environment variable IISCTL_PASSWORD.', ctx.usage);
  return pw;
}

export function combinedExitCode(outcomes: readonly { ok: boolean; error?: unknown }[]): ExitCode {
  const codes = outcomes.map((o) => (o.ok ? EXIT.OK : errorExitCode(o.error)));
  if (codes.every((c) => c === EXIT.OK)) return EXIT.OK;
  if (codes.length === 1) return codes[0];
  if (codes.some((c) => c === EXIT.OK)) return EXIT.PARTIAL;
  return codes.every((c) => c === codes[0]) ? codes[0] : EXIT.FAILED;
}

export function errorExitCode(error: unknown): ExitCode {
  if (error instanceof UsageError) return EXIT.USAGE;
  return isIisctlError(error) ? exitCodeOf(error.code) : EXIT.FAILED;
}

/** The `error` member of a JSON document. */
export function errorJson(error: unknown, usage?: string): Record<string, unknown> {
  const exitCode = errorExitCode(error);
  if (error instanceof UsageError) return { code: 'INVALID_ARGUMENT', message: error.message, exitCode, ...(error.usage ?? usage ? { usage: error.usage ?? usage } : {}) };
  if (error instanceof IisctlError) return { ...error.toJSON(), ...(error.hint === undefined ? {} : { hint: cliHint(error.hint) }), exitCode, ...(error.code === 'INVALID_ARGUMENT' && usage ? { usage } : {}) };
  return { code: 'FAILED', message: error instanceof Error ? error.message : String(error), unexpected: true, exitCode };
}

function jsonDocument<T>(ctx: Context, outcomes: HostResult<T, unknown>[], code: ExitCode, work: HostWork<T>): Record<string, unknown> {
  const toJson = (o: HostResult<T, unknown>) => (o.ok ? { result: work.json ? work.json(o.value) : o.value } : { error: errorJson(o.error, ctx.usage) });
  const base = { ok: code === EXIT.OK, command: ctx.command, exitCode: code, ...(ctx.args.dryRun ? { dryRun: true } : {}) };
  if (outcomes.length === 1) return { ...base, host: outcomes[0].host, ...toJson(outcomes[0]) };
  const failed = outcomes.filter((o) => !o.ok).map((o) => o.host);
  return {
    ...base,
    hosts: outcomes.map((o) => ({ host: o.host, ok: o.ok, ...toJson(o) })),
    ...(failed.length ? { error: { code: code === EXIT.PARTIAL ? 'PARTIAL' : 'FAILED', message: `${failed.length} of ${outcomes.length} hosts failed: ${failed.join(', ')}.`, exitCode: code, failed } } : {}),
  };
}

/**
 * A run's failure, reported on its output: the JSON document (unless one was written already) or
 * the error lines on stderr. Returns its exit code. A library INVALID_ARGUMENT is a usage error.
 */
export function reportFailure(out: Output, error: unknown, options: { command?: string; usage: string; debug: boolean }): ExitCode {
  const err = error instanceof IisctlError && error.code === 'INVALID_ARGUMENT' ? new UsageError(error.message, options.usage) : error;
  const exitCode = errorExitCode(err);
  if (out.json) {
    if (!out.wroteDocument) out.document({ ok: false, ...(options.command ? { command: options.command } : {}), exitCode, error: errorJson(err, options.usage) });
  } else {
    reportError(out, err, { usage: options.usage, debug: options.debug });
  }
  return exitCode;
}

/** Human error report on stderr: one line, a hint when there is one, the stack only at debug. */
export function reportError(out: Output, error: unknown, options: { host?: string; usage?: string; debug?: boolean } = {}): void {
  const prefix = `iisctl: ${options.host ? `${options.host}: ` : ''}`;
  if (error instanceof UsageError) {
    out.error(`${prefix}${error.message}`);
    const usage = error.usage ?? options.usage;
    if (usage) out.error(`usage: ${usage}`);
    return;
  }
  if (error instanceof IisctlError) {
    out.error(`${prefix}${oneLine(error.message)} [${error.code}, exit ${exitCodeOf(error.code)}]`);
    const hint = cliHint(error.hint);
    if (hint) out.error(`  hint: ${oneLine(hint)}`);
    if (error.code === 'INVALID_ARGUMENT' && options.usage) out.error(`usage: ${options.usage}`);
    return;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  out.error(`${prefix}unexpected error: ${oneLine(e.message)}`);
  if (options.debug) out.error(e.stack ?? '');
}

export function isDebug(level: LogLevel | undefined): boolean {
  return level === 'debug' || level === 'silly';
}

export function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}
