/**
 * Import-Clixml for the file a credential is kept in (`Get-Credential | Export-Clixml -Path FILE`),
 * and the simulated host's model of its protection.
 *
 * The file: CLIXML as Export-Clixml writes it (seen with pwsh 7.6: <Objs Version="1.1.0.1"
 * xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj RefId="0"><TN RefId="0">
 * <T>System.Management.Automation.PSCredential</T><T>System.Object</T></TN><ToString>...</ToString>
 * <Props><S N="UserName">u</S><SS N="Password">hex</SS></Props></Obj></Objs>). The encoding comes
 * from the byte-order mark, UTF-8 without one (Import-Clixml, learn.microsoft.com). Read from the
 * disk of the computer the simulator runs on: the path is the caller's.
 *
 * The password (<SS>): on Windows the hex of a DPAPI blob (SecureStringHelper.Protect,
 * ProtectedData.Protect with DataProtectionScope.CurrentUser, PowerShell repository); "The exported
 * CLIXML file can't be used on a different computer or by a different user" (Import-Clixml,
 * Example 2). The simulated host cannot do DPAPI: it decrypts only its own blob (simulatedProtect),
 * bound to an account and a computer, and only for the simulated host's own account on its own
 * computer. Anything else is refused with CryptographicException: "Key not valid for use in
 * specified state." for a blob of another account or computer (the text public 5.1 reports show,
 * e.g. https://github.com/microsoft/CSS-Exchange/issues/2322), "The data is invalid." for bytes that are no blob
 * (recalled wording of ERROR_INVALID_DATA). So a file pwsh writes on Linux (plain UTF-16 hex) is
 * refused, as Windows refuses it.
 *
 * Modelled: top-level <S>, <I32>, <B>, <Nil/>, and <Obj> with <TN>/<TNRef>, <ToString>, <Props>/<MS>
 * of those and <SS>. A PSCredential comes back live (pwsh 7.6 gives a PSCredential; the documented
 * 5.1 example passes it to -Credential); any other object as a property bag whose type names
 * start with "Deserialized." (Import-Clixml, Example 3). Other CLIXML is refused loudly.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { CmdletCall, CmdletImpl } from '../interp/types';
import { PsObject, type PsValue, toStr } from '../values';
import { hostOf } from './simhost';
import { chain, errorWith, hasWildcard, notImplemented, only, strings } from './common';
import { secureString } from './credentials';

const PREFIX = 'IISCTL-SIMULATED-DPAPI';

/** The simulated host's DPAPI blob of a password for an account on a computer, as <SS> hex. */
export function simulatedProtect(password: string, account: string, computer: string): string {
  return Buffer.from(`${PREFIX}|${account.toUpperCase()}|${computer.toUpperCase()}|${password}`, 'utf16le').toString('hex');
}

/** The CLIXML of a PSCredential whose password the simulated host of `account` on `computer` can decrypt. */
export function simulatedCredentialXml(userName: string, password: string, account: string, computer: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [
    '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">',
    '  <Obj RefId="0">',
    '    <TN RefId="0">',
    '      <T>System.Management.Automation.PSCredential</T>',
    '      <T>System.Object</T>',
    '    </TN>',
    '    <ToString>System.Management.Automation.PSCredential</ToString>',
    '    <Props>',
    `      <S N="UserName">${esc(userName)}</S>`,
    `      <SS N="Password">${simulatedProtect(password, account, computer)}</SS>`,
    '    </Props>',
    '  </Obj>',
    '</Objs>',
  ].join('\r\n');
}

/** Writes a credential file the simulated host of `account` on `computer` can read (UTF-16LE with a BOM, Export-Clixml -Encoding Unicode). */
export function writeSimulatedCredentialFile(file: string, credential: { userName: string; password: string }, owner: { account: string; computer: string }): void {
  fs.writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(simulatedCredentialXml(credential.userName, credential.password, owner.account, owner.computer), 'utf16le')]));
}

interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

class NotXml extends Error {}
class Unmodelled extends Error {}

/** Text by the byte-order mark; UTF-8 without one. */
function decode(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  return bytes.toString('utf8');
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g, (_m, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(parseInt(e.slice(1), 10)) : ENTITIES[e]);
}

