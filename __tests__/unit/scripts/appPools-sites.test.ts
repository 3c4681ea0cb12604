import { parseAppPools, parsePoolStates, readAppPools, readPoolStates, requestPools, setAutoStart } from '../../../lib/scripts/appPools';
import { readSites, readSiteStates, requestSites, setServerAutoStart } from '../../../lib/scripts/sites';
import { HRESULTS, isTransientOutcome } from '../../../lib/scripts/webadmin';
import { wrapScript } from '../../../lib/powershell/envelope';
import { loadParser } from '../../../lib/sim/parser';
import { hostileCorpus } from '../../helpers/hostile';

const builders = (names: string[]) => [
  readAppPools(),
  readSites(),
  readPoolStates(names),
  readSiteStates(names),
  requestPools('start', names),
  requestPools('stop', names),
  requestPools('recycle', names),
  requestSites('start', names),
  requestSites('stop', names),
  setAutoStart(names, false),
  setServerAutoStart(names, true),
];

describe('pool and site command builders', () => {
  it('generate valid PowerShell, envelope included', async () => {
    const parser = await loadParser();
    for (const cmd of builders(['DefaultAppPool', 'ShopApi'])) {
      expect({ purpose: cmd.purpose, ...parser.checkSyntax(cmd.script.text) }).toEqual({ purpose: cmd.purpose, ok: true, errors: [] });
      expect(parser.checkSyntax(wrapScript(cmd.script).script).ok).toBe(true);
    }
  });

  it('quote every hostile name: brackets, wildcards, quotes, Unicode never become code', async () => {
    const parser = await loadParser();
    const names = hostileCorpus().filter((s) => s.trim() && !s.includes('\0') && s.length < 2000);
    for (let i = 0; i < names.length; i += 40) {
      const slice = names.slice(i, i + 40);
      for (const cmd of builders(slice)) {
        const check = parser.checkSyntax(cmd.script.text);
        if (!check.ok) throw new Error(`${cmd.purpose}: ${JSON.stringify(check.errors)}`);
      }
    }
  });

  it('never pass a name to a provider path other than as -LiteralPath', () => {
    for (const cmd of builders(['a[1]*'])) {
      expect(cmd.script.text).not.toMatch(/-Path\b/);
    }
  });

  it('refuse an empty list or an empty name before anything is sent', () => {
    expect(() => requestPools('stop', [])).toThrow(/No application pool names/);
    expect(() => requestSites('start', [' '])).toThrow(/empty/);
  });

  it('parse a 5.1 inventory: collapsed arrays, ObjectState integers, pools mapped to the sites they serve', () => {
    const inv = parseAppPools({
      Services: { Name: 'W3SVC', DisplayName: 'World Wide Web Publishing Service', Status: 4 },
      Pools: [
        { Name: 'DefaultAppPool', State: 1, AutoStart: true, StartMode: 'OnDemand', RuntimeVersion: 'v4.0', PipelineMode: 'Integrated', IdentityType: 'ApplicationPoolIdentity', WorkerProcessIds: 4242 },
        { Name: 'ShopApi', State: 'Stopped', AutoStart: false, StartMode: 'AlwaysRunning', RuntimeVersion: '', PipelineMode: 'Integrated', IdentityType: 'NetworkService', WorkerProcessIds: null },
      ],
      Sites: {
        Name: 'Shop', Id: 2, State: 'Started', ServerAutoStart: true, PhysicalPath: 'D:\\shop', ApplicationPool: 'defaultapppool',
        Bindings: { Protocol: 'http', BindingInformation: '*:80:shop' },
        Applications: { Path: '/api', ApplicationPool: 'ShopApi' },
      },
    });
    expect(inv.services).toEqual([{ name: 'W3SVC', displayName: 'World Wide Web Publishing Service', status: 'Running' }]);
    expect(inv.pools[0]).toMatchObject({ name: 'DefaultAppPool', state: 'Started', workerProcessIds: [4242], sites: ['Shop'], applications: [{ site: 'Shop', path: '/' }] });
    expect(inv.pools[1]).toMatchObject({ state: 'Stopped', autoStart: false, workerProcessIds: [], applications: [{ site: 'Shop', path: '/api' }] });
    expect(inv.sites[0]).toMatchObject({ id: 2, bindings: [{ protocol: 'http', bindingInformation: '*:80:shop' }], pools: ['defaultapppool', 'ShopApi'] });
  });

  it('parse pool states and classify transient outcomes by HResult only', () => {
    expect(parsePoolStates({ Name: 'a', Exists: true, State: 2, WorkerProcessIds: [1, 2] })).toEqual([{ name: 'a', exists: true, state: 'Stopping', workerProcessIds: [1, 2] }]);
    expect(isTransientOutcome({ name: 'a', ok: false, hresult: HRESULTS.cannotAcceptControl })).toBe(true);
    expect(isTransientOutcome({ name: 'a', ok: false, hresult: HRESULTS.notActive })).toBe(false);
    expect(HRESULTS.notActive).toBe(-2147023834);
  });
});
