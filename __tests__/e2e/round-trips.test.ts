/**
 * The operation frame's own PowerShell round trips (lib/control/operation.ts): what every changing
 * operation does before and after its work is merged into as few calls as its semantics allow.
 * Counted with the session's stats on a simulated host in process (virtual time), on operations
 * with nothing to wait for, so that only the frame's calls are counted, not polls:
 * - status: services, restarts toggle, host lock and recovery actions in ONE call;
 * - a start with nothing to start: lock, [toggle +] snapshot + suspended recovery, read-back +
 *   audit + events + release: 3 (8 before the frame was merged, 4 before the release joined the
 *   last call);
 * - a pool start with nothing to start: lock, toggle + inventory, the pools' state read back +
 *   audit + events + release: 3 (7 before, then 4);
 * and the record of a failed operation is the typed `operation` field of its error.
 */
import type { ServiceOperationResult } from '../../lib/control/iisServices';
import type { IisctlError } from '../../lib/errors';
import type { IisClient } from '../../lib/client';
import { closeClients, failure, inProcessClient, scenarioFile, service } from '../helpers/sim';

afterEach(closeClients);

async function roundTrips<T>(iis: IisClient, fn: () => Promise<T>): Promise<{ value: T; calls: number }> {
  const before = iis.stats.calls;
  const value = await fn();
  return { value, calls: iis.stats.calls - before };
}

describe('the operation frame: round trips', () => {
  it('status is one round trip: services, toggle, lock and recovery actions together', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    await iis.status(); // the host process and its state, outside the count
    const { value, calls } = await roundTrips(iis, () => iis.status());
    expect(calls).toBe(1);
    expect(value.services.map((s) => s.name)).toEqual(expect.arrayContaining(['WAS', 'W3SVC']));
    expect(value.restarts.enabled).toBe(true);
    expect(value.lock.held).toBe(false);
    expect(value.recovery?.map((r) => r.service)).toEqual(expect.arrayContaining(['WAS', 'W3SVC']));
  });

  it('a start with nothing to start: the lock, one call before and one after with the release (3 round trips)', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    await iis.status();
    const { value, calls } = await roundTrips(iis, () => iis.start({ reason: 'round trips' }));
    expect(calls).toBe(3);
    // Released in that last call: the lock is free on the host, and the next operation takes it.
    expect((await iis.status()).lock.held).toBe(false);
    expect((await roundTrips(iis, () => iis.start())).calls).toBe(3);
    // The one call after still reads back, audits and reads the events (the audit event among them).
    expect(value.after.every((s) => s.status === 'Running')).toBe(true);
    expect(value.events.filter((e) => e.kind === 'audit').map((e) => e.message)).toEqual([expect.stringMatching(/^iisctl start succeeded; .*reason=round trips/)]);
  });

  it('a pool start with nothing to start: 3 round trips (lock, toggle + inventory, state read back + audit + events + release), audited with the pool', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    await iis.status();
    const { value, calls } = await roundTrips(iis, () => iis.appPools.start('ShopApi'));
    expect(calls).toBe(3);
    expect((await iis.status()).lock.held).toBe(false);
    expect(value.changed).toBe(false);
    expect(value.events.filter((e) => e.kind === 'audit').map((e) => e.message)).toEqual([expect.stringMatching(/^iisctl apppool-start succeeded; .*pools=ShopApi/)]);
  });

  it('disabled restarts refuse a restart after one call (toggle and snapshot together), with nothing changed', async () => {
    const iis = await inProcessClient(scenarioFile('fast'));
    await iis.disable({ reason: 'freeze' });
    const { calls } = await roundTrips(iis, () => iis.restart().catch((e: IisctlError) => e.code));
    expect(calls).toBe(3); // lock, toggle + snapshot, release
    expect((await iis.status()).services.every((s) => s.status === 'Running')).toBe(true);
  });

  it('a graceful restart of the default scenario: at most 15 round trips, each stop/start request in the round trip of its first wait slice', async () => {
    const iis = await inProcessClient(scenarioFile('default'));
    await iis.status();
    const { value, calls } = await roundTrips(iis, () => iis.restart({ reason: 'round trips' }));
    expect(value.after.every((s) => s.status === 'Running')).toBe(true);
    // lock, toggle + snapshot + suspended recovery, 4 requests each with its wave's first slice,
    // the further slices (one a second of the services' own 6.7 s), read-back + audit + events, release.
    expect(calls).toBeLessThanOrEqual(15);
    expect(value.steps.filter((s) => s.step === 'stop' || s.step === 'start').map((s) => s.step)).toEqual(['stop', 'stop', 'start', 'start']);
  });

  it('a failed restart carries its record as the typed `operation` field, not in details', async () => {
    const file = scenarioFile('fast', (s) => {
      service(s, 'W3SVC').startType = 'Disabled';
    });
    const iis = await inProcessClient(file);
    const e = (await failure(iis.restart())) as IisctlError<ServiceOperationResult>;
    expect(e.code).toBe('FAILED');
    expect(e.details).not.toHaveProperty('result');
    expect(e.operation?.action).toBe('restart');
    expect(e.operation?.after.find((s) => s.name === 'W3SVC')?.status).toBe('Stopped');
    expect(e.toJSON()).toMatchObject({ code: 'FAILED', operation: { action: 'restart', host: 'localhost' } });
  });
});
