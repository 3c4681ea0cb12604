jest.mock('../../../lib/scripts/command', () => require('./fake-host').commandModule());

import type { IisServiceController } from '../../../lib/control/iisServices';
import { findBindingConflicts, SiteController } from '../../../lib/control/sites';
import { WebOperations } from '../../../lib/control/webOperations';
import type { SiteInfo } from '../../../lib/scripts/sites';
import { IisctlError } from '../../../lib/errors';
import { audits, failure, FakeSession, recordingLogger, run } from './fake-host';

const T0 = Date.UTC(2026, 11, 6, 10, 0, 0);
beforeEach(() => jest.useFakeTimers({ now: T0 }));
afterEach(() => jest.useRealTimers());

const site = (name: string, state: string, binding = `*:80:${name.toLowerCase()}.contoso.local`): SiteInfo => ({
  id: name.length, name, state, serverAutoStart: true, physicalPath: `C:\\inetpub\\${name}`, bindings: [{ protocol: 'http', bindingInformation: binding }], applications: [{ path: '/', applicationPool: name }], pools: [name],
});

/** Sites on a FakeSession: a request reaches its state after 1 s (never for `hung`); `refuse` counts 0x80070425 refusals per name. */
function setup(sites: SiteInfo[], options: { hung?: string[]; refuse?: Record<string, number>; toggle?: boolean; signal?: AbortSignal } = {}) {
  const session = new FakeSession();
  const state = new Map(sites.map((s) => [s.name, { ...s }]));
  const pending = new Map<string, { to: string; at: number }>();
  const refusals = { ...options.refuse };
  const settle = () => {
    for (const [n, p] of pending) if (Date.now() >= p.at) (state.get(n)!.state = p.to), pending.delete(n);
  };
  session
    .on('read whether restarts are enabled', { enabled: options.toggle ?? true })
    .on(/^write the audit event/, undefined)
    .on('read IIS events', [])
    .on('read the IIS sites', () => (settle(), { services: [{ name: 'WAS', displayName: 'WAS', status: 'Running' }, { name: 'W3SVC', displayName: 'W3SVC', status: 'Running' }], sites: [...state.values()].map((s) => ({ ...s })) }))
    .on(/^read the state of \d+ site/, (_c, call) => (settle(), [...state.values()].filter((s) => call.script.includes(`'${s.name}'`)).map((s) => ({ name: s.name, exists: true, state: s.state }))))
    .on(/^set serverAutoStart=false on site\(s\) /, undefined)
    .on(/^request (start|stop) of site\(s\) /, (c) => {
      const [, action, list] = /^request (\w+) of site\(s\) (.*)$/.exec(c.purpose)!;
      return list.split(', ').map((name) => {
        if (refusals[name] > 0) {
          refusals[name]--;
          return { name, ok: false, hresult: 0x80070425 | 0, message: 'The service cannot accept control messages at this time.' };
        }
        state.get(name)!.state = action === 'stop' ? 'Stopping' : 'Starting';
        if (!options.hung?.includes(name)) pending.set(name, { to: action === 'stop' ? 'Stopped' : 'Started', at: Date.now() + 1000 });
        return { name, ok: true };
      });
    });
  const ops = new WebOperations({ session: session.asSession, services: {} as IisServiceController, logger: recordingLogger(), signal: options.signal });
  return { session, sites: new SiteController(ops) };
}

const requests = (s: FakeSession) => s.purposes(/^(request|set serverAutoStart)/);

