/**
 * Every script body the library generates, for the "parses without a syntax error" test. For now
 * the core scripts exercised by the simulated-host e2e tests; lib/scripts/* adds its own here.
 */
import { ps, PsCode } from '../../lib/powershell/quote';

export const generatedBodies: Array<{ name: string; body: PsCode }> = [
  { name: 'service status', body: ps`Get-Service -Name ${'W3SVC'} | Select-Object 'Name','Status' | ConvertTo-Json -Compress` },
  { name: 'services json', body: ps`Get-Service -Name @(${'WAS'}, ${'W3SVC'}) | Select-Object 'Name','DisplayName','Status','StartType' | ConvertTo-Json -Compress` },
  { name: 'stop service', body: ps`Stop-Service -Name ${'W3SVC'}` },
  { name: 'stop service nowait', body: ps`Stop-Service -Name ${'W3SVC'} -NoWait; (Get-Service -Name ${'W3SVC'}).Status.ToString()` },
  { name: 'start service', body: ps`Start-Service -Name ${'WAS'}` },
  { name: 'inner exception', body: ps`try { Stop-Service -Name ${'W3SVC'} } catch { $_.Exception.InnerException.InnerException.Message }` },
  { name: 'pool state', body: ps`Get-WebAppPoolState -Name ${'DefaultAppPool'} | ConvertTo-Json -Compress` },
  { name: 'pools json', body: ps`Get-IISAppPool | Select-Object 'Name','State' | ConvertTo-Json -Compress` },
  { name: 'sites json', body: ps`Get-Website | Select-Object 'name','id','state' | ConvertTo-Json -Compress` },
  { name: 'stop pool', body: ps`Stop-WebAppPool -Name ${'DefaultAppPool'}` },
  { name: 'import webadministration', body: ps`Import-Module WebAdministration` },
  { name: 'events json', body: ps`Get-WinEvent -FilterHashtable @{ LogName = 'System'; ProviderName = 'Service Control Manager' } -MaxEvents 1 | Select-Object 'Id','ProviderName','Level','LevelDisplayName' | ConvertTo-Json -Compress` },
  { name: 'remote', body: ps`Invoke-Command -ComputerName ${'WEB03'} -ScriptBlock { Get-Service -Name W3SVC }` },
  { name: 'win32_service', body: ps`Get-CimInstance -ClassName Win32_Service -Filter ${"Name='W3SVC'"} | Select-Object 'Name','State','StartMode','ProcessId' | ConvertTo-Json -Compress` },
  { name: 'iisreset status', body: ps`iisreset.exe /STATUS` },
  { name: 'registry', body: ps`New-Item -Path ${'HKLM:\\SOFTWARE\\iisctl'} -Force | Out-Null; Set-ItemProperty -Path ${'HKLM:\\SOFTWARE\\iisctl'} -Name ${'Last'} -Value ${'x'}; (Get-ItemProperty -Path ${'HKLM:\\SOFTWARE\\iisctl'} -Name ${'Last'}).Last` },
  { name: 'write event', body: ps`Write-EventLog -LogName Application -Source ${'iisctl'} -EventId 1000 -EntryType Information -Message ${'hello'}` },
];
