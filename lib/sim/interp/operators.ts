/**
 * Operators and conversions (about_Operators, about_Comparison_Operators): arithmetic, comparison
 * with the left operand's type deciding the conversion, collection-on-the-left filtering, -like
 * wildcards, -match/-replace (.NET regex, approximated by JS regex), -split, -join, -is, -as and casts.
 */
import {
  PsBytes, PsChar, PsDateTime, PsEnum, PsHashtable, PsInt64, PsObject, PsScriptBlock, PsType, PsValue,
  enumerate, exactInteger, integral, isTrue, toStr, typeNameOf,
} from '../values';
import type { ErrorCategory, PsExceptionInfo } from '../errors';
import { XmlParseError, xmlDocument } from './xml';

/**
 * A conversion failure: becomes a RuntimeException error record in the interpreter, with
 * `category` (the caller's default when absent) and the exceptions it wraps (`inner`).
 */
export class ConversionError extends Error {
  readonly inner?: PsExceptionInfo;
  readonly category?: ErrorCategory;
  constructor(message: string, public readonly fqid: string, detail: { inner?: PsExceptionInfo; category?: ErrorCategory } = {}) {
    super(message);
    // Division by zero (thrown by arith): .NET's DivideByZeroException (HResult 0x80020012) inside
    // the RuntimeException, category NotSpecified — as pwsh 7.6 reports `1/0`; the same engine code
    // (PowerShell repository, ArithmeticOps in engine/runtime/Operations) as 5.1.
    if (fqid === 'RuntimeException' && message === 'Attempted to divide by zero.' && !detail.inner) {
      detail = { inner: { typeName: 'System.DivideByZeroException', message, hresult: -2147352558 }, category: 'NotSpecified' };
    }
    this.inner = detail.inner;
    this.category = detail.category;
  }
}

/** .NET exceptions a failed conversion wraps, with their HResults (COR_E_FORMAT, COR_E_OVERFLOW). */
const DOTNET_CAST_FAILURES: Record<string, number> = { 'System.FormatException': -2146233033, 'System.OverflowException': -2146233066 };

/** Canonical .NET names of the type literals scripts use ([int] -> System.Int32). */
const TYPE_ALIASES: Record<string, string> = {
  int: 'System.Int32', int32: 'System.Int32', long: 'System.Int64', int64: 'System.Int64',
  int16: 'System.Int16', short: 'System.Int16', uint32: 'System.UInt32', uint64: 'System.UInt64',
  byte: 'System.Byte', double: 'System.Double', float: 'System.Single', single: 'System.Single',
  decimal: 'System.Decimal', string: 'System.String', bool: 'System.Boolean', boolean: 'System.Boolean',
  char: 'System.Char', datetime: 'System.DateTime', array: 'System.Array', object: 'System.Object',
  hashtable: 'System.Collections.Hashtable', ordered: 'System.Collections.Specialized.OrderedDictionary',
  pscustomobject: 'System.Management.Automation.PSObject', psobject: 'System.Management.Automation.PSObject',
  scriptblock: 'System.Management.Automation.ScriptBlock', regex: 'System.Text.RegularExpressions.Regex',
  void: 'System.Void', switch: 'System.Management.Automation.SwitchParameter',
  console: 'System.Console', convert: 'System.Convert', environment: 'System.Environment',
  math: 'System.Math', guid: 'System.Guid', timespan: 'System.TimeSpan', type: 'System.Type',
  errorrecord: 'System.Management.Automation.ErrorRecord', exception: 'System.Exception',
  'text.encoding': 'System.Text.Encoding', 'system.text.encoding': 'System.Text.Encoding',
  'globalization.cultureinfo': 'System.Globalization.CultureInfo',
  'globalization.datetimestyles': 'System.Globalization.DateTimeStyles',
  'text.utf8encoding': 'System.Text.UTF8Encoding',
  'management.automation.runtimeexception': 'System.Management.Automation.RuntimeException',
  xml: 'System.Xml.XmlDocument', 'xml.xmldocument': 'System.Xml.XmlDocument',
};

