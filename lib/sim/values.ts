/**
 * Value model of the simulated PowerShell language.
 *
 * PowerShell values are .NET objects; the simulator represents the handful of kinds the library's
 * scripts touch:
 *   null, boolean, number (Int32/Int64/Double are not distinguished beyond "integral or not"),
 *   PsInt64 (an Int64 beyond ±2^53, where a JS number would lose whole units),
 *   string, PsChar, PsDateTime, PsEnum, arrays (JS arrays = System.Object[]), PsHashtable
 *   (Hashtable / [ordered] OrderedDictionary, case-insensitive keys), PsObject (PSCustomObject and
 *   every .NET-ish object: ServiceController, ErrorRecord, Exception, encodings...), PsScriptBlock,
 *   PsType (a type literal such as [int]), PsBytes (byte[]).
 * Anything else must not appear: the interpreter refuses constructs it cannot represent.
 */

export type PsValue =
  | null
  | boolean
  | number
  | PsInt64
  | string
  | PsChar
  | PsDateTime
  | PsEnum
  | PsValue[]
  | PsHashtable
  | PsObject
  | PsScriptBlock
  | PsType
  | PsBytes;

/** System.Char: kept apart from strings because `[int][char]'a'` and `[int]'a'` differ. */
export class PsChar {
  constructor(public readonly code: number) {}
  toString(): string {
    return String.fromCharCode(this.code);
  }
}

/**
 * System.Int64 beyond ±2^53 (Number.MAX_SAFE_INTEGER), where a JS number no longer holds every
 * integer: DateTime.Ticks is ~6.4e17, so `$until - [DateTime]::UtcNow.Ticks` would be off by up to
 * 128 ticks. Smaller integers stay plain numbers; `integral()` picks the representation.
 */
export class PsInt64 {
  constructor(public readonly value: bigint) {}
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * An exact integer result as PowerShell holds it: a plain number within ±2^53, an Int64 up to its
 * range, and past it a Double (PowerShell widens an overflowing Int64 result to Double:
 * `[long]::MaxValue + 1` is 9.22337203685478E+18, checked with pwsh 7.6; about_Arithmetic_Operators,
 * https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_arithmetic_operators).
 */
export function integral(v: bigint, onDoubles: () => number = () => Number(v)): number | PsInt64 {
  if (v >= -SAFE && v <= SAFE) return Number(v);
  // Past Int64 .NET redoes the operation on Doubles (`onDoubles`), which may round differently.
  if (v < -INT64_MAX - 1n || v > INT64_MAX) return onDoubles();
  return new PsInt64(v);
}

/** The exact integer of an integral value (a PsInt64 or a whole number), else undefined. */
export function exactInteger(v: PsValue): bigint | undefined {
  if (v instanceof PsInt64) return v.value;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return undefined;
}

/** System.Byte[] (from [Convert]::FromBase64String). */
export class PsBytes {
  constructor(public readonly bytes: Buffer) {}
}

export type DateKind = 'Utc' | 'Local' | 'Unspecified';

/**
 * System.DateTime. The simulated machine's local time zone is UTC, so Local and Utc differ only by
 * their Kind (which matters for ToString('o'): a Utc value ends in 'Z').
 */
export class PsDateTime {
  /** `displayHint` is set by Get-Date only (its ETS DisplayHint NoteProperty; 2 = DateTime). */
  constructor(
    public readonly ms: number,
    public readonly kind: DateKind = 'Local',
    public readonly displayHint?: number,
    /** Sub-millisecond ticks (0..9999) so that round-trip strings keep 7 fraction digits. */
    public readonly extraTicks = 0,
  ) {}
}

/** A .NET enum value: ToString() gives the name, ConvertTo-Json (5.1) the integer. */
export class PsEnum {
  constructor(
    public readonly typeName: string,
    public readonly name: string,
    public readonly value: number,
  ) {}
  toString(): string {
    return this.name;
  }
}

/** Script block: a parsed AST fragment plus its source text (ToString() returns the text). */
export class PsScriptBlock {
  constructor(
    public readonly body: unknown,
    public readonly text: string,
    /** Source of the whole script the block was parsed from (for error positions). */
    public readonly script: { source: string; name?: string },
  ) {}
}

/** A type literal value like [int] or [System.Text.Encoding]. */
export class PsType {
  constructor(
    public readonly fullName: string,
    /** Element type for array types ([string[]] -> 'System.String'). */
    public readonly elementType?: string,
  ) {}
  get name(): string {
    const i = this.fullName.lastIndexOf('.');
    return i < 0 ? this.fullName : this.fullName.slice(i + 1);
  }
}

interface HashEntry {
  key: PsValue;
  value: PsValue;
}

/** Hashtable (`@{}`) or OrderedDictionary (`[ordered]@{}`); keys compare case-insensitively. */
export class PsHashtable {
  private readonly map = new Map<string, HashEntry>();
  constructor(public readonly ordered = false) {}

