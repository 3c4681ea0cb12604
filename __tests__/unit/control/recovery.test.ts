jest.mock('../../../lib/scripts/command', () => require('./fake-host').commandModule());

import type { IisServiceController } from '../../../lib/control/iisServices';
import { RecoveryController } from '../../../lib/control/recovery';
import { WebOperations } from '../../../lib/control/webOperations';
import { audits, failure, FakeSession, recordingLogger, run } from './fake-host';

beforeEach(() => jest.useFakeTimers({ now: Date.UTC(2026, 11, 6, 10) }));
afterEach(() => jest.useRealTimers());

const restart = (delayMs = 60_000) => Array.from({ length: 3 }, () => ({ type: 'restart', delayMs }));
const info = (service: string, actions: unknown[], extra: object = {}) => ({ service, exists: true, automaticRestart: actions.length > 0, resetSeconds: actions.length ? 86_400 : 0, actions, ...extra });

/** sc.exe on a FakeSession: the recovery actions per service, changed by writes (unless `sticky`). */
function setup(initial: Record<string, unknown[]>, options: { exitCode?: number; sticky?: boolean } = {}) {
  const session = new FakeSession();
  const state: Record<string, ReturnType<typeof info>> = {};
  for (const [s, a] of Object.entries(initial)) state[s] = info(s, a);
  state.IISADMIN ??= info('IISADMIN', [], { exists: false });
  session
    .on(/^write the audit event/, undefined)
    .on(/^read the recovery actions of /, (c) => c.purpose.replace('read the recovery actions of ', '').split(', ').map((s) => ({ ...state[s] })))
    .on(/^set the recovery actions of /, (c, call) => {
      const s = c.purpose.replace('set the recovery actions of ', '');
      const delay = /actions= '?restart\/(\d+)/.exec(call.script);
      if (options.exitCode) return { exitCode: options.exitCode, output: 'Access is denied.' };
      if (!options.sticky) state[s] = info(s, delay ? restart(Number(delay[1])) : []);
      return { exitCode: 0, output: '[SC] ChangeServiceConfig2 SUCCESS' };
    });
  const ops = new WebOperations({ session: session.asSession, services: {} as IisServiceController, logger: recordingLogger() });
  return { session, recovery: new RecoveryController(ops) };
}

const writes = (s: FakeSession) => s.purposes(/^set the recovery/);

describe('RecoveryController', () => {
  it('enable writes only the services not yet set, reads back, and reports what changed; missing services are not errors', async () => {
    const { session, recovery } = setup({ WAS: restart(), W3SVC: [] });
    const result = await run(recovery.enable());
    expect(writes(session)).toEqual(['set the recovery actions of W3SVC']);
    expect(result.services.map((s) => [s.service, s.changed])).toEqual([['WAS', false], ['W3SVC', true]]);
    expect(audits(session)).toEqual(['recovery-enable succeeded']);
    const p = session.purposes();
    expect(p.indexOf('set the recovery actions of W3SVC')).toBeGreaterThan(p.indexOf('read the recovery actions of IISADMIN, WAS, W3SVC'));
    expect(p.lastIndexOf('read the recovery actions of IISADMIN, WAS, W3SVC')).toBeGreaterThan(p.indexOf('set the recovery actions of W3SVC'));
  });

  it('a value that does not read back as written is FAILED, not success', async () => {
    const { session, recovery } = setup({ WAS: [], W3SVC: [] }, { sticky: true });
    const e = await failure(recovery.enable());
    expect(e.code).toBe('FAILED');
    expect(e.message).toMatch(/The recovery actions of WAS, W3SVC on localhost do not read back as set/);
    expect(audits(session)).toEqual(['recovery-enable failed']);
  });

  it('sc.exe exit 5 is ACCESS_DENIED with the elevation hint, and stops before the next service', async () => {
    const { session, recovery } = setup({ WAS: [], W3SVC: [] }, { exitCode: 5 });
    const e = await failure(recovery.enable());
    expect(e.code).toBe('ACCESS_DENIED');
    expect(e.hint).toMatch(/elevated/);
    expect(writes(session)).toEqual(['set the recovery actions of WAS']);
  });

  it('none of the services installed: NOT_FOUND', async () => {
    const { recovery } = setup({});
    const e = await failure(recovery.disable(['IISADMIN']));
    expect(e.code).toBe('NOT_FOUND');
  });

  it('values out of range are INVALID_ARGUMENT before anything runs', async () => {
    const { session, recovery } = setup({ W3SVC: [] });
    expect((await failure(recovery.enable(undefined, { delayMs: -1 }))).code).toBe('INVALID_ARGUMENT');
    expect(session.calls).toEqual([]);
  });
});
