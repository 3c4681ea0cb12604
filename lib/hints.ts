/**
 * The hints of the library's errors that name a way out, in the library's own words (its options
 * and methods, never a command-line flag). The CLI words each of them its own way
 * (lib/cli/hints.ts, keyed the same): a hint always names what the reader can type.
 */
export const HINTS = {
  stopTimedOut: 'Raise timeoutSeconds, or pass force: true to terminate the IIS processes (sessions are lost).',
  backupFailed: 'Fix the cause, or terminate without a backup: skipBackup: true.',
  disabled: 'Call enable() on purpose first if the operation really is wanted.',
  iisNotRunning: 'Start IIS first (start()), or pass ensureServices: true to start WAS and W3SVC automatically.',
  lockWaited: 'Try again once it has finished, or raise lock.timeoutSeconds.',
  lockNoWait: 'Try again once it has finished, or wait for it (lock: { wait: true }).',
  checkState: 'Check the state of the host (status()) and run the operation again if needed.',
  recycleStopped: 'Start it, or pass startIfStopped: true to start a stopped pool instead of recycling it.',
  poolStopTimedOut: "Raise timeoutSeconds, or pass force: true to terminate only these pools' worker processes.",
  exactNames: "Names are matched exactly; for a wildcard use a selector { match: 'pattern*' }.",
  listPools: 'appPools.list() shows the pools.',
  listBackups: 'backups.list() shows the backups.',
  healNeedsForce: 'The rungs that kill processes were skipped: they need force: true.',
  recoveryBlocksForce: 'Change the recovery actions (recovery.disable()), or stop without force.',
  noPowerShell: 'Install PowerShell, pass an explicit executable (the powershell option or IISCTL_POWERSHELL), or simulate: true.',
} as const;

export type HintKey = keyof typeof HINTS;

/** The key of a library hint, when the text is one of HINTS. */
export function hintKeyOf(text: string | undefined): HintKey | undefined {
  if (text === undefined) return undefined;
  return (Object.keys(HINTS) as HintKey[]).find((k) => HINTS[k] === text);
}
