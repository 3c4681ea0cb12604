/**
 * The library on virtual time (lib/clock.ts): the simulated host in process and every wait of
 * iisctl share one clock, so a restart whose services take seconds completes without waiting
 * those seconds, with the durations and event times of the simulated seconds, the same on every run.
 */
import * as path from 'node:path';
import { connect, IisClient } from '../../lib/client';
import { VirtualClock } from '../../lib/sim/clock';
import { DEFAULTS } from '../../lib/defaults';
import { closeClients, failure, scenarioFile, simClient, tempDir } from '../helpers/sim';

afterEach(closeClients);
// Real time here is the simulator's CPU (its interpreter), not waiting: generous on a busy machine.
jest.setTimeout(120_000);

/** One restart of `scenario` on a fresh machine and a fixed virtual start: what a run reports. */
async function restartOn(scenario: string, start = Date.UTC(2025, 5, 1, 3, 0, 0)) {
  const clock = new VirtualClock(start, { auto: true });
  const iis = await connect({ simulate: { scenario, stateFile: path.join(tempDir(), 'state.json'), inProcess: true, clock } });
  try {
    const r = await iis.restart({ reason: 'virtual' });
    return { r, clock, iis };
  } finally {
    await iis.close();
  }
}

describe('a restart on virtual time', () => {
  it("reports the services' own simulated seconds, and two runs report exactly the same", async () => {
    const a = await restartOn('default');
    const b = await restartOn('default');
    // default: W3SVC stops in 2.5 s, WAS in 1.5 s, WAS starts in 1.2 s, W3SVC in 1.5 s (scenario).
    expect(a.r.durationMs).toBeGreaterThanOrEqual(2500 + 1500 + 1200 + 1500);
    expect(a.r.after.filter((s) => ['WAS', 'W3SVC'].includes(s.name)).map((s) => s.status)).toEqual(['Running', 'Running']);
    const shape = (x: typeof a) => ({
      durationMs: x.r.durationMs,
      steps: x.r.steps.map((s) => [s.step, s.targets, s.durationMs, s.outcome]),
      events: x.r.events.map((e) => [e.time.getTime(), e.id, e.provider, e.message]),
    });
    expect(shape(b)).toEqual(shape(a));
    // The events are stamped on the machine's (virtual) clock, inside the operation's window.
    const start = Date.UTC(2025, 5, 1, 3, 0, 0);
    const ours = a.r.events.filter((e) => e.time.getTime() >= start);
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.every((e) => e.time.getTime() <= start + a.r.durationMs)).toBe(true);
    expect(a.clock.now() - start).toBeGreaterThanOrEqual(a.r.durationMs);
  });

  it("simulate: { inProcess: true, clock: 'virtual' } shares one clock with the client; a stop past its timeout is TIMEOUT at the simulated deadline", async () => {
    const iis = await simClient('hung-stop', { simulate: { scenario: 'hung-stop', stateFile: path.join(tempDir(), 'state.json'), inProcess: true, clock: 'virtual' }, pollIntervalMs: 250 });
    const before = iis.clock.now();
    const e = await failure(iis.stop({ timeoutSeconds: 20 }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.details?.pending).toEqual(['W3SVC']);
    // The deadline passed on the virtual clock: 20 simulated seconds, not a moment less.
    expect(iis.clock.now() - before).toBeGreaterThanOrEqual(20_000);
  });

  it('an aborted signal ends a virtual wait at once with CANCELLED; the state is read back', async () => {
    const abort = new AbortController();
    const clock = new VirtualClock(Date.UTC(2025, 0, 1));
    const iis: IisClient = await connect({ simulate: { scenario: scenarioFile('hung-stop'), stateFile: path.join(tempDir(), 'state.json'), inProcess: true, clock }, signal: abort.signal, pollIntervalMs: 250 });
    try {
      const stopping = iis.stop({ timeoutSeconds: 600 });
      stopping.catch(() => undefined);
      // Let it run 5 simulated seconds (W3SVC hangs in StopPending), then interrupt.
      await clock.advance(5000);
      const t = clock.now();
      abort.abort();
      const e = await failure(clock.run(stopping));
      expect(e.code).toBe('CANCELLED');
      expect(e.message).toMatch(/W3SVC StopPending/);
      // Nothing waited out the 600 s: the wait ended when the host's current slice did (a call on
      // the host cannot be interrupted), and the read-back and audit took no simulated time.
      expect(clock.now() - t).toBeLessThanOrEqual(DEFAULTS.waitSliceMs);
    } finally {
      await iis.close();
    }
  });

  it('simulate.clock without inProcess is refused before anything runs', async () => {
    const e = await failure(connect({ simulate: { clock: 'virtual' } }));
    expect(e.code).toBe('INVALID_ARGUMENT');
  });
});
