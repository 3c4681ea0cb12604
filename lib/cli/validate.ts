/**
 * Checks of command-line values the library would otherwise reject later (or not at all):
 * every failure is a UsageError (exit 2) raised before any host is contacted.
 */
import { fitsRule, LIMITS, NumberRule, ruleMessage } from '../limits';
import { UsageError } from './usageError';

/** Longest --reason: it ends up in an event log message. */
export const MAX_REASON = 1000;

/** The option words of this command line (after the iisreset translation), to echo values as typed. */
let typedOptions: readonly string[] = [];

export function rememberTypedOptions(options: readonly string[]): void {
  typedOptions = options;
}

/**
 * What the user typed for --name (`--name=X` or `--name X`), quoted; yargs has already turned a
 * number option's text into NaN, so the message would otherwise say "NaN".
 */
export function typedValue(name: string, parsed: unknown): string {
  const flags = name.length === 1 ? [`-${name}`] : [`--${name}`];
  for (let i = typedOptions.length - 1; i >= 0; i--) {
    const word = typedOptions[i];
    for (const flag of flags) {
      if (word.startsWith(`${flag}=`)) return JSON.stringify(word.slice(flag.length + 1));
      if (word === flag && i + 1 < typedOptions.length) return JSON.stringify(typedOptions[i + 1]);
    }
  }
  return JSON.stringify(String(parsed));
}

/**
 * A numeric option checked against its shared rule (../limits.ts, the same the library applies):
 * exit 2 naming the option and what was typed.
 */
export function cliNumber(name: string, raw: unknown, rule: NumberRule, usage: string): number | undefined {
  const value = single(name, raw as number | number[] | undefined, usage);
  if (value === undefined) return undefined;
  if (!fitsRule(value, rule)) throw new UsageError(ruleMessage(`--${name}`, rule, typedValue(name, value)), usage);
  return value;
}

/**
 * An option given an empty value (`--timeout=` or `--timeout ""`, e.g. from an unset variable in a
 * scheduled task) is refused: yargs would read an empty number as 0, which with --force means
 * "terminate at once". No iisctl option takes an empty value.
 */
export function refuseEmptyOptionValues(options: readonly string[], usage: string): void {
  for (let i = 0; i < options.length; i++) {
    const word = options[i];
    if (!/^--?[^-\d]/.test(word)) continue;
    const name = word.split('=')[0];
    const empty = word.includes('=') ? word.endsWith('=') && word.indexOf('=') === word.length - 1 : options[i + 1] === '';
    if (empty) throw new UsageError(`${name} is given an empty value.`, usage);
  }
}

/** yargs turns a repeated option into an array; a value given twice is a conflict. */
export function single<T>(name: string, value: T | T[] | undefined, usage: string): T | undefined {
  if (Array.isArray(value)) {
    if (value.length > 1) throw new UsageError(`--${name} is given more than once.`, usage);
    return value[0];
  }
  return value;
}

export function timeoutSeconds(raw: unknown, usage: string): number | undefined {
  return cliNumber('timeout', raw, LIMITS.timeoutSeconds, usage);
}

export function reason(raw: unknown, usage: string): string | undefined {
  const value = single('reason', raw as string | string[] | undefined, usage);
  if (value === undefined) return undefined;
  const text = String(value);
  if (text.trim() === '') throw new UsageError('--reason is empty.', usage);
  if (text.length > MAX_REASON) throw new UsageError(`--reason is longer than ${MAX_REASON} characters (${text.length}).`, usage);
  return text;
}

/** --since/--until: a duration back from now (90s, 30m, 24h, 7d) or an ISO 8601 date-time. */
export function pointInTime(name: string, raw: unknown, usage: string, now = Date.now()): Date | undefined {
  const value = single(name, raw as string | string[] | undefined, usage);
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/i.exec(text);
  if (m) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2].toLowerCase() as 's' | 'm' | 'h' | 'd' | 'w'];
    return new Date(now - Number(m[1]) * unit);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const d = new Date(text);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new UsageError(`--${name} must be a duration such as 30m, 24h or 7d, or an ISO date-time such as 2024-05-01T08:00:00Z; got ${JSON.stringify(text)}.`, usage);
}
