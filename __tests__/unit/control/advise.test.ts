jest.mock('../../../lib/scripts/command', () => require('./fake-host').commandModule());

import { Advisor, shellArg } from '../../../lib/control/advise';
import type { IisServiceController } from '../../../lib/control/iisServices';
import { WebOperations } from '../../../lib/control/webOperations';
import { failure, FakeSession, recordingLogger, run } from './fake-host';

const T0 = Date.UTC(2026, 11, 6, 10);
beforeEach(() => jest.useFakeTimers({ now: T0 }));
afterEach(() => jest.useRealTimers());

const healthyPool = { rapidFailProtection: true, overlappingRecycle: true, recycleSchedule: ['03:00:00'], shutdownTimeLimit: '00:01:30' };
const ev = (id: number, pool = '') => ({ id, provider: id >= 3201 ? 'Microsoft-Windows-IIS-IISReset' : 'Microsoft-Windows-WAS', time: new Date(T0 - 3_600_000), properties: [pool] });
const restarting = (service: string) => ({ service, exists: true, automaticRestart: true, resetSeconds: 86400, actions: [{ type: 'restart', delayMs: 60000 }] });

function setup(pools: Record<string, object>, events: unknown[], recovery: unknown[] = [restarting('WAS'), restarting('W3SVC')], enabled = true) {
  const session = new FakeSession();
  session
    .on('read the IIS application pools', { services: [], sites: [], pools: Object.keys(pools).map((name) => ({ name })) })
    .on(/^read the settings of application pool /, (c) => {
      const name = c.purpose.replace('read the settings of application pool ', '');
      return { name, ...healthyPool, ...pools[name] };
    })
    .on(/^read the recovery actions of /, recovery)
    .on('read the WAS and IISReset events of the advice window', events)
    .on('read whether restarts are enabled', { enabled });
  const ops = new WebOperations({ session: session.asSession, services: {} as IisServiceController, logger: recordingLogger() });
  return { session, advisor: new Advisor(ops) };
}

const ids = (r: { findings: Array<{ id: string; target: string }> }) => r.findings.map((f) => `${f.id} ${f.target}`);

describe('Advisor', () => {
  it('a healthy host has no findings; it only reads', async () => {
    const { session, advisor } = setup({ ShopApi: {} }, []);
    const r = await run(advisor.advise());
    expect(r.findings).toEqual([]);
    expect(r.checked).toEqual({ pools: 1, services: ['WAS', 'W3SVC'], events: 0 });
    expect(r.since).toBe(new Date(T0 - 7 * 86_400_000).toISOString());
    expect(session.purposes().every((p) => p.startsWith('read'))).toBe(true);
  });

  it('each rule fires on its own evidence, with the exact command that fixes it', async () => {
    const { advisor } = setup(
      { ShopApi: { rapidFailProtection: false, recycleSchedule: [] }, Admin: { overlappingRecycle: false, shutdownTimeLimit: '00:01:30' } },
      [ev(5009, 'ShopApi'), ev(5009, 'shopapi'), ev(5013, 'Admin'), ev(3201), ev(3202), ev(3201), ev(3202), ev(3201)],
      [restarting('WAS'), { service: 'W3SVC', exists: true, automaticRestart: false, resetSeconds: 0, actions: [] }, { service: 'IISADMIN', exists: false, automaticRestart: false, resetSeconds: 0, actions: [] }],
    );
    const r = await run(advisor.advise());
    expect(ids(r)).toEqual([
      'rapid-fail-off ShopApi',
      'no-recycle-schedule ShopApi',
      'overlapping-recycle-off Admin',
      'shutdown-time-limit-exceeded Admin',
      'no-automatic-restart W3SVC',
      'iisreset-often host',
    ]);
    const f = Object.fromEntries(r.findings.map((x) => [`${x.id} ${x.target}`, x]));
    expect(f['rapid-fail-off ShopApi'].evidence).toContain('2 worker crash(es) (WAS 5009) in the last 7 day(s)');
    expect(f['iisreset-often host'].title).toBe('iisreset was run 3 time(s) in the last 7 day(s)');
    expect(f['iisreset-often host'].fix.command).toBe("iisctl disable --reason 'Use iisctl pool recycle NAME instead of resetting IIS (iisctl advise)'");
    expect(f['shutdown-time-limit-exceeded Admin'].fix.argv).toEqual(['pool', 'set', 'Admin', '--shutdown-time-limit', '00:03:00']);
  });

  it('resets below the threshold, or while restarts are already disabled, are no finding', async () => {
    const resets = [ev(3201), ev(3202), ev(3201), ev(3202)];
    expect(ids(await run(setup({}, resets).advisor.advise({ iisresetThreshold: 3 })))).toEqual([]);
    expect(ids(await run(setup({}, [...resets, ev(3201)], undefined, false).advisor.advise()))).toEqual([]);
  });

  it('the window and threshold are checked before any round trip', async () => {
    const { session, advisor } = setup({}, []);
    expect((await failure(advisor.advise({ days: 0 }))).code).toBe('INVALID_ARGUMENT');
    expect(session.calls).toEqual([]);
  });

  it('shellArg quotes only what a shell would split or expand', () => {
    expect(shellArg('--recycle-at')).toBe('--recycle-at');
    expect(shellArg("it's mine")).toBe("'it'\\''s mine'");
  });
});
