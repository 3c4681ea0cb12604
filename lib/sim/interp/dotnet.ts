import type { PsExceptionInfo } from '../errors';
/**
 * The .NET surface scripts may touch: instance members of simulated values (string methods,
 * .Count/.Length, hashtable members, DateTime members, GetType()) and the static members of the
 * few types the library uses ([Console], [Convert], [Text.Encoding], [regex], [datetime],
 * [Environment], [scriptblock], [Globalization.*]). Anything else is NotSupported (a loud error).
 */
import {
  PsBytes, PsChar, PsDateTime, PsEnum, PsHashtable, PsInt64, PsObject, PsScriptBlock, PsType, PsValue,
  dateToCultureString, exactInteger, formatDate, integral, isArray, numberToString, toStr, typeNameOf,
} from '../values';
import { canonicalTypeName, convertTo, escapeRegex, netRegex, parseDate, toNumber } from './operators';
import { formatItem } from './strings';

/** Thrown for a member the simulated host does not model (reported as an error record). */
export class NotSupported extends Error {}

/** A .NET method threw: becomes MethodInvocationException ("Exception calling ..."). */
export class MethodFailure extends Error {
  /** `inner` is the exception under the one the method threw (e.g. a Win32Exception). */
  constructor(message: string, public readonly innerType: string, public readonly inner?: PsExceptionInfo) {
    super(message);
  }
}

/** Callbacks the static members need from the interpreter. */
export interface HostHooks {
  writeStdout(text: string): void;
  writeStderr(text: string): void;
  createScriptBlock(source: string): Promise<PsScriptBlock>;
  invokeScriptBlock(sb: PsScriptBlock, args: PsValue[]): Promise<PsValue[]>;
  setOutputEncoding(enc: PsValue): void;
  outputEncoding(): PsValue;
  machineName: string;
  /** The process's environment variables (changed in place by SetEnvironmentVariable). */
  environment: Record<string, string | undefined>;
  userName: string;
  userDomainName: string;
  now(): number;
}

export function typeObject(fullName: string): PsObject {
  const o = new PsObject(['System.RuntimeType', 'System.Type', 'System.Object'], () => fullName);
  o.addProperty('FullName', () => fullName);
  o.addProperty('Name', () => fullName.slice(fullName.lastIndexOf('.') + 1));
  return o;
}

function encodingObject(name: 'UTF8' | 'Unicode' | 'ASCII', bom = true): PsObject {
  const typeName = name === 'UTF8' ? 'System.Text.UTF8Encoding' : name === 'Unicode' ? 'System.Text.UnicodeEncoding' : 'System.Text.ASCIIEncoding';
  const nodeEnc: BufferEncoding = name === 'UTF8' ? 'utf8' : name === 'Unicode' ? 'utf16le' : 'latin1';
  const o = new PsObject([typeName, 'System.Text.Encoding', 'System.Object'], () => typeName);
  o.addProperty('WebName', () => (name === 'UTF8' ? 'utf-8' : name === 'Unicode' ? 'utf-16' : 'us-ascii'));
  o.addProperty('EncodingName', () => (name === 'UTF8' ? 'Unicode (UTF-8)' : name === 'Unicode' ? 'Unicode' : 'US-ASCII'));
  o.addMethod('GetString', (args) => {
    const b = args[0];
    if (b instanceof PsBytes) return b.bytes.toString(nodeEnc);
    if (isArray(b)) return Buffer.from(b.map((x) => toNumber(x))).toString(nodeEnc);
    throw new MethodFailure('Array cannot be null.\r\nParameter name: bytes', 'System.ArgumentNullException');
  });
  o.addMethod('GetBytes', (args) => new PsBytes(Buffer.from(toStr(args[0]), nodeEnc)));
  o.addMethod('GetPreamble', () => new PsBytes(bom && name === 'UTF8' ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0)));
  o.native = { encoding: name, bom };
  return o;
}

