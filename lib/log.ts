/**
 * Logging. The library takes an injected winston logger and is silent by default: it never prints.
 * The CLI builds a real one with `createLogger` (stderr and/or a file, json or text).
 */
import * as fs from 'node:fs';
import type * as Winston from 'winston';

// winston is loaded when the first logger is made, not with this module: `iisctl --help` and
// `--version` import the level names below and make no logger.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (): typeof Winston => require('winston') as typeof Winston;

export type Logger = Winston.Logger;
export type LogLevel = 'error' | 'warn' | 'info' | 'verbose' | 'debug' | 'silly';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'verbose', 'debug', 'silly'];

export interface LoggerOptions {
  /** Minimum level written. Default 'info'. */
  level?: LogLevel;
  /** Minimum level written to stderr, when it differs from `level` (e.g. warn on the console, info in the file). */
  consoleLevel?: LogLevel;
  /** Write to stderr (never stdout: stdout belongs to command output such as --json). Default true. */
  console?: boolean;
  /** The console's stream instead of the process's stderr (the CLI run in process). */
  consoleStream?: NodeJS.WritableStream;
  /** Also append to this file. */
  file?: string;
  /**
   * Called once when the file cannot be written (disk full, no permission, no such directory);
   * logging goes on to the other transports. Without it the failure is ignored.
   */
  onFileError?: (error: Error) => void;
  /** 'json' (one object per line) or 'text'. Default 'text' on the console, 'json' in the file. */
  format?: 'json' | 'text';
  /**
   * false: the operation records (entries with a `record` field: start, step, result) go to the
   * file only, not to the console (a command line prints its own result). Default true.
   */
  consoleRecords?: boolean;
  /**
   * Console lines in a command line's own style, `PREFIX: warning: message` (one line, the
   * fields only at verbose and debug), instead of timestamped text with every field.
   */
  consolePrefix?: string;
}

/** Drops the operation records (they carry a `record` field). */
const withoutRecords = (winston: typeof Winston) => winston.format((info) => ((info as Record<string, unknown>).record === undefined ? info : false))();

const LEVEL_WORD: Record<string, string> = { warn: 'warning' };

function prefixedFormat(winston: typeof Winston, prefix: string, withFields: boolean): Winston.Logform.Format {
  return winston.format.printf((info) => {
    const { level, message, timestamp: _t, ...meta } = info as Record<string, unknown> & { level: string; message: unknown };
    const extra = withFields && Object.keys(meta).length ? ` ${safeStringify(meta)}` : '';
    return `${prefix}: ${LEVEL_WORD[level] ?? level}: ${String(message).replace(/\s*\r?\n\s*/g, ' ')}${extra}`;
  });
}

const textFormat = (winston: typeof Winston) => winston.format.printf((info) => {
  const { level, message, timestamp, ...meta } = info as Record<string, unknown> & { level: string; message: unknown };
  const extra = Object.keys(meta).length ? ` ${safeStringify(meta)}` : '';
  return `${String(timestamp)} ${level}: ${String(message)}${extra}`;
});

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserialisable]';
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const winston = load();
  const level = options.level ?? 'info';
  const transports: Winston.transport[] = [];
  if (options.console !== false) {
    const format = winston.format.combine(
      ...(options.consoleRecords === false ? [withoutRecords(winston)] : []),
      winston.format.timestamp(),
      options.format === 'json' ? winston.format.json() : options.consolePrefix ? prefixedFormat(winston, options.consolePrefix, isVerbose(options.consoleLevel)) : textFormat(winston),
    );
    transports.push(
      // The process's own stderr goes through the Console transport (the Stream one is loaded only
      // for another stream: runCli in process), so a CLI run loads no extra transport.
      options.consoleStream && options.consoleStream !== process.stderr
        ? new winston.transports.Stream({ level: options.consoleLevel, stream: options.consoleStream, format })
        : // Every level to stderr: stdout is reserved for command output.
          new winston.transports.Console({ level: options.consoleLevel, stderrLevels: [...LOG_LEVELS], format }),
    );
  }
  let file: fs.WriteStream | undefined;
  if (options.file) {
    // Our own stream, not winston's File transport: that one swallows write errors (it only
    // debug-logs them), so a full disk would lose the log without a word.
    file = fs.createWriteStream(options.file, { flags: 'a' });
    let failed = false;
    file.on('error', (error) => {
      if (failed) return;
      failed = true;
      options.onFileError?.(error);
    });
    transports.push(
      new winston.transports.Stream({
        level,
        stream: file,
        format: winston.format.combine(winston.format.timestamp(), options.format === 'text' ? textFormat(winston) : winston.format.json()),
      }),
    );
  }
  if (transports.length === 0) return silentLogger();
  // The logger lets through what the most verbose transport wants; each transport filters its own.
  const verbosest = options.consoleLevel !== undefined && options.console !== false && LOG_LEVELS.indexOf(options.consoleLevel) > LOG_LEVELS.indexOf(level) ? options.consoleLevel : level;
  const logger = winston.createLogger({ level: verbosest, levels: winston.config.npm.levels, transports });
  // logger.end() flushes the transports; then the file is closed (its last writes, or their error).
  if (file) {
    const f = file;
    logger.on('finish', () => f.end());
    files.set(logger, new Promise<void>((resolve) => f.once('close', () => resolve())));
  }
  return logger;
}

/** The log file of each logger that has one: resolved once it is closed. */
const files = new WeakMap<Logger, Promise<void>>();

/**
 * Ends the logger and waits until everything is written: its transports flushed and its log file
 * closed (a command line run in process returns only then; a process would wait for the writes
 * anyway). At most timeoutMs.
 */
export async function endLogger(logger: Logger, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const finished = new Promise<void>((resolve) => logger.once('finish', () => resolve()));
  logger.end();
  await Promise.race([Promise.all([finished, files.get(logger)]), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

function isVerbose(level: LogLevel | undefined): boolean {
  return level !== undefined && LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf('verbose');
}

/** The library default: accepts every call, writes nothing. */
export function silentLogger(): Logger {
  const winston = load();
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
