/**
 * A command is pure: parameters in, a script body and a parser out. No I/O here, so every script
 * can be inspected (--dry-run), syntax-checked in tests, and run on any session.
 */
import type { PsCode } from '../powershell/quote';
import type { PowerShellSession, RunOptions } from '../powershell/session';

export interface PsCommand<T> {
  /** What the script does, for logs and dry runs. */
  purpose: string;
  /** The script body (wrapped by the envelope when run). */
  script: PsCode;
  /** Turns the envelope's data into a typed result; throws on a shape it does not expect. */
  parse(data: unknown): T;
}

export async function runCommand<T>(session: PowerShellSession, command: PsCommand<T>, options: RunOptions = {}): Promise<T> {
  const data = await session.run(command.script, { purpose: command.purpose, ...options });
  return command.parse(data);
}