export function newUtf8Encoding(emitBom: boolean): PsObject {
  return encodingObject('UTF8', emitBom);
}

function textWriter(write: (s: string) => void): PsObject {
  const o = new PsObject(['System.IO.TextWriter', 'System.Object']);
  o.addMethod('WriteLine', (args) => {
    write((args.length ? toStr(args[0]) : '') + '\n');
    return null;
  });
  o.addMethod('Write', (args) => {
    write(toStr(args[0] ?? null));
    return null;
  });
  o.addMethod('Flush', () => null);
  return o;
}

function matchObject(m: RegExpExecArray): PsObject {
  const o = new PsObject(['System.Text.RegularExpressions.Match', 'System.Object'], () => m[0]);
  o.addProperty('Value', () => m[0]);
  o.addProperty('Index', () => m.index);
  o.addProperty('Length', () => m[0].length);
  o.addProperty('Success', () => true);
  o.addProperty('Groups', () => m.map((g) => g ?? ''));
  return o;
}

/** [regex]::Replace(input, pattern, replacement | { param($m) ... }). */
async function regexReplace(hooks: HostHooks, args: PsValue[]): Promise<PsValue> {
  const [input, pattern, repl] = args;
  const re = netRegex(toStr(pattern), 'g');
  const s = toStr(input);
  if (repl instanceof PsScriptBlock) {
    let out = '';
    let last = 0;
    for (const m of s.matchAll(re)) {
      out += s.slice(last, m.index);
      const r = await hooks.invokeScriptBlock(repl, [matchObject(m as RegExpExecArray)]);
      out += r.map((x) => toStr(x)).join('');
      last = (m.index ?? 0) + m[0].length;
      if (m[0].length === 0) re.lastIndex++;
    }
    return out + s.slice(last);
  }
  return s.replace(re, netReplacement(toStr(repl)));
}

/** .NET replacement syntax ($1, ${name}, $$, $0) -> JS ($&). */
export function netReplacement(r: string): string {
  return r.replace(/\$(\$|0|\{[^}]+\}|\d+)/g, (all, g: string) => {
    if (g === '$') return '$$';
    if (g === '0') return '$&';
    if (g.startsWith('{')) return `$<${g.slice(1, -1)}>`;
    return all;
  });
}

function dateTimeStatic(name: string, args: PsValue[], hooks: HostHooks): PsValue {
  switch (name.toLowerCase()) {
    case 'utcnow':
      return new PsDateTime(hooks.now(), 'Utc');
    case 'now':
      return new PsDateTime(hooks.now(), 'Local');
    case 'today': {
      const d = new Date(hooks.now());
      return new PsDateTime(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()), 'Local');
    }
    case 'parse':
    case 'parseexact': {
      const s = toStr(args[0]);
      const d = parseDate(s);
      if (!d) throw new MethodFailure('String was not recognized as a valid DateTime.', 'System.FormatException');
      // DateTimeStyles.RoundtripKind keeps the Z as Kind=Utc; without it .NET converts to local.
      const styles = args.find((a) => a instanceof PsEnum && a.typeName === 'System.Globalization.DateTimeStyles');
      if (d.kind === 'Utc' && !(styles instanceof PsEnum && /RoundtripKind|AdjustToUniversal/.test(styles.name))) {
        return new PsDateTime(d.ms, 'Local', undefined, d.extraTicks);
      }
      return d;
    }
    case 'minvalue':
      return new PsDateTime(-62135596800000, 'Unspecified');
    default:
      throw new NotSupported(`[datetime]::${name}`);
  }
}