/** A small XML reader for the subset above: elements, attributes, text; no DTD, CDATA or comments. */
function parseXml(text: string): XmlNode {
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  skipSpace();
  if (text.startsWith('<?xml', i)) {
    const end = text.indexOf('?>', i);
    if (end < 0) throw new Unmodelled('declaration');
    i = end + 2;
    skipSpace();
  }
  // XmlReader's own words for text where the root element should start.
  if (text[i] !== '<') throw new NotXml('Data at the root level is invalid. Line 1, position 1.');
  const element = (): XmlNode => {
    const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*"[^"]*")*)\s*(\/?)>/.exec(text.slice(i));
    if (!m) throw new Unmodelled('markup');
    i += m[0].length;
    const attrs: Record<string, string> = {};
    for (const a of m[2].matchAll(/([\w.:-]+)\s*=\s*"([^"]*)"/g)) attrs[a[1]] = unescapeXml(a[2]);
    const node: XmlNode = { name: m[1], attrs, children: [], text: '' };
    if (m[3]) return node;
    for (;;) {
      const lt = text.indexOf('<', i);
      if (lt < 0) throw new Unmodelled('unclosed element');
      node.text += unescapeXml(text.slice(i, lt));
      i = lt;
      if (text.startsWith(`</${node.name}`, i)) {
        const close = /^<\/[\w.:-]+\s*>/.exec(text.slice(i));
        if (!close) throw new Unmodelled('end tag');
        i += close[0].length;
        return node;
      }
      if (text.startsWith('<!', i) || text.startsWith('<?', i)) throw new Unmodelled('comment, CDATA or processing instruction');
      node.children.push(element());
    }
  };
  const root = element();
  skipSpace();
  if (i !== text.length) throw new Unmodelled('content after the root element');
  return root;
}

