/**
 * Typed errors with stable codes. Callers (deployment scripts, the CLI) branch on `code`, never on
 * message text; the CLI maps codes to documented exit codes.
 */

export const ERROR_CODES = [
  'SESSION_TIMEOUT', // a PowerShell call exceeded its deadline; the process was killed and will be replaced
  'SESSION_DIED', // the PowerShell process exited or crashed; the next call starts a new one
  'SESSION_CLOSED', // the connection was closed (close()); nothing more runs on it, and an operation it cut short is reported as CANCELLED
  'POWERSHELL_UNAVAILABLE', // no PowerShell (or simulated host) could be started
  'INVALID_ARGUMENT', // bad input from the caller; nothing was sent to any host
  'NOT_FOUND', // a named service, pool, site or file does not exist on the host
  'ACCESS_DENIED', // not an administrator / not elevated on the host
  'TIMEOUT', // an operation did not reach its target state in time (nothing was forced)
  'DISABLED', // restarts are disabled on the host (iisctl disable)
  'TRANSIENT', // a retryable failure outlived the retry budget
  'UNREACHABLE', // the remote host could not be reached
  'CREDENTIAL_FILE', // the credential file could not be used: missing, unreadable, not decryptable by this user on this computer, or not one PSCredential; nothing was sent to the remote host
  'LOCKED', // another iisctl holds the host lock (details.holder names it); nothing was changed
  'CANCELLED', // the caller aborted (AbortSignal; the CLI on Ctrl-C): waiting stopped, the state left behind is reported
  'FAILED', // anything else that went wrong, with details
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** What PowerShell said about a failure, as captured by the script envelope. */
export interface PowerShellErrorDetails {
  message: string;
  /** .NET exception type, e.g. Microsoft.PowerShell.Commands.ServiceCommandException */
  type?: string;
  /** e.g. "NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand" */
  fullyQualifiedErrorId?: string;
  /** ErrorCategory name, e.g. ObjectNotFound */
  category?: string;
  /** Exception HResult as a signed 32-bit integer, as .NET reports it */
  hresult?: number;
  /**
   * The innermost exception (Exception.GetBaseException()). For Stop-Service the Win32 error sits
   * there: ServiceCommandException > InvalidOperationException > Win32Exception, and only the last
   * carries the Win32 code, as NativeErrorCode (its HResult is E_FAIL).
   */
  baseMessage?: string;
  baseType?: string;
  /** Win32Exception.NativeErrorCode of the innermost exception, when it is one. */
  win32Code?: number;
  /**
   * HResult of the innermost exception: a COM error wrapped in another exception (e.g.
   * 0x800710D8 inside a MethodInvocationException) is only there.
   */
  baseHresult?: number;
}

/**
 * The record of the changing operation an error ended, as far as it got: the same record its
 * result would have been (steps, retries, the state read back, events). Every record has these;
 * the operation's own type (ServiceOperationResult, WebOperationResult, HealRecord, ...) is the
 * error's type parameter, e.g. `(e as IisctlError<ServiceOperationResult>).operation?.after`.
 */
export interface OperationRecord {
  host: string;
  durationMs: number;
}

export interface IisctlErrorOptions<R extends OperationRecord = OperationRecord> {
  /** The PowerShell error behind this one, when there is one. */
  powershell?: PowerShellErrorDetails;
  /** The computer the failure happened on. */
  host?: string;
  /** A sentence telling the user what to do about it. */
  hint?: string;
  /** Structured facts a caller may need (pending services, the state left behind, ...). */
  details?: Record<string, unknown>;
  /** The record of the operation this error ended (changing operations only). */
  operation?: R;
  cause?: unknown;
}

export class IisctlError<R extends OperationRecord = OperationRecord> extends Error {
  readonly code: ErrorCode;
  readonly powershell?: PowerShellErrorDetails;
  readonly host?: string;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;
  /** What the changing operation this error ended did and left behind (its record, as its result would have been). */
  readonly operation?: R;

  constructor(code: ErrorCode, message: string, options: IisctlErrorOptions<R> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IisctlError';
    this.code = code;
    this.powershell = options.powershell;
    this.host = options.host;
    this.hint = options.hint;
    this.details = options.details;
    this.operation = options.operation;
  }

  /** A plain object safe to print as JSON (no stack, no cause chain). */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.host === undefined ? {} : { host: this.host }),
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.powershell === undefined ? {} : { powershell: this.powershell }),
      ...(this.details === undefined ? {} : { details: this.details }),
      ...(this.operation === undefined ? {} : { operation: this.operation }),
    };
  }
}

export function isIisctlError(value: unknown, code?: ErrorCode): value is IisctlError {
  return value instanceof IisctlError && (code === undefined || value.code === code);
}

/** Shorthand for the most common caller mistake. */
export function invalidArgument(message: string, hint?: string): IisctlError {
  return new IisctlError('INVALID_ARGUMENT', message, { hint });
}