export function canonicalTypeName(name: string): string {
  const lower = name.toLowerCase();
  if (lower.endsWith('[]')) return canonicalTypeName(name.slice(0, -2)) + '[]';
  if (TYPE_ALIASES[lower]) return TYPE_ALIASES[lower];
  if (lower.startsWith('system.')) {
    const rest = lower.slice(7);
    if (TYPE_ALIASES[rest] && TYPE_ALIASES[rest].toLowerCase() === lower) return TYPE_ALIASES[rest];
    const known = Object.values(TYPE_ALIASES).find((t) => t.toLowerCase() === lower);
    if (known) return known;
  }
  const known = Object.values(TYPE_ALIASES).find((t) => t.toLowerCase() === 'system.' + lower);
  return known ?? name;
}

const INTEGRAL = new Set(['System.Int32', 'System.Int64', 'System.Int16', 'System.UInt32', 'System.UInt64', 'System.Byte']);

function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return 0;
  if (/^[+-]?0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  return undefined;
}

/** Banker's rounding, as .NET uses when converting a Double to an integral type. */
function roundHalfEven(n: number): number {
  const r = Math.round(n);
  if (Math.abs(n % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/**
 * A failed conversion of a value: LanguagePrimitives throws a PSInvalidCastException (HResult
 * E_NOINTERFACE, as PSInvalidCastException sets it) around .NET's own exception, and the runtime
 * wraps that in a RuntimeException of the same message, category InvalidArgument (checked against
 * pwsh 7.6: `[int]'abc'`, `3 - 'b'`, `[datetime]'yesterday'`; PowerShell repository,
 * engine/LanguagePrimitives.cs). `detail` is .NET Framework's text of that exception (5.1).
 */
function castError(v: PsValue, target: string, detail: string, fqid: string, dotnetType = 'System.FormatException'): ConversionError {
  const message = `Cannot convert value "${toStr(v)}" to type "${target}". Error: "${detail}"`;
  const dotnet: PsExceptionInfo = { typeName: dotnetType, message: detail, hresult: DOTNET_CAST_FAILURES[dotnetType] };
  return new ConversionError(message, fqid, { category: 'InvalidArgument', inner: { typeName: 'System.Management.Automation.PSInvalidCastException', message, hresult: -2147467262, inner: dotnet } });
}

export function toNumber(v: PsValue, target = 'System.Int32'): number {
  if (v === null) return 0;
  if (v instanceof PsObject && v.base !== undefined) return toNumber(v.base, target);
  if (typeof v === 'number') return v;
  if (v instanceof PsInt64) return Number(v.value);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PsChar) return v.code;
  if (v instanceof PsEnum) return v.value;
  if (typeof v === 'string') {
    const n = parseNumber(v);
    if (n === undefined) throw castError(v, target, 'Input string was not in a correct format.', 'InvalidCastFromStringToInteger');
    return n;
  }
  if (Array.isArray(v) && v.length === 1) return toNumber(v[0], target);
  throw new ConversionError(
    `Cannot convert the "${toStr(v)}" value of type "${typeNameOf(v)}" to type "${target}".`,
    'ConvertToFinalInvalidCastException',
  );
}

/** Whether the parts name a real moment (DateTime.Parse refuses month 13, February 30, hour 24...). */
function validDateParts(y: number, mo: number, d: number, h: number, mi: number, se: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h <= 23 && mi <= 59 && se <= 59;
}
function daysInMonth(y: number, mo: number): number {
  return new Date(Date.UTC(y, mo, 0)).getUTCDate();
}
/** An ISO date whose day does not exist in its month: .NET reports it against the calendar. */
function dayOutsideMonth(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s.trim());
  return !!m && +m[2] >= 1 && +m[2] <= 12 && +m[3] > daysInMonth(+m[1], +m[2]);
}

/** Parses the date formats scripts hand to [datetime] (ISO 8601 round trip, invariant G). */
export function parseDate(s: string): PsDateTime | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', se = '0', frac = '', tz] = iso;
    if (!validDateParts(+y, +mo, +d, +h, +mi, +se)) return undefined;
    const fracTicks = Number((frac + '0000000').slice(0, 7));
    let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +se) + Math.floor(fracTicks / 10000);
    if (tz && tz !== 'Z') {
      const sign = tz[0] === '-' ? -1 : 1;
      const hh = Number(tz.slice(1, 3));
      const mm = Number(tz.slice(-2));
      ms -= sign * (hh * 60 + mm) * 60000;
    }
    return new PsDateTime(ms, tz === 'Z' ? 'Utc' : tz ? 'Local' : 'Unspecified', undefined, fracTicks % 10000);
  }
  const g = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s.trim());
  if (g) {
    const [, mo, d, y, h = '0', mi = '0', se = '0'] = g;
    if (!validDateParts(+y, +mo, +d, +h, +mi, +se)) return undefined;
    return new PsDateTime(Date.UTC(+y, +mo - 1, +d, +h, +mi, +se), 'Unspecified');
  }
  return undefined;
}

