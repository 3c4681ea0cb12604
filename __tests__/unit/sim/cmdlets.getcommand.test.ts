/**
 * Get-Command in the simulated runspace (lib/sim/cmdlets/commands.ts): CmdletInfo / ApplicationInfo
 * objects, the 5.1 CommandNotFoundException record, module and IIS availability.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from './interp.helpers';
import { simRunspace } from './simhost.helpers';

const NOT_RECOGNIZED = "The term 'Get-Nothing' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.";

async function ok(script: string, rs = simRunspace()): Promise<string> {
  const r = await run(script, rs.interp);
  if (r.stderr) throw new Error('unexpected stderr:\n' + r.stderr);
  return r.stdout.trim();
}

/** fast.json without the IIS services (no W3SVC: IIS not installed). */
function noIisScenario(): object {
  const s = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../lib/sim/scenarios/fast.json'), 'utf8'));
  s.name = 'no-iis';
  for (const c of Object.values(s.computers) as Array<Record<string, unknown>>) {
    c.services = (c.services as Array<{ name: string }>).filter((x) => x.name === 'AppHostSvc');
    c.appPools = [];
    c.sites = [];
    c.history = [];
  }
  return s;
}

describe('Get-Command', () => {
  it('returns an ApplicationInfo for iisreset / iisreset.exe / its full path', async () => {
    const rs = simRunspace();
    for (const name of ['iisreset', 'iisreset.exe', 'IISRESET', 'C:\\Windows\\System32\\iisreset.exe']) {
      const out = await ok(`$c = Get-Command -Name '${name}' -ErrorAction Stop
[Console]::Out.WriteLine(($c.Name, $c.CommandType.ToString(), [int]$c.CommandType, $c.Source, $c.Path, $c.Definition, $c.GetType().FullName) -join '|')`, rs);
      expect(out).toBe('iisreset.exe|Application|32|C:\\Windows\\system32\\iisreset.exe|C:\\Windows\\system32\\iisreset.exe|C:\\Windows\\system32\\iisreset.exe|System.Management.Automation.ApplicationInfo');
    }
  });

  it('returns a CmdletInfo with its module for an implemented cmdlet (alias too)', async () => {
    const out = await ok(`$c = Get-Command Get-Service
$a = Get-Command gsv
[Console]::Out.WriteLine(($c.Name, $c.CommandType.ToString(), $c.Source, $c.ModuleName, $c.GetType().FullName, $a.CommandType.ToString(), $a.Definition) -join '|')`);
    expect(out).toBe('Get-Service|Cmdlet|Microsoft.PowerShell.Management|Microsoft.PowerShell.Management|System.Management.Automation.CmdletInfo|Alias|Get-Service');
  });

  it('writes the 5.1 non-terminating CommandNotFoundException for an unknown name', async () => {
    const rs = simRunspace();
    const r = await run(`Get-Command -Name Get-Nothing; 'after'`, rs.interp);
    expect(r.stdout).toContain('after');
    expect(r.stderr).toContain(`Get-Command : ${NOT_RECOGNIZED}`);
    expect(r.stderr).toContain('ObjectNotFound: (Get-Nothing:String) [Get-Command], CommandNotFoundException');
    expect(r.stderr).toContain('FullyQualifiedErrorId : CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand');
    const caught = await ok(`try { Get-Command Get-Nothing -ErrorAction Stop } catch {
[Console]::Out.WriteLine(($_.FullyQualifiedErrorId, $_.CategoryInfo.Category.ToString(), $_.Exception.GetType().FullName, $_.Exception.Message, $_.TargetObject) -join '|') }`, rs);
    expect(caught).toBe(`CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand|ObjectNotFound|System.Management.Automation.CommandNotFoundException|${NOT_RECOGNIZED}|Get-Nothing`);
    await expect(ok(`$x = Get-Command Get-Nothing -ErrorAction SilentlyContinue; [Console]::Out.WriteLine($null -eq $x)`, rs)).resolves.toBe('True');
  });

  it('matches wildcards without an error when nothing matches', async () => {
    const rs = simRunspace();
    await expect(ok(`(Get-Command -Name 'iisr*').Name`, rs)).resolves.toBe('iisreset.exe');
    await expect(ok(`@(Get-Command 'Zzz*').Count`, rs)).resolves.toBe('0');
    await expect(ok(`(Get-Command 'Stop-Serv*' -CommandType Cmdlet).Name`, rs)).resolves.toBe('Stop-Service');
  });

  it('filters by -CommandType (an exact name of another type is not found)', async () => {
    const r = await run(`Get-Command iisreset -CommandType Cmdlet`, simRunspace().interp);
    expect(r.stderr).toContain('CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand');
    await expect(ok(`(Get-Command iisreset -CommandType Application).Name`)).resolves.toBe('iisreset.exe');
  });

  it('finds functions defined in the session', async () => {
    await expect(ok(`function Test-It { 1 }
$f = Get-Command Test-It; [Console]::Out.WriteLine(($f.Name, $f.CommandType.ToString()) -join '|')`)).resolves.toBe('Test-It|Function');
  });

  it('knows iisreset.exe only where IIS is installed (W3SVC exists)', async () => {
    const rs = simRunspace(noIisScenario());
    const r = await run(`Get-Command iisreset.exe`, rs.interp);
    expect(r.stderr).toContain("The term 'iisreset.exe' is not recognized");
    expect(r.stderr).toContain('CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand');
    // Running it is CommandNotFound too.
    const r2 = await run(`iisreset /status`, rs.interp);
    expect(r2.stderr).toContain("The term 'iisreset' is not recognized");
  });

  it('WebAdministration cmdlets exist only when the module is installed; an exact name imports it', async () => {
    const rs = simRunspace();
    await expect(ok(`@(Get-Module).Count; (Get-Command Get-WebAppPoolState).Source; (Get-Module).Name`, rs)).resolves.toBe('0\nWebAdministration\nWebAdministration');
    const r = await run(`Get-Command Get-WebAppPoolState`, simRunspace('no-webadministration').interp);
    expect(r.stderr).toContain('CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand');
  });

  it('fails loudly for a catalog cmdlet the simulator does not implement, and without -Name', async () => {
    const r = await run(`Get-Command Get-EventLog`, simRunspace().interp);
    expect(r.stderr).toContain('NotImplementedBySimulatedHost');
    const r2 = await run(`Get-Command`, simRunspace().interp);
    expect(r2.stderr).toContain('NotImplementedBySimulatedHost');
  });
});
