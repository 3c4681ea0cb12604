jest.mock('../../../lib/scripts/command', () => require('./fake-host').commandModule());

import type { IisServiceController } from '../../../lib/control/iisServices';
import { attributeOf, PoolSettingsController } from '../../../lib/control/settings';
import { WebOperations } from '../../../lib/control/webOperations';
import type { PoolSettings } from '../../../lib/scripts/settings';
import { audits, failure, FakeSession, recordingLogger, run } from './fake-host';

beforeEach(() => jest.useFakeTimers({ now: Date.UTC(2026, 11, 6, 10) }));
afterEach(() => jest.useRealTimers());

/** One pool's settings on a FakeSession; a write applies what it names unless `ignore` lists it. */
function setup(initial: Partial<PoolSettings> | null, ignore: string[] = []) {
  const session = new FakeSession();
  const pool = initial && ({ name: 'ShopApi', rapidFailProtection: true, rapidFailMaxCrashes: 5, idleTimeout: '00:20:00', recycleSchedule: [], ...initial } as PoolSettings);
  const written: Array<Record<string, unknown>> = [];
  session
    .on(/^write the audit event/, undefined)
    .on(/^read the settings of application pool /, () => pool && { ...pool })
    .on(/^set .* of application pool /, (c) => {
      const keys = c.purpose.replace(/^set /, '').replace(/ of application pool .*$/, '').split(', ');
      written.push(Object.fromEntries(keys.map((k) => [k, true])));
      return { keys };
    });
  const ops = new WebOperations({ session: session.asSession, services: {} as IisServiceController, logger: recordingLogger() });
  return { session, written, pool, settings: new PoolSettingsController(ops), apply: (changes: Partial<PoolSettings>) => Object.entries(changes).forEach(([k, v]) => !ignore.includes(k) && pool && ((pool as unknown as Record<string, unknown>)[k] = v)) };
}

describe('PoolSettingsController', () => {
  it('writes only the settings that differ, in one round trip, reads back and reports before/after', async () => {
    const t = setup({});
    t.session.on(/^set .* of application pool /, () => t.apply({ rapidFailMaxCrashes: 10 }));
    const result = await run(t.settings.configure('ShopApi', { rapidFailProtection: true, rapidFailMaxCrashes: 10 }));
    expect(t.session.purposes()).toEqual(['read the settings of application pool ShopApi', 'set rapidFailMaxCrashes of application pool ShopApi', 'read the settings of application pool ShopApi', 'write the audit event for apppool-configure']);
    expect(result.changed).toBe(true);
    expect(result.unchanged).toEqual(['rapidFailProtection']);
    expect(result.changes).toEqual([{ setting: 'rapidFailMaxCrashes', attribute: 'failure/@rapidFailProtectionMaxCrashes', before: 5, after: 10 }]);
  });

  it('every value already in place: nothing is written, changed false', async () => {
    const t = setup({});
    const result = await run(t.settings.configure('ShopApi', { rapidFailMaxCrashes: 5 }));
    expect(t.session.purposes(/^set /)).toEqual([]);
    expect(result.changed).toBe(false);
  });

  it('a value that does not read back as written is FAILED naming it, and audited as failed', async () => {
    const t = setup({}, ['idleTimeout']);
    t.session.on(/^set .* of application pool /, () => t.apply({ idleTimeout: '00:00:00' }));
    const e = await failure(t.settings.configure('ShopApi', { idleTimeout: 0 } as never));
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/does not show the new value of idleTimeout \(wanted "00:00:00", read back "00:20:00"\)/);
    expect(audits(t.session)).toEqual(['apppool-configure failed']);
  });

  it('invalid values are INVALID_ARGUMENT before any round trip; an unknown pool is NOT_FOUND with nothing written', async () => {
    const a = setup({});
    expect((await failure(a.settings.configure('ShopApi', { rapidFailMaxCrashes: 0 }))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(a.settings.configure('ShopApi', {}))).code).toBe('INVALID_ARGUMENT');
    expect(a.session.calls).toEqual([]);
    const b = setup(null);
    expect((await failure(b.settings.configure('Nope', { rapidFailMaxCrashes: 9 }))).code).toBe('NOT_FOUND');
    expect(b.session.purposes(/^set /)).toEqual([]);
  });

  it('plan lists the write and the read-back only when something differs', async () => {
    const t = setup({});
    expect((await run(t.settings.plan('ShopApi', { rapidFailMaxCrashes: 5 }))).steps.map((s) => s.description)).toEqual(['read the current settings']);
    expect((await run(t.settings.plan('ShopApi', { rapidFailMaxCrashes: 6 }))).steps.map((s) => s.description)).toEqual(['read the current settings', 'set failure/@rapidFailProtectionMaxCrashes', 'read back and verify']);
    expect(t.session.purposes(/^set /)).toEqual([]);
  });

  it('attributeOf names the IIS attribute, the schedule its collection', () => {
    expect(attributeOf('recycleSchedule')).toBe('recycling/periodicRestart/schedule/add/@value');
    expect(attributeOf('autoStart')).toBe('@autoStart');
  });
});
