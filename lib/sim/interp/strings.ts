/**
 * String literal rules and the -f operator.
 *
 * about_Quoting_Rules: in a single-quoted string any of the single-quote characters
 * ' (U+0027) ‘ (U+2018) ’ (U+2019) ‚ (U+201A) ‛ (U+201B) doubled stands for one (the second one is
 * kept); in double-quoted strings `" and "" (and the typographic double quotes “ ” „ doubled)
 * stand for one quote, and the backtick escapes are `0 `a `b `f `n `r `t `v (`e and `u{} are
 * PowerShell 6+ and are NOT escapes in 5.1: the backtick just keeps the next character).
 */
import { PsDateTime, PsInt64, PsValue, PsChar, PsEnum, formatDate, numberToString, toStr } from '../values';

const SINGLE_QUOTES = new Set(["'", '\u2018', '\u2019', '\u201A', '\u201B']);
const DOUBLE_QUOTES = new Set(['"', '\u201C', '\u201D', '\u201E']);
const ANY_SINGLE_QUOTE = /['\u2018\u2019\u201A\u201B]/;

/** Content of a verbatim ('...') literal from its source text, quotes included. */
export function verbatimString(text: string): string {
  const inner = text.slice(1, -1);
  if (!ANY_SINGLE_QUOTE.test(inner)) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (SINGLE_QUOTES.has(c) && i + 1 < inner.length && SINGLE_QUOTES.has(inner[i + 1])) {
      out += inner[i + 1];
      i++;
    } else out += c;
  }
  return out;
}

/** Body of a here-string: the lines between the header line and the closing line. */
export function hereStringBody(text: string): string {
  const first = text.indexOf('\n');
  const last = text.lastIndexOf('\n');
  if (first < 0 || last <= first) return '';
  return text.slice(first + 1, last).replace(/\r$/, '');
}

const ESCAPES: Record<string, string> = { '0': '\0', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Literal segment of an expandable string: backtick escapes and doubled double quotes. */
export function expandEscapes(seg: string, hereString: boolean): string {
  let out = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '`' && i + 1 < seg.length) {
      const n = seg[i + 1];
      out += ESCAPES[n] ?? n;
      i++;
    } else if (!hereString && DOUBLE_QUOTES.has(c) && i + 1 < seg.length && DOUBLE_QUOTES.has(seg[i + 1])) {
      out += seg[i + 1];
      i++;
    } else out += c;
  }
  return out;
}

export class FormatError extends Error {}

function groupThousands(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function toNumber(v: PsValue): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof PsInt64) return Number(v.value);
  if (v instanceof PsChar) return v.code;
  if (v instanceof PsEnum) return v.value;
  return undefined;
}

/** One {i:fmt} item of composite formatting (the standard formats scripts use). */
export function formatItem(v: PsValue, fmt: string | undefined): string {
  if (fmt === undefined || fmt === '') return toStr(v);
  if (v instanceof PsDateTime) return formatDate(v, fmt);
  const n = toNumber(v);
  if (n === undefined) return toStr(v);
  const m = /^([xXdDnNfFgGpP])(\d*)$/.exec(fmt);
  if (!m) {
    if (/^[0#,.]+$/.test(fmt)) {
      const decimals = (fmt.split('.')[1] ?? '').length;
      const s = n.toFixed(decimals);
      if (!fmt.includes(',')) return s;
      const [i, f] = s.split('.');
      return groupThousands(i) + (f ? '.' + f : '');
    }
    throw new FormatError(`format string '${fmt}' is not supported by the simulated host`);
  }
  const spec = m[1];
  const digits = m[2] === '' ? undefined : Number(m[2]);
  switch (spec) {
    case 'x':
    case 'X': {
      if (!Number.isInteger(n)) throw new FormatError('Format specifier was invalid.');
      const u = n < 0 ? n >>> 0 : n;
      const s = u.toString(16);
      return (spec === 'X' ? s.toUpperCase() : s).padStart(digits ?? 0, '0');
    }
    case 'd':
    case 'D': {
      if (!Number.isInteger(n)) throw new FormatError('Format specifier was invalid.');
      const s = Math.abs(n).toString().padStart(digits ?? 0, '0');
      return n < 0 ? '-' + s : s;
    }
    case 'n':
    case 'N': {
      const s = Math.abs(n).toFixed(digits ?? 2);
      const [i, f] = s.split('.');
      return (n < 0 ? '-' : '') + groupThousands(i) + (f ? '.' + f : '');
    }
    case 'f':
    case 'F':
      return n.toFixed(digits ?? 2);
    case 'p':
    case 'P':
      return (n * 100).toFixed(digits ?? 2) + ' %';
    default:
      return numberToString(n);
  }
}

/** .NET String.Format composite formatting: {index[,alignment][:format]}, {{ and }} escapes. */
export function compositeFormat(format: string, args: PsValue[]): string {
  let out = '';
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c === '{') {
      if (format[i + 1] === '{') {
        out += '{';
        i += 2;
        continue;
      }
      const end = format.indexOf('}', i);
      if (end < 0) throw new FormatError('Input string was not in a correct format.');
      const m = /^(\d+)\s*(?:,\s*(-?\d+))?\s*(?::(.*))?$/s.exec(format.slice(i + 1, end));
      if (!m) throw new FormatError('Input string was not in a correct format.');
      const idx = Number(m[1]);
      if (idx >= args.length) {
        throw new FormatError('Index (zero based) must be greater than or equal to zero and less than the size of the argument list.');
      }
      let s = formatItem(args[idx], m[3]);
      if (m[2]) {
        const w = Number(m[2]);
        s = w < 0 ? s.padEnd(-w) : s.padStart(w);
      }
      out += s;
      i = end + 1;
    } else if (c === '}') {
      if (format[i + 1] === '}') {
        out += '}';
        i += 2;
        continue;
      }
      throw new FormatError('Input string was not in a correct format.');
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
