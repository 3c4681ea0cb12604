/**
 * Public entry of the simulated host's PowerShell language layer.
 *
 *   const interp = createInterpreter({ cmdlets: iisCmdlets, nativeCommands: natives, host: machine });
 *   const { stdout, stderr, exitCode } = await interp.runLine(line);
 *
 * `cmdlets` registered here are merged over the generic ones (lib/sim/cmdlets/core.ts); every name
 * must exist in the 5.1 catalog (cmdlets.json) and is bound against its documented parameter sets.
 */
import { Catalog } from '../catalog';
import { coreCmdlets } from '../cmdlets/core';
import { Interpreter, InterpreterOptions, RunResult } from './evaluator';
import type { CmdletImpl } from './types';

export { Interpreter };
export type { InterpreterOptions, RunResult };
export type { CmdletContext, CmdletCall, CmdletImpl, NativeCall, NativeImpl, NativeResult } from './types';
export type { BoundParams, BindResult, CommandArg } from '../catalog';
export { Catalog } from '../catalog';
export { coreCmdlets } from '../cmdlets/core';

/** An interpreter with the generic cmdlets plus `opts.cmdlets` (which win on name clashes). */
export function createInterpreter(opts: Partial<InterpreterOptions> & { cmdlets?: Map<string, CmdletImpl> } = {}): Interpreter {
  const catalog = opts.catalog ?? Catalog.load();
  const cmdlets = new Map<string, CmdletImpl>(coreCmdlets);
  for (const [k, v] of opts.cmdlets ?? []) cmdlets.set(catalog.resolve(k) ?? k, v);
  return new Interpreter({ ...opts, catalog, cmdlets });
}
