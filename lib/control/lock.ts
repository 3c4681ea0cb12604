/**
 * The host lock around every changing operation (issue 8): stop/start/restart/disable/enable, pool
 * and site actions, heal. One lock per client, re-entrant inside the client (heal runs a recycle,
 * a pool action may start IIS first: one acquisition covers all of it).
 *
 * Waiting is done here, in slices: each acquire call blocks on the host for at most `sliceMs`, so
 * no PowerShell call runs longer than the session's deadline and progress can be logged. With
 * `wait: false` one non-blocking attempt is made and a held lock is a LOCKED error at once; after
 * `timeoutSeconds` of waiting it is LOCKED too. Both name the holder (user, process, operation,
 * since when) from the details the holder recorded on the host.
 *
 * A lock whose holder died is taken over (the mutex is abandoned by the OS); that is logged as a
 * warning with the dead holder's details.
 *
 * Remote computers: the mutex lives in the session's own PowerShell process, named after the
 * target, because a command sent with Invoke-Command -ComputerName runs in a temporary remote
 * session whose end would abandon the mutex at once. So iisctl runs driving one remote computer
 * from the same machine exclude each other; runs from two different machines do not.
 */
import * as crypto from 'node:crypto';
import * as os from 'node:os';
import { PsCommand, runCommand } from '../commands/command';
import { acquireLock, AcquireResult, LockHolder, lockIdentity, LockIdentity, releaseLock } from '../commands/lock';
import { IisctlError, invalidArgument } from '../errors';
import { Logger, silentLogger } from '../log';
import type { PowerShellSession } from '../powershell/session';

export interface LockOptions {
  /** Wait for a lock held by another iisctl (default true); false: fail with LOCKED at once. */
  wait?: boolean;
  /** How long to wait before failing with LOCKED. Default 300 s. */
  timeoutSeconds?: number;
}

export const DEFAULT_LOCK_TIMEOUT_SECONDS = 300;
const SLICE_MS = 2000;

export interface HostLockOptions extends LockOptions {
  session: PowerShellSession;
  /** 'localhost' or the remote computer the operations act on. */
  target: string;
  user: string;
  logger?: Logger;
  /** Length of one blocking wait on the host (default 2 s). */
  sliceMs?: number;
}

export function validateLockOptions(o: LockOptions | undefined): void {
  if (!o) return;
  if (o.timeoutSeconds !== undefined && !(Number.isFinite(o.timeoutSeconds) && o.timeoutSeconds >= 0 && o.timeoutSeconds <= 86_400)) {
    throw invalidArgument('lock.timeoutSeconds must be a number of seconds between 0 and 86400.');
  }
}

export class HostLock {
  private readonly identity: LockIdentity;
  private readonly logger: Logger;
  private depth = 0;
  private token = '';
  private acquiring: Promise<void> | undefined;

  constructor(private readonly options: HostLockOptions) {
    validateLockOptions(options);
    this.identity = lockIdentity(options.target);
    this.logger = options.logger ?? silentLogger();
  }

  /** True while this client holds the lock. */
  get held(): boolean {
    return this.depth > 0;
  }

  /** Runs fn while holding the lock (re-entrant within this client). */
  async hold<T>(operation: string, fn: () => Promise<T>): Promise<T> {
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

  private run<T>(command: PsCommand<T>, timeoutMs?: number): Promise<T> {
    return runCommand(this.options.session, command, timeoutMs === undefined ? {} : { timeoutMs });
  }

  private async acquire(operation: string): Promise<void> {
    const wait = this.options.wait ?? true;
    const timeoutMs = (this.options.timeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS) * 1000;
    const slice = this.options.sliceMs ?? SLICE_MS;
    const deadline = Date.now() + timeoutMs;
    const token = crypto.randomBytes(8).toString('hex');
    let logged = false;
    for (;;) {
      const waitMs = wait ? Math.max(0, Math.min(slice, deadline - Date.now())) : 0;
      const result: AcquireResult = await this.run(
        acquireLock({ ...this.identity, operation, user: this.options.user, clientProcessId: process.pid, clientComputer: safeHostname(), token, waitMs }),
        waitMs + 60_000,
      );
      if (result.acquired) {
        this.token = token;
        this.options.session.pin();
        if (result.abandoned) {
          this.logger.warn('took over the host lock of an iisctl that died without releasing it', { host: this.options.target, previousHolder: result.holder });
        }
        if (result.infoError) this.logger.warn('host lock held, but its holder details could not be recorded', { host: this.options.target, error: result.infoError });
        this.logger.debug('host lock acquired', { host: this.options.target, operation, hostProcessId: result.hostProcessId });
        return;
      }
      if (!wait || Date.now() >= deadline) throw lockedError(this.options.target, result.holder, wait ? timeoutMs : 0);
      if (!logged) {
        this.logger.info(`waiting for the host lock held by ${describeHolder(result.holder)}`, { host: this.options.target, holder: result.holder });
        logged = true;
      }
    }
  }

  private async release(): Promise<void> {
    this.options.session.unpin();
    try {
      await this.run(releaseLock({ ...this.identity, token: this.token }));
    } catch (error) {
      // The lock dies with the PowerShell process at the latest (close(), or a crash).
      this.logger.warn('could not release the host lock; it is released when the PowerShell process ends', { host: this.options.target, error: (error as Error).message });
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
    hint: waitedMs > 0 ? 'Try again once it has finished, or raise the lock timeout.' : 'Try again once it has finished, or wait for it (drop --no-wait-lock).',
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
