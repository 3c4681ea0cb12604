/**
 * What every changing operation shares, whatever it changes (services, pools, sites): the
 * restarts-disabled refusal, the audit event, the events of the operation's window, who runs it,
 * and how its record travels with an error.
 */
import { HINTS } from '../hints';
import * as os from 'node:os';
import { IisctlError, isIisctlError } from '../errors';
import { Logger, silentLogger } from '../log';
import { Clock, realClock } from '../clock';
import type { PowerShellSession } from '../powershell/session';
import { PsCommand, runCommand } from '../scripts/command';
import { onComputer, RemoteTarget } from '../scripts/remote';
import { assertRepresentable } from '../powershell/quote';
import { DEFAULT_RETRY_POLICY, RetryPolicy, RetryRecord, withRetry } from './retry';
import { DEFAULTS } from '../defaults';
import type { HostLock } from './lock';
import { AuditEntry, auditMessage, EventRecord, readEvents, writeAuditEvent } from '../scripts/events';
import type { ToggleState } from '../scripts/toggle';

export type CommandRunner = <T>(command: PsCommand<T>) => Promise<T>;

/** The refusal while restarts are disabled, naming who, when and why (the toggle stored on the host, so every iisctl sees it). */
export function disabledError(host: string, toggle: ToggleState): IisctlError {
  const by = toggle.disabledBy ? ` by ${toggle.disabledBy}` : '';
  const since = toggle.disabledAt ? ` since ${toggle.disabledAt}` : '';
  const why = toggle.reason ? `: ${toggle.reason}` : '';
  return new IisctlError('DISABLED', `Restarts are disabled on ${host}${by}${since}${why}.`, {
    host,
    hint: HINTS.disabled,
    details: { disabledBy: toggle.disabledBy, disabledAt: toggle.disabledAt, reason: toggle.reason },
  });
}

/** Writes the audit event; an operation is not undone because its audit event failed, it is logged. */
export async function auditQuietly(run: CommandRunner, logger: Logger, host: string, entry: AuditEntry): Promise<void> {
  try {
    await run(writeAuditEvent(entry));
  } catch (error) {
    logger.warn('could not write the audit event', { host, audit: auditMessage(entry), error: (error as Error).message });
  }
}

/** Events of the window [started - DEFAULTS.eventsWindowSlackMs, now]; a failure to read them is logged, not fatal. */
export async function eventsSince(run: CommandRunner, logger: Logger, host: string, started: number, serviceDisplayNames?: string[]): Promise<EventRecord[]> {
  try {
    return await run(readEvents({ since: new Date(started - DEFAULTS.eventsWindowSlackMs), serviceDisplayNames: serviceDisplayNames?.length ? serviceDisplayNames : undefined }));
  } catch (error) {
    logger.warn('could not read the events of the operation', { host, error: (error as Error).message });
    return [];
  }
}

/** Attaches an operation's record (state left behind, steps, events) to the error it failed with. */
export function attachResult<R>(error: unknown, result: R): unknown {
  if (!(error instanceof IisctlError)) return error;
  return new IisctlError(error.code, error.message, {
    powershell: error.powershell,
    host: error.host,
    hint: error.hint,
    cause: error,
    details: { ...error.details, result },
  });
}

/** The operation was cut short (Ctrl-C, a signal, close(), its process died): its end reads the state back. */
export function isInterruption(error: unknown): error is IisctlError {
  return error instanceof IisctlError && (error.code === 'CANCELLED' || error.code === 'SESSION_DIED');
}

/**
 * An interrupted operation's message ends with the state it left the host in (read back after the
 * interruption): CANCELLED, and SESSION_DIED once the state was read back on a fresh process.
 */
export function withStateLeft(error: unknown, states: string[]): unknown {
  if (!isInterruption(error) || states.length === 0) return error;
  return new IisctlError(error.code, `${error.message} Left: ${states.join(', ')}.`, { host: error.host, hint: error.hint, cause: error, details: error.details });
}

/**
 * How an interrupted operation reports: close() in the middle of it cut its call short
 * (SESSION_CLOSED), or the PowerShell process died after the caller's signal fired (a closed
 * console signals every process attached to it): CANCELLED either way, as for Ctrl-C, with the
 * cause kept; the frame then reads the state back.
 */
export function asInterruption(error: unknown, signal: AbortSignal | undefined): unknown {
  if (isIisctlError(error, 'SESSION_CLOSED')) {
    return new IisctlError('CANCELLED', 'Interrupted: the connection was closed (close()) during the operation; what was already requested on the host may still complete.', {
      host: error.host,
      hint: HINTS.checkState,
      cause: error,
      details: { closed: true },
    });
  }
  if (isIisctlError(error, 'SESSION_DIED') && signal?.aborted) {
    return new IisctlError('CANCELLED', `Interrupted: iisctl stopped waiting, and the PowerShell process ended too (${error.message}).`, {
      host: error.host,
      hint: HINTS.checkState,
      cause: error,
      details: { ...error.details, sessionDied: true },
    });
  }
  return error;
}

/**
 * Who runs iisctl, for audit events: DOMAIN\user on Windows, the form of domain account
 * credentials (Environment.UserDomainName remarks, learn.microsoft.com). os.userInfo() gives the
 * bare name; the domain comes from the USERDOMAIN environment variable (named in WshNetwork
 * .UserDomain's remarks, which say it is not set by default only on Windows 98/Me). Indirectly
 * sourced, so defensive: without it the bare name is used.
 */