/** Static member access ([Type]::Member) and static method calls. */
export async function staticMember(type: PsType, name: string, args: PsValue[] | undefined, hooks: HostHooks): Promise<PsValue> {
  const t = canonicalTypeName(type.fullName).toLowerCase();
  const n = name.toLowerCase();
  const call = args !== undefined;
  switch (t) {
    case 'system.console':
      if (n === 'out' && !call) return textWriter((s) => hooks.writeStdout(s));
      if (n === 'error' && !call) return textWriter((s) => hooks.writeStderr(s));
      if (n === 'writeline' && call) {
        hooks.writeStdout((args.length ? toStr(args[0]) : '') + '\n');
        return null;
      }
      if (n === 'outputencoding' && !call) return hooks.outputEncoding();
      break;
    case 'system.management.automation.scriptblock':
      if (n === 'create' && call) return hooks.createScriptBlock(toStr(args[0]));
      break;
    case 'system.text.encoding':
      if (!call && (n === 'utf8' || n === 'unicode' || n === 'ascii')) return encodingObject(n === 'utf8' ? 'UTF8' : n === 'unicode' ? 'Unicode' : 'ASCII');
      break;
    case 'system.convert':
      if (n === 'frombase64string' && call) {
        const s = toStr(args[0]);
        if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(s) || s.replace(/\s/g, '').length % 4 !== 0) {
          throw new MethodFailure(
            'The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters. ',
            'System.FormatException',
          );
        }
        return new PsBytes(Buffer.from(s, 'base64'));
      }
      if (n === 'tobase64string' && call) {
        const b = args[0];
        return b instanceof PsBytes ? b.bytes.toString('base64') : Buffer.from((isArray(b) ? b : []).map((x) => toNumber(x))).toString('base64');
      }
      if (n === 'toint32' && call) return convertTo(args[0], 'int');
      break;
    case 'system.text.regularexpressions.regex':
      if (n === 'replace' && call) return regexReplace(hooks, args);
      if (n === 'escape' && call) return escapeRegex(toStr(args[0])).replace(/\\\//g, '/').replace(/\\-/g, '-').replace(/ /g, '\\ ');
      if (n === 'ismatch' && call) return netRegex(toStr(args[1]), '').test(toStr(args[0]));
      if (n === 'match' && call) {
        const m = netRegex(toStr(args[1]), '').exec(toStr(args[0]));
        return m ? matchObject(m) : null;
      }
      break;
    case 'system.datetime':
      return dateTimeStatic(name, args ?? [], hooks);
    case 'system.environment':
      if (n === 'machinename') return hooks.machineName;
      if (n === 'username') return hooks.userName;
      if (n === 'userdomainname') return hooks.userDomainName;
      if (n === 'newline') return '\r\n';
      // The process environment (the simulated powershell.exe's own: the one it was started
      // with). A null value deletes the variable
      // (https://learn.microsoft.com/dotnet/api/system.environment.setenvironmentvariable).
      if (n === 'getenvironmentvariable' && call && args.length === 1) return hooks.environment[toStr(args[0])] ?? null;
      if (n === 'setenvironmentvariable' && call && args.length === 2) {
        const value = args[1] === null ? '' : toStr(args[1]);
        if (value === '') delete hooks.environment[toStr(args[0])];
        else hooks.environment[toStr(args[0])] = value;
        return null;
      }
      break;
    case 'system.globalization.cultureinfo':
      if (n === 'invariantculture' && !call) {
        const o = new PsObject(['System.Globalization.CultureInfo', 'System.Object'], () => '');
        o.addProperty('Name', () => '');
        return o;
      }
      break;
    case 'system.globalization.datetimestyles': {
      const styles: Record<string, number> = { none: 0, adjusttouniversal: 16, assumelocal: 32, assumeuniversal: 64, roundtripkind: 128 };
      if (!call && styles[n] !== undefined) {
        const proper = { none: 'None', adjusttouniversal: 'AdjustToUniversal', assumelocal: 'AssumeLocal', assumeuniversal: 'AssumeUniversal', roundtripkind: 'RoundtripKind' }[n]!;
        return new PsEnum('System.Globalization.DateTimeStyles', proper, styles[n]);
      }
      break;
    }
    case 'system.int32':
      if (n === 'maxvalue') return 2147483647;
      if (n === 'minvalue') return -2147483648;
      if (n === 'parse' && call) return convertTo(toStr(args[0]), 'int');
      break;
    case 'system.string':
      if (n === 'empty') return '';
      if (n === 'isnullorempty' && call) return args[0] === null || toStr(args[0]) === '';
      if (n === 'isnullorwhitespace' && call) return args[0] === null || toStr(args[0]).trim() === '';
      if (n === 'join' && call) return (isArray(args[1]) ? args[1] : args.slice(1)).map((x) => toStr(x)).join(toStr(args[0]));
      break;
    case 'system.math':
      if (call && ['round', 'floor', 'ceiling', 'abs', 'min', 'max'].includes(n)) {
        // Abs/Min/Max of Int64 values stay exact (Math.Abs(Int64) and kin); the rest is Double.
        const exact = args.map((a) => exactInteger(a));
        if (['abs', 'min', 'max'].includes(n) && args.some((a) => a instanceof PsInt64) && exact.every((x) => x !== undefined)) {
          const [x, y] = exact as bigint[];
          return integral(n === 'abs' ? (x < 0n ? -x : x) : n === 'min' ? (x < y ? x : y) : x > y ? x : y);
        }
        const xs = args.map((a) => toNumber(a, 'System.Double'));
        if (n === 'round') {
          const f = 10 ** (xs[1] ?? 0);
          return Math.round(xs[0] * f) / f;
        }
        if (n === 'floor') return Math.floor(xs[0]);
        if (n === 'ceiling') return Math.ceil(xs[0]);
        if (n === 'abs') return Math.abs(xs[0]);
        if (n === 'min') return Math.min(xs[0], xs[1]);
        return Math.max(xs[0], xs[1]);
      }
      break;
    case 'system.guid':
      if (n === 'newguid' && call) {
        const g = require('node:crypto').randomUUID() as string;
        const o = new PsObject(['System.Guid', 'System.ValueType', 'System.Object'], () => g);
        o.addProperty('Guid', () => g);
        return o;
      }
      break;
  }
  throw new NotSupported(`[${type.fullName}]::${name}${call ? '()' : ''}`);
}

