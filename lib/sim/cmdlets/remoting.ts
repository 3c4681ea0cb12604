/**
 * Invoke-Command -ComputerName (ref §6) and Restart-Computer.
 *
 * The script block runs on the other simulated computer in a fresh interpreter (a new runspace:
 * local variables are not visible there, as over WinRM). Its output objects get PSComputerName,
 * RunspaceId and PSShowComputerName; errors written there, and terminating errors ("treated as
 * non-terminating errors in a remote command", ref §6), are re-written here, so Invoke-Command's
 * own -ErrorAction / $ErrorActionPreference decide what happens.
 *
 * Unreachable computers: PSRemotingTransportException, OpenError, FullyQualifiedErrorId
 * WinRMOperationTimeout,PSSessionStateBroken with the WinRM text of ref §6; an unknown name is
 * ComputerNotFound,PSSessionStateBroken (FQEID from ref §6; its text "The WinRM client cannot
 * process the request because the server name cannot be resolved." is recalled, not sourced).
 */
import { randomUUID } from 'node:crypto';
import type { CmdletCall, CmdletImpl } from '../interp/types';
import type { Interpreter } from '../interp/evaluator';
import { PsTerminatingError, type PsErrorRecord } from '../errors';
import { SimFault } from '../machine';
import { PsObject, PsScriptBlock, type PsValue, asList, toStr } from '../values';
import { hostOf, type SimHost } from './simhost';
import { chain, errorWith, only, strings } from './common';

type Factory = (host: SimHost, computerName: string, onStdout: (t: string) => void, onError: (rec: PsErrorRecord) => void) => Interpreter;
let factory: Factory | undefined;
/** Set by cmdlets/index.ts (avoids an import cycle). */
export function setRemoteInterpreterFactory(f: Factory): void {
  factory = f;
}

const WINRM_TEXT = 'WinRM cannot complete the operation. Verify that the specified computer name is valid, that the computer is accessible over the network, and that a firewall exception for the WinRM service is enabled and allows access from this computer. By default, the WinRM firewall exception for public profiles limits access to remote computers within the same local subnet. For more information, see the about_Remote_Troubleshooting Help topic.';
const NOT_RESOLVED = 'The WinRM client cannot process the request because the server name cannot be resolved.';

function transportError(call: CmdletCall, name: string, fault: SimFault): void {
  const unknown = fault.reason === 'unknown-host';
  const rec = errorWith(chain({ type: 'System.Management.Automation.Remoting.PSRemotingTransportException', message: `Connecting to remote server ${name} failed with the following error message : ${unknown ? NOT_RESOLVED : WINRM_TEXT}` }),
    unknown ? 'ComputerNotFound,PSSessionStateBroken' : 'WinRMOperationTimeout,PSSessionStateBroken', 'OpenError', name);
  rec.commandName = '';
  rec.activity = '';
  call.ctx.writeError(rec);
}

function tag(v: PsValue, computer: string, runspace: string): PsValue {
  if (!(v instanceof PsObject)) return v; // primitives keep their value (their ETS notes are not modelled)
  const o = new PsObject(v.typeNames.map((t, i) => (i === 0 && !v.isCustom ? `Deserialized.${t}` : t)), v.toStringImpl);
  for (const n of v.propertyNames()) o.addNote(n, v.getProperty(n) ?? null);
  o.addNote('PSComputerName', computer);
  o.addNote('RunspaceId', runspace);
  o.addNote('PSShowComputerName', true);
  return o;
}

const invokeCommand: CmdletImpl = async (call) => {
  only(call, ['ComputerName', 'ScriptBlock', 'ArgumentList', 'HideComputerName']);
  const sb = call.params.get('ScriptBlock');
  if (!(sb instanceof PsScriptBlock)) return [];
  const args = asList(call.params.get('ArgumentList') ?? null);
  if (!call.params.has('ComputerName')) return call.ctx.invokeScriptBlock(sb, args);
  const host = hostOf(call);
  const out: PsValue[] = [];
  for (const name of strings(call.params.get('ComputerName'))) {
    let computer: string;
    try {
      computer = await host.use((_m, world) => {
        const m = world.connect(name);
        world.recordCommand(sb.text, m.name);
        return m.name;
      });
    } catch (e) {
      if (e instanceof SimFault && e.kind === 'Unreachable') {
        transportError(call, name, e);
        continue;
      }
      throw e;
    }
    if (!factory) throw new Error('remote interpreter factory not set');
    // Only what the remote command wrote to its error stream travels back (an error silenced with
    // -ErrorAction SilentlyContinue is in the remote $Error but never sent).
    const written: PsErrorRecord[] = [];
    const remote = factory(host.forComputer(computer), computer, (t) => call.ctx.writeHost(t.replace(/\r?\n$/, '')), (rec) => written.push(rec));
    const runspace = randomUUID();
    let results: PsValue[] = [];
    let terminating: PsTerminatingError | undefined;
    try {
      results = await remote.invokeScriptBlock(sb, args, { dotSource: false });
    } catch (e) {
      if (e instanceof PsTerminatingError) terminating = e;
      else throw e;
    }
    out.push(...results.map((v) => tag(v, name, runspace)));
    for (const rec of written) call.ctx.writeError({ ...rec });
    if (terminating) call.ctx.writeError({ ...terminating.record });
  }
  return out;
};

/** Restart-Computer [-ComputerName] [-Force]: the machine reboots (services stop, boot later). */
const restartComputer: CmdletImpl = async (call) => {
  only(call, ['ComputerName', 'Force']);
  const host = hostOf(call);
  const names = call.params.has('ComputerName') ? strings(call.params.get('ComputerName')) : [null];
  for (const name of names) {
    try {
      await host.use((m, world) => (name === null ? m : world.connect(name)).reboot());
    } catch (e) {
      if (!(e instanceof SimFault)) throw e;
      // "Failed to restart the computer {0} with the following error message: {1}." (as recalled).
      call.ctx.writeError(errorWith(chain({ type: 'System.InvalidOperationException', message: `Failed to restart the computer ${name ?? call.ctx.computerName} with the following error message: ${e.message}` }),
        `RestartcomputerFailed,${call.ctx.cmdletTypeName}`, 'OperationStopped', name ?? call.ctx.computerName));
    }
  }
  return [];
};

export const remotingCmdlets: Array<[string, CmdletImpl]> = [
  ['Invoke-Command', invokeCommand],
  ['Restart-Computer', restartComputer],
];

export { toStr };
