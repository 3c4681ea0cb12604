/**
 * Reads need elevation too: applicationHost.config, the worker-process list and the configuration
 * backups are readable only by Administrators, so on a real server an unelevated iisctl cannot list
 * pools or sites, show status, advise or list backups. The simulated non-administrator
 * (not-admin.json) is refused those reads like Microsoft.Web.Administration refuses them, and
 * iisctl says so: ACCESS_DENIED, exit 5, with the "run elevated" hint.
 */
import * as path from 'node:path';
import { inProcessMachine, SCENARIOS } from '../helpers/cli';
import { closeClients, failure, scenarioFile, inProcessClient } from '../helpers/sim';

jest.setTimeout(120_000);
afterEach(closeClients);

describe('a non-administrator', () => {
  // The CLI in process on virtual time: exit codes and --json documents, nothing only a process shows.
  const machine = inProcessMachine(path.join(SCENARIOS, 'not-admin.json'), { clock: 'virtual' });

  it.each([['status'], ['pool', 'list'], ['site', 'list'], ['backup', 'list'], ['advise']])('iisctl %s: ACCESS_DENIED, exit 5, run elevated', async (...args: string[]) => {
    const r = await machine.json(args);
    expect(r.code).toBe(5);
    expect(r.doc.error).toMatchObject({ code: 'ACCESS_DENIED', exitCode: 5 });
    expect(r.doc.error.hint).toMatch(/elevated/);
  });

  it('library: reading pools, sites, worker processes and backups is ACCESS_DENIED; the service list still reads', async () => {
    const iis = await inProcessClient(scenarioFile('not-admin'));
    for (const read of [() => iis.appPools.list(), () => iis.sites.list(), () => iis.backups.list()]) {
      expect((await failure(read())).code).toBe('ACCESS_DENIED');
    }
    expect((await iis.status()).services.length).toBeGreaterThan(0);
  });
});
