/**
 * The host lock around every changing operation (so a scheduled task and a deployment never act on
 * one host at once): stop/start/restart/disable/enable, pool
 * and site actions, heal. One lock per client, re-entrant inside the client (heal runs a recycle,
 * a pool action may start IIS first: one acquisition covers all of it).
 *
 * Waiting is done here, in slices: each acquire call blocks on the host for at most `sliceMs`, so
 * no PowerShell call runs longer than the session's deadline and progress can be logged. With
 * `wait: false` one non-blocking attempt is made and a held lock is a LOCKED error at once; after
 * `timeoutSeconds` of waiting it is LOCKED too. Both name the holder (user, process, operation,
 * since when) from the details the holder recorded on the host.
 *
 * A lock whose holder died is taken over (the mutex is abandoned by the OS, or a remote holder's
 * lease expired); that is logged as a warning with the dead holder's details.
 *
 * The lock lives on the target machine (scripts/lock.ts): for a remote computer it is a lease
 * taken inside the PSSession and renewed every leaseSeconds/4 while held, so iisctl runs on
 * different machines exclude each other, whatever name each gave the target.
 */
import { HINTS } from '../hints';
import { checkNumbers, LIMITS } from '../limits';
import { DEFAULTS } from '../defaults';
import * as crypto from 'node:crypto';
import * as os from 'node:os';
import { PsCommand, runCommand } from '../scripts/command';
import { acquireLease, acquireLock, AcquireResult, LockHolder, releaseLease, releaseLock, renewLease } from '../scripts/lock';
import { onComputer, RemoteTarget } from '../scripts/remote';
import { IisctlError } from '../errors';
import { brand, Checked } from '../parse';
import { Logger, silentLogger } from '../log';
import type { PowerShellSession } from '../powershell/session';
import { Clock, realClock } from '../clock';
import { abortableSleep, throwIfCancelled } from './wait';

export interface LockOptions {
  /** Wait for a lock held by another iisctl (default true); false: fail with LOCKED at once. */
  wait?: boolean;
  /** How long to wait before failing with LOCKED. Default: DEFAULTS.lockTimeoutSeconds. */
  timeoutSeconds?: number;
  /**
   * Remote targets: how long the lock outlives an iisctl that stops renewing it (it died or lost
   * the network) before another may take it over. Renewed every quarter of it. Default: DEFAULTS.leaseSeconds.
   */
  leaseSeconds?: number;
}

export const DEFAULT_LOCK_TIMEOUT_SECONDS = DEFAULTS.lockTimeoutSeconds;
export const DEFAULT_LEASE_SECONDS = DEFAULTS.leaseSeconds;
const SLICE_MS = DEFAULTS.lockSliceMs;

/** LockOptions checked by parseLockOptions. */
export type CheckedLockOptions = Checked<Readonly<LockOptions>, 'LockOptions'>;

/** The lock options a caller gave (lock, and its shorthand lockTimeoutSeconds), checked once. */
export function parseLockOptions(lock: LockOptions | undefined, lockTimeoutSeconds?: number): CheckedLockOptions {
  checkNumbers([
    ['lock.timeoutSeconds', lock?.timeoutSeconds, LIMITS.lockTimeoutSeconds],
    ['lock.leaseSeconds', lock?.leaseSeconds, LIMITS.leaseSeconds],
    ['lockTimeoutSeconds', lockTimeoutSeconds, LIMITS.lockTimeoutSeconds],
  ]);
  return brand({ wait: lock?.wait, timeoutSeconds: lock?.timeoutSeconds ?? lockTimeoutSeconds, leaseSeconds: lock?.leaseSeconds }, 'LockOptions');
}

export interface HostLockOptions extends CheckedLockOptions {
  session: PowerShellSession;
  /** 'localhost' or the remote computer the operations act on (for messages). */
  target: string;
  /** The remote computer: the lock is a lease there. Absent: held by the local session. */
  remote?: RemoteTarget;
  user: string;
  logger?: Logger;
  /** Length of one blocking wait on the host. Default: DEFAULTS.lockSliceMs. */
  sliceMs?: number;
  /** Aborting ends a wait for the lock with CANCELLED (nothing was changed). */
  signal?: AbortSignal;
  /** Whose time the wait and the lease renewals are in (default real time). */
  clock?: Clock;
}