  static keyOf(key: PsValue): string {
    if (typeof key === 'string') return 's:' + key.toLowerCase();
    return 'o:' + toStr(key).toLowerCase();
  }
  get size(): number {
    return this.map.size;
  }
  has(key: PsValue): boolean {
    return this.map.has(PsHashtable.keyOf(key));
  }
  get(key: PsValue): PsValue | undefined {
    return this.map.get(PsHashtable.keyOf(key))?.value;
  }
  /** Assignment keeps the first-seen spelling of the key, like .NET's case-insensitive dictionary. */
  set(key: PsValue, value: PsValue): void {
    const k = PsHashtable.keyOf(key);
    const existing = this.map.get(k);
    if (existing) existing.value = value;
    else this.map.set(k, { key, value });
  }
  delete(key: PsValue): void {
    this.map.delete(PsHashtable.keyOf(key));
  }
  clear(): void {
    this.map.clear();
  }
  entries(): HashEntry[] {
    return [...this.map.values()];
  }
  keys(): PsValue[] {
    return this.entries().map((e) => e.key);
  }
  values(): PsValue[] {
    return this.entries().map((e) => e.value);
  }
}

export type MethodImpl = (args: PsValue[]) => PsValue | Promise<PsValue>;

export type Member =
  | { kind: 'note'; name: string; value: PsValue }
  | { kind: 'property'; name: string; get: () => PsValue; set?: (v: PsValue) => void }
  | { kind: 'method'; name: string; invoke: MethodImpl };

/**
 * PSObject: PSCustomObject (`[pscustomobject]@{}`) and every simulated .NET object. Members keep
 * their declaration order (it is the property order of ConvertTo-Json and Select-Object).
 */
export class PsObject {
  private readonly members = new Map<string, Member>();
  /** The simulator-side object this PSObject stands for (ErrorRecord data, machine objects...). */
  native?: unknown;
  /**
   * A primitive wrapped in a PSObject that carries instance notes (what remoting returns for a
   * primitive: the value with PSComputerName, RunspaceId, PSShowComputerName). Conversions use
   * the value; ConvertTo-Json writes {"value": ..., <notes>}.
   */
  base?: PsValue;
  /** typeNames[0] is the .NET full type name (GetType().FullName). */
  constructor(
    public readonly typeNames: string[] = ['System.Management.Automation.PSCustomObject', 'System.Object'],
    public toStringImpl?: () => string,
  ) {}

