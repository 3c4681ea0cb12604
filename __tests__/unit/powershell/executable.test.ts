import * as path from 'node:path';
import { resolveExecutable, windowsPowerShellPath } from '../../../lib/powershell/executable';

const linux = (env: NodeJS.ProcessEnv = {}) => ({ platform: 'linux' as NodeJS.Platform, arch: 'x64', env, nodePath: '/usr/bin/node' });
const windows = (arch: string, env: NodeJS.ProcessEnv) => ({ platform: 'win32' as NodeJS.Platform, arch, env, nodePath: 'C:\\node\\node.exe' });

describe('resolveExecutable', () => {
  it('uses 64-bit Windows PowerShell from System32 for a 64-bit Node', () => {
    const r = resolveExecutable({}, windows('x64', { SystemRoot: 'C:\\Windows' }));
    expect(r.command).toBe('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
    expect(r.leadingArgs).toEqual([]);
  });

  it('goes through Sysnative from a 32-bit Node on 64-bit Windows', () => {
    expect(windowsPowerShellPath({ arch: 'ia32', env: { SystemRoot: 'D:\\Win', PROCESSOR_ARCHITEW6432: 'AMD64' } })).toBe(
      'D:\\Win\\Sysnative\\WindowsPowerShell\\v1.0\\powershell.exe',
    );
    // 32-bit Node on 32-bit Windows: no redirection, System32 is right.
    expect(windowsPowerShellPath({ arch: 'ia32', env: { SystemRoot: 'C:\\Windows' } })).toContain('\\System32\\');
  });

  it('uses pwsh on request and by default off Windows', () => {
    expect(resolveExecutable({ pwsh: true }, windows('x64', {})).command).toBe('pwsh');
    expect(resolveExecutable({}, linux()).command).toBe('pwsh');
  });

  it('prefers an explicit executable, then IISCTL_POWERSHELL', () => {
    expect(resolveExecutable({ executable: 'C:\\ps\\powershell.exe' }, linux({ IISCTL_POWERSHELL: '/opt/other' })).command).toBe('C:\\ps\\powershell.exe');
    const fromEnv = resolveExecutable({}, linux({ IISCTL_POWERSHELL: '/opt/pwsh/pwsh' }));
    expect(fromEnv.command).toBe('/opt/pwsh/pwsh');
    expect(fromEnv.description).toMatch(/IISCTL_POWERSHELL/);
    expect(resolveExecutable({}, linux({ IISCTL_POWERSHELL: '  ' })).command).toBe('pwsh');
  });

  it('runs a JavaScript host with this Node, so no shebang is needed (Windows included)', () => {
    const r = resolveExecutable({ executable: 'hosts/fake.js' }, windows('x64', {}));
    expect(r.command).toBe('C:\\node\\node.exe');
    expect(r.leadingArgs).toEqual(['--no-warnings', path.resolve('hosts/fake.js')]);
  });

  it('picks the simulated host when asked to simulate, with the scenario passed in the environment', () => {
    const r = resolveExecutable({ simulate: 'my-scenario.json', executable: '/ignored' }, linux());
    expect(r.simulated).toBe(true);
    expect(r.command).toBe('/usr/bin/node');
    expect(r.leadingArgs[1]).toMatch(/sim[\\/]host\.js$/);
    expect(r.env.IISCTL_SIM_SCENARIO).toBe(path.resolve('my-scenario.json'));
  });

  it('runs PowerShell outside Windows with TERM=dumb, so it writes no terminal mode switches into its output', () => {
    expect(resolveExecutable({ pwsh: true }, linux({ TERM: 'xterm' })).env).toEqual({ TERM: 'dumb' });
    expect(resolveExecutable({}, linux()).env.TERM).toBe('dumb');
    expect(resolveExecutable({ executable: '/opt/pwsh', env: { TERM: 'vt100' } }, linux()).env.TERM).toBe('vt100');
    expect(resolveExecutable({}, windows('x64', { SystemRoot: 'C:\\Windows' })).env.TERM).toBeUndefined();
  });
});
