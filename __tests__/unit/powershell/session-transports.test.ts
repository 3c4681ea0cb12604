/**
 * PowerShellSession over both transports of the seam (lib/powershell/transport.ts), on the same
 * simulated machine: the process transport (node-powershell driving dist/sim/host.js) and the
 * in-process transport (lib/sim/transport.ts). Queue, deadline, respawn, pinning and close() are
 * the session's, so each behaves the same over either.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IisctlError } from '../../../lib/errors';
import { resolveExecutable } from '../../../lib/powershell/executable';
import { ps } from '../../../lib/powershell/quote';
import { PowerShellSession, SessionOptions } from '../../../lib/powershell/session';
import { VirtualClock } from '../../../lib/sim/clock';
import { readCommandLog, resetState } from '../../../lib/sim/state';
import { inProcessTransport } from '../../../lib/sim/transport';
import { HOST_JS, useSimSessions } from '../../helpers/sim-session';
import { codeOf, standInPath } from '../../helpers/standins';

useSimSessions('iisctl-transports-'); // builds dist/sim/host.js when missing
const SCENARIOS = path.resolve(__dirname, '../../../lib/sim/scenarios');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-transports-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const sessions: PowerShellSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

let n = 0;
type Kind = 'process' | 'in-process';

/** A session on a fresh machine of `scenario`; the in-process one on a clock nobody advances. */
function open(kind: Kind, scenario: string, options: Partial<SessionOptions> = {}): { session: PowerShellSession; stateFile: string } {
  const stateFile = path.join(tmp, `state-${n++}.json`);
  const scenarioFile = path.join(SCENARIOS, `${scenario}.json`);
  resetState(scenarioFile, stateFile);
  const session = new PowerShellSession({
    ...(kind === 'process'
      ? { executable: resolveExecutable({ simulate: scenarioFile, env: { IISCTL_SIM_STATE: stateFile } }) }
      : { transport: inProcessTransport({ scenario: scenarioFile, stateFile, clock: new VirtualClock() }) }),
    callTimeoutMs: 20_000,
    ...options,
  });
  sessions.push(session);
  return { session, stateFile };
}

describe.each<Kind>(['process', 'in-process'])('PowerShellSession over the %s transport', (kind) => {
  beforeAll(() => expect(fs.existsSync(HOST_JS)).toBe(true));

  it('returns the data of a call and reuses one host', async () => {
    const { session } = open(kind, 'fast');
    expect(await session.run(ps`Write-Output ${"it's"}`)).toBe("it's");
    const pid = session.pid;
    expect(pid).toBeDefined();
    expect(await session.run(ps`(Get-Service -Name W3SVC).Name`)).toBe('W3SVC');
    expect(session.pid).toBe(pid);
    expect(session.stats.spawns).toBe(1);
  });

  it('answers concurrent calls in call order, and the host ran the envelope scripts it was sent', async () => {
    const { session, stateFile } = open(kind, 'fast');
    const values = Array.from({ length: 8 }, (_, i) => `v${i}`);
    expect(await Promise.all(values.map((v) => session.run(ps`Write-Output ${v}`)))).toEqual(values);
    const log = readCommandLog({ stateFile }).map((c) => c.text);
    const order = values.map((v) => log.findIndex((s) => s.includes(`'${v}'`)));
    expect(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]))).toBe(true);
  });

  it("turns the script's PowerShell error into a classified IisctlError, and the host lives on", async () => {
    const { session } = open(kind, 'fast');
    const error = await session.run(ps`Get-Service -Name ${'NoSuchService'}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IisctlError);
    expect((error as IisctlError).message).toMatch(/NoSuchService/);
    expect(await session.run(ps`1 + 1`)).toBe(2);
    expect(session.stats.spawns).toBe(1);
  });

  it('a host that dies mid-call gives SESSION_DIED, and the next call runs on a new host', async () => {
    // host-crash: the 3rd line (session init, one call, this one) ends the host before it answers.
    const { session } = open(kind, 'host-crash');
    await session.run(ps`1`);
    const first = session.pid;
    expect(await codeOf(session.run(ps`2`))).toBe('SESSION_DIED');
    expect(await session.run(ps`3`)).toBe(3);
    expect(session.pid).not.toBe(first);
    expect(session.stats).toMatchObject({ spawns: 2, deaths: 1 });
  });

  it('a pinned host (the lock holder) that dies is not silently replaced', async () => {
    const { session } = open(kind, 'host-crash');
    await session.run(ps`1`);
    expect(session.pin()).toBe(true);
    expect(await codeOf(session.run(ps`2`))).toBe('SESSION_DIED');
    const lost = await session.run(ps`3`).catch((e: unknown) => e);
    expect((lost as IisctlError).code).toBe('SESSION_DIED');
    expect((lost as IisctlError).details).toMatchObject({ lockLost: true });
    expect(session.lost).toBe(true);
  });

  it('a call past its deadline gives SESSION_TIMEOUT; the host is ended and the next call gets a new one', async () => {
    // Real time: the process host sleeps for real; in process the clock never moves, so it never wakes.
    const { session } = open(kind, 'fast');
    await session.run(ps`1`);
    const first = session.pid;
    expect(await codeOf(session.run(ps`Start-Sleep -Seconds 3600`, { timeoutMs: 500 }))).toBe('SESSION_TIMEOUT');
    expect(await session.run(ps`2`)).toBe(2);
    expect(session.pid).not.toBe(first);
    expect(session.stats.timeouts).toBe(1);
  });

  it('after close() every call fails with SESSION_CLOSED', async () => {
    const { session } = open(kind, 'fast');
    await session.run(ps`1`);
    await session.close();
    expect(await codeOf(session.run(ps`1`))).toBe('SESSION_CLOSED');
    expect(session.pid).toBeUndefined();
  });
});

describe('the in-process transport on a VirtualClock', () => {
  it('a simulated hour of Start-Sleep finishes without real waiting: the machine clock moved exactly one hour', async () => {
    const clock = new VirtualClock(Date.UTC(2024, 0, 1));
    const session = new PowerShellSession({ transport: inProcessTransport({ scenario: path.join(SCENARIOS, 'fast.json'), stateFile: path.join(tmp, `vc-${n++}.json`), clock }) });
    sessions.push(session);
    const before = clock.now();
    // The one wait: Start-Sleep on the machine's clock, run to completion by jumping the clock.
    expect(await clock.run(session.run(ps`Start-Sleep -Seconds 3600; 'woke'`))).toBe('woke');
    expect(clock.now() - before).toBe(3_600_000);
  });
});

describe('the process transport and the global environment', () => {
  it('runs the chosen executable despite NODE_POWERSHELL, without touching process.env', async () => {
    const original = process.env;
    const touched: string[] = [];
    process.env = new Proxy(original, {
      set: (t, k, v) => (touched.push(`set ${String(k)}`), Reflect.set(t, k, v)),
      deleteProperty: (t, k) => (touched.push(`delete ${String(k)}`), Reflect.deleteProperty(t, k)),
    });
    process.env.NODE_POWERSHELL = path.join(tmp, 'no-such-powershell');
    touched.length = 0;
    try {
      const session = new PowerShellSession({ executable: resolveExecutable({ executable: standInPath('well-behaved') }) });
      sessions.push(session);
      expect(await session.run(ps`Write-Output ${'chosen'}`)).toBe('chosen');
      expect(touched).toEqual([]);
    } finally {
      delete original.NODE_POWERSHELL;
      process.env = original;
    }
  });
});