describe('SiteController', () => {
  it('restart stops every named site in one batch, waits for Stopped, then starts them in one batch and waits for Started', async () => {
    const { session, sites } = setup([site('Shop', 'Started'), site('Blog', 'Started')]);
    const result = await run(sites.restart(['Shop', 'Blog']));
    expect(requests(session)).toEqual(['request stop of site(s) Shop, Blog', 'request start of site(s) Shop, Blog']);
    const p = session.calls;
    const startAt = p.find((c) => c.purpose.startsWith('request start'))!.at;
    expect(startAt - T0).toBeGreaterThanOrEqual(1000); // only after the stop read back
    expect(result.targets.map((t) => `${t.name} ${t.before}->${t.after} ${t.changed}`)).toEqual(['Shop Started->Started true', 'Blog Started->Started true']);
    expect(audits(session)).toEqual(['site-restart succeeded']);
  });

  it('starting a site whose binding a started site holds is FAILED before anything changes', async () => {
    const { session, sites } = setup([site('Shop', 'Stopped', '*:80:'), site('Default Web Site', 'Started', '*:80:')]);
    const e = await failure(sites.start('Shop'));
    expect(e.code).toBe('FAILED');
    expect(e.message).toBe('Cannot start: site "Shop" binding http/*:80: is already in use by site "Default Web Site". Nothing was changed.');
    expect(requests(session)).toEqual([]);
  });

  it('a binding held by a site stopped in the same restart is no conflict; http and https share the space, other protocols do not', () => {
    const a = site('A', 'Started', '*:443:');
    const b = { ...site('B', 'Stopped'), bindings: [{ protocol: 'https', bindingInformation: '*:443:' }, { protocol: 'net.tcp', bindingInformation: '808:*' }] };
    const c = { ...site('C', 'Started'), bindings: [{ protocol: 'net.pipe', bindingInformation: '808:*' }] };
    expect(findBindingConflicts([a, b, c], ['B'], [])).toEqual([{ site: 'B', binding: b.bindings[0], conflictsWith: 'A' }]);
    expect(findBindingConflicts([a, b, c], ['B'], ['A'])).toEqual([]);
    // Two sites started in one call with the same binding conflict with each other.
    expect(findBindingConflicts([site('X', 'Stopped', '*:81:'), site('Y', 'Stopped', '*:81:')], ['X', 'Y'], [])).toHaveLength(1);
  });

  it('a site that does not stop in time: TIMEOUT naming it, with the state left', async () => {
    const { sites } = setup([site('Shop', 'Started')], { hung: ['Shop'] });
    const e = await failure(sites.stop('Shop', { timeoutSeconds: 5 }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toBe('stop of site(s) timed out after 5 s; not Stopped: "Shop" (Stopping).');
  });

  it('an interrupted site stop is CANCELLED and names the state it left the site in (read back after the interruption)', async () => {
    const abort = new AbortController();
    const { session, sites } = setup([site('Shop', 'Started')], { hung: ['Shop'], signal: abort.signal });
    const p = sites.stop('Shop', { timeoutSeconds: 60 });
    setTimeout(() => abort.abort(), 2000);
    const e = await failure(p);
    expect(e.code).toBe('CANCELLED');
    expect(e.message).toMatch(/Left: Shop Stopping\.$/);
    expect(session.purposes(/^read the state of 1 site/).length).toBeGreaterThan(0);
  });

  it('already stopped: nothing requested, changed false; stayStopped clears serverAutoStart first', async () => {
    const a = setup([site('Shop', 'Stopped')]);
    const result = await run(a.sites.stop('Shop'));
    expect(requests(a.session)).toEqual([]);
    expect(result.targets[0]).toMatchObject({ changed: false, detail: 'already stopped' });
    const b = setup([site('Shop', 'Started')]);
    await run(b.sites.stop('Shop', { stayStopped: true }));
    expect(requests(b.session)).toEqual(['set serverAutoStart=false on site(s) Shop', 'request stop of site(s) Shop']);
  });

  it('a transient refusal is retried for that site after a back-off', async () => {
    const { session, sites } = setup([site('Shop', 'Started'), site('Blog', 'Started')], { refuse: { Blog: 1 } });
    const result = await run(sites.stop(['Shop', 'Blog']));
    expect(requests(session)).toEqual(['request stop of site(s) Shop, Blog', 'request stop of site(s) Blog']);
    expect(result.retries).toHaveLength(1);
  });

  it('disabled restarts refuse a restart before any request; a failing request keeps its code and is audited', async () => {
    const a = setup([site('Shop', 'Started')], { toggle: false });
    expect((await failure(a.sites.restart('Shop'))).code).toBe('DISABLED');
    expect(requests(a.session)).toEqual([]);
    const b = setup([site('Shop', 'Started')]);
    b.session.on(/^request stop of site/, () => {
      throw new IisctlError('ACCESS_DENIED', 'Access is denied');
    });
    expect((await failure(b.sites.stop('Shop'))).code).toBe('ACCESS_DENIED');
    expect(audits(b.session)).toEqual(['site-stop failed']);
  });
});
