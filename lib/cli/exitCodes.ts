/**
 * The CLI's documented exit codes (README "Exit codes", `iisctl --help`), and how IisctlError
 * codes map onto them. The library never exits; this table is the only place that decides.
 *
 * Decisions:
 * - SESSION_TIMEOUT -> 1, not 3: exit 3 promises "the operation ran out of time, nothing was
 *   forced, and the state left behind is known and reported". A PowerShell call that hung was
 *   killed mid-way; what it did is unknown.
 * - TRANSIENT -> 1: a retryable failure that outlived --retries is a failure.
 * - SESSION_DIED -> 1; POWERSHELL_UNAVAILABLE -> 7 (nothing could be run on the host).
 * - SESSION_CLOSED -> 1: a call on a connection its caller closed is a programming error of the
 *   caller (the CLI never does it); an operation close() cut short is CANCELLED (130).
 * - CANCELLED -> 130 (128 + SIGINT, what shells show for Ctrl-C): iisctl stopped waiting at the
 *   user's request, read the state back and reported it; it is not a failure of the host.
 * - CREDENTIAL_FILE -> 2: an unusable --credential-file is bad input, found before anything was
 *   sent to the remote host (the file is read when the first PSSession is made).
 * - LOCKED -> 9, its own code: "another iisctl is busy with this host, nothing was changed" is the
 *   one failure a scheduled task should simply retry later; folding it into 1 would hide that, and
 *   6 (disabled) means a person decided to block restarts.
 */
import type { ErrorCode } from '../errors';

export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  TIMEOUT: 3,
  NOT_FOUND: 4,
  ACCESS_DENIED: 5,
  DISABLED: 6,
  UNREACHABLE: 7,
  PARTIAL: 8,
  LOCKED: 9,
  /** 128 + SIGINT, as shells report a run ended by Ctrl-C. */
  CANCELLED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const BY_ERROR_CODE: Record<ErrorCode, ExitCode> = {
  INVALID_ARGUMENT: EXIT.USAGE,
  CREDENTIAL_FILE: EXIT.USAGE,
  TIMEOUT: EXIT.TIMEOUT,
  NOT_FOUND: EXIT.NOT_FOUND,
  ACCESS_DENIED: EXIT.ACCESS_DENIED,
  DISABLED: EXIT.DISABLED,
  UNREACHABLE: EXIT.UNREACHABLE,
  POWERSHELL_UNAVAILABLE: EXIT.UNREACHABLE,
  SESSION_TIMEOUT: EXIT.FAILED,
  SESSION_DIED: EXIT.FAILED,
  SESSION_CLOSED: EXIT.FAILED,
  TRANSIENT: EXIT.FAILED,
  FAILED: EXIT.FAILED,
  LOCKED: EXIT.LOCKED,
  CANCELLED: EXIT.CANCELLED,
};

export function exitCodeOf(code: ErrorCode | undefined): ExitCode {
  return code === undefined ? EXIT.FAILED : BY_ERROR_CODE[code];
}

/** The exit-code table as printed at the end of `iisctl --help`. */
export const EXIT_CODE_HELP = [
  'Exit codes:',
  '  0  success',
  '  1  failed (also: a PowerShell call hung or its process died, retries ran out, an unexpected error)',
  '  2  invalid usage or input, also an unusable --credential-file (nothing was changed on any host)',
  '  3  timed out, nothing forced (the state left behind is reported)',
  '  4  not found',
  '  5  access denied / not elevated',
  '  6  restarts are disabled on the host (iisctl enable)',
  '  7  host unreachable or PowerShell unavailable',
  '  8  partial success: some of several --computer hosts failed',
  '  9  locked: another iisctl holds the host lock (nothing was changed; try again later)',
  '  130 interrupted (Ctrl-C, SIGTERM, SIGHUP: console or ssh session closed, SIGBREAK):',
  '      stopped waiting; the state left behind is read back, reported and audited',
].join('\n');
