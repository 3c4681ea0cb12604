import { startWaves, stopWaves } from '../../../lib/control/order';

describe('stop and start waves', () => {
  const iis = [
    { name: 'WAS', dependsOn: ['RPCSS'] }, // a dependency outside the set does not matter
    { name: 'W3SVC', dependsOn: ['WAS', 'HTTP'] },
    { name: 'NetPipeActivator', dependsOn: ['WAS'] },
    { name: 'IISADMIN', dependsOn: [] },
    { name: 'WMSVC', dependsOn: ['iisadmin'] }, // names compare without case
  ];

  it('stops dependents first, each wave holding what no remaining service depends on', () => {
    expect(stopWaves(iis)).toEqual([['NetPipeActivator', 'W3SVC', 'WMSVC'], ['IISADMIN', 'WAS']]);
  });

  it('starts dependencies first: the stop waves reversed', () => {
    expect(startWaves(iis)).toEqual([['IISADMIN', 'WAS'], ['NetPipeActivator', 'W3SVC', 'WMSVC']]);
  });

  it('a chain gives one wave per link', () => {
    expect(stopWaves([{ name: 'A', dependsOn: [] }, { name: 'B', dependsOn: ['A'] }, { name: 'C', dependsOn: ['B'] }])).toEqual([['C'], ['B'], ['A']]);
  });

  it('a dependency cycle is FAILED naming the services, not an endless loop', () => {
    expect(() => stopWaves([{ name: 'A', dependsOn: ['B'] }, { name: 'B', dependsOn: ['A'] }, { name: 'C', dependsOn: [] }])).toThrow(
      expect.objectContaining({ code: 'FAILED', message: 'The services A, B depend on each other in a cycle; no stop order exists.' }),
    );
  });

  it('an empty set has no waves', () => {
    expect(stopWaves([])).toEqual([]);
  });
});