/** PowerShell cast / parameter conversion to a .NET type (the subset the simulator supports). */
export function convertTo(v: PsValue, typeName: string): PsValue {
  const t = canonicalTypeName(typeName);
  if (v instanceof PsObject && v.base !== undefined && t !== 'System.Management.Automation.PSObject') return convertTo(v.base, typeName);
  if (t.endsWith('[]')) {
    const el = t.slice(0, -2);
    return enumerateForCast(v).map((x) => convertTo(x, el));
  }
  switch (t) {
    case 'System.Object':
    case 'System.Management.Automation.PSObject':
      return v;
    case 'System.String':
      return v === null ? '' : Array.isArray(v) ? toStr(v) : toStr(v);
    case 'System.Boolean':
      return isTrue(v);
    case 'System.Management.Automation.SwitchParameter':
      return isTrue(v);
    case 'System.Char': {
      if (v instanceof PsChar) return v;
      if (typeof v === 'string') {
        if (v.length !== 1) throw castError(v, t, 'String must be exactly one character long.', 'InvalidCastParseTargetInvocation');
        return new PsChar(v.charCodeAt(0));
      }
      return new PsChar(toNumber(v, t));
    }
    case 'System.Double':
    case 'System.Single':
    case 'System.Decimal':
      return toNumber(v, t);
    case 'System.DateTime': {
      if (v instanceof PsDateTime) return v;
      if (v === null) {
        // A value type other than numbers and Boolean takes no $null (pwsh 7.6: [datetime]$null;
        // PowerShell repository, engine/LanguagePrimitives.cs, "nullToObjectInvalidCast").
        const message = `Cannot convert null to type "${t}".`;
        throw new ConversionError(message, 'nullToObjectInvalidCast', { category: 'InvalidArgument', inner: { typeName: 'System.Management.Automation.PSInvalidCastException', message, hresult: -2147467262 } });
      }
      if (typeof v === 'string') {
        const d = parseDate(v);
        // DateTime has Parse(string, IFormatProvider), so LanguagePrimitives' ConvertViaParseMethod
        // calls it with the invariant culture and reports InvalidCastParseTargetInvocationWithFormatProvider
        // (PowerShell repository, engine/LanguagePrimitives.cs; pwsh 7.6 gives the same id).
        if (!d && dayOutsideMonth(v)) throw castError(v, t, "The DateTime represented by the string is not supported in calendar 'System.Globalization.GregorianCalendar'.", 'InvalidCastParseTargetInvocationWithFormatProvider');
        if (!d) throw castError(v, t, 'String was not recognized as a valid DateTime.', 'InvalidCastParseTargetInvocationWithFormatProvider');
        // DateTime.Parse without DateTimeStyles.RoundtripKind converts a time with a zone designator
        // to local time, Kind Local (learn.microsoft.com/dotnet/api/system.datetime.parse; pwsh 7.6:
        // ([datetime]'2024-01-02T03:04:05Z').Kind is Local), as [datetime]::Parse does here (dotnet.ts).
        if (d.kind === 'Utc') return new PsDateTime(d.ms, 'Local', undefined, d.extraTicks);
        return d;
      }
      throw new ConversionError(`Cannot convert the "${toStr(v)}" value of type "${typeNameOf(v)}" to type "System.DateTime".`, 'InvalidCastException');
    }
    case 'System.Array':
      return v === null ? [] : Array.isArray(v) ? v : v instanceof PsBytes ? [...v.bytes] : [v];
    case 'System.Collections.Hashtable': {
      if (v instanceof PsHashtable) return v;
      throw new ConversionError(`Cannot convert the "${toStr(v)}" value of type "${typeNameOf(v)}" to type "System.Collections.Hashtable".`, 'ConvertToFinalInvalidCastException');
    }
    case 'System.Xml.XmlDocument': {
      if (v instanceof PsObject && v.typeNames.includes('System.Xml.XmlDocument')) return v;
      if (v === null) return null; // [xml]$null is $null (checked with real PowerShell)
      // A string is parsed (XmlDocument.LoadXml); other sources (arrays, readers) are not modelled.
      if (typeof v !== 'string') throw new UnsupportedCast(`${t} from a ${typeNameOf(v)}`);
      const text = v;
      try {
        return xmlDocument(text);
      } catch (e) {
        if (e instanceof XmlParseError) throw castError(text, t, e.message, 'InvalidCastToXmlDocument');
        throw e;
      }
    }
    case 'System.Management.Automation.ScriptBlock': {
      if (v instanceof PsScriptBlock) return v;
      throw new ConversionError(`Cannot convert the "${toStr(v)}" value of type "${typeNameOf(v)}" to type "System.Management.Automation.ScriptBlock".`, 'ConvertToFinalInvalidCastException');
    }
    default:
      if (t === 'System.Int64' && v instanceof PsInt64) return v;
      if (INTEGRAL.has(t)) {
        const n = toNumber(v, t);
        const r = roundHalfEven(n);
        const bounds: Record<string, [number, number]> = {
          'System.Int32': [-2147483648, 2147483647], 'System.Int16': [-32768, 32767], 'System.Byte': [0, 255],
          'System.UInt32': [0, 4294967295], 'System.Int64': [-9223372036854775808, 9223372036854775807],
          'System.UInt64': [0, 18446744073709551615],
        };
        const [lo, hi] = bounds[t];
        if (r < lo || r > hi) throw castError(v, t, `Value was either too large or too small for ${t.slice(7) === 'Int32' ? 'an Int32' : 'a ' + t.slice(7)}.`, 'InvalidCastIConvertible', 'System.OverflowException');
        return r;
      }
      if (v instanceof PsObject && v.typeNames.some((n) => n.toLowerCase() === t.toLowerCase())) return v;
      if (v instanceof PsEnum && v.typeName.toLowerCase() === t.toLowerCase()) return v;
      throw new UnsupportedCast(t);
  }
}

