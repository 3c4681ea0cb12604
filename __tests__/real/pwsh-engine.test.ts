/**
 * The simulator's pwsh engine (lib/sim/pwsh) on its own: one real PowerShell 7 for the file, lines
 * sent as the simulated host receives them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inProcessTransport } from '../../lib/sim/transport';
import { moduleCacheDir } from '../../lib/sim/pwsh/engine';
import { resetState } from '../../lib/sim/state';
import type { Transport } from '../../lib/powershell/transport';
import { describeReal, PWSH_COMMAND } from '../helpers/real-pwsh';
import { tempDir } from '../helpers/sim';

jest.setTimeout(120_000);

describeReal('the pwsh engine', () => {
  let host: Transport;
  beforeAll(() => {
    const stateFile = path.join(tempDir('iisctl-pwsh-engine-'), 'state.json');
    resetState('fast', stateFile);
    host = inProcessTransport({ scenario: 'fast', stateFile, engine: 'pwsh' })();
  });
  afterAll(async () => {
    await host?.terminate('SIGTERM');
  });

  it('loads Wire.cs compiled once, from the cache directory named by what the module is made of', async () => {
    const out = await host.send("[IisctlSim.Wire].Assembly.Location; (Get-Command Get-Service).CommandType");
    const [location, commandType] = out.stdout.trim().split(/\r?\n/);
    expect(commandType).toBe('Function');
    const dir = path.dirname(location);
    expect(path.basename(location)).toBe('Wire.dll');
    expect(fs.existsSync(path.join(dir, 'SimWindows.generated.ps1'))).toBe(true);
    // Another catalog or another pwsh is another directory: a cache never serves a stale build.
    expect(moduleCacheDir('{}', PWSH_COMMAND!)).not.toBe(dir);
    expect(moduleCacheDir('{}', PWSH_COMMAND!)).toBe(moduleCacheDir('{}', PWSH_COMMAND!));
    expect(moduleCacheDir('{}', { command: 'other-pwsh', args: [] })).not.toBe(moduleCacheDir('{}', PWSH_COMMAND!));
  });
});
