/**
 * Waits loop on the host (lib/scripts/wait.ts), on the simulated machine's own clock: a wait costs
 * one round trip per slice however often the host reads, a change is seen within one host read
 * interval (not one slice), and no wait passes its deadline. Virtual time: the simulator's
 * Start-Sleep and [DateTime]::UtcNow follow the clock the client waits on.
 */
import * as path from 'node:path';
import { connect } from '../../lib/client';
import { DEFAULTS } from '../../lib/defaults';
import type { IisctlError } from '../../lib/errors';
import type { StepRecord } from '../../lib/control/operation';
import { VirtualClock } from '../../lib/sim/clock';
import { resetState, withMachineSync } from '../../lib/sim/state';
import { changedScenario } from '../helpers/cli';
import { closeClients, failure, inProcessClient, tempDir } from '../helpers/sim';

afterEach(closeClients);
jest.setTimeout(120_000);

describe('waiting on the host', () => {
  it('a graceful restart of the default scenario takes one call per second of waiting, not one per read', async () => {
    const iis = await inProcessClient('default', { pollIntervalMs: 50 });
    await iis.status();
    const calls = iis.stats.calls;
    const r = await iis.restart({ reason: 'round trips' });
    expect(r.steps.filter((s) => s.step === 'stop' || s.step === 'start').map((s) => s.outcome)).toEqual(['ok', 'ok', 'ok', 'ok']);
    // 6.7 s of stop and start in four waves: 10 slices, 4 requests and the frame's 7 calls. Polling
    // from Node took 38 at its default interval (250 ms), and would take 140 at this one.
    expect(iis.stats.calls - calls).toBeLessThanOrEqual(21);
  });

  it('a hung pool stop: one call per slice until the deadline, however short the host read interval', async () => {
    const iis = await inProcessClient('pool-hung-stop', { pollIntervalMs: 50 });
    await iis.appPools.list();
    const calls = iis.stats.calls;
    const e = await failure(iis.appPools.stop('DefaultAppPool', { timeoutSeconds: 5 }));
    expect(e.code).toBe('TIMEOUT');
    const steps = (e as IisctlError<{ host: string; durationMs: number; steps: StepRecord[] }>).operation!.steps;
    const wait = steps.find((s) => s.step === 'wait')!;
    expect(wait.durationMs).toBeLessThanOrEqual(5000);
    expect(wait.durationMs).toBeGreaterThanOrEqual(5000 - 50);
    // 5 slices and the frame's few calls; a read from Node every 50 ms would be 100 calls.
    expect(iis.stats.calls - calls).toBeLessThanOrEqual(5 + 1 + 10);
  });

  it('a change is seen within one host read interval of happening, not one slice', async () => {
    const iis = await inProcessClient('default', { pollIntervalMs: 50 });
    const r = await iis.stop({ reason: 'latency' });
    // default: W3SVC and AppHostSvc stop in 2.5 s and 0.8 s (one wave), WAS in 1.5 s (scenario).
    const stops = r.steps.filter((s) => s.step === 'stop');
    expect(stops.map((s) => s.targets)).toEqual([expect.arrayContaining(['W3SVC']), ['WAS']]);
    expect(stops[0].durationMs).toBeGreaterThanOrEqual(2500);
    expect(stops[0].durationMs).toBeLessThan(2500 + 50 + 1);
    expect(stops[1].durationMs).toBeGreaterThanOrEqual(1500);
    expect(stops[1].durationMs).toBeLessThan(1500 + 50 + 1);
  });

  // +20 ms: where a Ticks that lost precision (a double past 2^53) had the host sleep 1 ms past the deadline.
  it.each([0, 20, 156])('a hung stop: one call per slice until the deadline, and TIMEOUT exactly at it, never after (clock at +%d ms)', async (offsetMs) => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1) + offsetMs, { auto: true });
    const iis = await inProcessClient('hung-stop', { pollIntervalMs: 50 }, clock);
    const calls = iis.stats.calls;
    const started = iis.clock.now();
    const e = await failure(iis.stop({ timeoutSeconds: 5 }));
    expect(e.code).toBe('TIMEOUT');
    const result = (e as IisctlError<{ host: string; durationMs: number; steps: StepRecord[] }>).operation!;
    const stop = result.steps.find((s) => s.step === 'stop')!;
    expect(stop.durationMs).toBeLessThanOrEqual(5000);
    expect(stop.durationMs).toBeGreaterThanOrEqual(5000 - 50);
    expect(iis.clock.now() - started).toBeLessThan(5000 + DEFAULTS.waitSliceMs);
    // 5 slices and the read at the deadline, plus the frame's few calls: reading every 50 ms from Node would be 100.
    expect(iis.stats.calls - calls).toBeLessThanOrEqual(5 + 1 + 10);
  });

  it('a waiter for a remote lease takes it within one host read interval of its expiry, in the call that waits, not at the end of a slice', async () => {
    const stateFile = path.join(tempDir(), 'state.json');
    const scenario = changedScenario('farm', () => undefined);
    const clock = new VirtualClock(Date.UTC(2026, 0, 1), { auto: true });
    const expires = clock.now() + 1500;
    // A lease another iisctl left on WEB02 (the record scripts/lock.ts writes), running out in 1.5 s.
    resetState(scenario, stateFile);
    withMachineSync({ stateFile, scenario }, (_m, { world }) => {
      const registry = world.state.computers.WEB02.registry;
      const value = (name: string, v: string) => [name.toLowerCase(), { name, kind: 'String' as const, value: v }] as const;
      registry['HKEY_LOCAL_MACHINE\\SOFTWARE\\IISCTL'] = { path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\iisctl', values: {} };
      registry['HKEY_LOCAL_MACHINE\\SOFTWARE\\IISCTL\\LOCK'] = {
        path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\iisctl\\Lock',
        values: Object.fromEntries([value('Held', '1'), value('Token', 'elsewhere'), value('Kind', 'lease'), value('Expires', new Date(expires).toISOString()), value('User', 'CONTOSO\\ann'), value('Operation', 'restart')]),
      };
    });
    const iis = await connect({ simulate: { scenario, stateFile, inProcess: true, clock }, computerName: 'WEB02', pollIntervalMs: 50 });
    try {
      const calls = iis.stats.calls;
      const r = await iis.enable();
      expect(r.enabled).toBe(true);
      const acquired = (iis.stats.calls - calls);
      // The first attempt does not wait (it names the holder); the second waits on the host and
      // takes the lease 50 ms (one host read) after it ran out, not at the end of its 2 s slice.
      expect(clock.now()).toBeGreaterThanOrEqual(expires);
      expect(clock.now()).toBeLessThanOrEqual(expires + 50 + 1);
      expect(acquired).toBeLessThanOrEqual(2 + 4);
    } finally {
      await iis.close();
    }
  });
});
