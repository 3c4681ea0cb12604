/**
 * New-Object for the two .NET types a PSCredential is built from, layered over the generic
 * New-Object (core.ts) so remoting's credential support stays in one place:
 * - System.Security.SecureString: AppendChar(char), MakeReadOnly(), IsReadOnly(), Length; the
 *   characters are never shown (ToString() is the type name, as in .NET);
 * - System.Management.Automation.PSCredential(string userName, SecureString password): UserName,
 *   Password. A password that is not a SecureString has no matching constructor ("Cannot find an
 *   overload for "PSCredential" and the argument count: "2"." is the 5.1 wording for a wrong
 *   argument count; used here for both, recalled).
 */
import type { CmdletImpl } from '../interp/types';
import { makeError } from '../errors';
import { PsObject, asList, toStr, type PsValue } from '../values';
import { coreCmdlets } from './core';

/** Each simulated SecureString's characters, for the pwsh engine's bridge only (secureStringText). */
const secureChars = new WeakMap<PsObject, string[]>();

/**
 * The characters of a simulated SecureString, or undefined for any other value: what the pwsh
 * engine's bridge (pwsh/bridge.ts) needs to build pwsh's own SecureString of an imported
 * credential; nothing else reads them.
 */
export function secureStringText(o: PsValue): string | undefined {
  const chars = o instanceof PsObject ? secureChars.get(o) : undefined;
  return chars?.join('');
}

/** A SecureString; `text` its characters (Import-Clixml's decrypted password, cmdlets/clixml.ts). */
export function secureString(text = ''): PsObject {
  const chars: string[] = text.split('');
  let readOnly = false;
  const o = new PsObject(['System.Security.SecureString', 'System.Object'], () => 'System.Security.SecureString');
  o.addProperty('Length', () => chars.length);
  o.addMethod('AppendChar', (a) => {
    if (readOnly) throw new Error('Instance is read-only.');
    chars.push(toStr(a[0] ?? null));
    return null;
  });
  o.addMethod('MakeReadOnly', () => {
    readOnly = true;
    return null;
  });
  o.addMethod('IsReadOnly', () => readOnly);
  secureChars.set(o, chars);
  return o;
}

export const newObjectWithCredentials: CmdletImpl = (call) => {
  const t = toStr(call.params.get('TypeName') ?? null).toLowerCase().replace(/^system\./, '');
  if (t !== 'security.securestring' && t !== 'management.automation.pscredential') {
    const generic = coreCmdlets.get('New-Object') ?? coreCmdlets.get('new-object');
    if (!generic) throw new Error('generic New-Object missing');
    return generic(call);
  }
  if (call.params.has('Property')) {
    return call.ctx.throwTerminating(makeError('System.NotSupportedException', 'The simulated host does not implement -Property for this type (iisctl simulator).', `NotImplementedBySimulatedHost,${call.ctx.cmdletTypeName}`, 'NotImplemented'));
  }
  if (t === 'security.securestring') return [secureString()];
  const args = asList(call.params.get('ArgumentList') ?? null);
  const pw = args[1];
  if (args.length !== 2 || !(pw instanceof PsObject && pw.typeNames[0] === 'System.Security.SecureString')) {
    return call.ctx.throwTerminating(makeError('System.Management.Automation.MethodException', `Cannot find an overload for "PSCredential" and the argument count: "${args.length}".`,
      'ConstructorInvokedThrowException,Microsoft.PowerShell.Commands.NewObjectCommand', 'InvalidOperation'));
  }
  const user = toStr(args[0] ?? null);
  const o = new PsObject(['System.Management.Automation.PSCredential', 'System.Object'], () => 'System.Management.Automation.PSCredential');
  o.addProperty('UserName', () => user);
  o.addProperty('Password', () => pw);
  return [o];
};
