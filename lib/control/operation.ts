/**
 * What every changing operation shares, whatever it changes (services, pools, sites, heal, pool
 * settings, recovery actions, backups, the restarts toggle): ONE frame (HostOperator.operation:
 * lock, restarts-disabled check, snapshot before, body, read-back also after an interruption,
 * audit event, events of the window, verification), one step/plan vocabulary (StepRecord,
 * PlannedStep), who runs it, and the record its error carries (IisctlError.operation).
 */
import { HINTS } from '../hints';
import * as os from 'node:os';
import { IisctlError, isIisctlError, type OperationRecord } from '../errors';
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
import { readToggle, type ToggleState } from '../scripts/toggle';
import { batch, type BatchResult, type PartResult } from '../scripts/batch';

/** One step of an operation, as its result (and the log's step record) holds it. */
export interface StepRecord {
  step: string;
  /** What the step acted on: services, application pools, sites, backups. */
  targets?: string[];
  durationMs: number;
  outcome: 'ok' | 'timeout' | 'failed' | 'skipped';
  detail?: string;
}

/** One step of a plan (--dry-run): what would run, on what, and the exact script. */
export interface PlannedStep {
  description: string;
  /** What the step would act on: services, application pools, sites, backups. */
  targets?: string[];
  /** The exact script body that would run (inside the standard envelope). */
  script: string;
}

/** Commands run together in one round trip (scripts/batch.ts), by name. */
export type Parts = Record<string, PsCommand<unknown>>;

/** What a changing operation's body works with (see HostOperator.operation). */
export interface Frame {
  /** When the operation started (the clock's time): the window of its events starts here. */
  readonly started: number;
  readonly steps: StepRecord[];
  readonly retries: RetryRecord[];
  /** Runs one command on the target, retrying transient failures (recorded in the result). */
  run<T>(command: PsCommand<T>, deadline?: number): Promise<T>;
  /**
   * The value of a part of a batch the frame ran; a part that failed transiently runs again on its
   * own under the retry policy (as it would have alone); any other failure is thrown.
   */
  settle<T>(part: PartResult<T>, command: PsCommand<T>): Promise<T>;
  /** Records a step in the result and logs it. */
  step(record: StepRecord): void;
}

/**
 * A changing operation, for HostOperator.operation: what it reads before its body (in the same round
 * trip as the restarts-disabled check), its body, what it reads back after it (in the same round
 * trip as its audit event and the events of its window), its record and how it is verified.
 */
export interface FrameSpec<B, R, P extends Parts = Parts, A extends Parts = Parts> {
  action: string;
  /** Why, recorded in the audit event (checked before the lock: text PowerShell can carry). */
  reason?: string;
  /** Refuse with DISABLED while restarts are disabled on the host. */
  guarded: boolean;
  /** Read before the body, in the round trip of the restarts-disabled check. */
  before?: P;
  /**
   * Parts of `before` settled before the body starts: their failure ends the operation before it
   * began (no audit event, no record), like DISABLED. The others are settled by the body.
   */
  beforeBody?: Array<keyof P & string>;
  body(frame: Frame, before: BatchResult<P>): Promise<B>;
  /**
   * What to read back once the body ended (succeeded, failed or was interrupted), in one round
   * trip with the audit event and the events (on a fresh process when the session was lost).
   */
  readBack?(failure: unknown, body: B | undefined): Partial<A> | undefined;
  /**
   * The audit event (false: none of its own, e.g. heal, whose steps write theirs). `what`: what it
   * acted on. `beforeReadBack`: written before the read-back (in the same round trip), when the
   * read-back only verifies a change the body made and reported (enable, disable).
   */
  audit?: false | { what?: string; detail?(body: B): string | undefined; beforeReadBack?: boolean };
  /** The events of the operation's window (false: none): the display names of the services whose SCM events count. */
  events?: false | (() => string[] | undefined);
  /** The operation's record, from what was done and read back (undefined parts: not read back). */
  record(frame: Frame, body: B | undefined, read: Partial<BatchResult<A>>, events: EventRecord[]): R;
  /** False: a failure is thrown without the record (the operation's value is no record). */
  attach?: boolean;
  /** What an interrupted operation left its targets in, for the error message. */
  left?(record: R, read: Partial<BatchResult<A>>, failure: unknown): string[];
  /** Success is only what was read back: throws when the record (or what was read back) shows otherwise. */
  verify?(record: R, body: B, read: Partial<BatchResult<A>>): void;
}

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
    auditFailed(logger, host, entry, error);
  }
}

function auditFailed(logger: Logger, host: string, entry: AuditEntry, error: unknown): void {
  logger.warn('could not write the audit event', { host, audit: auditMessage(entry), error: (error as Error).message });
}

/** The query of the events of an operation's window: [started - DEFAULTS.eventsWindowSlackMs, now]. */
function windowEvents(started: number, serviceDisplayNames?: string[]): PsCommand<EventRecord[]> {
  return readEvents({ since: new Date(started - DEFAULTS.eventsWindowSlackMs), serviceDisplayNames: serviceDisplayNames?.length ? serviceDisplayNames : undefined });
}

