/**
 * Every default is declared once (lib/defaults.ts): no other file of lib/ (the simulator aside, which
 * models Windows, not iisctl) writes a default's number, in code, in a help text or in a comment;
 * and the README's "Defaults" table is lib/defaults.ts's table.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SPECS, DefaultName, DefaultSpec, shownDefault } from '../../lib/defaults';

const root = path.resolve(__dirname, '../..');
const specs = Object.entries(DEFAULT_SPECS) as Array<[DefaultName, DefaultSpec]>;

/** Splits TypeScript text into code (comments, strings and regular expressions blanked) and prose (comment and string text). */
export function splitSource(text: string): { code: string; prose: string } {
  let code = '';
  let prose = '';
  // Each open template literal's depth of `${ ... }` braces.
  const templates: number[] = [];
  let braces = 0;
  let lastSignificant = '';
  let i = 0;
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      prose += `${text.slice(i, stop)}\n`;
      code += blank(text.slice(i, stop));
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      prose += `${text.slice(i, stop)}\n`;
      code += blank(text.slice(i, stop));
      i = stop;
    } else if (c === '/' && (lastSignificant === '' || /[(,=:[!&|?{};+\-*%<>~^]/.test(lastSignificant) || /\breturn$/.test(code.trimEnd()))) {
      // A regular expression literal: up to the unescaped / outside a character class.
      let j = i + 1;
      let inClass = false;
      while (j < text.length && text[j] !== '\n') {
        if (text[j] === '\\') j++;
        else if (text[j] === '[') inClass = true;
        else if (text[j] === ']') inClass = false;
        else if (text[j] === '/' && !inClass) break;
        j++;
      }
      code += blank(text.slice(i, j + 1));
      lastSignificant = '/';
      i = j + 1;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      prose += `${text.slice(i + 1, j)}\n`;
      code += `${c}${blank(text.slice(i + 1, j))}${c}`;
      lastSignificant = c;
      i = j + 1;
    } else if (c === '`' || (c === '}' && templates.length && braces === templates[templates.length - 1])) {
      // Template text, from a backquote or the } that closes a ${...}, to the next ${ or closing backquote.
      if (c === '}') templates.pop();
      let j = i + 1;
      while (j < text.length && text[j] !== '`' && !(text[j] === '$' && text[j + 1] === '{')) j += text[j] === '\\' ? 2 : 1;
      prose += `${text.slice(i + 1, j)}\n`;
      code += `${c}${blank(text.slice(i + 1, j))}`;
      if (text[j] === '$') {
        templates.push(braces);
        code += '${';
        lastSignificant = '{';
        i = j + 2;
      } else {
        code += '`';
        lastSignificant = '`';
        i = j + 1;
      }
    } else {
      if (c === '{') braces++;
      if (c === '}') braces--;
      if (!/\s/.test(c)) lastSignificant = c;
      code += c;
      i++;
    }
  }
  return { code, prose };
}

/** Multiplying or dividing by one of these converts units (ms, s, min, h, days; tenths); such a literal is not a default. */
const UNIT_FACTORS = new Set([10, 100, 1000, 60, 24, 3600, 60_000, 3_600_000, 86_400, 86_400_000, 604_800_000]);

/** The numbers that stand for a default: its value, and the same time in the other unit (60 s is also 60000 ms). */
function spellings(spec: DefaultSpec): number[] {
  if (spec.unit === 's') return [spec.value, spec.value * 1000];
  if (spec.unit === 'ms') return Number.isInteger(spec.value / 1000) && spec.value / 1000 >= 10 ? [spec.value, spec.value / 1000] : [spec.value];
  return [spec.value];
}

/** Values from here up are distinctive enough to look for as bare literals in code. */
const DISTINCTIVE = 10;

