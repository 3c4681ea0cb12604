/**
 * The simulator's pwsh engine (lib/sim/pwsh) on its own: one real PowerShell 7 for the file, lines
 * sent as the simulated host receives them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inProcessTransport } from '../../lib/sim/transport';
import { moduleCacheDir } from '../../lib/sim/pwsh/engine';
import { peekState, readCommandLog, resetState } from '../../lib/sim/state';
import type { Transport } from '../../lib/powershell/transport';
import { describeReal, PWSH_COMMAND } from '../helpers/real-pwsh';
import { tempDir } from '../helpers/sim';
import { changedScenario } from '../helpers/cli';
import { until } from '../e2e/faults-helpers';
import { VirtualClock } from '../../lib/sim/clock';
import { hostWaitLoop } from '../../lib/scripts/wait';
import { ps } from '../../lib/powershell/quote';
import { toSingleLine } from '../../lib/powershell/envelope';
import { INSERTION_STRINGS } from '../../lib/scripts/events';
import { writeSimulatedCredentialFile } from '../../lib/sim/cmdlets/clixml';

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

  it('an event\'s control character: real [xml] rejects the record\'s XML, and the library\'s insertion strings give U+FFFD (as on the interpreter: unit/sim/xml.test.ts)', async () => {
    const out = await host.send(toSingleLine(`try { New-EventLog -LogName Application -Source iisctl -ErrorAction Stop } catch { }
Write-EventLog -LogName Application -Source iisctl -EventId 1003 -EntryType Information -Message "pool=a$([char]6)b$([char]9)c"
$r = @(Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = 'iisctl' } -MaxEvents 1)[0]
try { [xml]$r.ToXml() | Out-Null; 'parsed' } catch { $_.FullyQualifiedErrorId }
@($r | ForEach-Object { ${INSERTION_STRINGS.text} }) -join '|'`));
    expect(out.stdout.trim().split(/\r?\n/)).toEqual(['InvalidCastToXmlDocument', 'pool=a\uFFFDb\tc']);
  });

  it('a hashtable or custom object of one entry, and a list of one, reach the simulator as they are (the module\'s own conversion unrolled the one pair: a one-time recycle schedule failed)', async () => {
    const out = await host.send(toSingleLine(`$filter = "system.applicationHost/applicationPools/add[@name='DefaultAppPool']/recycling/periodicRestart"
Set-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter $filter -Name schedule -Value @(@{ value = '03:00:00' })
@(Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter "$filter/schedule" -Name Collection).ForEach({ [string]$_.value }) -join ','
Set-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter $filter -Name schedule -Value ([pscustomobject]@{ value = '04:00:00' })
@(Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter "$filter/schedule" -Name Collection).ForEach({ [string]$_.value }) -join ','`));
    expect(out.stderr).toBe('');
    expect(out.stdout.trim().split(/\r?\n/)).toEqual(['03:00:00', '04:00:00']);
  });

  it('Import-Clixml of a credential file is the simulated Windows\' (DPAPI of its account and computer): pwsh\'s own PSCredential back, another account\'s file refused', async () => {
    const owner = peekState({ stateFile })!;
    const local = owner.computers[owner.localComputer];
    const dir = tempDir('iisctl-pwsh-clixml-');
    writeSimulatedCredentialFile(path.join(dir, 'mine.xml'), { userName: 'CONTOSO\\deploy', password: 'pa$$ word' }, { account: local.user.name, computer: local.name });
    writeSimulatedCredentialFile(path.join(dir, 'theirs.xml'), { userName: 'CONTOSO\\deploy', password: 'x' }, { account: 'CONTOSO\\someone', computer: local.name });
    const out = await host.send(toSingleLine(`$c = Import-Clixml -LiteralPath ${ps`${path.join(dir, 'mine.xml')}`.text}
$c -is [System.Management.Automation.PSCredential]; $c.UserName; $c.GetNetworkCredential().Password
try { Import-Clixml -LiteralPath ${ps`${path.join(dir, 'theirs.xml')}`.text} -ErrorAction Stop } catch { $_.FullyQualifiedErrorId; $_.Exception.Message }`));
    expect(out.stdout.trim().split(/\r?\n/)).toEqual(['True', 'CONTOSO\\deploy', 'pa$$ word', 'System.Security.Cryptography.CryptographicException,Microsoft.PowerShell.Commands.ImportClixmlCommand', 'Key not valid for use in specified state.']);
  });

  it('an error a shadowing function writes has the cmdlet\'s own FullyQualifiedErrorId (PowerShell appended the function\'s name: ",Get-Service")', async () => {
    const out = await host.send("try { Get-Service -Name NoSuchService -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }; Get-Service -Name NoSuchService -ErrorAction SilentlyContinue -ErrorVariable e; $e[0].FullyQualifiedErrorId");
    expect(out.stdout.trim().split(/\r?\n/)).toEqual(['NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand', 'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand']);
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

// Remoting to the simulated computers (SimWindows.psm1's remoting section): the block runs in a
// runspace of the real pwsh acting as the other computer; what comes back passes PowerShell's own
// serializer; reachability, sessions and the command log are the simulator's (cmdlets/remoting.ts).
describeReal('the pwsh engine: remoting to simulated computers', () => {
  let host: Transport;
  let stateFile: string;
  const lines = async (line: string): Promise<string[]> => (await host.send(line)).stdout.trim().split(/\r?\n/);
  beforeAll(() => {
    stateFile = path.join(tempDir('iisctl-pwsh-remoting-'), 'state.json');
    resetState('farm', stateFile);
    host = inProcessTransport({ scenario: 'farm', stateFile, engine: 'pwsh' })();
  });
  afterAll(async () => {
    await host?.terminate('SIGTERM');
  });

  it('output arrives deserialized (Deserialized.* type names, no methods) with PSComputerName, RunspaceId and PSShowComputerName (False with -HideComputerName), primitives included', async () => {
    const out = await lines("$r = @(Invoke-Command -ComputerName web02 -ScriptBlock { Get-Service -Name W3SVC; 7 }); $r[0].PSTypeNames[0]; $r[0].Name; $r[0].PSComputerName; $r[0].RunspaceId.GetType().Name; $r[0].PSShowComputerName; @($r[0].PSObject.Methods | Where-Object Name -eq 'Stop').Count; $r[1] + 1; $r[1].PSComputerName; (Invoke-Command -ComputerName WEB02 -ScriptBlock { 1 } -HideComputerName).PSShowComputerName");
    expect(out).toEqual(['Deserialized.System.ServiceProcess.ServiceController', 'W3SVC', 'web02', 'Guid', 'True', '0', '8', 'web02', 'False']);
  });

  it('the block acts on the other computer: its cmdlets reach that machine, and the command is logged there', async () => {
    const out = await lines("Invoke-Command -ComputerName WEB02 -ScriptBlock { Stop-Service -Name W3SVC; (Get-Service -Name W3SVC).Status.ToString() }; (Get-Service -Name W3SVC).Status.ToString()");
    expect(out).toEqual(['Stopped', 'Running']);
    const state = peekState({ stateFile })!;
    expect(state.computers.WEB02.services.w3svc.status).toBe('Stopped');
    expect(state.computers[state.localComputer].services.w3svc.status).toBe('Running');
    expect(readCommandLog({ stateFile }).some((c) => c.computer === 'WEB02' && c.text.includes('Stop-Service -Name W3SVC'))).toBe(true);
  });

  it('an unknown computer is ComputerNotFound,PSSessionStateBroken (Invoke-Command) / ComputerNotFound,PSSessionOpenFailed (New-PSSession); an unreachable one WinRMOperationTimeout: PSRemotingTransportException, OpenError', async () => {
    const out = await lines(
      "foreach ($c in 'NOSUCH', 'WEB03') { Invoke-Command -ComputerName $c -ScriptBlock { 1 } -ErrorAction SilentlyContinue -ErrorVariable ev; $ev[0].FullyQualifiedErrorId; $ev[0].Exception.GetType().FullName; [string]$ev[0].CategoryInfo.Category }; " +
        "try { New-PSSession -ComputerName NOSUCH -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }",
    );
    expect(out).toEqual([
      expect.stringMatching(/^ComputerNotFound,PSSessionStateBroken/),
      'System.Management.Automation.Remoting.PSRemotingTransportException',
      'OpenError',
      expect.stringMatching(/^WinRMOperationTimeout,PSSessionStateBroken/),
      'System.Management.Automation.Remoting.PSRemotingTransportException',
      'OpenError',
      expect.stringMatching(/^ComputerNotFound,PSSessionOpenFailed/),
    ]);
  });

  it('the block sees none of the caller\'s variables; a PSSession keeps its own between calls, a -ComputerName call does not', async () => {
    const out = await lines(
      "$mine = 'caller'; $s = New-PSSession -ComputerName WEB02; " +
        "Invoke-Command -Session $s -ScriptBlock { \"[$mine]\"; $kept = 41; $global:alsoKept = 1 }; " +
        "Invoke-Command -Session $s -ScriptBlock { $kept + $alsoKept }; " +
        "Invoke-Command -ComputerName WEB02 -ScriptBlock { $v = 1 }; Invoke-Command -ComputerName WEB02 -ScriptBlock { \"[$v]\" }; " +
        "Invoke-Command -Session $s -ScriptBlock { param($a) $a * 2 } -ArgumentList 21",
    );
    expect(out).toEqual(['[]', '42', '[]', '42']);
    // ... and on the next line of the host too.
    expect(await lines('Invoke-Command -Session $s -ScriptBlock { $kept }')).toEqual(['41']);
  });

  it('errors of the block, terminating ones too, cross as non-terminating RemoteException errors; -ErrorAction Stop makes them terminating', async () => {
    const out = await lines(
      "$Error.Clear(); Invoke-Command -ComputerName WEB02 -ScriptBlock { 'before'; throw 'boom'; 'never' }; 'went on'; $Error[0].Exception.GetType().FullName; $Error[0].Exception.Message; $Error[0].OriginInfo.PSComputerName; " +
        "try { Invoke-Command -ComputerName WEB02 -ScriptBlock { Get-Service -Name NoSuchService } -ErrorAction Stop; 'not here' } catch { $_.FullyQualifiedErrorId; $_.Exception.SerializedRemoteException.PSTypeNames[0] }",
    );
    expect(out).toEqual([
      'before',
      'went on',
      'System.Management.Automation.RemoteException',
      'boom',
      'WEB02',
      expect.stringMatching(/^NoServiceFoundForGivenName,Microsoft\.PowerShell\.Commands\.GetServiceCommand/),
      expect.stringMatching(/^Deserialized\./),
    ]);
  });

  it('a session\'s State is read when looked at: Broken once its computer rebooted, Closed after Remove-PSSession; Get-PSSession lists the open ones', async () => {
    const out = await lines(
      "$t = New-PSSession -ComputerName WEB02 -Credential (New-Object System.Management.Automation.PSCredential -ArgumentList 'WEB02\\ops', (ConvertTo-SecureString -String 'x' -AsPlainText -Force)); [string]$t.State; " +
        "Restart-Computer -ComputerName WEB02 -Force; [string]$t.State; " +
        "try { Invoke-Command -Session $t -ScriptBlock { 1 } -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }; " +
        "$before = @(Get-PSSession).Count; Remove-PSSession -Session $t; [string]$t.State; @(Get-PSSession).Count - $before",
    );
    expect(out).toEqual(['Opened', 'Broken', expect.stringMatching(/^InvalidSessionState,/), 'Closed', '-1']);
  });
});

// The host's clock (SimWindows.psm1, "the clock"): the library reads the host's time through Get-Date
// and waits with Start-Sleep (lib/scripts/hostClock.ts, wait.ts); on the pwsh engine both follow the
// simulated machine's clock, as on the interpreter.
describeReal('the pwsh engine on a virtual clock', () => {
  const start = Date.UTC(2026, 11, 6, 12, 0, 0);
  let host: Transport | undefined;
  afterEach(async () => {
    await host?.terminate('SIGTERM');
    host = undefined;
  });

  it('a host-side wait sees a change within one read interval, on the machine\'s time: ten simulated minutes, no real ones (pwsh\'s own Start-Sleep and clock ran the wait in real time)', async () => {
    const clock = new VirtualClock(start, { auto: true });
    // W3SVC takes ten minutes to stop: a wait sleeping in real time would outlast the test.
    const scenario = changedScenario('fast', (s) => {
      const computers = s.computers as Record<string, { services: Array<Record<string, unknown>> }>;
      for (const c of Object.values(computers)) for (const svc of c.services) if (svc.name === 'W3SVC') svc.stopMs = 600_000;
    });
    const stateFile = path.join(tempDir('iisctl-pwsh-clock-'), 'state.json');
    resetState(scenario, stateFile, start);
    host = inProcessTransport({ scenario, stateFile, engine: 'pwsh', clock })();
    const wait = hostWaitLoop({ waitMs: 900_000, intervalMs: 5000 }, ps`$done = (Get-Service -Name W3SVC).Status -eq 'Stopped'`);
    // One line, as the library sends a script (pwsh -Command - runs stdin line by line).
    const out = await host.send(toSingleLine(`$t0 = (Get-Date).ToUniversalTime(); $t0.ToString('o'); Stop-Service -Name W3SVC -NoWait\n${wait.text}\n[string]$done; ((Get-Date).ToUniversalTime() - $t0).TotalMilliseconds`));
    const [t0, done, seenMs] = out.stdout.trim().split(/\r?\n/);
    expect(out.stderr).toBe('');
    expect(new Date(t0).getTime()).toBeGreaterThanOrEqual(start); // the machine's time, not this year's wall clock
    expect(done).toBe('True');
    expect(Number(seenMs)).toBeGreaterThanOrEqual(600_000);
    expect(Number(seenMs)).toBeLessThanOrEqual(600_000 + 5000);
    expect(clock.now() - new Date(t0).getTime()).toBeGreaterThanOrEqual(Number(seenMs));
  });

  it('Start-Sleep gives the simulated machine\'s state lock back while it sleeps (pwsh\'s own kept it for the whole line: another iisctl\'s host timed out on it and exited 1 where LOCKED, exit 9, was due)', async () => {
    const clock = new VirtualClock(start); // moves only when told: the sleep waits for the test
    const stateFile = path.join(tempDir('iisctl-pwsh-sleep-'), 'state.json');
    resetState('fast', stateFile, start);
    host = inProcessTransport({ scenario: 'fast', stateFile, engine: 'pwsh', clock })();
    const line = host.send("Get-Service -Name W3SVC | Out-Null; Start-Sleep -Seconds 30; 'woke'");
    await until(() => clock.waiting > 0 && clock.nextWakeAt() === clock.now() + 30_000, 60_000, 'the line to sleep on the machine\'s clock');
    expect(fs.existsSync(`${stateFile}.lock`)).toBe(false);
    await clock.advance(30_000);
    expect((await line).stdout.trim()).toBe('woke');
  });
});