function eventsFailed(logger: Logger, host: string, error: unknown): EventRecord[] {
  logger.warn('could not read the events of the operation', { host, error: (error as Error).message });
  return [];
}

/** Events of the window [started - DEFAULTS.eventsWindowSlackMs, now]; a failure to read them is logged, not fatal. */
export async function eventsSince(run: CommandRunner, logger: Logger, host: string, started: number, serviceDisplayNames?: string[]): Promise<EventRecord[]> {
  try {
    return await run(windowEvents(started, serviceDisplayNames));
  } catch (error) {
    return eventsFailed(logger, host, error);
  }
}

/** The error an operation failed with, carrying the operation's record (state left behind, steps, events) in `operation`. */
export function withOperation<R extends OperationRecord>(error: unknown, record: R): unknown {
  if (!(error instanceof IisctlError)) return error;
  return new IisctlError<R>(error.code, error.message, {
    powershell: error.powershell,
    host: error.host,
    hint: error.hint,
    cause: error,
    details: error.details,
    operation: record,
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

  /**
   * The value of one part of a batch run on the target; a part that failed transiently runs again
   * on its own, retried as it would have been alone; any other failure is thrown.
   */
  settle<T>(part: PartResult<T>, command: PsCommand<T>, retries?: RetryRecord[], deadline?: number): Promise<T> {
    if (part.ok) return Promise.resolve(part.value);
    // The part's failure is the first attempt: a transient one is backed off and recorded as any retry.
    return this.run(command, retries, deadline, part.error);
  }

  /**
   * `then` in the same round trip as `first` (a request, then the first slice of the wait for
   * it), run only when `first` succeeded; `then`'s value. A transient failure of `first` runs it
   * again alone (retried as alone) and `then` after it; any other failure of `first` is thrown,
   * `then` not run.
   */
  async runAfter<T>(first: PsCommand<unknown>, then: PsCommand<T>, retries?: RetryRecord[], deadline?: number): Promise<T> {
    const answers = await this.run(batch({ first, then }, this.host, { untilFailure: true }), retries, deadline);
    if (!answers.first.ok) {
      await this.settle(answers.first, first, retries, deadline);
      return this.run(then, retries, deadline);
    }
    return this.settle(answers.then, then, retries, deadline);
  }

  /** One step of a plan: the exact script as it would run on the target (--dry-run). */
  readonly planStep = (description: string, command: PsCommand<unknown>, targets?: string[]): PlannedStep => ({
    description,
    targets,
    script: onComputer(this.computerName, command).script.safeText,
  });

  /** Runs one command on the target, retrying transient failures. */
  run<T>(command: PsCommand<T>, retries?: RetryRecord[], deadline?: number, failedFirst?: IisctlError): Promise<T> {
    const target = onComputer(this.computerName, command);
    return withRetry((attempt) => (attempt === 1 && failedFirst ? Promise.reject(failedFirst) : runCommand(this.session, target)), { what: target.purpose, policy: this.retryPolicy, logger: this.logger, retries, deadline, signal: this.signal, clock: this.clock });
  }

  /**
   * A changing operation with nothing to read before or after it (pool settings, Automatic
   * Restart, backups: their bodies read back what they wrote): under the host lock, and audited
   * with its outcome and what it acted on.
   */
  changing<T>(action: string, what: string, fn: () => Promise<T>): Promise<T> {
    return this.operation<T, T>({ action, reason: what, guarded: false, body: fn, audit: { what }, events: false, record: (_f, value) => value as T, attach: false });
  }

  /**
   * The one frame of every changing operation: the host lock; one round trip with the
   * restarts-disabled check and what the operation reads first (its snapshot before); the body;
   * then, also after a failure or an interruption (on a fresh PowerShell process when the session
   * was lost: concluding), one round trip with the read-back, the audit event (after the
   * read-back, describing the outcome) and the events of the window (after the audit event, so it
   * is among them), and last the lock's release (HostLock.releaseInLastCall: the outermost
   * operation's, one round trip fewer); the record; the verification against what was read back.
   * A failure carries the record in IisctlError.operation.
   */
  operation<B, R, P extends Parts = Parts, A extends Parts = Parts>(spec: FrameSpec<B, R, P, A>): Promise<R> {
    return this.locked(spec.action, () => this.conduct(spec), spec.reason);
  }

  private async conduct<B, R, P extends Parts, A extends Parts>(spec: FrameSpec<B, R, P, A>): Promise<R> {
    const started = this.clock.now();
    const steps: StepRecord[] = [];
    const retries: RetryRecord[] = [];
    const frame: Frame = {
      started,
      steps,
      retries,
      run: (command, deadline) => this.run(command, retries, deadline),
      settle: (part, command) => this.settle(part, command, retries),
      step: (record) => this.logStep(steps, record),
    };
    const parts = { ...(spec.guarded ? { toggle: readToggle() } : {}), ...(spec.before ?? {}) } as Parts;
    const first = Object.keys(parts).length ? ((await this.run(batch(parts, this.host), retries)) as Record<string, PartResult<unknown>>) : {};
    if (spec.guarded) {
      const toggle = (await frame.settle(first.toggle, readToggle())) as ToggleState;
      if (!toggle.enabled) throw disabledError(this.host, toggle);
    }
    for (const key of spec.beforeBody ?? []) first[key] = { ok: true, value: await frame.settle(first[key], parts[key]) };
    let failure: unknown;
    let value: B | undefined;
    let done = false;
    try {
      value = await spec.body(frame, first as BatchResult<P>);
      done = true;
    } catch (error) {
      failure = asInterruption(error, this.signal);
    }
    const { read, events } = await this.concluding(() => this.conclude(spec, frame, done ? undefined : failure ?? new Error('The operation failed.'), done ? value : undefined));
    const record = spec.record(frame, value, read, events);
    if (!done) {
      const left = spec.left?.(record, read, failure) ?? [];
      const error = withStateLeft(failure, left);
      throw spec.attach === false ? error : withOperation(error, record as R & OperationRecord);
    }
    try {
      spec.verify?.(record, value as B, read);
    } catch (error) {
      throw spec.attach === false ? error : withOperation(error, record as R & OperationRecord);
    }
    return record;
  }

  /** The end of an operation in one round trip: read-back, audit event, events of the window. */
  private async conclude<B, R, P extends Parts, A extends Parts>(spec: FrameSpec<B, R, P, A>, frame: Frame, failure: unknown, value: B | undefined): Promise<{ read: Partial<BatchResult<A>>; events: EventRecord[] }> {
    const back = (spec.readBack?.(failure, value) ?? {}) as Parts;
    const audit = spec.audit === false ? undefined : spec.audit ?? {};
    const entry: AuditEntry | undefined = audit && {
      action: spec.action,
      reason: audit.what === spec.reason ? undefined : spec.reason,
      outcome: failure ? 'failed' : 'succeeded',
      detail: failure ? (audit.what ? `${audit.what}: ${(failure as Error).message}` : (failure as Error).message) : (audit.detail?.(value as B) ?? audit.what),
      user: this.user,
    };
    if (entry) this.logOutcome(entry);
    const names = spec.events === false ? undefined : spec.events?.();
    const query = spec.events === false ? undefined : windowEvents(frame.started, names);
    const auditPart: Parts = entry ? { audit: writeAuditEvent(entry) } : {};
    const parts: Parts = audit && audit.beforeReadBack ? { ...auditPart, ...back, ...(query ? { events: query } : {}) } : { ...back, ...auditPart, ...(query ? { events: query } : {}) };
    if (Object.keys(parts).length === 0) return { read: {}, events: [] };
    // The outermost operation's lock goes in the same round trip, last, whatever the parts before it did.
    const unlock = this.lock?.releaseInLastCall();
    if (unlock) parts.unlock = unlock;
    let answers: Record<string, PartResult<unknown>>;
    try {
      answers = (await this.run(batch(parts, this.host), frame.retries)) as Record<string, PartResult<unknown>>;
    } catch (error) {
      // The call itself failed: every part failed with it.
      answers = Object.fromEntries(Object.keys(parts).map((k) => [k, { ok: false, error: error as IisctlError }]));
    }
    if (unlock) {
      const part = answers.unlock as PartResult<{ released: boolean }>;
      this.lock!.releasedWith(part.ok && part.value.released);
    }
    const read: Record<string, PartResult<unknown>> = {};
    for (const k of Object.keys(back)) {
      read[k] = await frame.settle(answers[k], back[k]).then(
        (value): PartResult<unknown> => ({ ok: true, value }),
        (error): PartResult<unknown> => ({ ok: false, error }),
      );
    }
    if (entry) {
      await frame.settle(answers.audit, parts.audit).catch((error) => auditFailed(this.logger, this.host, entry, error));
    }
    let events: EventRecord[] = [];
    if (query) {
      events = (await frame.settle(answers.events, query).catch((error) => eventsFailed(this.logger, this.host, error))) as EventRecord[];
    }
    return { read: read as Partial<BatchResult<A>>, events };
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
    this.logOutcome({ ...entry, user: this.user });
    return auditQuietly((c) => this.run(c), this.logger, this.host, { ...entry, user: this.user });
  }

  /** The operation's result line in the log: info when it succeeded, error when it failed. */
  private logOutcome(entry: AuditEntry): void {
    const failed = entry.outcome === 'failed';
    this.logger.log(failed ? 'error' : 'info', `${entry.action} ${entry.outcome} on ${this.host}`, { record: 'result', action: entry.action, host: this.host, user: this.user, reason: entry.reason, outcome: entry.outcome, detail: entry.detail });
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
