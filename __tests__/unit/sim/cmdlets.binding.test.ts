/**
 * The machine cmdlets bound against the 5.1 catalog, in-process: valid parameter combinations run,
 * invalid ones fail with PowerShell's binding errors, unmodelled parameters fail loudly.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSimInterpreter, SimHost } from '../../../lib/sim/cmdlets/index';
import { resetState } from '../../../lib/sim/state';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-bind-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function interp(scenario = 'fast') {
  const stateFile = path.join(dir, `${scenario}-${Math.random().toString(36).slice(2)}.json`);
  resetState(scenario, stateFile);
  return createSimInterpreter({ host: new SimHost({ scenario, stateFile }), computerName: 'WEB01' });
}

const valid: string[] = [
  'Get-Service',
  'Get-Service -Name W3*',
  'Get-Service -DisplayName "World Wide*"',
  'Get-Service W3SVC -DependentServices',
  'Get-Service W3SVC -RequiredServices',
  'Get-Service -Name W3SVC -Include W3* -Exclude X*',
  'Get-Service W3SVC | Stop-Service -NoWait',
  'Stop-Service -Name W3SVC -Force -NoWait -PassThru',
  'Start-Service -DisplayName "Application Host Helper Service"',
  'Restart-Service -Name AppHostSvc -Force',
  'Set-Service -Name AppHostSvc -StartupType Manual',
  'Get-CimInstance -ClassName Win32_Service -Filter "Name=\'WAS\'"',
  'Get-CimInstance -ClassName Win32_Service -Filter "Name=\'WAS\' OR Name=\'W3\\\'SVC\' OR ProcessId=4 AND State=\'Running\'"',
  'Get-Process -Name w3wp -ErrorAction SilentlyContinue',
  'Get-Process -Id 4',
  'Import-Module WebAdministration',
  'Get-Module -ListAvailable -Name Web*',
  'Get-WebAppPoolState -Name DefaultAppPool',
  'Start-WebAppPool -Name DefaultAppPool -Passthru',
  'Restart-WebAppPool DefaultAppPool',
  'Get-Website -Name "Default Web Site"',
  'Get-WebsiteState "Default Web Site"',
  'Get-WebBinding -Name "Default Web Site" -Protocol http',
  'Get-WebApplication',
  'Get-IISAppPool -Name Default*',
  'Get-IISSite',
  'Get-WinEvent -FilterHashtable @{LogName="System"; Id=7036} -MaxEvents 2 -Oldest',
  'Write-EventLog -LogName Application -Source iisctl -EventId 1 -EntryType Warning -Message m',
  'Test-Path HKLM:\\SOFTWARE',
  'New-Item -Path HKLM:\\SOFTWARE\\t -Force',
  'Invoke-Command -ScriptBlock { 1 }',
  // Mandatory parameters that allow $null / '' ([AllowNull], [AllowEmptyString]).
  "Write-Warning -Message ''",
  'ConvertTo-Json -InputObject $null',
  "Join-Path -Path C:\\ -ChildPath ''",
  'Set-ItemProperty -Path HKLM:\\SOFTWARE -Name x -Value $null',
  'iisreset /?',
];

const invalid: Array<[string, string]> = [
  ['Get-Service -Nme x', 'NamedParameterNotFound,Microsoft.PowerShell.Commands.GetServiceCommand'],
  ['Get-Service -DisplayName x -Name y', 'AmbiguousParameterSet,Microsoft.PowerShell.Commands.GetServiceCommand'],
  ['Stop-Service -Name W3SVC -Timeout 5', 'NamedParameterNotFound,Microsoft.PowerShell.Commands.StopServiceCommand'],
  ['Start-Service -Name W3SVC -Force', 'NamedParameterNotFound,Microsoft.PowerShell.Commands.StartServiceCommand'],
  ['Set-Service -Name W3SVC -StartupType AutomaticDelayedStart', 'CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.SetServiceCommand'],
  ['Stop-WebAppPool -Name DefaultAppPool -Force', 'NamedParameterNotFound,Microsoft.IIs.PowerShell.Provider.StopWebAppPoolCommand'],
  ['Restart-WebAppPool -Name DefaultAppPool -Passthru', 'NamedParameterNotFound'],
  ['Get-WinEvent -FilterHashtable @{LogName="System"} -Oldest -Newest', 'NamedParameterNotFound,Microsoft.PowerShell.Commands.GetWinEventCommand'],
  ['Get-CimInstance -ClassName Win32_Process', 'NotImplementedBySimulatedHost'],
  ['Get-WinEvent -FilterHashtable @{LogName="System"; Data="x"}', 'NotImplementedBySimulatedHost'],
  ['Get-WebConfiguration -Filter x', 'NotImplementedBySimulatedHost'],
  // Mandatory parameters refuse $null and '' (pwsh: Stop-Process -Name '' / -Id $null).
  ["Stop-Service -Name ''", 'ParameterArgumentValidationErrorEmptyStringNotAllowed,Microsoft.PowerShell.Commands.StopServiceCommand'],
  ['Stop-Service -Name $null', 'ParameterArgumentValidationErrorNullNotAllowed,Microsoft.PowerShell.Commands.StopServiceCommand'],
  ["Stop-Process -Name @('w3wp', '')", 'ParameterArgumentValidationErrorEmptyStringNotAllowed,Microsoft.PowerShell.Commands.StopProcessCommand'],
  ['Stop-Process -Id @()', 'ParameterArgumentValidationErrorEmptyArrayNotAllowed,Microsoft.PowerShell.Commands.StopProcessCommand'],
  ["Write-EventLog -LogName Application -Source iisctl -EventId 1 -Message ''", 'ParameterArgumentValidationErrorEmptyStringNotAllowed,Microsoft.PowerShell.Commands.WriteEventLogCommand'],
  ["Set-ItemProperty -Path HKLM:\\SOFTWARE -Name '' -Value 1", 'ParameterArgumentValidationErrorEmptyStringNotAllowed'],
  ["Test-Path -Path ''", 'ParameterArgumentValidationErrorEmptyStringNotAllowed,Microsoft.PowerShell.Commands.TestPathCommand'],
  // Parameters of unmodelled types take only objects of that type.
  ["Stop-Process -InputObject (Get-Service W3SVC)", 'CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.StopProcessCommand'],
  ["Invoke-Command -Session @{a=1} -ScriptBlock { 1 }", 'CannotConvertArgumentNoMessage'],
  ["Stop-Service -InputObject 'W3SVC'", 'NotSupportedBySimulatedHost'],
];

describe('valid parameters bind and run', () => {
  const it5 = interp();
  it.each(valid)('%s', async (line) => {
    const r = await it5.runLine(line);
    expect(r.stderr).not.toMatch(/ParameterBindingException|NotImplementedBySimulatedHost|SimulatedHostInternalError/);
  });
});

describe('invalid parameters fail like PowerShell (or loudly when not simulated)', () => {
  const it5 = interp();
  it.each(invalid)('%s', async (line, fqid) => {
    const r = await it5.runLine(line);
    expect(r.stderr).toContain(`FullyQualifiedErrorId : ${fqid}`);
  });
});

describe('Get-CimInstance -Filter (WQL)', () => {
  it('selects by Name and ProcessId alternatives joined by OR, with backslash escapes in strings', async () => {
    const it5 = interp();
    const r = await it5.runLine(`$w = @(Get-CimInstance -ClassName Win32_Service -Filter "Name='WAS' OR Name='W3SVC' OR Name='no\\'pe'")
$p = [int]$w[0].ProcessId
$same = @(Get-CimInstance -ClassName Win32_Service -Filter ('ProcessId=' + $p) | ForEach-Object { [string]$_.Name })
[Console]::Out.WriteLine((@($w | ForEach-Object { [string]$_.Name }) -join ',') + '|' + ($same -contains 'WAS'))`);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('W3SVC,WAS|True');
  });
});