interface Finding {
  file: string;
  line: number;
  literal: string;
  defaults: string[];
  kind: 'code' | 'fallback' | 'prose';
}

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** Where a text writes a default's number instead of reading it from lib/defaults.ts. */
export function findDefaultNumbers(file: string, text: string): Finding[] {
  const { code, prose } = splitSource(text);
  const named = (n: number) => specs.filter(([, s]) => spellings(s).includes(n)).map(([k]) => k);
  const found: Finding[] = [];
  for (const m of code.matchAll(/(?<![\w.$])(\d[\d_]*(?:\.\d+)?)(?![\w.])/g)) {
    const n = Number(m[1].replace(/_/g, ''));
    const before = code.slice(0, m.index).trimEnd().slice(-2);
    const after = code.slice(m.index! + m[1].length).trimStart();
    if (before.endsWith('??') && n !== 0 && named(n).length) {
      found.push({ file, line: lineAt(code, m.index!), literal: m[1], defaults: named(n), kind: 'fallback' });
      continue;
    }
    if (n < DISTINCTIVE || !named(n).length) continue;
    const multiplicative = /[*/%]$/.test(before) || /^[*/%](?!\/|\*)/.test(after);
    if (multiplicative && UNIT_FACTORS.has(n)) continue;
    found.push({ file, line: lineAt(code, m.index!), literal: m[1], defaults: named(n), kind: 'code' });
  }
  // "Default 250 ms", "(default 300)", "The default value is 20s": prose that repeats a default's number.
  for (const m of prose.matchAll(/\bdefaults?\b[^\d\n.;)]{0,25}?(\d[\d_,]*(?:\.\d+)?)(?![\d:.])/gi)) {
    const n = Number(m[1].replace(/[_,]/g, ''));
    if (named(n).length) found.push({ file, line: 0, literal: m[0], defaults: named(n), kind: 'prose' });
  }
  return found;
}

function libFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return rel === 'lib/sim' ? [] : libFiles(rel);
    return e.name.endsWith('.ts') && rel !== 'lib/defaults.ts' ? [rel] : [];
  });
}

/**
 * Numbers equal to a default that are something else, each with why. An entry that no longer
 * matches anything fails the test, so the list cannot outlive its reasons.
 */
const ALLOWED: ReadonlyArray<{ file: string; literal: string; reason: string }> = [
  { file: 'lib/scripts/settings.ts', literal: '30', reason: "30 days: iisctl's upper bound of a pool TimeSpan (a limit, not a default)" },
  { file: 'lib/limits.ts', literal: '86_400', reason: 'the seconds of a day, the unit the bounds are written in' },
  { file: 'lib/limits.ts', literal: '100', reason: 'the lowest HTTP status code (RFC 9110, section 15), a bound' },
  { file: 'lib/cli/validate.ts', literal: '60_000', reason: "the unit table of --since/--until: a minute in ms" },
  { file: 'lib/cli/validate.ts', literal: '86_400_000', reason: 'the unit table of --since/--until: a day in ms' },
  { file: 'lib/cli/render.ts', literal: '60_000', reason: 'duration formatting: under a minute is shown in seconds' },
  { file: 'lib/limits.ts', literal: '10', reason: 'the shortest poll interval, a bound' },
  { file: 'lib/limits.ts', literal: '20', reason: 'the most --retries, a bound' },
  { file: 'lib/limits.ts', literal: '60_000', reason: 'the longest poll interval, a bound' },
  { file: 'lib/limits.ts', literal: '10_000', reason: 'the largest rolling batch and failure count, bounds' },
  { file: 'lib/cli/main.ts', literal: '100', reason: "yargs' help text width in columns" },
  { file: 'lib/control/selectors.ts', literal: '20', reason: 'how many existing names a NOT_FOUND hint lists' },
  { file: 'lib/scripts/recovery.ts', literal: '300', reason: "how much of sc.exe's output an error message quotes" },
  { file: 'lib/powershell/session.ts', literal: '2000', reason: "how much of the process's output an error's details keep" },
  { file: 'lib/cli/validate.ts', literal: '1000', reason: 'the longest --reason (a limit), and a second in ms in the unit table of --since/--until' },
  { file: 'lib/cli/render.ts', literal: '1000', reason: 'duration formatting: under a second is shown in ms' },
  { file: 'lib/scripts/events.ts', literal: '1000', reason: "the audit event ID of an action without its own (iisctl's event IDs start at 1000)" },
];

function violations(): Finding[] {
  return libFiles('lib').flatMap((file) => findDefaultNumbers(file, fs.readFileSync(path.join(root, file), 'utf8')));
}

