/** Shared by the fault-matrix tests: finding simulated host processes, reading the command log. */
import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import { peekState, readCommandLog, withMachineSync } from '../../lib/sim/state';
import type { SimClock } from '../../lib/sim/clock';
import { readUntil } from '../helpers/sim';

/** Every live process whose environment points at this simulated machine's state file. */
export function processesFor(stateFile: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (env.includes(`IISCTL_SIM_STATE=${stateFile}`)) pids.push(Number(entry));
    } catch {
      /* gone, or not ours */
    }
  }
  return pids;
}

export const canScanProcesses = fs.existsSync('/proc/self/environ');

/** Waits (bounded) until no process of this machine is left; returns the ones still there. */
export async function strays(stateFile: string, waitMs = 10_000): Promise<number[]> {
  if (!canScanProcesses) return [];
  return readUntil(async () => processesFor(stateFile), (left) => left.length === 0, waitMs);
}

/** What the simulated machine executed, in order; with `computer`, only what ran on that computer. */
export function commandLog(stateFile: string, computer?: string): string[] {
  return readCommandLog({ stateFile }).filter((c) => computer === undefined || c.computer.toUpperCase() === computer.toUpperCase()).map((c) => c.text);
}

/** The mutex table of the local computer. */
export function mutexes(stateFile: string): Record<string, { ownerPid: number; count: number }> {
  const state = peekState({ stateFile });
  if (!state) return {};
  return state.computers[state.localComputer].mutexes ?? {};
}

/**
 * How much longer a real-time wait may take on the pwsh engine (scripts/test-pwsh-engine.js): each
 * simulated host process starts its own pwsh and compiles each script on its first run, seconds of
 * real time before anything happens (the frozen-host case of faults-matrix missed its 30 s in CI).
 * A bound on waiting for an event, never an assertion on how long anything took.
 */
const WAIT_SCALE = process.env.IISCTL_SIM_ENGINE === 'pwsh' ? 5 : 1;

/** A real-time wait's bound on this engine (WAIT_SCALE), for a test whose timeout must cover it. */
export function scaledWaitMs(waitMs: number): number {
  return waitMs * WAIT_SCALE;
}

/** Polls check (readUntil) until it holds; fails naming `what` after waitMs (times WAIT_SCALE). */
export async function until(check: () => boolean, waitMs = 30_000, what = 'condition'): Promise<void> {
  if (!(await readUntil(async () => check(), (ok) => ok, scaledWaitMs(waitMs)))) throw new Error(`timed out waiting for ${what}`);
}

/** The holder details recorded in a computer's registry (lower-case value names), if any. Default: the local computer. */
export function lockInfo(stateFile: string, computer?: string): Record<string, unknown> | undefined {
  const state = peekState({ stateFile });
  if (!state) return undefined;
  const registry = state.computers[(computer ?? state.localComputer).toUpperCase()].registry;
  const key = Object.keys(registry).find((k) => k.toUpperCase() === 'HKEY_LOCAL_MACHINE\\SOFTWARE\\IISCTL\\LOCK');
  if (!key) return undefined;
  const values = registry[key].values as Record<string, { value?: unknown } | unknown>;
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v && typeof v === 'object' && 'value' in (v as object) ? (v as { value: unknown }).value : v]));
}

/** True once a holder has taken the lock and recorded itself. */
export function lockHeld(stateFile: string, computer?: string): boolean {
  const info = lockInfo(stateFile, computer);
  return info !== undefined && Number(info.held) === 1;
}

/** Status of a service in the machine state (e.g. 'StopPending'). Default: the local computer. */
export function serviceStatus(stateFile: string, service: string, computer?: string): string | undefined {
  const state = peekState({ stateFile });
  if (!state) return undefined;
  const services = Object.values(state.computers[(computer ?? state.localComputer).toUpperCase()].services);
  return services.find((s) => s.name.toUpperCase() === service.toUpperCase())?.status;
}

/**
 * Scenario change: W3SVC's stop hangs (`hangOnStop`) on the local computer or the ones named, so an
 * operation stopping it is provably still running, holding the host lock, until setW3svcHang(..., false).
 */
export function hungW3svc(scenario: Record<string, unknown>, computers?: string[]): void {
  const all = scenario.computers as Record<string, { local?: boolean; services: Array<Record<string, unknown>> }>;
  const names = computers ?? [Object.keys(all).find((n) => all[n].local) ?? Object.keys(all)[0]];
  for (const name of names) {
    const w3svc = all[name].services.find((s) => s.name === 'W3SVC')!;
    w3svc.faults = { ...(w3svc.faults as object), hangOnStop: true };
  }
}

/** True once W3SVC sits in the stop that hungW3svc made hang. */
export function w3svcHung(stateFile: string, computer?: string): boolean {
  return serviceStatus(stateFile, 'W3SVC', computer) === 'StopPending';
}

/**
 * Sets W3SVC's hang (lib/sim README, setHangOnStop): false lets the held stop finish, true makes the
 * next stop hang. clock: the machine's (an in-process machine on virtual time), default real time.
 */
export function setW3svcHang(stateFile: string, scenario: string, hang: boolean, computer?: string, clock?: SimClock): void {
  withMachineSync({ stateFile, scenario, clock }, (m, { world }) => {
    (computer ? world.connect(computer) : m).setHangOnStop('W3SVC', hang);
  });
}

/**
 * Lets W3SVC's held stop go and waits until it is Stopped, reading through the machine (which advances
 * its clock). On a virtual clock it waits on that clock (simulated seconds, no real time).
 */
export async function releaseW3svcStop(stateFile: string, scenario: string, clock?: SimClock): Promise<void> {
  setW3svcHang(stateFile, scenario, false, undefined, clock);
  const status = () => withMachineSync({ stateFile, scenario, clock }, (m) => m.service('W3SVC')?.statusName);
  if (!clock) return until(() => status() === 'Stopped', 30_000, 'the released W3SVC stop to finish');
  return untilOn(clock, () => status() === 'Stopped', 30_000, 'the released W3SVC stop to finish');
}

/** until() on a (virtual) clock: checks every 100 ms of its time; fails naming `what` after waitMs of it. */
export async function untilOn(clock: SimClock, check: () => boolean, waitMs: number, what: string): Promise<void> {
  for (const end = clock.now() + waitMs; !check(); await clock.sleep(100)) {
    if (clock.now() > end) throw new Error(`timed out (${waitMs} ms of the machine's clock) waiting for ${what}`);
  }
}

/** Resolves once what `stream` has written since this call matches `re`; rejects if it ends first. */
export function output(stream: Readable, re: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer | string) => {
      text += d.toString();
      if (re.test(text)) finish(() => resolve(text));
    };
    const onEnd = () => finish(() => reject(new Error(`the stream ended without ${re}; it wrote: ${text}`)));
    const finish = (then: () => void) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      then();
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
  });
}
