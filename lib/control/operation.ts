/**
 * What every changing operation shares, whatever it changes (services, pools, sites): the
 * restarts-disabled refusal, the audit event, the events of the operation's window, who runs it,
 * and how its record travels with an error.
 */
import * as os from 'node:os';
import { IisctlError } from '../errors';
import type { Logger } from '../log';
import type { PsCommand } from '../commands/command';
import { AuditEntry, auditMessage, EventRecord, readEvents, writeAuditEvent } from '../commands/events';
import type { ToggleState } from '../commands/toggle';

export type CommandRunner = <T>(command: PsCommand<T>) => Promise<T>;

/** The refusal while restarts are disabled, naming who, when and why (issue 4, semantics 5). */
export function disabledError(host: string, toggle: ToggleState): IisctlError {
  const by = toggle.disabledBy ? ` by ${toggle.disabledBy}` : '';
  const since = toggle.disabledAt ? ` since ${toggle.disabledAt}` : '';
  const why = toggle.reason ? `: ${toggle.reason}` : '';
  return new IisctlError('DISABLED', `Restarts are disabled on ${host}${by}${since}${why}.`, {
    host,
    hint: 'Run `iisctl enable` on purpose first if the operation really is wanted.',
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

/** Events of the window [started - 1 s, now]; a failure to read them is logged, not fatal. */
export async function eventsSince(run: CommandRunner, logger: Logger, host: string, started: number, serviceDisplayNames?: string[]): Promise<EventRecord[]> {
  try {
    return await run(readEvents({ since: new Date(started - 1000), serviceDisplayNames: serviceDisplayNames?.length ? serviceDisplayNames : undefined }));
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

/** Who runs iisctl, for audit events. */
export function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