describe('each default written once', () => {
  it('the scanner finds a default written in code, as a fallback, and in prose (so this suite can fail)', () => {
    const sample = [
      'const timeoutMs = (options.timeoutSeconds ?? 60) * 1000;',
      'const attempts = options.attempts ?? 3;',
      '/** Time between reads. Default 500 ms. */',
      "const help = { describe: 'Seconds to wait for the host lock (default 300)' };",
      'const text = `The default value is 20s for restart`;',
      'await this.startServices(op, targets, 60_000, onProgress);',
      // Not defaults: unit conversions, a regular expression, identifiers, an IIS TimeSpan.
      'const minutes = Math.floor(ms / 60_000); const re = /\\d{60}/; const w3svc60 = 1; // default 00:05:00',
    ].join('\n');
    const found = findDefaultNumbers('sample.ts', sample);
    expect(found.map((f) => [f.kind, f.literal.replace(/^.*?(\d[\d_]*)\D*$/, '$1')])).toEqual([
      ['fallback', '60'],
      ['fallback', '3'],
      ['code', '60_000'],
      ['prose', '500'],
      ['prose', '300'],
      ['prose', '20'],
    ]);
  });

  it('lib/ outside lib/defaults.ts writes no default number (allowed exceptions named with their reason)', () => {
    const found = violations();
    const allowed = (f: Finding) => f.kind !== 'prose' && ALLOWED.some((a) => a.file === f.file && a.literal === f.literal);
    expect(found.filter((f) => !allowed(f)).map((f) => `${f.file}:${f.line} ${f.kind} ${JSON.stringify(f.literal)} (${f.defaults.join(', ')})`)).toEqual([]);
    const stale = ALLOWED.filter((a) => !found.some((f) => f.file === a.file && f.literal === a.literal));
    expect(stale).toEqual([]);
  });

  it('every default is read somewhere in lib/', () => {
    const text = libFiles('lib').map((f) => fs.readFileSync(path.join(root, f), 'utf8')).join('\n');
    expect(specs.map(([k]) => k).filter((k) => !new RegExp(`\\bDEFAULTS\\.${k}\\b`).test(text))).toEqual([]);
  });

  it('every default has a reason and a source', () => {
    for (const [name, spec] of specs) {
      expect([name, spec.why.length > 10, spec.source.length > 5]).toEqual([name, true, true]);
    }
  });
});

describe("the README's Defaults table", () => {
  it('is lib/defaults.ts, row for row', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const expected = ['| default | value | why | source |', '| --- | --- | --- | --- |', ...specs.map(([name, s]) => `| \`${name}\` | ${shownDefault(name)} | ${s.why} | ${s.source} |`)].join('\n');
    const at = readme.indexOf('| default | value | why | source |');
    expect(at).toBeGreaterThan(0);
    const table = readme.slice(at).split('\n\n')[0].trimEnd();
    expect(table).toBe(expected);
  });

  /** README prose that says "default" beside a number that is not one of iisctl's defaults. */
  const NOT_OURS: ReadonlyArray<{ text: string; reason: string }> = [
    { text: 'defaults are 12', reason: 'fast-check run counts of the test suites, not iisctl defaults' },
    { text: 'default `0', reason: 'the benchmark baseline commit (BENCH_BASELINE, a git ref), not an iisctl default' },
  ];

  it('a default written in its prose names the default, with that default\'s value', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const prose = readme.replace(/^```[\s\S]*?^```/gm, '').split('\n').filter((l) => !l.startsWith('| `'));
    const names = new Map(specs.map(([k, s]) => [k, spellings(s)]));
    const wrong: string[] = [];
    let checked = 0;
    for (const line of prose) {
      for (const m of line.matchAll(/\bdefaults?\b[^\d\n.;)]{0,25}?(\d[\d_,]*(?:\.\d+)?)(?![\d:.])/gi)) {
        if (NOT_OURS.some((x) => m[0].startsWith(x.text))) continue;
        checked++;
        const n = Number(m[1].replace(/[_,]/g, ''));
        const named = [...line.matchAll(/`(\w+)`/g)].map((b) => b[1]).filter((b) => names.has(b as DefaultName));
        if (!named.some((b) => names.get(b as DefaultName)!.includes(n))) wrong.push(`${m[0]} (names: ${named.join(', ') || 'none'}): ${line.trim()}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });
});