/** Setting a static property: only [Console]::OutputEncoding. */
export function setStaticMember(type: PsType, name: string, value: PsValue, hooks: HostHooks): void {
  if (canonicalTypeName(type.fullName).toLowerCase() === 'system.console' && name.toLowerCase() === 'outputencoding') {
    hooks.setOutputEncoding(value);
    return;
  }
  throw new NotSupported(`setting [${type.fullName}]::${name}`);
}

// ---------------------------------------------------------------------------------------------
// Instance members
// ---------------------------------------------------------------------------------------------

const NO_MEMBER = Symbol('no member');
export type MemberResult = PsValue | typeof NO_MEMBER;
export { NO_MEMBER };

/** Property read on a value; NO_MEMBER when the value has no such property. */
export function getProperty(v: PsValue, name: string): MemberResult {
  const r = ownProperty(v, name);
  // PowerShell 3+ gives every object Count and Length: a scalar without such a property of its own
  // has 1 of them, $null 0 (about_Properties, "Properties of scalar objects and collections";
  // pwsh 7.6: `(2.5).Length` is 1, `$undefined.Length` is 0).
  if (r === NO_MEMBER && /^(count|length)$/i.test(name) && !isArray(v)) return v === null ? 0 : 1;
  return r;
}

function ownProperty(v: PsValue, name: string): MemberResult {
  const n = name.toLowerCase();
  if (v === null) return NO_MEMBER;
  // The PSObject view (.PSObject.Properties, .BaseObject, ...) is not modelled: refused, never a silent $null.
  if (n === 'psobject') throw new NotSupported('the .PSObject member');
  if (v instanceof PsObject) {
    const p = v.getProperty(name);
    if (p !== undefined) return p;
    // Every object's intrinsic PSTypeNames (about_Intrinsic_Members,
    // https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_intrinsic_members):
    // the object's type names, most derived first. Only objects carry theirs here.
    if (n === 'pstypenames') return [...v.typeNames];
    if (v.member(name)) return NO_MEMBER;
    return NO_MEMBER;
  }
  // Other values' type-name chains (System.String, System.Object ...) are not modelled: refused.
  if (n === 'pstypenames' && !(v instanceof PsHashtable)) throw new NotSupported(`.PSTypeNames of a ${typeNameOf(v)}`);
  if (v instanceof PsHashtable) {
    if (v.has(name)) return v.get(name) ?? null;
    if (n === 'count') return v.size;
    if (n === 'keys') return v.keys();
    if (n === 'values') return v.values();
    return null; // $h.missing is $null for dictionaries
  }
  if (typeof v === 'string') {
    if (n === 'length') return v.length;
    return NO_MEMBER;
  }
  if (isArray(v)) {
    if (n === 'count' || n === 'length') return v.length;
    // Member enumeration (PS 3+): $array.Prop collects Prop of each element.
    const out: PsValue[] = [];
    for (const item of v) {
      const r = getProperty(item, name);
      if (r !== NO_MEMBER) {
        if (isArray(r)) out.push(...r);
        else out.push(r);
      }
    }
    return out.length === 0 ? NO_MEMBER : out.length === 1 ? out[0] : out;
  }
  if (v instanceof PsBytes) {
    if (n === 'count' || n === 'length') return v.bytes.length;
    return NO_MEMBER;
  }
  if (v instanceof PsDateTime) {
    const d = new Date(v.ms);
    switch (n) {
      case 'year': return d.getUTCFullYear();
      case 'month': return d.getUTCMonth() + 1;
      case 'day': return d.getUTCDate();
      case 'hour': return d.getUTCHours();
      case 'minute': return d.getUTCMinutes();
      case 'second': return d.getUTCSeconds();
      case 'millisecond': return d.getUTCMilliseconds();
      case 'kind': return new PsEnum('System.DateTimeKind', v.kind, v.kind === 'Unspecified' ? 0 : v.kind === 'Utc' ? 1 : 2);
      // Ticks since 0001-01-01 (https://learn.microsoft.com/dotnet/api/system.datetime.ticks), ~6.4e17: an exact Int64.
      case 'ticks': return integral(BigInt(v.ms) * 10000n + 621355968000000000n + BigInt(v.extraTicks));
      case 'datetime': return dateToCultureString(v, 'F');
      case 'date': return new PsDateTime(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()), v.kind);
    }
    return NO_MEMBER;
  }
  if (v instanceof PsEnum) {
    if (n === 'value__') return v.value;
    return NO_MEMBER;
  }
  if (v instanceof PsType) {
    if (n === 'fullname') return v.fullName;
    if (n === 'name') return v.name;
    return NO_MEMBER;
  }
  if (v instanceof PsChar || typeof v === 'number' || typeof v === 'boolean') return NO_MEMBER;
  return NO_MEMBER;
}

