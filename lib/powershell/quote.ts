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
  /**
   * `redacted`: the same text with every Secret shown as '********' (only when the script holds
   * one); `safeText` is what may be logged, printed by --dry-run, or put in an error.
   */
  constructor(
    readonly text: string,
    readonly redacted?: string,
  ) {}
  get safeText(): string {
    return this.redacted ?? this.text;
  }
  toString(): string {
    return this.safeText;
  }
  toJSON(): string {
    return this.safeText;
  }
  /** util.inspect (console.log, loggers, test output) shows the redacted text too. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `PsCode(${JSON.stringify(this.safeText)})`;
  }
}

const REDACTED = '********';

/**
 * A value that must never be shown: a password. `quote()` renders the real value into the script
 * (PsCode.text), while toString, toJSON, util.inspect and PsCode.redacted/safeText only show
 * '********'. The value lives in a private field, so JSON.stringify, winston and error
 * serialisation cannot reach it.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The real value: only quote() should need it. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${REDACTED})`;
  }
}

export type PsValue =
  | string
  | number
  | boolean
  | null
  | Date
  | PsCode
  | Secret
  | readonly PsValue[]
  | { readonly [key: string]: PsValue | undefined };

/** Every character PowerShell accepts as a single quote (see the module comment). */
const SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Refuses (INVALID_ARGUMENT) a string PowerShell cannot receive unchanged. quoteString checks it;
 * callers that look a value up before quoting it (names matched against the host's list) check
 * it first, so such a value fails before anything runs.
 */
export function assertRepresentable(value: string): string {
  if (value.includes('\0')) {
    throw invalidArgument('A value sent to PowerShell contains a NUL character, which PowerShell cannot represent in a string.');
  }
  if (LONE_SURROGATE.test(value)) {
    // It would be replaced by U+FFFD on the way through UTF-8, so the host would see another value.
    throw invalidArgument('A value sent to PowerShell contains an unpaired UTF-16 surrogate and cannot be passed unchanged.');
  }
  return value;
}

/** A single-quoted PowerShell string literal whose value is exactly `value`. */
export function quoteString(value: string): string {
  assertRepresentable(value);
  return `'${value.replace(SINGLE_QUOTES, (q) => q + q)}'`;
}

/**
 * The literal for a string that may stand as a command argument. A single-quoted '--%' is still
 * taken for the stop-parsing token: the parameters after it on the command line are lost
 * (`f -A '--%' -B x` binds x to a position; PowerShell/PowerShell#11608, seen with real
 * PowerShell 7.6 by __tests__/real/hostile-exec.test.ts). In parentheses it is an expression, read
 * as the plain string everywhere a literal can stand.
 */
function quoteStringArgument(value: string): string {
  const literal = quoteString(value);
  return value === '--%' ? `(${literal})` : literal;
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
  return render(value, false);
}

/** The literal with Secrets shown as a quoted '********' (for PsCode.redacted). */
function quoteRedacted(value: PsValue): string {
  return render(value, true);
}

function hasSecret(value: PsValue): boolean {
  if (value instanceof Secret) return true;
  if (value instanceof PsCode) return value.redacted !== undefined;
  if (Array.isArray(value)) return (value as readonly PsValue[]).some(hasSecret);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return Object.values(value).some((v) => v !== undefined && hasSecret(v as PsValue));
  return false;
}

function render(value: PsValue, redact: boolean): string {
  if (value instanceof PsCode) return redact ? value.safeText : value.text;
  if (value instanceof Secret) return quoteString(redact ? REDACTED : value.reveal());
  if (value === null) return '$null';
  switch (typeof value) {
    case 'string':
      return quoteStringArgument(value);
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
  if (Array.isArray(value)) return `@(${(value as readonly PsValue[]).map((v) => render(v, redact)).join(', ')})`;
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
    throw invalidArgument('Only plain objects can be sent to PowerShell as hashtables.');
  }
  const entries = Object.entries(value as Record<string, PsValue | undefined>).filter(([, v]) => v !== undefined);
  return `@{${entries.map(([k, v]) => `${quoteString(k)} = ${render(v as PsValue, redact)}`).join('; ')}}`;
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
  if (!values.some(hasSecret)) return new PsCode(text);
  let redacted = strings[0];
  values.forEach((value, i) => {
    redacted += quoteRedacted(value) + strings[i + 1];
  });
  return new PsCode(text, redacted);
}

/** Joins fragments (e.g. statements with '; ' or lines with '\n'). */
export function joinCode(parts: readonly PsCode[], separator: '\n' | '; ' | ', ' = '\n'): PsCode {
  const text = parts.map((p) => p.text).join(separator);
  return parts.some((p) => p.redacted !== undefined) ? new PsCode(text, parts.map((p) => p.safeText).join(separator)) : new PsCode(text);
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
