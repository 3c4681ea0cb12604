/**
 * Running a command on another computer through PowerShell remoting (Invoke-Command -ComputerName,
 * WinRM: iis-reference.md 6). The body runs inside the remote script block with its own
 * $ErrorActionPreference='Stop' because remote terminating errors arrive as non-terminating ones;
 * -ErrorAction Stop on Invoke-Command turns them back into a terminating error for the envelope.
 */
import { invalidArgument } from '../errors';
import { ps, PsCode } from '../powershell/quote';
import type { PsCommand } from './command';

export function validateComputerName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw invalidArgument('A computer name is empty.');
  if (trimmed.length > 255) throw invalidArgument('A computer name is longer than 255 characters.');
  return trimmed;
}

export function onComputer<T>(computerName: string | undefined, command: PsCommand<T>): PsCommand<T> {
  if (computerName === undefined) return command;
  const target = validateComputerName(computerName);
  const body: PsCode = ps`Invoke-Command -ComputerName ${target} -ErrorAction Stop -ScriptBlock {
$ErrorActionPreference = 'Stop'
${command.script}
}`;
  return { purpose: `${command.purpose} on ${target}`, script: body, parse: command.parse };
}
