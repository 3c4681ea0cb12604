import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect, ConnectOptions, IisClient } from '../../lib/client';
import { IisctlError } from '../../lib/errors';
import type { VirtualClock } from '../../lib/sim/clock';

export const SCENARIOS = path.resolve(__dirname, '../../lib/sim/scenarios');

export function tempDir(prefix = 'iisctl-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A bundled scenario, optionally changed for one test, written to a temp file. */
export function scenarioFile(name: string, change?: (scenario: Json) => void): string {
  const scenario = JSON.parse(fs.readFileSync(path.join(SCENARIOS, `${name}.json`), 'utf8')) as Json;
  if (!change) return path.join(SCENARIOS, `${name}.json`);
  change(scenario);
  scenario.name = `${name}-${Math.random().toString(36).slice(2, 8)}`;
  const file = path.join(tempDir(), `${scenario.name}.json`);
  fs.writeFileSync(file, JSON.stringify(scenario, null, 2));
  return file;
}

/** The local computer's definition inside a scenario. */
export function localComputer(scenario: Json): Json {
  const computers = scenario.computers as Record<string, Json>;
  return Object.values(computers).find((c) => c.local) ?? Object.values(computers)[0];
}

export function service(scenario: Json, name: string): Json {
  return (localComputer(scenario).services as Json[]).find((s) => s.name === name)!;
}

const clients: IisClient[] = [];

/** A client on a fresh simulated machine (its own state file); closed after each test. */
export async function simClient(scenario: string, options: Partial<ConnectOptions> = {}): Promise<IisClient> {
  const client = await connect({ simulate: scenario, simulatorStateFile: path.join(tempDir(), 'state.json'), pollIntervalMs: 50, retry: { baseDelayMs: 50 }, ...options });
  clients.push(client);
  return client;
}

/**
 * A client on a simulated machine in this process (a fresh one unless options.simulatorStateFile
 * names one), by default on virtual time (connect's `simulate: { inProcess: true, clock: 'virtual' }`):
 * the machine and every wait of iisctl share one clock that jumps ahead whenever everything waits,
 * so simulated seconds cost no real time. time 'real': for tests that change the machine from
 * outside the client as time passes (withMachine, readUntil), which only real time shares.
 * Closed after each test. Two clients on one machine share one Node process: the host lock does
 * not exclude them (lib/sim/transport.ts), so lock tests use simClient.
 */
export async function inProcessClient(scenario: string, options: Partial<ConnectOptions> = {}, time: 'virtual' | 'real' | VirtualClock = 'virtual'): Promise<IisClient> {
  const client = await connect({ simulate: { scenario, stateFile: options.simulatorStateFile ?? path.join(tempDir(), 'state.json'), inProcess: true, clock: time }, retry: { baseDelayMs: 50 }, ...options });
  clients.push(client);
  return client;
}

export async function closeClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.close()));
}

/** The IisctlError a promise rejects with (fails the test if it resolves or throws something else). */
export async function failure(p: Promise<unknown>): Promise<IisctlError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(IisctlError);
  return e as IisctlError;
}

/** Longest pause between two reads of readUntil. */
const POLL_MAX_MS = 200;

/**
 * Reads until ok(value) or the deadline, then returns the last value for the test to assert on
 * (nothing here is a duration the test depends on). For what announces no change: the simulated
 * machine moves on only when it is read, an HTTP endpoint answers when asked. So it polls, each
 * read after the last one answered, with a pause growing from 10 ms to POLL_MAX_MS: a quick change
 * is seen at once, a slow one does not load a busy machine. Where an event exists, wait on it instead.
 */
export async function readUntil<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (let pause = 10; ; pause = Math.min(pause * 2, POLL_MAX_MS)) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, pause));
  }
}
