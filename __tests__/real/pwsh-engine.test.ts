/**
 * The simulator's pwsh engine (lib/sim/pwsh) on its own: one real PowerShell 7 for the file, lines
 * sent as the simulated host receives them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inProcessTransport } from '../../lib/sim/transport';
import { moduleCacheDir } from '../../lib/sim/pwsh/engine';
import { peekState, resetState } from '../../lib/sim/state';
import type { Transport } from '../../lib/powershell/transport';
import { describeReal, PWSH_COMMAND } from '../helpers/real-pwsh';
import { tempDir } from '../helpers/sim';

jest.setTimeout(120_000);

describeReal('the pwsh engine', () => {
  let host: Transport;
  let stateFile: string;
  beforeAll(() => {
    stateFile = path.join(tempDir('iisctl-pwsh-engine-'), 'state.json');
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

  it('$PID is the simulated powershell.exe\'s id, which owns the named mutexes its scripts take (the host lock records $PID as its holder)', async () => {
    const out = await host.send("$m = New-Object -TypeName System.Threading.Mutex -ArgumentList $false, 'Global\\pid-test'; [void]$m.WaitOne(0); $PID; & { $PID }; [string]$env:IISCTL_SIM_PID");
    const [pid, inChild, env] = out.stdout.trim().split(/\r?\n/);
    expect(Number(pid)).toBe(host.pid);
    expect(inChild).toBe(pid);
    expect(env ?? '').toBe('');
    const state = peekState({ stateFile })!;
    expect(state.computers[state.localComputer].mutexes?.['Global\\pid-test']?.ownerPid).toBe(host.pid);
  });

  it('a void method of a simulated object writes nothing (a $null in the output made the host lock\'s result an array)', async () => {
    const out = await host.send("$m = New-Object -TypeName System.Threading.Mutex -ArgumentList $false, 'Global\\void-test'; @(& { [void]$m.WaitOne(0); $m.ReleaseMutex(); $m.Dispose() }).Count");
    expect(out.stdout.trim()).toBe('0');
  });

  it('a shadowing function honours the caller\'s preference variables, as a compiled cmdlet does ($ErrorActionPreference = \'Stop\' makes its error terminating)', async () => {
    const out = await host.send("& { $ErrorActionPreference = 'Stop'; try { Get-Service -Name NoSuchService; 'went on' } catch { 'caught ' + $_.CategoryInfo.Category } }; & { $ErrorActionPreference = 'Stop'; Get-Service -Name NoSuchService -ErrorAction SilentlyContinue; 'parameter wins' }");
    expect(out.stdout.trim().split(/\r?\n/)).toEqual(['caught ObjectNotFound', 'parameter wins']);
  });
});
