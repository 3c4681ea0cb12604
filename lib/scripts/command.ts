/**
 * A command is pure: parameters in, a script body and a parser out. No I/O here, so every script
 * can be inspected (--dry-run), syntax-checked in tests, and run on any session.
 */
import { ps, type PsCode } from '../powershell/quote';
import type { PowerShellSession, RunOptions } from '../powershell/session';

export interface PsCommand<T> {
  /** What the script does, for logs and dry runs. */
  purpose: string;
  /** The script body (wrapped by the envelope when run). */
  script: PsCode;
  /** Turns the envelope's data into a typed result; throws on a shape it does not expect. */
  parse(data: unknown): T;
  /** The longest the script waits on the host on purpose (scripts/wait.ts): its call gets this on top of the session's deadline. */
  waitsMs?: number;
}

export async function runCommand<T>(session: PowerShellSession, command: PsCommand<T>, options: RunOptions = {}): Promise<T> {
  const data = await session.run(command.script, { purpose: command.purpose, waitsMs: command.waitsMs, ...options });
  return command.parse(data);
}

/**
 * A native command's stdout and stderr lines as strings, never an error: under the envelope's
 * $ErrorActionPreference='Stop', Windows PowerShell 5.1 turns the first redirected stderr line
 * into a terminating NativeCommandError (PowerShell 7.2 stopped applying the preference to
 * stderr: PSNotApplyErrorActionToStderr, PowerShell/PowerShell issue #3996, pull request #13361;
 * about_Redirection), so the preference is lowered inside a child scope for that call only.
 * The caller judges the command by $LASTEXITCODE (global, set by the call) and a read-back.
 */
export function nativeLines(call: PsCode): PsCode {
  return ps`@(& { $ErrorActionPreference = 'Continue'; ${call} 2>&1 } | ForEach-Object { [string]$_ })`;
}
