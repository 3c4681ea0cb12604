import { parseSnapshot, readIisServices, requestServiceStart, requestServiceStop } from '../../../lib/scripts/services';
import { startWaves, stopWaves } from '../../../lib/control/order';
import { wrapScript } from '../../../lib/powershell/envelope';
import { loadParser } from '../../../lib/sim/parser';
import { hostileCorpus } from '../../helpers/hostile';

describe('service command builders', () => {
  it('generate valid PowerShell, envelope included', async () => {
    const parser = await loadParser();
    for (const cmd of [readIisServices(), requestServiceStop(['W3SVC', 'WAS']), requestServiceStart(['WAS'])]) {
      expect({ purpose: cmd.purpose, ...parser.checkSyntax(cmd.script.text) }).toEqual({ purpose: cmd.purpose, ok: true, errors: [] });
      expect(parser.checkSyntax(wrapScript(cmd.script).script).ok).toBe(true);
    }
  });

  it('quote every service name, hostile or not', async () => {
    const parser = await loadParser();
    for (const name of hostileCorpus().filter((s) => s.trim() && !s.includes('\0')).slice(0, 200)) {
      const script = requestServiceStop([name]).script.text;
      expect(parser.checkSyntax(script).ok).toBe(true);
      expect(script.startsWith('foreach ($name in @(')).toBe(true);
    }
  });

  it('ask CIM only for the IIS services and the services sharing their processes, never every service (each status poll runs this)', () => {
    const script = readIisServices().script.text;
    const cim = script.split('\n').filter((l) => /Get-CimInstance/i.test(l));
    expect(cim.length).toBeGreaterThan(0);
    for (const line of cim) expect(line).toMatch(/-ClassName 'Win32_Service' -Filter /);
  });

  it('refuse an empty list or an empty name before anything is sent', () => {
    expect(() => requestServiceStop([])).toThrow(/No service names/);
    expect(() => requestServiceStart(['  '])).toThrow(/empty/);
  });

  it('parse a 5.1 snapshot with enum integers, collapsed arrays and missing lists', () => {
    const snap = parseSnapshot({
      Services: { Name: 'W3SVC', DisplayName: 'World Wide Web Publishing Service', Status: 4, StartType: 2, ProcessId: 1234, DependsOn: 'WAS', SharedWith: '' },
      WorkerProcessIds: 4321,
    });
    expect(snap).toEqual({
      services: [{ name: 'W3SVC', displayName: 'World Wide Web Publishing Service', status: 'Running', startType: 'Automatic', processId: 1234, dependsOn: ['WAS'], sharedWith: [] }],
      workerProcessIds: [4321],
    });
    expect(parseSnapshot({ Services: [], WorkerProcessIds: null })).toEqual({ services: [], workerProcessIds: [] });
  });
});

describe('stop and start order', () => {
  const iis = [
    { name: 'IISADMIN', dependsOn: [] },
    { name: 'WAS', dependsOn: [] },
    { name: 'W3SVC', dependsOn: ['WAS', 'HTTP'] },
    { name: 'NetTcpActivator', dependsOn: ['WAS', 'NetTcpPortSharing'] },
    { name: 'NetPipeActivator', dependsOn: ['WAS'] },
  ];

  it('stops dependents before WAS, and ignores dependencies outside the set', () => {
    expect(stopWaves(iis)).toEqual([['IISADMIN', 'NetPipeActivator', 'NetTcpActivator', 'W3SVC'], ['WAS']]);
  });

  it('starts dependencies first', () => {
    expect(startWaves(iis)).toEqual([['WAS'], ['IISADMIN', 'NetPipeActivator', 'NetTcpActivator', 'W3SVC']]);
  });

  it('handles chains and case differences', () => {
    const chain = [
      { name: 'A', dependsOn: [] },
      { name: 'B', dependsOn: ['a'] },
      { name: 'C', dependsOn: ['B'] },
    ];
    expect(stopWaves(chain)).toEqual([['C'], ['B'], ['A']]);
  });

  it('reports a dependency cycle instead of looping', () => {
    expect(() => stopWaves([{ name: 'A', dependsOn: ['B'] }, { name: 'B', dependsOn: ['A'] }])).toThrow(/cycle/);
  });
});

describe('toggle commands', () => {
  // Imported here to keep the suite about commands that go to the host.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const toggle = require('../../../lib/scripts/toggle') as typeof import('../../../lib/scripts/toggle');

  it('generate valid PowerShell with the reason quoted', async () => {
    const parser = await loadParser();
    const reason = "deploy 1.2.3'; Stop-Computer; '";
    for (const cmd of [toggle.readToggle(), toggle.disableRestarts(reason), toggle.enableRestarts()]) {
      expect(parser.checkSyntax(cmd.script.text)).toEqual({ ok: true, errors: [] });
    }
    expect(toggle.disableRestarts(reason).script.text).toContain("-Value 'deploy 1.2.3''; Stop-Computer; '''");
  });

  it('parse the stored state', () => {
    expect(toggle.parseToggle({ Disabled: false, By: '', At: '', Reason: '' })).toEqual({ enabled: true });
    expect(toggle.parseToggle({ Disabled: true, By: 'CONTOSO\\ann', At: '2026-11-21T05:00:00.0000000Z', Reason: 'freeze' })).toEqual({
      enabled: false,
      disabledBy: 'CONTOSO\\ann',
      disabledAt: '2026-11-21T05:00:00.0000000Z',
      reason: 'freeze',
    });
  });
});