/** PowerShell's serializer escapes characters XML cannot hold as _xHHHH_ (serialization.cs, EncodeString). */
function decodeString(s: string): string {
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

class Refusal extends Error {
  constructor(readonly type: string, message: string, readonly hresult?: number) {
    super(message);
  }
}

/** SecureStringHelper.Unprotect on the simulated host (see the header). */
function unprotect(hex: string, account: string, computer: string): PsObject {
  // SecureStringHelper.Unprotect: "The parameter value "{0}" is not a valid encrypted string." for
  // an odd length (Serialization.resx InvalidEncryptedString); byte.Parse of each pair otherwise.
  if (hex.length % 2 !== 0) throw new Refusal('System.Management.Automation.PSArgumentException', `The parameter value "${hex}" is not a valid encrypted string.`);
  if (!/^[0-9A-Fa-f]*$/.test(hex)) throw new Refusal('System.FormatException', 'Input string was not in a correct format.');
  const text = Buffer.from(hex, 'hex').toString('utf16le');
  const parts = text.split('|');
  // NTE_BAD_KEY_STATE 0x8009000B (winerror.h) behind "Key not valid for use in specified state.".
  if (parts[0] !== PREFIX || parts.length < 4) throw new Refusal('System.Security.Cryptography.CryptographicException', 'The data is invalid.', 0x8007000d | 0);
  if (parts[1] !== account.toUpperCase() || parts[2] !== computer.toUpperCase()) {
    throw new Refusal('System.Security.Cryptography.CryptographicException', 'Key not valid for use in specified state.', 0x8009000b | 0);
  }
  return secureString(parts.slice(3).join('|'));
}

function value(node: XmlNode, owner: { account: string; computer: string }, typeNames: Map<string, string[]>): PsValue {
  switch (node.name) {
    case 'S':
      return decodeString(node.text);
    case 'I32':
      return parseInt(node.text, 10);
    case 'B':
      return node.text.trim() === 'true';
    case 'Nil':
      return null;
    case 'SS':
      return unprotect(node.text.trim(), owner.account, owner.computer);
    case 'Obj': {
      let names: string[] | undefined;
      const props: Array<[string, PsValue]> = [];
      for (const c of node.children) {
        if (c.name === 'TN') {
          names = c.children.filter((t) => t.name === 'T').map((t) => decodeString(t.text));
          if (c.attrs.RefId !== undefined) typeNames.set(c.attrs.RefId, names);
        } else if (c.name === 'TNRef') {
          names = typeNames.get(c.attrs.RefId ?? '');
          if (!names) throw new Unmodelled('TNRef to an unknown RefId');
        } else if (c.name === 'Props' || c.name === 'MS') {
          for (const p of c.children) {
            if (p.attrs.N === undefined) throw new Unmodelled('property without a name');
            props.push([decodeString(p.attrs.N), value(p, owner, typeNames)]);
          }
        } else if (c.name !== 'ToString') throw new Unmodelled(`<${c.name}>`);
      }
      const types = names ?? [];
      if (types[0] === 'System.Management.Automation.PSCredential') {
        const user = props.find(([n]) => n === 'UserName')?.[1];
        const pw = props.find(([n]) => n === 'Password')?.[1];
        if (typeof user !== 'string' || !(pw instanceof PsObject)) throw new Unmodelled('a PSCredential without UserName and Password');
        return credentialObject(user, pw);
      }
      const o = new PsObject(types.map((t) => `Deserialized.${t}`), () => (types.length ? `@{${props.map(([n, v]) => `${n}=${toStr(v)}`).join('; ')}}` : ''));
      for (const [n, v] of props) o.addNote(n, v);
      return o;
    }
    default:
      throw new Unmodelled(`<${node.name}>`);
  }
}

function credentialObject(user: string, password: PsObject): PsObject {
  const o = new PsObject(['System.Management.Automation.PSCredential', 'System.Object'], () => 'System.Management.Automation.PSCredential');
  o.addProperty('UserName', () => user);
  o.addProperty('Password', () => password);
  return o;
}

function fail(call: CmdletCall, type: string, message: string, category: 'OpenError' | 'NotSpecified' | 'PermissionDenied', hresult?: number): void {
  // FullyQualifiedErrorIds and categories as pwsh 7.6 reports them: FileOpenFailure/OpenError for
  // a missing file, "<exception type>,...ImportClixmlCommand"/NotSpecified for what the
  // deserializer throws (also the 5.1 CategoryInfo of public reports: "NotSpecified: (:)
  // [Import-Clixml], CryptographicException").
  const id = category === 'OpenError' ? 'FileOpenFailure' : type;
  call.ctx.writeError(errorWith(chain({ type, message, hresult }), `${id},${call.ctx.cmdletTypeName}`, category));
}

const importClixml: CmdletImpl = async (call) => {
  only(call, ['Path', 'LiteralPath']);
  const literal = call.params.has('LiteralPath');
  const paths = strings(call.params.get(literal ? 'LiteralPath' : 'Path'));
  const owner = await hostOf(call).use((m) => ({ account: m.user.name, computer: m.name }));
  const out: PsValue[] = [];
  for (const p of paths) {
    if (!literal && hasWildcard(p)) notImplemented(call, 'wildcards in -Path of Import-Clixml');
    const full = nodePath.resolve(p);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(full);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // .NET's FileNotFoundException text, as pwsh 7.6 shows it ("Could not find file '<full path>'."; HResult 0x80070002).
      if (code === 'ENOENT') fail(call, 'System.IO.FileNotFoundException', `Could not find file '${full}'.`, 'OpenError', 0x80070002 | 0);
      // .NET's UnauthorizedAccessException text (recalled), HResult E_ACCESSDENIED.
      else if (code === 'EACCES' || code === 'EPERM') fail(call, 'System.UnauthorizedAccessException', `Access to the path '${full}' is denied.`, 'OpenError', 0x80070005 | 0);
      else notImplemented(call, `reading '${full}' (${code ?? 'error'})`);
      continue;
    }
    try {
      const root = parseXml(decode(bytes));
      if (root.name !== 'Objs') throw new Unmodelled(`root <${root.name}>`);
      const typeNames = new Map<string, string[]>();
      for (const c of root.children) out.push(value(c, owner, typeNames));
    } catch (e) {
      // System.Xml.XmlException's HResult is COR_E_XML 0x80131940 (pwsh 7.6).
      if (e instanceof NotXml) fail(call, 'System.Xml.XmlException', e.message, 'NotSpecified', 0x80131940 | 0);
      else if (e instanceof Refusal) fail(call, e.type, e.message, 'NotSpecified', e.hresult);
      else if (e instanceof Unmodelled) notImplemented(call, `this CLIXML (${e.message}) in Import-Clixml`);
      else throw e;
    }
  }
  return out;
};

export const clixmlCmdlets = new Map<string, CmdletImpl>([['Import-Clixml', importClixml]]);
