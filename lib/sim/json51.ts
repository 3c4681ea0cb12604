/**
 * Windows PowerShell 5.1 ConvertTo-Json / ConvertFrom-Json emulation.
 *
 * Sources:
 * - docs/sources.md §P3 and §3.5 (quirk table: enums as integers,
 *   "\/Date(ms)\/", the four HTML-safe escapes \u0027 \u003c \u003e \u0026, silent depth
 *   truncation, Get-Date's {value, DisplayHint, DateTime} wrapper, no -AsArray/-EnumsAsStrings);
 * - the 5.1 ConvertTo-Json help (MicrosoftDocs/PowerShell-Docs reference/5.1, ms.date 2017-06-09):
 *   pretty output `"key":  value` with 4-space indentation, and lists nested under a key aligned
 *   after the key ("Eras":  [ ... ] example); "When the input object is $Null, ConvertTo-Json does
 *   not generate any output";
 * - the ConvertToJsonCommand source (PowerShell repository, pre-Newtonsoft pretty printer and
 *   ProcessValue): depth counting (the top object is depth 0, a non-primitive deeper than -Depth
 *   becomes its invariant string), PSObject extra properties producing {"value": ...} wrappers,
 *   non-string dictionary keys rejected (NonStringKeyInDictionary).
 * Hashtable key order: .NET enumerates a Hashtable in hash order; the simulator keeps insertion
 * order (use [ordered] in generated code, as the library does).
 */
import {
  PsBytes, PsChar, PsDateTime, PsEnum, PsHashtable, PsInt64, PsObject, PsScriptBlock, PsType, PsValue, toStr,
  dateToCultureString,
} from './values';

export class JsonError extends Error {
  constructor(message: string, public readonly fqid: string) {
    super(message);
  }
}

/** JavaScriptSerializer string escaping (HTML-safe characters as \u00XX, lowercase hex). */
export function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case "'":
      case '<':
      case '>':
      case '&':
        out += '\\u' + c.toString(16).padStart(4, '0');
        break;
      default:
        out += c < 0x20 ? '\\u' + c.toString(16).padStart(4, '0') : ch;
    }
  }
  return out + '"';
}

function jsonNumber(n: number): string {
  if (!Number.isFinite(n)) throw new JsonError(`The value ${n} cannot be serialized to JSON.`, 'System.ArgumentException');
  // A whole number past 2^53 is a Double here (an Int64 that large is a PsInt64): "R" writes it in
  // E notation from 1E+15 (pwsh 7.6: ConvertTo-Json of [datetime] Ticks * 2.5 is 1.595991599975E+18).
  const s = Number.isInteger(n) && !Number.isSafeInteger(n) ? n.toExponential() : String(n);
  return s.includes('e') ? s.replace('e', 'E') : s;
}

/** Compact JavaScriptSerializer text of one value at `depth` (top object = depth 0). */
function serialize(v: PsValue, depth: number, max: number): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return jsonString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return jsonNumber(v);
  if (v instanceof PsInt64) return v.value.toString();
  if (v instanceof PsChar) return jsonString(v.toString());
  if (v instanceof PsEnum) return jsonNumber(v.value);
  if (v instanceof PsDateTime) {
    const value = `"\\/Date(${v.ms})\\/"`;
    if (v.displayHint === undefined) return value;
    // Get-Date output carries the DisplayHint NoteProperty and the types.ps1xml DateTime
    // ScriptProperty (long date + long time), hence the wrapper object.
    return `{"value":${value},"DisplayHint":${v.displayHint},"DateTime":${jsonString(dateToCultureString(v, 'F'))}}`;
  }
  if (v instanceof PsScriptBlock || v instanceof PsType) {
    throw new JsonError(`ConvertTo-Json of a ${v instanceof PsType ? 'type' : 'script block'} object is not supported by the simulated host`, 'NotSupportedBySimulatedHost');
  }
  // Non-primitives deeper than -Depth become their string form, silently.
  if (depth > max) return jsonString(toStr(v));
  if (Array.isArray(v)) return '[' + v.map((x) => serialize(x, depth + 1, max)).join(',') + ']';
  if (v instanceof PsBytes) return '[' + [...v.bytes].join(',') + ']';
  if (v instanceof PsHashtable) {
    const parts: string[] = [];
    for (const e of v.entries()) {
      if (typeof e.key !== 'string') {
        throw new JsonError(
          `The type '${v.ordered ? 'System.Collections.Specialized.OrderedDictionary' : 'System.Collections.Hashtable'}' is not supported for serialization or deserialization of a dictionary. Keys must be strings.`,
          'NonStringKeyInDictionary',
        );
      }
      parts.push(jsonString(e.key) + ':' + serialize(e.value, depth + 1, max));
    }
    return '{' + parts.join(',') + '}';
  }
  if (v instanceof PsObject && v.base !== undefined) {
    // AddPsProperties: a base object that is not a dictionary goes under "value", followed by the
    // PSObject's extended (note) properties (ConvertToJsonCommand.cs, 5.1-era source).
    const parts = [`"value":${serialize(v.base, depth, max)}`, ...v.propertyNames().map((n) => jsonString(n) + ':' + serialize(safeGet(v, n), depth + 1, max))];
    return '{' + parts.join(',') + '}';
  }
  if (v instanceof PsObject) {
    const parts = v.propertyNames().map((n) => jsonString(n) + ':' + serialize(safeGet(v, n), depth + 1, max));
    return '{' + parts.join(',') + '}';
  }
  return jsonString(toStr(v));
}