export class HostLock {
  private readonly logger: Logger;
  private readonly leaseSeconds: number;
  private depth = 0;
  private token = '';
  private acquiring: Promise<void> | undefined;
  /** Ends the lease renewals (remote targets) once the lock is released. */
  private renewal: AbortController | undefined;
  private readonly clock: Clock;
  /** Operations holding or waiting for the lock (close() waits for them to wind down). */
  private readonly running = new Set<Promise<unknown>>();
  /**
   * Set once the release was handed to the operation's last call (releaseInLastCall): settles when
   * the lock is released. An operation that starts meanwhile waits for it and acquires afresh.
   */
  private ending: Promise<void> | undefined;
  private endingDone: (() => void) | undefined;
  /** The release travelled with the operation's last call and was done there. */
  private releasedInLastCall = false;

  constructor(private readonly options: HostLockOptions) {
    this.logger = options.logger ?? silentLogger();
    this.leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
    this.clock = options.clock ?? realClock;
  }

  /** True while this client holds the lock. */
  get held(): boolean {
    return this.depth > 0;
  }

  /** True while an operation holds or waits for the lock. */
  get busy(): boolean {
    return this.running.size > 0;
  }

  /** Settles once no operation holds or waits for the lock. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Runs fn while holding the lock (re-entrant within this client). */
  hold<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const task = this.holdOnce(operation, fn);
    const tracked = task.catch(() => undefined).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    return task;
  }

  private async holdOnce<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    while (this.ending) await this.ending;
    if (this.depth > 0) {
      this.depth++;
      try {
        return await fn();
      } finally {
        this.depth--;
      }
    }
    // Two operations started at once on one client share one acquisition.
    if (!this.acquiring) this.acquiring = this.acquire(operation).finally(() => (this.acquiring = undefined));
    const first = this.acquiring;
    await first;
    this.depth++;
    try {
      return await fn();
    } finally {
      if (--this.depth === 0) await this.release();
    }
  }

  /**
   * The release, for the outermost operation to send in the same round trip as its last call (its
   * read-back and audit event: one round trip fewer per operation); undefined when the lock is not
   * held by one operation only, or its session is lost (release() then does it alone). The caller
   * reports the release part's answer with releasedWith(); release() does what was not done.
   */
  releaseInLastCall(): PsCommand<{ released: boolean }> | undefined {
    if (this.depth !== 1 || this.ending || this.options.session.lost) return undefined;
    this.ending = new Promise<void>((done) => (this.endingDone = done));
    // No renewal after this point: it would find the lease released and report it lost.
    this.renewal?.abort();
    this.renewal = undefined;
    return this.releaseCommand();
  }

  /** What the release sent by releaseInLastCall answered (false: not answered or not released). */
  releasedWith(released: boolean): void {
    this.releasedInLastCall = released;
  }

  private releaseCommand(): PsCommand<{ released: boolean }> {
    return this.options.remote ? releaseLease({ token: this.token }) : releaseLock({ token: this.token });
  }

  /** Runs a lock command where the lock lives: on the remote computer, or in the local session. */
  private run<T>(command: PsCommand<T>, timeoutMs?: number): Promise<T> {
    const target = onComputer(this.options.remote, command);
    return runCommand(this.options.session, target, timeoutMs === undefined ? {} : { timeoutMs });
  }

  private async acquire(operation: string): Promise<void> {
    const wait = this.options.wait ?? true;
    const timeoutMs = (this.options.timeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS) * 1000;
    const slice = this.options.sliceMs ?? SLICE_MS;
    const deadline = this.clock.now() + timeoutMs;
    const token = crypto.randomBytes(8).toString('hex');
    let logged = false;
    // The first attempt does not block: when the lock is taken, the holder is named at once.
    for (let attempt = 1; ; attempt++) {
      throwIfCancelled(this.options.signal, this.options.target);
      const waitMs = wait && attempt > 1 ? Math.max(0, Math.min(slice, deadline - this.clock.now())) : 0;
      const attempted = this.clock.now();
      const params = { operation, user: this.options.user, clientProcessId: process.pid, clientComputer: safeHostname(), token, waitMs };
      const result: AcquireResult = await this.run(
        this.options.remote ? acquireLease({ ...params, leaseSeconds: this.leaseSeconds }) : acquireLock(params),
        waitMs + DEFAULTS.callTimeoutMs,
      );
      if (result.acquired) {
        this.token = token;
        this.holding();
        if (result.abandoned) {
          const why = result.expired ? 'whose lease expired (it died or lost its connection without releasing it)' : 'that died without releasing it';
          this.logger.warn(`took over the host lock of an iisctl ${why}`, { host: this.options.target, previousHolder: result.holder });
        }
        if (result.infoError) this.logger.warn('host lock held, but its holder details could not be recorded', { host: this.options.target, error: result.infoError });
        this.logger.debug('host lock acquired', { host: this.options.target, operation, hostProcessId: result.hostProcessId });
        return;
      }
      if (!wait) throw lockedError(this.options.target, result.holder, 0);
      if (!logged) {
        // A warning, so that a person watching a waiting iisctl sees why nothing happens.
        this.logger.warn(`waiting up to ${Math.round(timeoutMs / 1000)} s for the host lock held by ${describeHolder(result.holder)}`, { host: this.options.target, holder: result.holder });
        logged = true;
      }
      if (this.clock.now() >= deadline) throw lockedError(this.options.target, result.holder, timeoutMs);
      // An attempt that came back before its slice was over is not repeated before the slice ends
      // (a lease attempt waits on the host itself: scripts/lock.ts acquireLease).
      const rest = Math.min(waitMs, deadline - this.clock.now()) - (this.clock.now() - attempted);
      if (rest > 0) await abortableSleep(rest, this.options.signal, this.clock);
    }
  }

  /** Held: the local process keeps the mutex (pinned). Lease: renewed on a timer until released. */
  private holding(): void {
    if (!this.options.remote) {
      this.options.session.pin();
      return;
    }
    const every = (this.leaseSeconds * 1000) / 4;
    const renewal = (this.renewal = new AbortController());
    void (async () => {
      for (;;) {
        try {
          await this.clock.sleep(every, renewal.signal);
        } catch {
          return; // released
        }
        await this.renew();
      }
    })();
  }

  private async renew(): Promise<void> {
    try {
      const { renewed } = await this.run(renewLease({ token: this.token, leaseSeconds: this.leaseSeconds }));
      if (!renewed && this.depth > 0) {
        this.logger.error('lost the host lock: its lease expired and another iisctl may hold it now', { host: this.options.target });
      }
    } catch (error) {
      this.logger.warn('could not renew the host lock; it expires unless a later renewal gets through', { host: this.options.target, error: (error as Error).message, leaseSeconds: this.leaseSeconds });
    }
  }

  private async release(): Promise<void> {
    try {
      await this.releaseOnce();
    } finally {
      this.releasedInLastCall = false;
      const done = this.endingDone;
      this.ending = this.endingDone = undefined;
      done?.();
    }
  }

  private async releaseOnce(): Promise<void> {
    this.renewal?.abort();
    this.renewal = undefined;
    const session = this.options.session;
    if (this.releasedInLastCall) {
      session.unpin();
      this.logger.debug('host lock released with the operation\'s last call', { host: this.options.target });
      return;
    }
    if (session.lost && !this.options.remote) {
      // The mutex belonged to the process that died or was closed: Windows released it with it.
      session.unpin();
      this.logger.debug('host lock released with its PowerShell process', { host: this.options.target });
      return;
    }
    session.unpin();
    try {
      // A lease outlives the process: release it, on a fresh one if the session was closed.
      const release = () => this.run(this.releaseCommand());
      await (session.lost ? session.readBack(release) : release());
    } catch (error) {
      // A held lock dies with the PowerShell process at the latest (close(), or a crash); a lease when it expires.
      const when = this.options.remote ? `when its lease expires (${this.leaseSeconds} s)` : 'when the PowerShell process ends';
      this.logger.warn(`could not release the host lock; it is released ${when}`, { host: this.options.target, error: (error as Error).message });
    }
  }
}

export function describeHolder(h: LockHolder | undefined): string {
  if (!h) return 'another process (no details recorded)';
  const parts = [
    h.user ? `${h.user}` : 'an unknown user',
    h.clientProcessId !== undefined ? `iisctl pid ${h.clientProcessId}${h.clientComputer ? ` on ${h.clientComputer}` : ''}` : undefined,
    h.hostProcessId !== undefined ? `PowerShell pid ${h.hostProcessId}` : undefined,
    h.operation ? `running ${h.operation}` : undefined,
    h.since ? `since ${h.since}` : undefined,
  ].filter(Boolean);
  return parts.join(', ');
}

export function lockedError(host: string, holder: LockHolder | undefined, waitedMs: number): IisctlError {
  const waited = waitedMs > 0 ? ` after waiting ${Math.round(waitedMs / 100) / 10} s` : '';
  return new IisctlError('LOCKED', `Another iisctl holds the lock on ${host}${waited}: ${describeHolder(holder)}.`, {
    host,
    hint: waitedMs > 0 ? HINTS.lockWaited : HINTS.lockNoWait,
    details: { holder: holder ?? null },
  });
}

function safeHostname(): string {
  try {
    return os.hostname();
  } catch {
    return 'unknown';
  }
}
