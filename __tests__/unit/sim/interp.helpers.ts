import { toSingleLine } from '../../../lib/powershell/envelope';
import { createInterpreter, Interpreter, RunResult } from '../../../lib/sim/interp';
import type { CmdletImpl, NativeImpl } from '../../../lib/sim/interp';

/** The one-line wrapper, as the library sends it (lib/powershell/envelope.ts toSingleLine). */
export function wrap(script: string): string {
  return toSingleLine(script);
}

export function newInterp(extra: { cmdlets?: Map<string, CmdletImpl>; natives?: Map<string, NativeImpl> } = {}): Interpreter {
  return createInterpreter({ cmdlets: extra.cmdlets, nativeCommands: extra.natives, computerName: 'WEB01', sleep: async () => undefined });
}

/** Runs a multi-line script through the wrapper, like the library does. */
export async function run(script: string, interp: Interpreter = newInterp()): Promise<RunResult> {
  return interp.runLine(wrap(script));
}

/** stdout lines of a script that must not fail. */
export async function out(script: string, interp?: Interpreter): Promise<string[]> {
  const r = await run(script, interp);
  if (r.stderr) throw new Error('unexpected stderr:\n' + r.stderr);
  return r.stdout.split('\n').filter((l, i, a) => !(i === a.length - 1 && l === ''));
}

/** JSON value of `expr` after running `setup` (compressed 5.1 ConvertTo-Json of -InputObject). */
export async function json(expr: string, setup = '', interp?: Interpreter): Promise<unknown> {
  const lines = await out(`${setup}\n$__v = ${expr}\n[Console]::Out.WriteLine((ConvertTo-Json -InputObject $__v -Depth 10 -Compress))`, interp);
  return JSON.parse(lines.join('\n'));
}
