import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listBundledScenarios, loadScenario, parseScenario, ScenarioError, validateScenario } from '../../../lib/sim/scenario';

function minimal(): any {
  return {
    name: 'tiny',
    computers: {
      SRV1: {
        services: [
          { name: 'WAS', displayName: 'Windows Process Activation Service', startType: 'Manual', status: 'Running' },
          { name: 'W3SVC', displayName: 'World Wide Web Publishing Service', startType: 'Automatic', dependsOn: ['WAS'] },
        ],
        appPools: [{ name: 'DefaultAppPool' }],
        sites: [{ id: 1, name: 'Default Web Site', physicalPath: 'C:\\inetpub\\wwwroot', applicationPool: 'DefaultAppPool', bindings: [{ protocol: 'http', bindingInformation: '*:80:' }] }],
      },
    },
  };
}

function problemsOf(json: unknown): { path: string; problem: string }[] {
  try {
    validateScenario(json, 'x.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).problems;
  }
  throw new Error('expected validation to fail');
}

describe('bundled scenarios', () => {
  test.each(listBundledScenarios())('%s.json is valid and names itself', (name) => {
    const s = loadScenario(name);
    expect(s.name).toBe(name);
    expect(s.computers[s.localComputer].local).toBe(true);
  });

  test('the expected scenarios exist', () => {
    expect(listBundledScenarios()).toEqual(
      expect.arrayContaining(['default', 'fast', 'hung-stop', 'cannot-accept-control', 'not-admin', 'no-webadministration', 'shared-svchost', 'farm']),
    );
  });
});

describe('validation errors are clear', () => {
  test('a minimal scenario is valid; its only computer is local', () => {
    expect(validateScenario(minimal()).localComputer).toBe('SRV1');
  });

  test('bad JSON names the file and the parse problem', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scn-'));
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{ "name": "x", ');
    expect(() => loadScenario(file)).toThrow(ScenarioError);
    try {
      loadScenario(file);
    } catch (e) {
      expect((e as Error).message).toContain(file);
      expect((e as ScenarioError).problems[0]).toMatchObject({ path: '$' });
      expect((e as ScenarioError).problems[0].problem).toMatch(/^not valid JSON/);
    }
  });

  test('an unknown scenario name lists the bundled ones', () => {
    expect(() => loadScenario('no-such-scenario')).toThrow(/cannot read file \(ENOENT\); bundled scenarios: .*default/);
  });

  test('missing required field', () => {
    const j = minimal();
    delete j.computers.SRV1.services[1].displayName;
    expect(problemsOf(j)).toEqual([{ path: '$.computers.SRV1.services[1].displayName', problem: 'missing (a string is required)' }]);
  });

  test('unknown service in a dependency', () => {
    const j = minimal();
    j.computers.SRV1.services[1].dependsOn = ['WASX'];
    expect(problemsOf(j)).toContainEqual({
      path: '$.computers.SRV1.services[1].dependsOn[0]',
      problem: 'unknown service "WASX" (not defined in this computer\'s services)',
    });
  });

  test('duplicate names (case-insensitive) for services, pools and site ids', () => {
    const j = minimal();
    j.computers.SRV1.services.push({ name: 'w3svc', displayName: 'Another', startType: 'Manual' });
    j.computers.SRV1.appPools.push({ name: 'defaultapppool' });
    j.computers.SRV1.sites.push({ ...j.computers.SRV1.sites[0], name: 'Other' });
    const p = problemsOf(j);
    expect(p).toContainEqual({ path: '$.computers.SRV1.services[2].name', problem: expect.stringMatching(/^duplicate service name "w3svc" \(also at \$\.computers\.SRV1\.services\[1\]/) });
    expect(p).toContainEqual({ path: '$.computers.SRV1.appPools[1].name', problem: expect.stringMatching(/^duplicate application pool name/) });
    expect(p).toContainEqual({ path: '$.computers.SRV1.sites[1].id', problem: expect.stringMatching(/^duplicate site id 1/) });
  });

  test('wrong enum value, unknown field (typo), bad TimeSpan, bad binding, unknown pool reference', () => {
    const j = minimal();
    j.computers.SRV1.services[0].startType = 'Auto';
    j.computers.SRV1.services[0].stopMS = 5;
    j.computers.SRV1.appPools[0].failure = { rapidFailProtectionInterval: '5 minutes' };
    j.computers.SRV1.sites[0].bindings[0].bindingInformation = '80';
    j.computers.SRV1.sites[0].applicationPool = 'Nope';
    const p = problemsOf(j).map((x) => `${x.path}: ${x.problem}`);
    expect(p).toEqual(
      expect.arrayContaining([
        '$.computers.SRV1.services[0].startType: must be one of Boot, System, Automatic, Manual, Disabled; got "Auto"',
        expect.stringMatching(/^\$\.computers\.SRV1\.services\[0\]\.stopMS: unknown field \(allowed: .*stopMs/),
        '$.computers.SRV1.appPools[0].failure.rapidFailProtectionInterval: must be a TimeSpan "[d.]hh:mm:ss", got "5 minutes"',
        '$.computers.SRV1.sites[0].bindings[0].bindingInformation: must be "ip:port:host" (e.g. "*:80:"), got "80"',
        '$.computers.SRV1.sites[0].applicationPool: unknown application pool "Nope"',
      ]),
    );
  });

  test('inconsistent states and dependency cycles', () => {
    const j = minimal();
    j.computers.SRV1.services[0].status = 'Stopped'; // W3SVC Automatic ⇒ Running, but WAS is not
    expect(problemsOf(j)).toContainEqual({ path: '$.computers.SRV1.services[1].status', problem: '"W3SVC" is Running but its dependency "WAS" is not' });
    const k = minimal();
    k.computers.SRV1.services[0].dependsOn = ['W3SVC'];
    k.computers.SRV1.services[0].status = 'Stopped';
    k.computers.SRV1.services[1].status = 'Stopped';
    expect(problemsOf(k).some((x) => /^circular dependency: (WAS -> W3SVC -> WAS|W3SVC -> WAS -> W3SVC)$/.test(x.problem))).toBe(true);
  });

  test('several computers need exactly one local', () => {
    const j = minimal();
    j.computers.SRV2 = minimal().computers.SRV1;
    expect(problemsOf(j)).toContainEqual({ path: '$.computers', problem: 'exactly one computer must have "local": true (found 0)' });
  });

  test('annotation keys starting with "_" are ignored everywhere', () => {
    const j = minimal();
    j._comment = 'x';
    j.computers.SRV1.services[0]._source = 'docs/sources.md §3.8';
    j.computers.SRV1.appPools[0].recycling = { _assumed: 'y', periodicRestart: { _c: 1, time: '00:00:00' } };
    expect(() => validateScenario(j)).not.toThrow();
  });

  test('error message lists every problem with its path', () => {
    const j = minimal();
    delete j.name;
    j.computers.SRV1.services[1].dependsOn = ['X'];
    expect(() => parseScenario(JSON.stringify(j), 'my.json')).toThrow(
      /^Invalid scenario my\.json:\n {2}\$\.name: missing \(a string is required\)\n {2}\$\.computers\.SRV1\.services\[1\]\.dependsOn\[0\]: unknown service "X"/,
    );
  });
});