export class UnsupportedCast extends Error {
  constructor(public readonly typeName: string) {
    super(`conversion to [${typeName}] is not supported by the simulated host`);
  }
}

function enumerateForCast(v: PsValue): PsValue[] {
  if (v === null) return [];
  return enumerate(v);
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

/** Equality with the left operand's type deciding the conversion of the right one. */
export function psEquals(a: PsValue, b: PsValue, caseSensitive: boolean): boolean {
  if (a === null || b === null) return a === b;
  if (a instanceof PsEnum) {
    if (b instanceof PsEnum) return a.value === b.value;
    if (typeof b === 'string') return caseSensitive ? a.name === b : a.name.toLowerCase() === b.toLowerCase();
    return a.value === tryNumber(b);
  }
  if (typeof a === 'string') {
    const s = b instanceof PsEnum ? b.name : toStr(b);
    return caseSensitive ? a === s : a.toLowerCase() === s.toLowerCase();
  }
  const exact = exactPair(a, b);
  if (exact) return exact[0] === exact[1];
  if (typeof a === 'number' || a instanceof PsInt64) {
    const n = tryNumber(b);
    return n !== undefined && toNumber(a) === n;
  }
  if (typeof a === 'boolean') return a === isTrue(b);
  if (a instanceof PsChar) {
    if (b instanceof PsChar) return caseSensitive ? a.code === b.code : a.toString().toLowerCase() === b.toString().toLowerCase();
    if (typeof b === 'string') return caseSensitive ? a.toString() === b : a.toString().toLowerCase() === b.toLowerCase();
    return a.code === tryNumber(b);
  }
  if (a instanceof PsDateTime) {
    const d = b instanceof PsDateTime ? b : typeof b === 'string' ? parseDate(b) : undefined;
    return !!d && d.ms === a.ms;
  }
  return a === b;
}

/**
 * Both operands as exact integers when one of them is an Int64 beyond ±2^53 and the other is
 * integral: Int64 arithmetic and comparison are exact in .NET, a JS number's are not.
 */
function exactPair(a: PsValue, b: PsValue): [bigint, bigint] | undefined {
  const x = unwrap(a);
  const y = unwrap(b);
  if (!(x instanceof PsInt64) && !(y instanceof PsInt64)) return undefined;
  const ex = exactInteger(x);
  const ey = exactInteger(y);
  return ex === undefined || ey === undefined ? undefined : [ex, ey];
}

function unwrap(v: PsValue): PsValue {
  return v instanceof PsObject && v.base !== undefined ? unwrap(v.base) : v;
}

function tryNumber(v: PsValue): number | undefined {
  try {
    return toNumber(v);
  } catch {
    return undefined;
  }
}

/** -gt/-lt family: returns <0, 0, >0. */
export function psCompare(a: PsValue, b: PsValue, caseSensitive: boolean): number {
  if (a === null && b === null) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const exact = exactPair(a, b);
  if (exact) return exact[0] === exact[1] ? 0 : exact[0] < exact[1] ? -1 : 1;
  if (typeof a === 'number' || a instanceof PsInt64 || typeof a === 'boolean' || a instanceof PsEnum || a instanceof PsChar && typeof b !== 'string') {
    const x = toNumber(a);
    const y = toNumber(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  if (a instanceof PsDateTime) {
    const d = b instanceof PsDateTime ? b : (convertTo(b, 'datetime') as PsDateTime);
    return a.ms - d.ms;
  }
  const x = caseSensitive ? toStr(a) : toStr(a).toLowerCase();
  const y = caseSensitive ? toStr(b) : toStr(b).toLowerCase();
  // String comparison in PowerShell is culture-aware; ordinal is close enough for ASCII names.
  return x === y ? 0 : x < y ? -1 : 1;
}

/** WildcardPattern: * ? [abc] [a-z], backtick escapes. */
export function wildcardToRegex(pattern: string, caseSensitive: boolean): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '`' && i + 1 < pattern.length) {
      re += escapeRegex(pattern[++i]);
    } else if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += '[' + pattern.slice(i + 1, end).replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += escapeRegex(c);
  }
  return new RegExp('^' + re + '$', caseSensitive ? 's' : 'is');
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\\/-]/g, '\\$&');
}

