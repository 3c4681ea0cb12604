/**
 * Scenarios by name: bundled scenarios work as NAME and NAME.json (the README's
 * `iisctl --simulate=farm.json sim reset`, verbatim), in the CLI and the library; a state file
 * that holds another scenario is exit 2 with the exact command that fixes it; `sim reset` keeps
 * the state file's own scenario unless another is named.
 */
import { inProcessMachine as machine } from '../helpers/cli';
import { closeClients, simClient } from '../helpers/sim';

afterEach(closeClients);

describe('CLI', () => {
  it('--simulate=farm.json sim reset (README) and --simulate=farm sim reset both reset to the bundled farm', async () => {
    for (const value of ['farm.json', 'farm']) {
      const m = machine(value);
      const r = await m.run(['sim', 'reset'], { spawned: value === 'farm.json' });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Simulated machine reset to scenario 'farm'");
      expect((await m.run(['-c', 'WEB02', 'status'])).code).toBe(0);
    }
  });

  it('a state file holding another scenario: exit 2 naming the exact fix command, which works', async () => {
    const m = machine('farm');
    expect((await m.run(['sim', 'reset'])).code).toBe(0);
    const other = machine('fast');
    const env = { IISCTL_SIM_STATE: m.stateFile };
    const r = await other.run(['status'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds scenario "farm", not "fast"/);
    const fix = /: (iisctl --simulate=fast sim reset)$/m.exec(r.stderr)?.[1];
    expect(fix).toBe('iisctl --simulate=fast sim reset');
    expect((await other.run(['sim', 'reset'], { env })).code).toBe(0);
    expect((await other.run(['status'], { env })).code).toBe(0);
  });

  it('sim reset without a scenario keeps the one the state file holds', async () => {
    const m = machine('farm');
    expect((await m.run(['sim', 'reset'])).code).toBe(0);
    const r = await m.run(['--simulate', 'sim', 'reset'], { simulate: false });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("reset to scenario 'farm'");
    expect((await m.run(['-c', 'WEB02', 'status'])).code).toBe(0);
  });
});

describe('library', () => {
  it.each(['farm', 'farm.json'])('connect({ simulate: %p }) uses the bundled scenario', async (name) => {
    const iis = await simClient(name, { computerName: 'WEB02' });
    expect((await iis.status()).services.map((s) => s.status)).toContain('Running');
  });
});