/** Property write; returns false when the target has no settable property of that name. */
export function setProperty(v: PsValue, name: string, value: PsValue): boolean {
  if (v instanceof PsHashtable) {
    v.set(name, value);
    return true;
  }
  if (v instanceof PsObject) return v.setProperty(name, value);
  return false;
}

function stringMethod(s: string, name: string, args: PsValue[]): MemberResult {
  const a = (i: number) => toStr(args[i] ?? null);
  switch (name) {
    case 'tostring': return s;
    case 'trim': return args.length ? trimChars(s, charsOf(args), 'both') : s.trim();
    case 'trimstart': return args.length ? trimChars(s, charsOf(args), 'start') : s.trimStart();
    case 'trimend': return args.length ? trimChars(s, charsOf(args), 'end') : s.trimEnd();
    case 'tolower':
    case 'tolowerinvariant': return s.toLowerCase();
    case 'toupper':
    case 'toupperinvariant': return s.toUpperCase();
    case 'startswith': return ignoreCase(args[1]) ? s.toLowerCase().startsWith(a(0).toLowerCase()) : s.startsWith(a(0));
    case 'endswith': return ignoreCase(args[1]) ? s.toLowerCase().endsWith(a(0).toLowerCase()) : s.endsWith(a(0));
    case 'contains': return s.includes(a(0));
    case 'indexof': return s.indexOf(a(0), args[1] === undefined ? 0 : toNumber(args[1]));
    case 'lastindexof': return s.lastIndexOf(a(0));
    case 'replace': return s.split(a(0)).join(a(1));
    case 'substring': return substring(s, args);
    case 'split': {
      const seps = charsOf(args.slice(0, 1));
      if (seps.length === 0) return s.split(/\s/);
      const out: string[] = [];
      let cur = '';
      for (const ch of s) {
        if (seps.includes(ch)) {
          out.push(cur);
          cur = '';
        } else cur += ch;
      }
      out.push(cur);
      return out;
    }
    case 'padleft': return s.padStart(toNumber(args[0]), args[1] === undefined ? ' ' : a(1));
    case 'padright': return s.padEnd(toNumber(args[0]), args[1] === undefined ? ' ' : a(1));
    case 'equals': return s === a(0);
    case 'gettype': return typeObject('System.String');
    case 'tochararray': return [...s].map((c) => new PsChar(c.charCodeAt(0)));
    case 'normalize': return s.normalize();
  }
  return NO_MEMBER;
}

