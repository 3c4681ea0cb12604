/**
 * The CLI's wording of the library's hints (lib/hints.ts, same keys): flags and commands instead
 * of options and methods. TypeScript makes every library hint have its CLI wording here.
 */
import { HintKey, hintKeyOf } from '../hints';

const CLI_HINTS: Record<HintKey, string> = {
  stopTimedOut: 'Raise --timeout, or add --force to terminate the IIS processes (sessions are lost).',
  backupFailed: 'Fix the cause, or terminate without a backup: add --no-backup.',
  disabled: 'Run `iisctl enable` on purpose first if the operation really is wanted.',
  iisNotRunning: 'Start IIS first: iisctl start (or heal NAME, whose restart-iis rung starts IIS).',
  lockWaited: 'Try again once it has finished, or raise --lock-timeout.',
  lockNoWait: 'Try again once it has finished, or wait for it (drop --no-wait-lock).',
  checkState: 'Check the state of the host (iisctl status) and run the command again if needed.',
  recycleStopped: 'Start it first: iisctl pool start NAME.',
  poolStopTimedOut: "Raise --timeout, or add --force to terminate only these pools' worker processes.",
  exactNames: "Names are matched exactly; for a wildcard use --match 'pattern*'.",
  listPools: 'iisctl pool list shows the pools.',
  listBackups: 'iisctl backup list shows the backups.',
  healNeedsForce: 'The rungs that kill processes were skipped: add --force.',
  recoveryBlocksForce: 'Change the recovery actions (iisctl recovery disable), or stop without --force.',
  noPowerShell: 'Install PowerShell, set IISCTL_POWERSHELL to its path, or use --simulate.',
};

/** The hint to show on the command line for a library error's hint. */
export function cliHint(hint: string | undefined): string | undefined {
  const key = hintKeyOf(hint);
  return key ? CLI_HINTS[key] : hint;
}