  static custom(props: Array<[string, PsValue]> = []): PsObject {
    const o = new PsObject();
    for (const [k, v] of props) o.addNote(k, v);
    return o;
  }
  get typeName(): string {
    return this.typeNames[0];
  }
  get isCustom(): boolean {
    return this.typeNames[0] === 'System.Management.Automation.PSCustomObject';
  }
  addNote(name: string, value: PsValue): this {
    this.members.set(name.toLowerCase(), { kind: 'note', name, value });
    return this;
  }
  addProperty(name: string, get: () => PsValue, set?: (v: PsValue) => void): this {
    this.members.set(name.toLowerCase(), { kind: 'property', name, get, set });
    return this;
  }
  addMethod(name: string, invoke: MethodImpl): this {
    this.members.set(name.toLowerCase(), { kind: 'method', name, invoke });
    return this;
  }
  member(name: string): Member | undefined {
    return this.members.get(name.toLowerCase());
  }
  /** Method names, in order. */
  methodNames(): string[] {
    return [...this.members.values()].filter((m) => m.kind === 'method').map((m) => m.name);
  }
  /** Property names (notes and properties), in order. */
  propertyNames(): string[] {
    return [...this.members.values()].filter((m) => m.kind !== 'method').map((m) => m.name);
  }
  getProperty(name: string): PsValue | undefined {
    const m = this.member(name);
    if (!m || m.kind === 'method') return undefined;
    return m.kind === 'note' ? m.value : m.get();
  }
  hasProperty(name: string): boolean {
    const m = this.member(name);
    return !!m && m.kind !== 'method';
  }
  /** Returns false when the property does not exist or is read-only. */
  setProperty(name: string, value: PsValue): boolean {
    const m = this.member(name);
    if (!m || m.kind === 'method') return false;
    if (m.kind === 'note') {
      m.value = value;
      return true;
    }
    if (!m.set) return false;
    m.set(value);
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Classification and conversion helpers
// ---------------------------------------------------------------------------------------------

export function isArray(v: PsValue | undefined): v is PsValue[] {
  return Array.isArray(v);
}

/** Pipeline enumeration: arrays (and byte[]) enumerate, everything else is one object. */
export function enumerate(v: PsValue): PsValue[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v;
  if (v instanceof PsBytes) return [...v.bytes];
  return [v];
}

/** Like `enumerate` but $null is one item (foreach over $null runs zero times in PS 3+). */
export function asList(v: PsValue): PsValue[] {
  if (Array.isArray(v)) return v;
  if (v instanceof PsBytes) return [...v.bytes];
  return v === null ? [] : [v];
}

/** Pipeline output of a statement collected into a value: 0 -> $null, 1 -> item, n -> array. */
export function collapse(items: PsValue[]): PsValue {
  if (items.length === 0) return null;
  if (items.length === 1) return items[0];
  return items;
}

const INVARIANT_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const INVARIANT_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function typeNameOf(v: PsValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'System.Boolean';
  if (typeof v === 'number') {
    // Whole numbers beyond 2^53 are Doubles: an Int64 that large is a PsInt64.
    if (!Number.isSafeInteger(v)) return 'System.Double';
    return v >= -2147483648 && v <= 2147483647 ? 'System.Int32' : 'System.Int64';
  }
  if (v instanceof PsInt64) return 'System.Int64';
  if (typeof v === 'string') return 'System.String';
  if (v instanceof PsChar) return 'System.Char';
  if (v instanceof PsDateTime) return 'System.DateTime';
  if (v instanceof PsEnum) return v.typeName;
  if (Array.isArray(v)) return 'System.Object[]';
  if (v instanceof PsHashtable) return v.ordered ? 'System.Collections.Specialized.OrderedDictionary' : 'System.Collections.Hashtable';
  if (v instanceof PsObject) return v.typeName;
  if (v instanceof PsScriptBlock) return 'System.Management.Automation.ScriptBlock';
  if (v instanceof PsType) return 'System.RuntimeType';
  if (v instanceof PsBytes) return 'System.Byte[]';
  return 'System.Object';
}

export function shortTypeName(full: string): string {
  const i = full.lastIndexOf('.');
  return i < 0 ? full : full.slice(i + 1);
}

/** .NET Double.ToString() with the invariant culture ("R"-like for the values scripts produce). */
export function numberToString(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  // A whole number within 2^53 is an Int32 or Int64 here (typeNameOf): all its digits, as .NET writes them.
  if (Number.isSafeInteger(n)) return String(n);
  return doubleToString(n);
}

/**
 * A Double as .NET Framework's Double.ToString() writes it (5.1): "G", 15 significant digits,
 * exponent form (E+XX / E-XX) from 1E+15 and from 1E-05 down (learn.microsoft.com/dotnet/standard/base-types/standard-numeric-format-strings,
 * "General format specifier"). .NET Core 3.0+ writes the shortest round-trip form instead
 * (devblogs.microsoft.com/dotnet/floating-point-parsing-and-formatting-improvements-in-net-core-3-0),
 * which pwsh 7 shows for .ToString() and -f, though not for [string] or "$x".
 */
export function doubleToString(n: number): string {
  const p = Number(n.toPrecision(15));
  if (p === 0) return '0';
  const exponent = Math.floor(Math.log10(Math.abs(p)));
  if (exponent >= 15 || exponent < -4) {
    const [mantissa, e] = p.toExponential().split('e');
    const sign = e.startsWith('-') ? '-' : '+';
    return `${mantissa}E${sign}${e.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return String(p);
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** Fields of a DateTime in the simulated machine's time zone (UTC). */
export function dateParts(d: PsDateTime) {
  const dt = new Date(d.ms);
  return {
    year: dt.getUTCFullYear(),
    month: dt.getUTCMonth() + 1,
    day: dt.getUTCDate(),
    hour: dt.getUTCHours(),
    minute: dt.getUTCMinutes(),
    second: dt.getUTCSeconds(),
    ms: dt.getUTCMilliseconds(),
    dow: dt.getUTCDay(),
  };
}

/** Invariant-culture "G" format used by PowerShell's string conversion: MM/dd/yyyy HH:mm:ss. */
export function dateToInvariantString(d: PsDateTime): string {
  const p = dateParts(d);
  return `${pad(p.month, 2)}/${pad(p.day, 2)}/${pad(p.year, 4)} ${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}`;
}

/** Round-trip format 'o': 2024-07-14T02:13:02.1234567Z (Utc), +00:00 suffix for Local. */
export function dateToRoundTrip(d: PsDateTime): string {
  const p = dateParts(d);
  const frac = pad(p.ms * 10000 + d.extraTicks, 7);
  const base = `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}T${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}.${frac}`;
  if (d.kind === 'Utc') return base + 'Z';
  if (d.kind === 'Local') return base + '+00:00';
  return base;
}

/**
 * en-US culture formats used by DateTime.ToString() without arguments and by Get-Date's ETS
 * `DateTime` property (long date + long time). The simulated host runs with en-US.
 */
export function dateToCultureString(d: PsDateTime, which: 'G' | 'F' | 'D' | 'T'): string {
  const p = dateParts(d);
  const h12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
  const ampm = p.hour < 12 ? 'AM' : 'PM';
  const longTime = `${h12}:${pad(p.minute, 2)}:${pad(p.second, 2)} ${ampm}`;
  const longDate = `${INVARIANT_DAYS[p.dow]}, ${INVARIANT_MONTHS[p.month - 1]} ${p.day}, ${p.year}`;
  if (which === 'D') return longDate;
  if (which === 'T') return longTime;
  if (which === 'F') return `${longDate} ${longTime}`;
  return `${p.month}/${p.day}/${p.year} ${longTime}`;
}

/** Custom DateTime format strings (the subset scripts use). */
export function formatDate(d: PsDateTime, fmt: string): string {
  if (fmt === 'o' || fmt === 'O') return dateToRoundTrip(d);
  if (fmt === 's') return dateToRoundTrip(new PsDateTime(d.ms, 'Unspecified')).slice(0, 19);
  if (fmt === 'u') return dateToRoundTrip(new PsDateTime(d.ms, 'Unspecified')).slice(0, 19).replace('T', ' ') + 'Z';
  if (fmt === 'G' || fmt === 'F' || fmt === 'D' || fmt === 'T') return dateToCultureString(d, fmt);
  const p = dateParts(d);
  const tokens: Array<[RegExp, () => string]> = [
    [/^yyyy/, () => pad(p.year, 4)],
    [/^yy/, () => pad(p.year % 100, 2)],
    [/^MMMM/, () => INVARIANT_MONTHS[p.month - 1]],
    [/^MMM/, () => INVARIANT_MONTHS[p.month - 1].slice(0, 3)],
    [/^MM/, () => pad(p.month, 2)],
    [/^M/, () => String(p.month)],
    [/^dddd/, () => INVARIANT_DAYS[p.dow]],
    [/^ddd/, () => INVARIANT_DAYS[p.dow].slice(0, 3)],
    [/^dd/, () => pad(p.day, 2)],
    [/^d/, () => String(p.day)],
    [/^HH/, () => pad(p.hour, 2)],
    [/^H/, () => String(p.hour)],
    [/^hh/, () => pad(p.hour % 12 || 12, 2)],
    [/^h/, () => String(p.hour % 12 || 12)],
    [/^mm/, () => pad(p.minute, 2)],
    [/^m/, () => String(p.minute)],
    [/^ss/, () => pad(p.second, 2)],
    [/^s/, () => String(p.second)],
    [/^fffffff/, () => pad(p.ms * 10000 + d.extraTicks, 7)],
    [/^ffffff/, () => pad(p.ms * 1000 + Math.floor(d.extraTicks / 10), 6)],
    [/^fff/, () => pad(p.ms, 3)],
    [/^ff/, () => pad(Math.floor(p.ms / 10), 2)],
    [/^f/, () => String(Math.floor(p.ms / 100))],
    [/^tt/, () => (p.hour < 12 ? 'AM' : 'PM')],
    [/^K/, () => (d.kind === 'Utc' ? 'Z' : d.kind === 'Local' ? '+00:00' : '')],
    [/^zzz/, () => '+00:00'],
  ];
  let out = '';
  let i = 0;
  outer: while (i < fmt.length) {
    const rest = fmt.slice(i);
    if (rest[0] === "'" || rest[0] === '"') {
      const end = fmt.indexOf(rest[0], i + 1);
      const stop = end < 0 ? fmt.length : end;
      out += fmt.slice(i + 1, stop);
      i = stop + 1;
      continue;
    }
    if (rest[0] === '\\' && rest.length > 1) {
      out += rest[1];
      i += 2;
      continue;
    }
    for (const [re, f] of tokens) {
      const m = re.exec(rest);
      if (m) {
        out += f();
        i += m[0].length;
        continue outer;
      }
    }
    out += rest[0];
    i++;
  }
  return out;
}

/**
 * PowerShell's conversion of a value to string (LanguagePrimitives.ConvertTo<string>): used by
 * [string] casts, string expansion and -join. Arrays join with a space ($OFS default).
 */
export function toStr(v: PsValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return numberToString(v);
  if (v instanceof PsInt64) return v.value.toString();
  if (v instanceof PsChar) return v.toString();
  if (v instanceof PsDateTime) return dateToInvariantString(v);
  if (v instanceof PsEnum) return v.name;
  if (Array.isArray(v)) return v.map((x) => toStr(x)).join(' ');
  if (v instanceof PsHashtable) return typeNameOf(v);
  if (v instanceof PsObject) return objectToString(v);
  if (v instanceof PsScriptBlock) return v.text;
  if (v instanceof PsType) return v.fullName;
  if (v instanceof PsBytes) return [...v.bytes].map(String).join(' ');
  return String(v);
}

/**
 * PSObject.ToString(): a PSCustomObject renders as `@{a=1; b=2}` (that is what ConvertTo-Json
 * emits for objects beyond -Depth, docs/sources.md §P3); .NET objects use
 * their own ToString (default: the type name).
 */
export function objectToString(o: PsObject): string {
  if (o.base !== undefined) return toStr(o.base);
  if (o.toStringImpl) return o.toStringImpl();
  if (o.isCustom) {
    return '@{' + o.propertyNames().map((n) => `${n}=${toStr(o.getProperty(n) ?? null)}`).join('; ') + '}';
  }
  return o.typeName;
}

/** PowerShell truthiness (LanguagePrimitives.IsTrue). */
export function isTrue(v: PsValue | undefined): boolean {
  if (v === null || v === undefined) return false;
  if (v instanceof PsObject && v.base !== undefined) return isTrue(v.base);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (v instanceof PsChar) return v.code !== 0;
  if (v instanceof PsEnum) return v.value !== 0;
  if (Array.isArray(v)) {
    if (v.length === 0) return false;
    if (v.length === 1) return isTrue(v[0]);
    return true;
  }
  return true;
}