/**
 * String.Substring(start[, length]): out of range is ArgumentOutOfRangeException (.NET Framework's
 * texts, which 5.1 shows: "...\r\nParameter name: x"; learn.microsoft.com/dotnet/api/system.string.substring).
 */
function substring(s: string, args: PsValue[]): string {
  const start = toNumber(args[0] ?? null);
  const outOfRange = (text: string, param: string): never => {
    throw new MethodFailure(`${text}\r\nParameter name: ${param}`, 'System.ArgumentOutOfRangeException', undefined);
  };
  if (start < 0) outOfRange('StartIndex cannot be less than zero.', 'startIndex');
  if (args.length < 2) {
    if (start > s.length) outOfRange('startIndex cannot be larger than length of string.', 'startIndex');
    return s.slice(start);
  }
  const length = toNumber(args[1]);
  if (length < 0) outOfRange('Length cannot be less than zero.', 'length');
  if (start + length > s.length) outOfRange('Index and length must refer to a location within the string.', 'length');
  return s.substr(start, length);
}

function ignoreCase(v: PsValue | undefined): boolean {
  return v instanceof PsEnum && /IgnoreCase/i.test(v.name) || (typeof v === 'string' && /ignorecase/i.test(v));
}

function charsOf(args: PsValue[]): string[] {
  const out: string[] = [];
  for (const x of args) for (const y of isArray(x) ? x : [x]) out.push(...toStr(y));
  return out;
}

