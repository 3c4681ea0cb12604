/**
 * Zero-downtime rolling operations across a farm (drain, act, verify and health gate in one API,
 * which no peer tool combines: docs/sources.md §U18): hosts in batches (default one at a time);
 * for each batch and each of its hosts, in parallel:
 *   1. drain (optional): poll the host's current connections (Web Service performance counter)
 *      until they are 0 or the drain time is over (then go on: a drain is best effort);
 *   2. act: IIS restart, a pool recycle, or heal;
 *   3. health gate: GET the host's health URL until it answers the expected status (default: DEFAULTS.expectStatus)
 *      or the health timeout passes;
 * then the next batch. Failures are counted; once more hosts failed than maxFailures (default: DEFAULTS.rollingMaxFailures),
 * nothing more is started and the result names the hosts done, failed and untouched.
 *
 * The load balancer is not driven here: draining assumes it stops sending new requests to the
 * host (e.g. its own health probe or a drain flag set by the caller in onProgress 'drain').
 */
import { checkNumber, LIMITS, NumberRule } from '../limits';
import { DEFAULTS } from '../defaults';
import { realClock } from '../clock';
import * as http from 'node:http';
import * as https from 'node:https';
import { IisctlError, invalidArgument } from '../errors';
import type { IisClient } from '../client';
import type { HealOptions, HealTarget } from '../control/heal';
import type { RestartOptions } from '../control/iisServices';
import { fanOut, hostError } from './fanOut';
import { Fleet, FleetOptions } from './fleet';
import { checkHosts } from './hosts';

export type RollingAction =
  | { kind: 'restart'; options?: RestartOptions }
  | { kind: 'recycle'; pool: string }
  | { kind: 'heal'; target: HealTarget; options?: HealOptions };

/** `{host}` in a URL is replaced by the host name; a record maps host → URL; a function decides. */
export type HealthSpec = string | Record<string, string> | ((host: string) => string | undefined);

export interface RollingOptions extends FleetOptions {
  action?: RollingAction;
  /** Hosts per batch. Default: DEFAULTS.rollingBatch. */
  batch?: number;
  health?: HealthSpec;
  /** Expected HTTP status. Default: DEFAULTS.expectStatus. */
  expectStatus?: number;
  /** How long a host may take to become healthy. Default: DEFAULTS.healthTimeoutMs. */
  healthTimeoutMs?: number;
  /** Time between health probes. Default: DEFAULTS.healthIntervalMs. */
  healthIntervalMs?: number;
  /** Longest wait for current connections to reach 0; 0 = no drain. Default: DEFAULTS.drainMs. */
  drainMs?: number;
  /** Counter instance to drain: a site name, or '_Total' (default: all sites). */
  drainSite?: string;
  /** Time between connection reads while draining. Default: DEFAULTS.drainIntervalMs. */
  drainIntervalMs?: number;
  /** Failed hosts tolerated before stopping. Default: DEFAULTS.rollingMaxFailures. */
  maxFailures?: number;
  onProgress?: (event: RollingEvent) => void;
  /** Reuse these connections (and their PSSessions) instead of opening new ones; its signal and clock are the run's unless given here. */
  fleet?: Fleet;
}

export type RollingPhase = 'connect' | 'drain' | 'act' | 'health';

export type RollingEvent =
  | { type: 'batch'; index: number; hosts: string[] }
  | { type: 'drain'; host: string; connections: number; elapsedMs: number }
  | { type: 'drained'; host: string; connections: number; waitedMs: number; timedOut: boolean }
  | { type: 'act'; host: string; action: RollingAction['kind'] }
  | { type: 'acted'; host: string; ms: number }
  | { type: 'health'; host: string; url: string; attempt: number; status?: number; error?: string }
  | { type: 'done'; host: string }
  | { type: 'failed'; host: string; phase: RollingPhase; error: IisctlError }
  | { type: 'stopped'; failures: number; untouched: string[] };