/** "properties whose values cannot be evaluated are treated as having the value null". */
function safeGet(o: PsObject, name: string): PsValue {
  try {
    return o.getProperty(name) ?? null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// 5.1 pretty printer (ConvertToPrettyJsonString): 4-space indent, two spaces after ':', lists and
// objects nested under a key are indented relative to the end of `"key":  `. CRLF line ends.
// ---------------------------------------------------------------------------------------------

const NL = '\r\n';
const INDENT = '    ';
const AFTER_COLON = '  ';

function quotedEnd(json: string, i: number): number {
  // i is the index of the opening quote; returns the index of the closing quote.
  for (let j = i + 1; j < json.length; j++) {
    if (json[j] === '\\') j++;
    else if (json[j] === '"') return j;
  }
  return json.length - 1;
}

function prettyList(json: string, index: number, out: string[], pad: string, spaces: number): number {
  out.push(NL);
  const newPad = pad + ' '.repeat(spaces) + INDENT;
  let head = true;
  for (let i = index; i < json.length; i++) {
    const c = json[i];
    if (c === '{') {
      out.push(newPad, c);
      i = prettyDict(json, i + 1, out, newPad, 0);
      head = false;
    } else if (c === '[') {
      out.push(newPad, c);
      i = prettyList(json, i + 1, out, newPad, 0);
      head = false;
    } else if (c === ']') {
      out.push(NL, pad, ' '.repeat(spaces), c);
      return i;
    } else if (c === '"') {
      if (head) out.push(newPad);
      const end = quotedEnd(json, i);
      out.push(json.slice(i, end + 1));
      i = end;
      head = false;
    } else if (c === ',') {
      out.push(c, NL);
      head = true;
    } else {
      if (head) out.push(newPad);
      out.push(c);
      head = false;
    }
  }
  return json.length;
}

function prettyDict(json: string, index: number, out: string[], pad: string, spaces: number): number {
  out.push(NL);
  const newPad = pad + ' '.repeat(spaces) + INDENT;
  let head = true;
  let keyWidth = 0;
  let beforeColon = true;
  for (let i = index; i < json.length; i++) {
    const c = json[i];
    if (c === '{') {
      out.push(c);
      i = prettyDict(json, i + 1, out, newPad, keyWidth);
      head = false;
    } else if (c === '[') {
      out.push(c);
      i = prettyList(json, i + 1, out, newPad, keyWidth);
      head = false;
    } else if (c === '}') {
      out.push(NL, pad, ' '.repeat(spaces), c);
      return i;
    } else if (c === '"') {
      if (head) out.push(newPad);
      const end = quotedEnd(json, i);
      out.push(json.slice(i, end + 1));
      if (beforeColon) keyWidth = end - i + 1;
      i = end;
      head = false;
    } else if (c === ':') {
      out.push(c, AFTER_COLON);
      keyWidth += 1 + AFTER_COLON.length;
      beforeColon = false;
      head = false;
    } else if (c === ',') {
      out.push(c, NL);
      head = true;
      beforeColon = true;
      keyWidth = 0;
    } else {
      if (head) out.push(newPad);
      out.push(c);
      head = false;
    }
  }
  return json.length;
}

export function prettyPrint51(json: string): string {
  const out: string[] = [];
  if (json.startsWith('{')) {
    out.push('{');
    prettyDict(json, 1, out, '', 0);
  } else if (json.startsWith('[')) {
    out.push('[');
    prettyList(json, 1, out, '', 0);
  } else return json;
  return out.join('');
}

/**
 * ConvertTo-Json: `inputs` are the collected InputObject values (pipeline items or the single
 * -InputObject argument). Returns undefined when there is no output (no non-null input).
 */
export function convertToJson51(inputs: PsValue[], opts: { depth?: number; compress?: boolean } = {}): string | undefined {
  const items = inputs.filter((x) => x !== null);
  if (items.length === 0) return undefined;
  const value: PsValue = items.length > 1 ? items : items[0];
  const compact = serialize(value, 0, opts.depth ?? 2);
  return opts.compress ? compact : prettyPrint51(compact);
}

// ---------------------------------------------------------------------------------------------
// ConvertFrom-Json
// ---------------------------------------------------------------------------------------------

const MS_DATE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

function fromJs(v: unknown): PsValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') {
    const m = MS_DATE.exec(v);
    return m ? new PsDateTime(Number(m[1]), 'Utc') : v;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(fromJs);
  const o = PsObject.custom();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) o.addNote(k, fromJs(x));
  return o;
}

/** Parses JSON text into PowerShell values (objects become PSCustomObjects). */
export function convertFromJson(text: string): PsValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new JsonError(`Invalid JSON primitive: ${(e as Error).message}`, 'System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand');
  }
  return fromJs(parsed);
}
