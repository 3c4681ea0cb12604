/**
 * Reviewer fixes: Measure-Object counts plain objects; nobody (administrators included) can stop
 * the System, Idle or csrss processes.
 */
import { run } from './interp.helpers';
import { local, faultOf } from './machine.helpers';
import { simRunspace } from './simhost.helpers';

describe('Measure-Object', () => {
  it('counts objects that are not numbers when no statistic is asked for', async () => {
    const r = await run(`$m = Get-Service | Measure-Object; [Console]::Out.WriteLine(($m.Count, ($null -eq $m.Sum)) -join '|')
[Console]::Out.WriteLine((@([pscustomobject]@{ A = 'x' }, [pscustomobject]@{ A = 'y' }) | Measure-Object).Count)`, simRunspace().interp);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split(/\r?\n/)).toEqual(['3|True', '2']);
  });

  it('still computes statistics of a numeric property', async () => {
    const r = await run(`$m = @([pscustomobject]@{ N = 2 }, [pscustomobject]@{ N = 4 }) | Measure-Object -Property N -Sum -Maximum
[Console]::Out.WriteLine(($m.Count, $m.Sum, $m.Maximum) -join '|')`, simRunspace().interp);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('2|6|4');
  });
});

describe('Stop-Process on protected processes', () => {
  it('machine: killing System (4) or csrss is AccessDenied even for an administrator; other processes die', () => {
    const m = local('fast');
    expect(faultOf(() => m.kill(4)).kind).toBe('AccessDenied');
    const csrss = m.processes().find((p) => p.processName === 'csrss')!;
    expect(faultOf(() => m.kill(csrss.id)).message).toBe('Access is denied.');
    expect(m.process(4)).toBeDefined();
    const lsass = m.processes().find((p) => p.processName === 'lsass')!;
    m.kill(lsass.id);
    expect(m.process(lsass.id)).toBeUndefined();
  });

  it('Stop-Process -Id 4: CouldNotStopProcess "Access is denied" (CloseError), the process stays', async () => {
    const rs = simRunspace();
    const r = await run(`Stop-Process -Id 4 -Force; [Console]::Out.WriteLine(@(Get-Process -Id 4).Count)`, rs.interp);
    expect(r.stderr).toContain('Stop-Process : Cannot stop process "System (4)" because of the following error: Access is denied');
    expect(r.stderr).toContain('CloseError: (System.Diagnostics.Process (System):Process) [Stop-Process], ProcessCommandException');
    expect(r.stderr).toContain('FullyQualifiedErrorId : CouldNotStopProcess,Microsoft.PowerShell.Commands.StopProcessCommand');
    expect(r.stdout.trim()).toBe('1');
  });
});
