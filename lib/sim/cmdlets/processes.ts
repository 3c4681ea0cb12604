/**
 * Get-Process / Stop-Process over the machine's process table. Killing a service host ends its
 * services (SCM 7031/7034), killing a w3wp is a worker failure (WAS 5009) — machine/processes.ts.
 * Messages: the ProcessCommandException texts of 5.1 (ProcessResources: NoProcessFoundForGivenId
 * "Cannot find a process with the process identifier {1}.", NoProcessFoundForGivenName "Cannot find
 * a process with the name "{0}". Verify the process name and call the cmdlet again.",
 * CouldNotStopProcess "Cannot stop process "{0} ({1})" because of the following error: {2}").
 */
import type { CmdletCall, CmdletImpl } from '../interp/types';
import { SimFault, type ProcessView } from '../machine';
import { type PsValue, toStr } from '../values';
import { toNumber } from '../interp/operators';
import { hostOf } from './simhost';
import { chain, dotnetObject, errorWith, hasWildcard, inputItems, likeAny, localDate, only, prop, strings } from './common';

const PCE = 'Microsoft.PowerShell.Commands.ProcessCommandException';

function processObject(p: ProcessView): PsValue {
  const o = dotnetObject(['System.Diagnostics.Process', 'System.ComponentModel.Component', 'System.MarshalByRefObject'], [
    ['Name', p.processName],
    ['Id', p.id],
    ['ProcessName', p.processName],
    ['StartTime', localDate(p.startTime)],
    ['WorkingSet64', p.workingSet],
    ['WorkingSet', p.workingSet],
    ['WS', p.workingSet],
    ['Path', `C:\\Windows\\system32\\${p.processName}.exe`],
    ['HasExited', false],
    ['SessionId', 0],
  ], () => `System.Diagnostics.Process (${p.processName})`);
  o.native = { pid: p.id };
  return o;
}

function idNotFound(call: CmdletCall, id: number): void {
  call.ctx.writeError(errorWith(chain({ type: PCE, message: `Cannot find a process with the process identifier ${id}.` }),
    `NoProcessFoundForGivenId,${call.ctx.cmdletTypeName}`, 'ObjectNotFound', id));
}
function nameNotFound(call: CmdletCall, name: string): void {
  call.ctx.writeError(errorWith(chain({ type: PCE, message: `Cannot find a process with the name "${name}". Verify the process name and call the cmdlet again.` }),
    `NoProcessFoundForGivenName,${call.ctx.cmdletTypeName}`, 'ObjectNotFound', name));
}

/** Processes selected by -Id / -Name / -InputObject, reporting the ones not found. */
function select(call: CmdletCall, all: ProcessView[]): ProcessView[] {
  const out: ProcessView[] = [];
  const add = (p: ProcessView) => out.includes(p) || out.push(p);
  if (call.params.has('Id')) {
    for (const id of strings(call.params.get('Id')).map(Number)) {
      const p = all.find((x) => x.id === id);
      if (p) add(p);
      else idNotFound(call, id);
    }
  } else if (call.params.has('Name')) {
    for (const n of strings(call.params.get('Name'))) {
      const hits = all.filter((x) => likeAny(x.processName, [n]));
      if (!hits.length && !hasWildcard(n)) nameNotFound(call, n);
      hits.forEach(add);
    }
  } else if (call.params.has('InputObject') || call.hasInput) {
    for (const item of inputItems(call)) {
      const id = toNumber(prop(item, 'Id') ?? null);
      const p = all.find((x) => x.id === id);
      if (p) add(p);
      else idNotFound(call, id);
    }
  } else all.forEach(add);
  return out.sort((a, b) => a.processName.localeCompare(b.processName) || a.id - b.id);
}

const getProcess: CmdletImpl = async (call) => {
  only(call, ['Name', 'Id', 'InputObject']);
  const all = await hostOf(call).use((m) => m.processes());
  return select(call, all).map(processObject);
};

const stopProcess: CmdletImpl = async (call) => {
  only(call, ['Id', 'Name', 'InputObject', 'Force', 'PassThru']);
  const host = hostOf(call);
  const targets = select(call, await host.use((m) => m.processes()));
  const out: PsValue[] = [];
  for (const p of targets) {
    if (call.ctx.whatIf) {
      call.ctx.writeHost(`What if: Performing the operation "Stop-Process" on target "${p.processName} (${p.id})".`);
      continue;
    }
    try {
      await host.use((m) => m.kill(p.id));
      if (call.params.get('PassThru') === true) out.push(processObject(p));
    } catch (e) {
      if (!(e instanceof SimFault)) throw e;
      if (e.kind === 'NotFound') idNotFound(call, p.id);
      else {
        call.ctx.writeError(errorWith(chain({ type: PCE, message: `Cannot stop process "${p.processName} (${p.id})" because of the following error: ${e.message.replace(/\.$/, '')}` }),
          `CouldNotStopProcess,${call.ctx.cmdletTypeName}`, 'CloseError', processObject(p)));
      }
    }
  }
  return out;
};

export const processCmdlets: Array<[string, CmdletImpl]> = [
  ['Get-Process', getProcess],
  ['Stop-Process', stopProcess],
];

export { toStr };
