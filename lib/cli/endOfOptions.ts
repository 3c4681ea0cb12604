/**
 * `--` ends the options (POSIX utility syntax guideline 10): every argument after it is an operand,
 * e.g. a pool, site or backup name, taken exactly as given, also when it starts with '-'
 * (`iisctl pool recycle -- -legacy`): no option parsing, no trimming, no number coercion.
 *
 * Why iisctl does this itself rather than through a yargs setting. Facts checked in the
 * yargs-parser README (`populate--`, `halt-at-non-option`, `greedy-arrays`) and in the installed
 * yargs 17.7 / yargs-parser 21.1 sources (yargs-factory.js kRunYargsParserAndExecuteCommands,
 * kCopyDoubleDash, kParsePositionalNumbers; command.js populatePositionals, postProcessPositionals;
 * yargs-parser.js eatArray):
 * - yargs always parses with `populate--` on: what follows `--` goes to argv['--'], never into a
 *   command's positionals (`pool recycle -- x` had no names; `heal -- x` failed with "Not enough
 *   non-option arguments"), and is copied into argv._ only afterwards, where
 *   parse-positional-numbers turns "1e3" into 1000.
 * - A positional's value is parsed a second time as `--name VALUE`, where a VALUE that starts with
 *   '-' is read as an option: yargs cannot put such a word into a positional at all.
 * - `halt-at-non-option` stops at the first non-option, which is the command word.
 * So main.ts splits argv at the first `--` and gives yargs, in place of each operand, a
 * placeholder nobody can type (it contains NUL, which argv cannot carry); a middleware that runs
 * before validation puts the operands back, and messages from yargs get them back too. A hidden
 * flag goes before the placeholders: an array option (`--health URL`) takes the words after it up
 * to the next one that starts with '-' (eatArray, greedy-arrays), and `--` must end its values.
 */

/** A hidden boolean option: the boundary between the options and the operands' placeholders. */
export const OPERANDS_FLAG = 'end-of-options';

export interface SplitArgv {
  /** What comes before the first `--`: commands, options and their values, leading operands. */
  options: string[];
  /** Everything after the first `--`, exactly as given. */
  operands: string[];
}

export function splitAtEndOfOptions(raw: readonly string[]): SplitArgv {
  const i = raw.indexOf('--');
  return i < 0 ? { options: [...raw], operands: [] } : { options: raw.slice(0, i), operands: raw.slice(i + 1) };
}

const placeholder = (i: number) => `\u0000operand${i}\u0000`;
// eslint-disable-next-line no-control-regex
const PLACEHOLDER = /\u0000operand(\d+)\u0000/g;

/**
 * `--opt=VALUE` / `-o=VALUE` whose VALUE starts and ends with the same quote: yargs-parser strips
 * those quotes (yargs-parser.js stripQuotes, applied to every `=` value), so `--reason='"urgent"'`
 * arrived as `urgent`. Such a value travels as a placeholder too and is put back unchanged.
 */
const EQUALS_VALUE = /^(--?[^=]+=)([\s\S]*)$/;
const quoteWrapped = (v: string) => v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0];

/**
 * What yargs is given, and the texts its placeholders stand for: the options (a quote-wrapped
 * `=` value replaced by a placeholder), then, if there are operands, the flag and one placeholder
 * per operand. `texts` is what restoreOperands and restoreText put back.
 */
export function yargsArgv(split: SplitArgv): { argv: string[]; texts: string[] } {
  const texts = [...split.operands];
  const options = split.options.map((word) => {
    const m = EQUALS_VALUE.exec(word);
    if (!m || !quoteWrapped(m[2])) return word;
    texts.push(m[2]);
    return m[1] + placeholder(texts.length - 1);
  });
  if (split.operands.length === 0) return { argv: options, texts };
  return { argv: [...options, `--${OPERANDS_FLAG}`, ...split.operands.map((_, i) => placeholder(i))], texts };
}

/** The text with every placeholder replaced by its operand (yargs messages may name one). */
export function restoreText(text: string, operands: readonly string[]): string {
  return text.replace(PLACEHOLDER, (whole, i: string) => operands[Number(i)] ?? whole);
}

/**
 * yargs middleware, to be run before validation: every placeholder in the parsed arguments (the
 * command's positionals) becomes its operand again, and the hidden flag goes away.
 */
export function restoreOperands(operands: readonly string[]): (argv: Record<string, unknown>) => void {
  return (argv) => {
    delete argv[OPERANDS_FLAG];
    delete argv.endOfOptions;
    if (operands.length === 0) return;
    const restore = (v: unknown) => (typeof v === 'string' ? restoreText(v, operands) : v);
    for (const key of Object.keys(argv)) {
      // argv._ keeps its placeholders: at the top level it holds the command word, and an operand
      // must never become a command (`iisctl -- status` is refused, as a message names it).
      if (key === '_') continue;
      const value = argv[key];
      argv[key] = Array.isArray(value) ? value.map(restore) : restore(value);
    }
  };
}

export const DASH_NAME_HINT = "to pass a name that starts with '-', put it after --";

const UNKNOWN = /^Unknown arguments?: ([\s\S]*)$/;
const NEGATIVE_NUMBER = /^-([0-9]+(\.[0-9]+)?|\.[0-9]+)$/; // yargs-parser reads these as values, not options

/** The keys yargs-parser makes of an option word: `--no-x=1` -> no-x, x; `-legacy` -> l, e, g, a, c, y. */
function optionKeys(word: string): string[] {
  if (word.startsWith('--')) {
    const name = word.slice(2).split('=')[0];
    return name.startsWith('no-') ? [name, name.slice(3)] : [name];
  }
  return [...word.slice(1).split('=')[0]];
}

const isOptionWord = (w: string) => w.startsWith('-') && w !== '-' && w !== '--' && !NEGATIVE_NUMBER.test(w);

/**
 * yargs' strict-mode message names an unknown `-legacy` by its letters ("Unknown arguments: l, e,
 * g, a") and `--x` as "x". This names the words as typed and, when the command takes names, says
 * how to pass a name that starts with '-'. Other messages are returned unchanged.
 */
export function explainUnknownArguments(message: string, options: readonly string[], takesNames: boolean): string {
  const m = UNKNOWN.exec(message);
  if (!m) return message;
  const unknown = m[1].split(', ');
  const words = options.filter((w) => isOptionWord(w) && optionKeys(w).some((k) => unknown.includes(k)));
  if (words.length === 0) return message;
  const covered = new Set(words.flatMap(optionKeys));
  const list = [...new Set(words), ...unknown.filter((u) => !covered.has(u))];
  return `Unknown argument${list.length > 1 ? 's' : ''}: ${list.join(', ')}${takesNames ? ` (${DASH_NAME_HINT})` : ''}`;
}