export function currentUser(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  try {
    const name = os.userInfo().username;
    const domain = platform === 'win32' ? env.USERDOMAIN : undefined;
    return domain ? `${domain}\\${name}` : name;
  } catch {
    return 'unknown';
  }
}

export interface ControllerOptions {
  session: PowerShellSession;
  /** The remote computer with how to reach it (PowerShell remoting); undefined for the session's own host. */
  remote?: RemoteTarget;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  /** Time between state reads while waiting. Default: DEFAULTS.pollIntervalMs. */
  pollIntervalMs?: number;
  /** Who runs iisctl, for audit events. Default: this OS user. */
  user?: string;
  /** The host lock every changing operation holds (lock.ts). */
  lock?: HostLock;
  /** Aborting stops every wait (polls, retry back-offs) with CANCELLED; the frame still reads the state back. */
  signal?: AbortSignal;
  /** Whose time every wait, deadline and duration is in (default real time; lib/clock.ts). */
  clock?: Clock;
}

/** One target host as the controllers see it: where commands go, how they are retried, the lock. */
export abstract class HostOperator {
  readonly host: string;
  readonly pollIntervalMs: number;
  protected readonly session: PowerShellSession;
  /** Where commands run: this session's host, or a remote computer (with its credential). */
  protected readonly computerName?: RemoteTarget;
  protected readonly logger: Logger;
  protected readonly retryPolicy: RetryPolicy;
  protected readonly user: string;
  protected readonly lock?: HostLock;
  readonly signal?: AbortSignal;
  readonly clock: Clock;

  constructor(options: ControllerOptions) {
    this.session = options.session;
    this.computerName = options.remote;
    this.host = options.remote?.computerName ?? 'localhost';
    this.logger = options.logger ?? silentLogger();
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULTS.pollIntervalMs;
    this.user = options.user ?? currentUser();
    this.lock = options.lock;
    this.signal = options.signal;
    this.clock = options.clock ?? realClock;
  }

  /** Records one step of an operation in its result and logs it (a step that did not succeed at warn). */
  logStep<S extends { step: string; outcome: string; durationMs: number }>(steps: S[] | undefined, record: S): void {
    steps?.push(record);
    this.logger.log(record.outcome === 'ok' || record.outcome === 'skipped' ? 'info' : 'warn', `step ${record.step}: ${record.outcome}`, { record: 'step', host: this.host, ...record });
  }

  /** Runs one command on the target, retrying transient failures. */
  run<T>(command: PsCommand<T>, retries?: RetryRecord[], deadline?: number): Promise<T> {
    const target = onComputer(this.computerName, command);
    return withRetry(() => runCommand(this.session, target), { what: target.purpose, policy: this.retryPolicy, logger: this.logger, retries, deadline, signal: this.signal, clock: this.clock });
  }

  /**
   * A changing operation that has no frame of its own (pool settings, Automatic Restart, backups):
   * under the host lock, and audited with its outcome and what it acted on.
   */
  changing<T>(action: string, what: string, fn: () => Promise<T>): Promise<T> {
    return this.locked(action, async () => {
      let result: T;
      try {
        result = await fn();
      } catch (e) {
        const error = asInterruption(e, this.signal);
        await this.concluding(() => this.audit({ action, outcome: 'failed', detail: `${what}: ${(error as Error).message}` }));
        throw error;
      }
      await this.audit({ action, outcome: 'succeeded', detail: what });
      return result;
    }, what);
  }

  /** True when the operation's session was closed or lost the process holding the host lock. */
  get sessionLost(): boolean {
    return this.session.lost;
  }

  /**
   * The end of an operation (state read back, audit event, events): on a fresh PowerShell process
   * when the operation's own session was closed under it or its process (holding the host lock)
   * died, so that what it left behind is read, not guessed, and the audit event is written.
   * The process can also die while fn runs, before Node has seen it exit (a signal to the whole
   * job reaches PowerShell too): fn's calls then failed quietly, so it runs again on a fresh one.
   */
  async concluding<T>(fn: () => Promise<T>): Promise<T> {
    if (this.session.lost) return this.session.readBack(fn);
    const failedCalls = () => this.session.stats.deaths + this.session.stats.timeouts;
    const before = failedCalls();
    const result = await fn();
    return this.session.lost && failedCalls() > before ? this.session.readBack(fn) : result;
  }

  /**
   * Writes the operation's audit event as this operator's user (a failure to write it is logged,
   * not thrown), and logs the outcome: info when it succeeded, error when it failed.
   */
  audit(entry: Omit<AuditEntry, 'user'>): Promise<void> {
    const failed = entry.outcome === 'failed';
    this.logger.log(failed ? 'error' : 'info', `${entry.action} ${entry.outcome} on ${this.host}`, { record: 'result', action: entry.action, host: this.host, user: this.user, reason: entry.reason, outcome: entry.outcome, detail: entry.detail });
    return auditQuietly((c) => this.run(c), this.logger, this.host, { ...entry, user: this.user });
  }

  /**
   * Runs fn holding the host lock (when there is one). Text the operation will send (its reason,
   * its audit detail) is checked first: text that can never reach PowerShell unchanged (NUL, lone
   * surrogate) is INVALID_ARGUMENT before the lock or any change, not after the services stopped.
   */
  locked<T>(operation: string, fn: () => Promise<T>, text?: string): Promise<T> {
    try {
      if (text !== undefined) assertRepresentable(text);
    } catch (e) {
      return Promise.reject(e);
    }
    this.logger.info(`${operation} started on ${this.host}`, { record: 'start', action: operation, host: this.host, user: this.user, reason: text });
    return this.lock ? this.lock.hold(operation, fn) : fn();
  }
}
