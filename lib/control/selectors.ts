/**
 * Which pools or sites an operation acts on. Matching is done here, in TypeScript, against the
 * names the host listed: user text is never handed to PowerShell as a wildcard pattern, so a real
 * name containing `*`, `?` or `[` is only ever a literal (docs/sources.md §U7: names with `[ ]`
 * or `*` misbehave through the provider; ansible#38464: accidental wildcards).
 *
 * IIS compares pool and site names case-insensitively, so matching does too; results carry the
 * host's own spelling.
 */
import { HINTS } from '../hints';
import { closeMatches } from '../closeMatches';

export { closeMatches };
import { IisctlError, invalidArgument } from '../errors';
import { assertRepresentable } from '../powershell/quote';
import { INVALID_POOL_NAME_CHARACTERS } from '../scripts/settings';

/**
 * Characters IIS refuses in a site name: the `siteName` validation type of the configuration
 * schema ("IAppHostPropertySchema::ValidationType Property", Microsoft Learn) lists `/ \ . ?`.
 * The dot is left out here: site names such as `www.contoso.com` are common on real servers, so
 * refusing it could refuse a site that exists (README, Known limits).
 */
export const INVALID_SITE_NAME_CHARACTERS = ['/', '\\', '?'];

/**
 * A pool or site name IIS could never have: INVALID_ARGUMENT before anything is sent, not
 * NOT_FOUND after a round trip and an audit event (pool characters: ApplicationPoolCollection.
 * InvalidApplicationPoolNameCharacters, Microsoft Learn; see lib/scripts/settings.ts).
 */
export function validateTargetName(name: unknown, kind: TargetKind, what = kind === 'site' ? 'A site name' : 'An application pool name'): string {
  const text = validateName(name, what);
  const forbidden = kind === 'site' ? INVALID_SITE_NAME_CHARACTERS : INVALID_POOL_NAME_CHARACTERS;
  const bad = forbidden.filter((c) => text.includes(c));
  if (bad.length) throw invalidArgument(`${JSON.stringify(text)} cannot be ${kind === 'site' ? 'a site' : 'an application pool'} name: IIS does not allow ${bad.map((c) => JSON.stringify(c)).join(' ')} in ${kind} names.`);
  return text;
}

/** An exact name, a list of exact names, an explicit wildcard pattern (`*` and `?`), or everything. */
export type Selector = string | readonly string[] | { readonly match: string } | { readonly all: true };

export type TargetKind = 'application pool' | 'site';

/** Glob to RegExp: `*` any run, `?` one character, everything else literal (brackets included). */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'isu');
}

/** A readable form of a selector for messages and logs. */
export function describeSelector(selector: Selector): string {
  if (typeof selector === 'string') return JSON.stringify(selector);
  if (Array.isArray(selector)) return (selector as readonly string[]).map((s) => JSON.stringify(s)).join(', ');
  if ('match' in selector) return `names matching ${JSON.stringify(selector.match)}`;
  return 'all';
}

/**
 * A pool or site name as given: not empty, and one PowerShell can receive unchanged (no NUL, no
 * unpaired surrogate). Checked before the host is asked anything, so a name that could never be
 * sent fails with INVALID_ARGUMENT instead of NOT_FOUND after a round trip.
 */
export function validateName(name: unknown, what = 'A name'): string {
  if (typeof name !== 'string' || !name.trim()) throw invalidArgument(`${what} is empty or not a string.`);
  return assertRepresentable(name);
}

/**
 * Checks a selector's shape and names (see validateName; with the kind, also the characters IIS
 * forbids in such names: validateTargetName); throws INVALID_ARGUMENT.
 */
export function validateSelector(selector: Selector, kind?: TargetKind): void {
  if (typeof selector === 'string') {
    if (kind) validateTargetName(selector, kind, 'A name');
    else validateName(selector);
    return;
  }
  if (Array.isArray(selector)) {
    const list = selector as readonly unknown[];
    if (list.length === 0) throw invalidArgument('The list of names is empty.');
    for (const n of list) {
      if (kind) validateTargetName(n, kind, 'A name in the list');
      else validateName(n, 'A name in the list');
    }
    return;
  }
  if (selector && typeof selector === 'object') {
    if ('match' in selector) {
      validateName(selector.match, 'A match pattern');
      return;
    }
    if ('all' in selector && selector.all === true) return;
  }
  throw invalidArgument('A selector is a name, a list of names, { match: "pattern" } or { all: true }.');
}

/**
 * The host's names that `selector` picks, in the host's order, without duplicates. An exact name
 * that does not exist, or a pattern that matches nothing, is NOT_FOUND naming the close matches.
 */
export function resolveSelector(selector: Selector, available: readonly string[], kind: TargetKind, host?: string): string[] {
  validateSelector(selector);
  if (typeof selector === 'object' && !Array.isArray(selector) && 'all' in selector) return [...available];
  if (typeof selector === 'object' && !Array.isArray(selector) && 'match' in selector) {
    const re = globToRegExp(selector.match);
    const hits = available.filter((n) => re.test(n));
    if (hits.length === 0) {
      throw new IisctlError('NOT_FOUND', `No ${kind} matches ${JSON.stringify(selector.match)}.`, {
        host,
        hint: available.length ? `Existing: ${available.slice(0, 20).join(', ')}${available.length > 20 ? ', ...' : ''}.` : `There is no ${kind} on the host.`,
        details: { pattern: selector.match, available: available.length },
      });
    }
    return hits;
  }
  const wanted = typeof selector === 'string' ? [selector] : [...(selector as readonly string[])];
  const byKey = new Map(available.map((n) => [n.toLowerCase(), n]));
  const missing = wanted.filter((n) => !byKey.has(n.toLowerCase()));
  if (missing.length > 0) {
    const suggestions = Object.fromEntries(missing.map((m) => [m, closeMatches(m, available)]));
    const hints = missing.map((m) => (suggestions[m].length ? `${JSON.stringify(m)}: did you mean ${suggestions[m].map((s) => JSON.stringify(s)).join(' or ')}?` : undefined)).filter(Boolean);
    throw new IisctlError('NOT_FOUND', `No ${kind} named ${missing.map((m) => JSON.stringify(m)).join(', ')} on ${host ?? 'the host'}.`, {
      host,
      hint: hints.length ? hints.join(' ') : HINTS.exactNames,
      details: { missing, closeMatches: suggestions },
    });
  }
  const picked = new Set(wanted.map((n) => n.toLowerCase()));
  return available.filter((n) => picked.has(n.toLowerCase()));
}