function trimChars(s: string, chars: string[], where: 'start' | 'end' | 'both'): string {
  let a = 0;
  let b = s.length;
  if (where !== 'end') while (a < b && chars.includes(s[a])) a++;
  if (where !== 'start') while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

/** Instance method call; NO_MEMBER when there is no such method. */
export async function callMethod(v: PsValue, name: string, args: PsValue[], invokeSb: (sb: PsScriptBlock, args: PsValue[]) => Promise<PsValue[]>): Promise<MemberResult> {
  const n = name.toLowerCase();
  if (n === 'gettype' && v !== null) {
    if (v instanceof PsObject) return typeObject(v.typeName);
    return typeObject(typeNameOf(v));
  }
  if (v instanceof PsObject) {
    const m = v.member(name);
    if (m && m.kind === 'method') return m.invoke(args);
    if (n === 'tostring') return toStr(v);
    if (n === 'psobject') return NO_MEMBER;
    return NO_MEMBER;
  }
  if (typeof v === 'string') return stringMethod(v, n, args);
  if (v instanceof PsHashtable) {
    switch (n) {
      case 'containskey':
      case 'contains': return v.has(args[0] ?? null);
      case 'add':
        if (v.has(args[0] ?? null)) {
          throw new MethodFailure(`Item has already been added. Key in dictionary: '${toStr(args[0] ?? null)}'  Key being added: '${toStr(args[0] ?? null)}'`, 'System.ArgumentException');
        }
        v.set(args[0] ?? null, args[1] ?? null);
        return null;
      case 'remove': v.delete(args[0] ?? null); return null;
      case 'clear': v.clear(); return null;
      case 'containsvalue': return v.values().some((x) => x === args[0]);
      case 'tostring': return toStr(v);
    }
    return NO_MEMBER;
  }
  if (isArray(v)) {
    switch (n) {
      case 'contains': return v.some((x) => x === args[0] || toStr(x) === toStr(args[0] ?? null));
      case 'indexof': return v.findIndex((x) => toStr(x) === toStr(args[0] ?? null));
      case 'tostring': return 'System.Object[]';
      case 'clone': return [...v];
      case 'clear':
        // $Error is an ArrayList: Clear() empties it in place.
        v.length = 0;
        return null;
    }
    return NO_MEMBER;
  }
  if (v instanceof PsDateTime) {
    switch (n) {
      case 'tostring':
        if (args.length === 0 || args[0] === null) return dateToCultureString(v, 'G');
        return formatDate(v, toStr(args[0]));
      case 'touniversaltime': return new PsDateTime(v.ms, 'Utc', undefined, v.extraTicks);
      case 'tolocaltime': return new PsDateTime(v.ms, 'Local', undefined, v.extraTicks);
      case 'addseconds': return new PsDateTime(v.ms + toNumber(args[0]) * 1000, v.kind, undefined, v.extraTicks);
      case 'addmilliseconds': return new PsDateTime(v.ms + toNumber(args[0]), v.kind, undefined, v.extraTicks);
      case 'addminutes': return new PsDateTime(v.ms + toNumber(args[0]) * 60000, v.kind, undefined, v.extraTicks);
      case 'addhours': return new PsDateTime(v.ms + toNumber(args[0]) * 3600000, v.kind, undefined, v.extraTicks);
      case 'adddays': return new PsDateTime(v.ms + toNumber(args[0]) * 86400000, v.kind, undefined, v.extraTicks);
      case 'tolongdatestring': return dateToCultureString(v, 'D');
      case 'tolongtimestring': return dateToCultureString(v, 'T');
    }
    return NO_MEMBER;
  }
  if (v instanceof PsScriptBlock) {
    if (n === 'invoke' || n === 'invokereturnasis') return collapseArr(await invokeSb(v, args));
    if (n === 'tostring') return v.text;
    return NO_MEMBER;
  }
  if (v instanceof PsInt64) {
    if (n === 'tostring' && args.length === 0) return toStr(v);
    if (n === 'equals') return v.value === (args[0] instanceof PsInt64 ? args[0].value : undefined);
    return NO_MEMBER;
  }
  if (typeof v === 'number') {
    if (n === 'tostring') return args.length ? formatItem(v, toStr(args[0])) : numberToString(v);
    if (n === 'equals') return v === toNumber(args[0] ?? null);
    return NO_MEMBER;
  }
  if (typeof v === 'boolean' || v instanceof PsChar || v instanceof PsEnum) {
    if (n === 'tostring') return toStr(v);
    if (n === 'equals') return toStr(v) === toStr(args[0] ?? null);
    return NO_MEMBER;
  }
  if (v instanceof PsType && n === 'tostring') return v.fullName;
  return NO_MEMBER;
}

function collapseArr(items: PsValue[]): PsValue {
  return items.length === 0 ? null : items.length === 1 ? items[0] : items;
}
