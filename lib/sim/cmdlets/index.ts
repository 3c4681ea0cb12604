/**
 * The simulated Windows host's machine cmdlets and native commands, and the interpreter that
 * runs them. Every cmdlet of the 5.1 catalog that is not registered here or in core.ts fails
 * loudly with NotImplementedBySimulatedHost (interp/evaluator.ts).
 */
import { createInterpreter, type Interpreter } from '../interp';
import type { CmdletImpl, NativeImpl } from '../interp/types';
import type { PsErrorRecord } from '../errors';
import { serviceCmdlets } from './services';
import { processCmdlets } from './processes';
import { moduleCmdlets } from './modules';
import { eventCmdlets } from './eventlog';
import { itemCmdlets } from './items';
import { webAdminCmdlets } from './webadmin';
import { webConfigCmdlets } from './webconfig';
import { remotingCmdlets, setRemoteInterpreterFactory } from './remoting';
import { iisreset } from './iisreset';
import { scExe } from './sc';
import { commandCmdlets } from './commands';
import { clixmlCmdlets } from './clixml';
import { SimHost } from './simhost';

export const simCmdlets: Map<string, CmdletImpl> = new Map<string, CmdletImpl>([
  ...serviceCmdlets,
  ...processCmdlets,
  ...moduleCmdlets,
  ...eventCmdlets,
  ...itemCmdlets,
  ...webAdminCmdlets,
  ...webConfigCmdlets,
  ...remotingCmdlets,
  ...commandCmdlets,
  ...clixmlCmdlets,
]);

export const simNatives: Map<string, NativeImpl> = new Map<string, NativeImpl>([
  ['iisreset', iisreset],
  ['sc.exe', scExe],
]);

export interface SimInterpreterOptions {
  host: SimHost;
  computerName: string;
  userName?: string;
  userDomainName?: string;
  /** $PID (the simulated host's own process id; named mutexes are owned by it). */
  processId?: number;
  /** The process's environment (default: this Node process's; see InterpreterOptions). */
  environment?: Record<string, string | undefined>;
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
  onError?: (rec: PsErrorRecord) => void;
}

export function createSimInterpreter(o: SimInterpreterOptions): Interpreter {
  return createInterpreter({ cmdlets: simCmdlets, nativeCommands: simNatives, host: o.host, now: () => o.host.now(), sleep: (ms) => o.host.sleep(ms), computerName: o.computerName, userName: o.userName, userDomainName: o.userDomainName, processId: o.processId, environment: o.environment, onStdout: o.onStdout, onStderr: o.onStderr, onError: o.onError });
}

export { SimHost };

setRemoteInterpreterFactory((host, computerName, onStdout, onError) => createSimInterpreter({ host, computerName, onStdout, onError }));