export interface RollingHostResult {
  host: string;
  status: 'done' | 'failed' | 'untouched';
  phase?: RollingPhase;
  error?: IisctlError;
  drain?: { initial: number; final: number; waitedMs: number; timedOut: boolean };
  actionMs?: number;
  health?: { url: string; status?: number; attempts: number; ms: number };
}

export interface RollingResult {
  ok: boolean;
  action: RollingAction['kind'];
  done: string[];
  failed: string[];
  untouched: string[];
  /** True when it stopped before the last batch because of failures. */
  stoppedEarly: boolean;
  hosts: RollingHostResult[];
}

/** A numeric option checked against its shared rule (../limits.ts), or its default. */
function bounded(value: number | undefined, name: string, fallback: number, rule: NumberRule): number {
  checkNumber(name, value, rule);
  return value ?? fallback;
}

/** The health URL of one host, or undefined when there is no health gate. */
export function healthUrl(spec: HealthSpec | undefined, host: string): string | undefined {
  if (spec === undefined) return undefined;
  let url: string | undefined;
  if (typeof spec === 'function') url = spec(host);
  else if (typeof spec === 'string') url = spec;
  else url = Object.entries(spec).find(([h]) => h.toLowerCase() === host.toLowerCase())?.[1];
  if (url === undefined) return undefined;
  const full = url.replace(/\{host\}/gi, encodeURIComponent(host));
  let parsed: URL;
  try {
    parsed = new URL(full);
  } catch {
    throw invalidArgument(`The health URL for ${host} is not a URL: ${full}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalidArgument(`The health URL for ${host} must be http or https: ${full}`);
  return full;
}

/** One GET; resolves with the status code (never throws: errors are returned as text). */
export function probe(url: string, timeoutMs = DEFAULTS.healthProbeTimeoutMs): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(url, { agent: false, timeout: timeoutMs, headers: { Connection: 'close', 'User-Agent': 'iisctl-health' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}


async function act(iis: IisClient, action: RollingAction): Promise<void> {
  if (action.kind === 'restart') await iis.restart(action.options);
  else if (action.kind === 'recycle') await iis.appPools.recycle(action.pool);
  else await iis.heal(action.target, action.options);
}

/** Rolling restart (or recycle / heal) of hosts; see the module comment. */
export async function rollingRestart(hosts: readonly string[], options: RollingOptions = {}): Promise<RollingResult> {
  const action: RollingAction = options.action ?? { kind: 'restart' };
  const batch = bounded(options.batch, 'batch', DEFAULTS.rollingBatch, LIMITS.batch);
  const maxFailures = bounded(options.maxFailures, 'maxFailures', DEFAULTS.rollingMaxFailures, LIMITS.maxFailures);
  const expect = bounded(options.expectStatus, 'expectStatus', DEFAULTS.expectStatus, LIMITS.expectStatus);
  const healthTimeoutMs = bounded(options.healthTimeoutMs, 'healthTimeoutMs', DEFAULTS.healthTimeoutMs, LIMITS.waitMs);
  const healthIntervalMs = bounded(options.healthIntervalMs, 'healthIntervalMs', DEFAULTS.healthIntervalMs, LIMITS.intervalMs);
  const drainMs = bounded(options.drainMs, 'drainMs', DEFAULTS.drainMs, LIMITS.waitMs);
  const drainIntervalMs = bounded(options.drainIntervalMs, 'drainIntervalMs', DEFAULTS.drainIntervalMs, LIMITS.intervalMs);
  const drainSite = options.drainSite ?? '_Total';
  // Drain and health waits on the connections' clock (ConnectOptions.clock; real time by default).
  const clock = options.clock ?? options.fleet?.clock ?? realClock;
  const signal = options.signal ?? options.fleet?.signal;
  const sleep = (ms: number) => clock.sleep(ms);
  if (action.kind === 'recycle' && !action.pool.trim()) throw invalidArgument('A pool name is empty.');
  // Check every health URL before touching anything.
  for (const h of hosts) healthUrl(options.health, h);
  const emit = (e: RollingEvent) => {
    try {
      options.onProgress?.(e);
    } catch {
      // a progress callback never breaks the operation
    }
  };
  const order = checkHosts(hosts);
  const fleet = options.fleet ?? new Fleet(order, options);
  const results = new Map<string, RollingHostResult>(order.map((h) => [h, { host: h, status: 'untouched' }]));
  let failures = 0;

  const one = async (host: string): Promise<void> => {
    const r = results.get(host) as RollingHostResult;
    let phase: RollingPhase = 'connect';
    try {
      const iis = await fleet.client(host);
      if (drainMs > 0) {
        phase = 'drain';
        const started = clock.now();
        const initial = await iis.currentConnections(drainSite);
        let now = initial;
        while (now > 0 && clock.now() - started < drainMs) {
          emit({ type: 'drain', host, connections: now, elapsedMs: clock.now() - started });
          await sleep(Math.min(drainIntervalMs, Math.max(0, drainMs - (clock.now() - started))));
          now = await iis.currentConnections(drainSite);
        }
        r.drain = { initial, final: now, waitedMs: clock.now() - started, timedOut: now > 0 };
        emit({ type: 'drained', host, connections: now, waitedMs: r.drain.waitedMs, timedOut: now > 0 });
      }
      phase = 'act';
      emit({ type: 'act', host, action: action.kind });
      const actStarted = clock.now();
      await act(iis, action);
      r.actionMs = clock.now() - actStarted;
      emit({ type: 'acted', host, ms: r.actionMs });
      const url = healthUrl(options.health, host);
      if (url) {
        phase = 'health';
        const started = clock.now();
        let attempts = 0;
        let last: { status?: number; error?: string } = {};
        for (;;) {
          attempts++;
          last = await probe(url, Math.max(DEFAULTS.healthProbeMinMs, Math.min(DEFAULTS.healthProbeTimeoutMs, healthTimeoutMs)));
          emit({ type: 'health', host, url, attempt: attempts, ...last });
          if (last.status === expect) break;
          if (clock.now() - started >= healthTimeoutMs) {
            r.health = { url, status: last.status, attempts, ms: clock.now() - started };
            throw new IisctlError('TIMEOUT', `${host} did not become healthy within ${Math.round(healthTimeoutMs / 100) / 10} s: ${url} answered ${last.status !== undefined ? `HTTP ${last.status}` : last.error ?? 'nothing'}, expected ${expect}.`, { host, details: { url, expected: expect, status: last.status, error: last.error, attempts } });
          }
          await sleep(healthIntervalMs);
        }
        r.health = { url, status: last.status, attempts, ms: clock.now() - started };
      }
      r.status = 'done';
      emit({ type: 'done', host });
    } catch (e) {
      const error = hostError(e, host);
      r.status = 'failed';
      r.phase = phase;
      r.error = error;
      failures++;
      emit({ type: 'failed', host, phase, error });
      throw error;
    }
  };

  try {
    // Interrupted (Ctrl-C, SIGHUP): no further batch is started, whatever --max-failures allows.
    await fanOut(order, one, { batch, maxFailures, signal, onBatch: (index, hostsOfBatch) => emit({ type: 'batch', index, hosts: hostsOfBatch }) });
  } finally {
    if (!options.fleet) await fleet.close();
  }
  const list = order.map((h) => results.get(h) as RollingHostResult);
  const untouched = list.filter((r) => r.status === 'untouched').map((r) => r.host);
  // Hosts are left untouched only when the run stopped before their batch.
  const stoppedEarly = untouched.length > 0;
  if (stoppedEarly) emit({ type: 'stopped', failures, untouched });
  return {
    ok: failures === 0,
    action: action.kind,
    done: list.filter((r) => r.status === 'done').map((r) => r.host),
    failed: list.filter((r) => r.status === 'failed').map((r) => r.host),
    untouched,
    stoppedEarly,
    hosts: list,
  };
}
