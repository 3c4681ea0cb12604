/**
 * Bad input found by the CLI itself: exit 2, one line, the command's usage, nothing run.
 * In a module of its own so that the option checks and main.ts can throw it without loading
 * context.ts (which loads the library: `iisctl --help` must not).
 */
export class UsageError extends Error {
  constructor(message: string, readonly usage?: string) {
    super(message);
    this.name = 'UsageError';
  }
}
