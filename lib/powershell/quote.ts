/**
 * The ONLY way a value enters a PowerShell script.
 *
 * Script text is built with the `ps` tagged template: every interpolated value is turned into a
 * PowerShell literal by `quote()`, except a `PsCode` (text that was itself built by `ps`), which is
 * inserted as is. So a pool name, a site name, a computer name or a reason text can never become
 * code, whatever it contains.
 *
 * Strings become single-quoted (verbatim) literals: nothing inside them is expanded. In a
 * single-quoted string PowerShell treats ' and the four Unicode single quotes U+2018, U+2019,
 * U+201A and U+201B as quote characters, and a quote character followed by another one stands for
 * one literal quote (PowerShell tokenizer, ScanStringLiteral). Doubling every one of the five
 * therefore keeps the value intact and never closes the string early.
 */
import { invalidArgument } from '../errors';

/** Script text that is trusted because it was produced by `ps` (or is a constant in our code). */
export class PsCode {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type PsValue =
  | string
  | number
  | boolean
  | null
  | Date
  | PsCode
  | readonly PsValue[]
  | { readonly [key: string]: PsValue | undefined };

/** Every character PowerShell accepts as a single quote (see the module comment). */
const SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A single-quoted PowerShell string literal whose value is exactly `value`. */
export function quoteString(value: string): string {
  if (value.includes('\0')) {
    throw invalidArgument('A value sent to PowerShell contains a NUL character, which PowerShell cannot represent in a string.');
  }
  if (LONE_SURROGATE.test(value)) {
    // It would be replaced by U+FFFD on the way through UTF-8, so the host would see another value.
    throw invalidArgument('A value sent to PowerShell contains an unpaired UTF-16 surrogate and cannot be passed unchanged.');
  }
  return `'${value.replace(SINGLE_QUOTES, (q) => q + q)}'`;
}

function quoteNumber(value: number): string {
  if (!Number.isFinite(value)) {
    throw invalidArgument(`A number sent to PowerShell must be finite; got ${String(value)}.`);
  }
  if (Object.is(value, -0)) return '0';
  // JavaScript's shortest round-trip form (e.g. 1.5, 1e-7, 1e+21) is also a valid PowerShell
  // real literal. Negative numbers are parenthesised so that in argument mode `-5` can never be
  // read as a parameter name.
  const text = String(value);
  return value < 0 ? `(${text})` : text;
}

function quoteDate(value: Date): string {
  if (Number.isNaN(value.getTime())) throw invalidArgument('A date sent to PowerShell is not a valid date.');
  // An ISO 8601 round-trip string parsed on the host: culture-independent, keeps UTC.
  return `([datetime]::Parse(${quoteString(value.toISOString())}, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::RoundtripKind))`;
}

/** The PowerShell literal for a value: string, number, boolean, null, date, array or hashtable. */
export function quote(value: PsValue): string {
  if (value instanceof PsCode) return value.text;
  if (value === null) return '$null';
  switch (typeof value) {
    case 'string':
      return quoteString(value);
    case 'number':
      return quoteNumber(value);
    case 'boolean':
      return value ? '$true' : '$false';
    case 'object':
      break;
    default:
      throw invalidArgument(`A value of type ${typeof value} cannot be sent to PowerShell.`);
  }
  if (value instanceof Date) return quoteDate(value);
  if (Array.isArray(value)) return `@(${(value as readonly PsValue[]).map(quote).join(', ')})`;
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
    throw invalidArgument('Only plain objects can be sent to PowerShell as hashtables.');
  }
  const entries = Object.entries(value as Record<string, PsValue | undefined>).filter(([, v]) => v !== undefined);
  return `@{${entries.map(([k, v]) => `${quoteString(k)} = ${quote(v as PsValue)}`).join('; ')}}`;
}

/**
 * Builds script text: `ps\`Get-Service -Name ${name}\`` quotes `name`; a PsCode value is inserted
 * as is, so fragments compose.
 */
export function ps(strings: TemplateStringsArray, ...values: PsValue[]): PsCode {
  let text = strings[0];
  values.forEach((value, i) => {
    text += quote(value) + strings[i + 1];
  });
  return new PsCode(text);
}

/** Joins fragments (e.g. statements with '; ' or lines with '\n'). */
export function joinCode(parts: readonly PsCode[], separator: '\n' | '; ' | ', ' = '\n'): PsCode {
  return new PsCode(parts.map((p) => p.text).join(separator));
}

/**
 * The value a single-quoted literal stands for, by PowerShell's rules. Used by tests and by the
 * simulated host; inverse of quoteString for every string quoteString accepts.
 */
export function unquoteVerbatim(literal: string): string {
  const isQuote = (c: string | undefined): boolean => c !== undefined && /['\u2018\u2019\u201A\u201B]/.test(c);
  if (literal.length < 2 || !isQuote(literal[0]) || !isQuote(literal[literal.length - 1])) {
    throw new Error(`not a single-quoted literal: ${literal.slice(0, 40)}`);
  }
  let out = '';
  for (let i = 1; i < literal.length - 1; i++) {
    const c = literal[i];
    if (isQuote(c)) {
      if (!isQuote(literal[i + 1]) || i + 1 === literal.length - 1) {
        throw new Error(`unescaped quote at ${i} in a single-quoted literal`);
      }
      out += literal[i + 1];
      i++;
    } else {
      out += c;
    }
  }
  return out;
}