/**
 * .NET regex pattern -> JS RegExp. The syntax the library uses is common to both; .NET-only
 * constructs ((?<name>) is fine in JS; possessive/atomic groups, \A, \Z are not) are rejected.
 */
export function netRegex(pattern: string, flags: string): RegExp {
  if (/\(\?>|\\[AZz]|\(\?[imnsx]+\)/.test(pattern)) {
    throw new UnsupportedRegex(pattern);
  }
  return new RegExp(pattern, flags);
}

export class UnsupportedRegex extends Error {
  constructor(public readonly pattern: string) {
    super(`regular expression '${pattern}' uses .NET-only syntax that the simulated host does not support`);
  }
}

export function isCollection(v: PsValue): v is PsValue[] {
  return Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------------------------

export function add(a: PsValue, b: PsValue): PsValue {
  if (a === null) return b === null ? null : Array.isArray(b) ? [...b] : b;
  if (Array.isArray(a)) return [...a, ...(Array.isArray(b) ? b : [b])];
  if (typeof a === 'string') return a + toStr(b);
  if (a instanceof PsHashtable) {
    if (!(b instanceof PsHashtable)) throw new ConversionError('A hash table can only be added to another hash table.', 'AddHashTableToNonHashTable');
    const r = new PsHashtable(a.ordered);
    for (const e of a.entries()) r.set(e.key, e.value);
    for (const e of b.entries()) {
      if (r.has(e.key)) throw new ConversionError(`Item has already been added. Key in dictionary: '${toStr(e.key)}'  Key being added: '${toStr(e.key)}'`, 'System.ArgumentException');
      r.set(e.key, e.value);
    }
    return r;
  }
  if (a instanceof PsDateTime) throw new UnsupportedOperator('DateTime arithmetic');
  const exact = exactPair(a, b);
  if (exact) return integral(exact[0] + exact[1], () => Number(exact[0]) + Number(exact[1]));
  return toNumber(a) + toNumber(b);
}

function divideByZero(): ConversionError {
  return new ConversionError('Attempted to divide by zero.', 'RuntimeException');
}

/** The Double next to `v` toward zero when rounding to nearest went past it (a truncating conversion). */
function towardZero(v: bigint): number {
  const n = Number(v);
  if (v >= 0n ? BigInt(n) <= v : BigInt(n) >= v) return n;
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, n);
  bits.setBigUint64(0, bits.getBigUint64(0) - 1n); // one ulp smaller in magnitude
  return bits.getFloat64(0);
}

/** -, *, / and % of two exact integers (one an Int64 beyond ±2^53): what .NET's Int64 gives. */
function exactArith(op: string, [x, y]: [bigint, bigint]): PsValue {
  if ((op === '/' || op === '%') && y === 0n) throw divideByZero();
  switch (op) {
    case '-':
      return integral(x - y, () => Number(x) - Number(y));
    case '*':
      // Past Int64 PowerShell multiplies as BigInteger and converts to Double, truncating: pwsh 7.6
      // gives [long]::MaxValue * [long]::MaxValue as 8.507059173023461E+37, one ulp below 2^126.
      return integral(x * y, () => towardZero(x * y));
    case '/':
      // PowerShell's integer division gives an integer only when it is exact, else the Doubles'
      // quotient (pwsh 7.6: 9007199254740993 / 10 is 900719925474099.2, the operands rounded first).
      return x % y === 0n ? integral(x / y) : Number(x) / Number(y);
    case '%':
      // BigInt's % keeps the dividend's sign, as .NET's does.
      return integral(x % y);
    default:
      throw new UnsupportedOperator(op);
  }
}

export class UnsupportedOperator extends Error {}

export function arith(op: string, a: PsValue, b: PsValue): PsValue {
  const exact = op === '+' ? undefined : exactPair(a, b); // add() handles its own
  if (exact) return exactArith(op, exact);
  switch (op) {
    case '+':
      return add(a, b);
    case '-':
      return toNumber(a) - toNumber(b);
    case '*':
      if (typeof a === 'string') return a.repeat(Math.max(0, toNumber(b)));
      if (Array.isArray(a)) {
        const n = toNumber(b);
        const out: PsValue[] = [];
        for (let i = 0; i < n; i++) out.push(...a);
        return out;
      }
      return toNumber(a) * toNumber(b);
    case '/': {
      const d = toNumber(b);
      if (d === 0) throw divideByZero();
      return toNumber(a) / d;
    }
    case '%': {
      const d = toNumber(b);
      if (d === 0) throw divideByZero();
      return toNumber(a) % d;
    }
    default:
      throw new UnsupportedOperator(op);
  }
}

export function typeMatches(v: PsValue, typeName: string): boolean {
  const t = canonicalTypeName(typeName).toLowerCase();
  if (v === null) return false;
  if (t === 'system.object' || t === 'system.management.automation.psobject') return true;
  const own = typeNameOf(v).toLowerCase();
  if (own === t) return true;
  if (t === 'system.array') return Array.isArray(v) || v instanceof PsBytes;
  if (t === 'system.valuetype') return typeof v === 'number' || v instanceof PsInt64 || typeof v === 'boolean' || v instanceof PsDateTime || v instanceof PsChar || v instanceof PsEnum;
  if (t === 'system.enum') return v instanceof PsEnum;
  if (t === 'system.collections.idictionary') return v instanceof PsHashtable;
  // A number is exactly one of Int32, Int64, Double (typeNameOf), matched above.
  if (typeof v === 'number' && (t === 'system.int32' || t === 'system.int64' || t === 'system.double')) return false;
  if (v instanceof PsObject) return v.typeNames.some((n) => n.toLowerCase() === t);
  if (v instanceof PsType) return t === 'system.type';
  return false;
}
