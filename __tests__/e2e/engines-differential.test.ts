/**
 * The simulated host's two engines held to each other (lib/sim/engine.ts): the same library calls
 * on the same scenario, once with the simulator's interpreter running the scripts and once with
 * real PowerShell 7 (the pwsh engine, lib/sim/pwsh), must give the library the same values.
 * What may differ is listed in ALLOWED, each with why; anything else is a disagreement and fails.
 * One pwsh process for the whole file (one client per engine).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { connect, type IisClient } from '../../lib/client';
import { resetState } from '../../lib/sim/state';
import { describeReal, summary } from '../helpers/real-pwsh';
import { tempDir } from '../helpers/sim';

jest.setTimeout(180_000);

/**
 * Values that differ by nature, not by defect (paths are dotted, array indexes as *):
 * - times and durations: the two machines run at different moments of real time;
 * - disabledBy: [Environment]::UserDomainName/UserName are .NET's, which the pwsh engine cannot
 *   simulate: real pwsh reports the account that runs it (on Linux: the host name and the Unix
 *   user), the interpreter the scenario's account (lib/sim/README.md, the pwsh engine's differences).
 */
const ALLOWED: Array<[RegExp, string]> = [
  [/(^|\.)(time|disabledAt|at|startedAt|finishedAt)$/, 'a time of day'],
  [/(^|\.)durationMs$/, 'a duration of real time'],
  [/(^|\.)disabledBy$/, 'the account pwsh runs as ([Environment]::UserName is .NET\'s)'],
];

/** The same two differences inside texts (an error message names who disabled restarts, and when). */
const TEXT_NORMALISED: Array<[RegExp, string, string]> = [
  [/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?/g, '<time>', 'a time of day'],
  // The scenario's account (interp) and the account pwsh runs as: [Environment]::UserDomainName is the host name outside Windows.
  [new RegExp(`WEB01\\\\Administrator|${escape(os.hostname())}\\\\${escape(os.userInfo().username)}`, 'g'), '<account>', 'the account pwsh runs as ([Environment]::UserName is .NET\'s)'],
];
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
function normalised(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  let text = value;
  for (const [re, by, why] of TEXT_NORMALISED) {
    if (re.test(text)) documented.set(why, (documented.get(why) ?? 0) + 1);
    text = text.replace(re, by);
  }
  return text;
}

type Flat = Record<string, unknown>;
function flatten(value: unknown, prefix: string, into: Flat): Flat {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${Array.isArray(value) ? '*' + k : k}` : k, into);
    if (Object.keys(value as object).length === 0) into[prefix] = Array.isArray(value) ? '[]' : '{}';
  } else into[prefix] = value;
  return into;
}

let compared = 0;
const disagreements: string[] = [];
const documented = new Map<string, number>();

/**
 * Events of the same time in one order: the library orders events by time only (scripts/events.ts),
 * and in which order a host lists events of the same moment from two logs is the host's (on virtual
 * time the audit event and a service's 7036 often share their time).
 */
function eventsInOneOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(eventsInOneOrder);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = k === 'events' && Array.isArray(v) ? [...v].sort((x, y) => (eventKey(x) < eventKey(y) ? -1 : 1)) : eventsInOneOrder(v);
  }
  return out;
}

/** An event without its time (times may differ: ALLOWED). */
function eventKey(event: unknown): string {
  const { time: _time, ...rest } = event as Record<string, unknown>;
  return JSON.stringify(rest);
}

/** Compares what the library got on both engines; records and returns the undocumented disagreements. */
function compare(what: string, interp: unknown, pwsh: unknown): string[] {
  const a = flatten(eventsInOneOrder(interp), '', {});
  const b = flatten(eventsInOneOrder(pwsh), '', {});
  const found: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    compared++;
    if (JSON.stringify(a[key]) === JSON.stringify(b[key])) continue;
    if (key in a && key in b && JSON.stringify(normalised(a[key])) === JSON.stringify(normalised(b[key]))) continue;
    const allowed = ALLOWED.find(([re]) => re.test(key.replace(/\*\d+/g, '')));
    if (allowed && key in a && key in b) {
      documented.set(allowed[1], (documented.get(allowed[1]) ?? 0) + 1);
      continue;
    }
    found.push(`${what}: ${key}: interp ${JSON.stringify(a[key])} / pwsh ${JSON.stringify(b[key])}`);
  }
  disagreements.push(...found);
  return found;
}

async function settle<T>(work: () => Promise<T>): Promise<{ ok: T } | { error: { code: unknown; message: string } }> {
  try {
    return { ok: await work() };
  } catch (e) {
    return { error: { code: (e as { code?: unknown }).code, message: (e as Error).message } };
  }
}

describeReal('the interpreter and the pwsh engine agree on what the library sees', () => {
  const clients: Record<'interp' | 'pwsh', IisClient> = {} as never;

  beforeAll(async () => {
    for (const engine of ['interp', 'pwsh'] as const) {
      const stateFile = path.join(tempDir('iisctl-engines-'), 'state.json');
      resetState('fast', stateFile);
      // Virtual time: which earlier events fall in an operation's window (its start less the slack) must not depend on how fast each engine ran.
      clients[engine] = await connect({ simulate: { scenario: 'fast', inProcess: true, engine, stateFile, clock: 'virtual' }, pollIntervalMs: 50 });
    }
  });

  afterAll(async () => {
    await Promise.all(Object.values(clients).map((c) => c?.close()));
    summary(`simulator engines: ${compared} values compared, ${disagreements.length} undocumented disagreements; documented: ${[...documented].map(([why, n]) => `${n} × ${why}`).join('; ') || 'none'}`);
  });

  /** The same call on both engines, one after the other (each on its own machine). */
  async function both<T>(what: string, call: (c: IisClient) => Promise<T>): Promise<string[]> {
    const interp = await settle(() => call(clients.interp));
    const pwsh = await settle(() => call(clients.pwsh));
    return compare(what, interp, pwsh);
  }

  it('status snapshot: services, workers, toggle, lock, recovery', async () => {
    expect(await both('status', (c) => c.status())).toEqual([]);
  });

  it('toggle: read, disable with a reason, read, enable', async () => {
    expect(await both('isEnabled', (c) => c.isEnabled())).toEqual([]);
    expect(await both('disable', (c) => c.disable({ reason: 'change freeze' }))).toEqual([]);
    expect(await both('isEnabled (disabled)', (c) => c.isEnabled())).toEqual([]);
    expect(await both('stop while disabled', (c) => c.stop())).toEqual([]);
    expect(await both('enable', (c) => c.enable())).toEqual([]);
  });

  it('events read', async () => {
    expect(await both('events', (c) => c.events({}))).toEqual([]);
  });

  it('a restart, and the status after it', async () => {
    expect(await both('restart', (c) => c.restart())).toEqual([]);
    expect(await both('status after restart', (c) => c.status())).toEqual([]);
  });

  it('pools and sites listed; a pool that does not exist', async () => {
    expect(await both('appPools.list', (c) => c.appPools.list())).toEqual([]);
    expect(await both('sites.list', (c) => c.sites.list())).toEqual([]);
    expect(await both('appPools.stop(missing)', (c) => c.appPools.stop('NoSuchPool'))).toEqual([]);
  });
});
