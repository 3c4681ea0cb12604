/**
 * The simulated Windows host (dist/sim/host.js) driven the way iisctl drives powershell.exe:
 * through the lead's PowerShellSession over node-powershell. Faults of the machine must surface as
 * the IisctlError / FullyQualifiedErrorId / message a real Windows host would produce.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { ps, PsCode } from '../../lib/powershell/quote';
import { PowerShellSession } from '../../lib/powershell/session';
import { buildEnvelopeScript } from '../../lib/powershell/envelope';
import { loadParser } from '../../lib/sim/parser';
import { generatedBodies } from '../helpers/generated-scripts';
import { HOST_JS, useSimSessions } from '../helpers/sim-session';
import { failure, readUntil } from '../helpers/sim';
import { readCommandLog } from '../../lib/sim/state';
import { output } from './faults-helpers';

const { session: openSession, tmp } = useSimSessions('iisctl-e2e-');
const session = (scenario: string, callTimeoutMs?: number): PowerShellSession => openSession(scenario, { callTimeoutMs });
let n = 0;

describe('start-up', () => {
  it('answers its first call (the time is printed; `make bench` measures it, tests do not)', async () => {
    const s = session('fast');
    const t0 = Date.now();
    await expect(s.run(ps`1 + 1`)).resolves.toBe(2);
    const ms = Date.now() - t0;
    // eslint-disable-next-line no-console
    console.log(`simulated host: spawn + first call in ${ms} ms`);
  });
});

describe('5.1 JSON fixtures (fast scenario, initial state)', () => {
  const cases: Array<[string, PsCode, string]> = [
    ['service', ps`Get-Service W3SVC | Select-Object 'Name','Status' | ConvertTo-Json -Compress`, '{"Name":"W3SVC","Status":4}'],
    ['services', generatedBodies.find((b) => b.name === 'services json')!.body,
      '[{"Name":"WAS","DisplayName":"Windows Process Activation Service","Status":4,"StartType":3},{"Name":"W3SVC","DisplayName":"World Wide Web Publishing Service","Status":4,"StartType":2}]'],
    ['pool state', generatedBodies.find((b) => b.name === 'pool state')!.body, '{"Value":"Started"}'],
    ['pools (ObjectState as integer)', generatedBodies.find((b) => b.name === 'pools json')!.body, '[{"Name":"DefaultAppPool","State":1},{"Name":"ShopApi","State":1}]'],
    ['sites', generatedBodies.find((b) => b.name === 'sites json')!.body, '[{"name":"Default Web Site","id":1,"state":"Started"},{"name":"Shop","id":2,"state":"Started"}]'],
    ['events', generatedBodies.find((b) => b.name === 'events json')!.body, '{"Id":7036,"ProviderName":"Service Control Manager","Level":4,"LevelDisplayName":"Information"}'],
    ['Win32_Service', ps`Get-CimInstance -ClassName Win32_Service -Filter "Name='W3SVC'" | Select-Object 'Name','State','StartMode','Status','ExitCode' | ConvertTo-Json -Compress`,
      '{"Name":"W3SVC","State":"Running","StartMode":"Auto","Status":"OK","ExitCode":0}'],
  ];
  it.each(cases)('%s', async (_name, body, expected) => {
    await expect(session('fast').run(body)).resolves.toBe(expected);
  });
});

describe('services', () => {
  it('Stop-Service waits for Stopped; -NoWait returns in StopPending', async () => {
    const s = session('fast');
    await expect(s.run(ps`Stop-Service -Name W3SVC -NoWait; (Get-Service W3SVC).Status.ToString()`)).resolves.toBe('StopPending');
    await expect(s.run(ps`Stop-Service -Name WAS -Force; (Get-Service WAS).Status.ToString()`)).resolves.toBe('Stopped');
  });

  it('refuses to stop a service with running dependents without -Force', async () => {
    const e = await failure(session('fast').run(ps`Stop-Service -Name WAS`));
    expect(e.powershell?.fullyQualifiedErrorId).toBe('ServiceHasDependentServices,Microsoft.PowerShell.Commands.StopServiceCommand');
    expect(e.message).toBe("Cannot stop service 'Windows Process Activation Service (WAS)' because it has dependent services. It can only be stopped if the Force flag is set.");
  });

  it('unknown service: NoServiceFoundForGivenName, NOT_FOUND', async () => {
    const e = await failure(session('fast').run(ps`Get-Service -Name ${'NoSuchService'}`));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.powershell?.fullyQualifiedErrorId).toBe('NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand');
    expect(e.message).toBe("Cannot find any service with service name 'NoSuchService'.");
  });

  it('hung StopPending: Stop-Service never returns (the call times out)', async () => {
    const stateFile = path.join(tmp, `hung-${n++}.json`);
    const s = openSession('hung-stop', { stateFile });
    // The host started first, outside the 3 s (a session's start runs within its call timeout): on
    // the pwsh engine a start takes seconds by itself.
    await s.run(ps`$null`);
    expect((await failure(s.run(ps`Stop-Service -Name W3SVC`, { timeoutMs: 3000 }))).code).toBe('SESSION_TIMEOUT');
    // Read on a session with the default call timeout: starting a new host may take longer than 3 s on a busy machine.
    await expect(openSession('hung-stop', { stateFile }).run(ps`(Get-Service W3SVC).Status.ToString()`)).resolves.toBe('StopPending');
  });

  it('start fails: StartServiceFailed after StartPending -> Stopped', async () => {
    const e = await failure(session('start-fails').run(ps`Start-Service -Name WAS`));
    expect(e.powershell?.fullyQualifiedErrorId).toBe('StartServiceFailed,Microsoft.PowerShell.Commands.StartServiceCommand');
    expect(e.message).toBe("Failed to start service 'Windows Process Activation Service (WAS)'.");
  });

  it('cannot accept control (first request): CouldNotStopService with the Win32 text two levels down', async () => {
    const s = session('cannot-accept-control');
    const e = await failure(s.run(ps`Stop-Service -Name W3SVC`));
    expect(e.powershell?.fullyQualifiedErrorId).toBe('CouldNotStopService,Microsoft.PowerShell.Commands.StopServiceCommand');
    expect(e.powershell?.category).toBe('CloseError');
    // The library appends the innermost (Win32) message, which carries the reason.
    expect(e.message).toBe("Service 'World Wide Web Publishing Service (W3SVC)' cannot be stopped due to the following error: Cannot stop W3SVC service on computer '.'. The service cannot accept control messages at this time.");
    expect(e.powershell?.win32Code).toBe(1061);
    // ServiceCommandException (SystemException) on top, as on Windows: not 0x80070425.
    expect(e.powershell?.hresult).toBe(-2146233087);
    await expect(s.run(ps`try { Stop-Service -Name W3SVC } catch { $_.Exception.InnerException.InnerException.Message }`))
      .resolves.toBe('The service cannot accept control messages at this time');
    await expect(s.run(ps`Stop-Service -Name W3SVC; (Get-Service W3SVC).Status.ToString()`)).resolves.toBe('Stopped');
  });

  it('access denied for a non-administrator', async () => {
    const e = await failure(session('not-admin').run(ps`Stop-Service -Name W3SVC`));
    expect(e.powershell?.fullyQualifiedErrorId).toBe('CouldNotStopService,Microsoft.PowerShell.Commands.StopServiceCommand');
    expect(e.message).toBe("Service 'World Wide Web Publishing Service (W3SVC)' cannot be stopped due to the following error: Cannot open W3SVC service on computer '.'. Access is denied.");
    expect(e.code).toBe('ACCESS_DENIED');
    expect(e.powershell?.win32Code).toBe(5);
  });
});

describe('WebAdministration', () => {
  it('Stop-WebAppPool returns before the pool is stopped; stopping a stopped pool is 0x80070426', async () => {
    const s = session('fast');
    await expect(s.run(ps`Stop-WebAppPool -Name DefaultAppPool; (Get-WebAppPoolState DefaultAppPool).Value`)).resolves.toBe('Stopping');
    const state = () => s.run(ps`(Get-WebAppPoolState DefaultAppPool).Value`);
    expect(await readUntil(state, (v) => v === 'Stopped')).toBe('Stopped');
    const e = await failure(s.run(ps`Stop-WebAppPool -Name DefaultAppPool`));
    expect(e.powershell?.hresult).toBe(0x80070426 | 0);
    expect(e.message).toBe('The service has not been started. (Exception from HRESULT: 0x80070426)');
  });

  it('module missing: Import-Module fails with Modules_ModuleNotFound; its cmdlets do not exist', async () => {
    const s = session('no-webadministration');
    const e = await failure(s.run(ps`Import-Module WebAdministration`));
    expect(e.powershell?.fullyQualifiedErrorId).toBe('Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand');
    expect(e.message).toBe("The specified module 'WebAdministration' was not loaded because no valid module file was found in any module directory.");
    const e2 = await failure(s.run(ps`Get-WebAppPoolState -Name DefaultAppPool`));
    expect(e2.powershell?.fullyQualifiedErrorId).toBe('CommandNotFoundException');
  });
});

describe('remoting', () => {
  it('routes to the other computer; results carry PSComputerName', async () => {
    await expect(session('farm').run(ps`Invoke-Command -ComputerName WEB02 -ScriptBlock { param($n) Get-Service $n } -ArgumentList W3SVC | Select-Object 'Name','PSComputerName' | ConvertTo-Json -Compress`))
      .resolves.toBe('{"Name":"W3SVC","PSComputerName":"WEB02"}');
  });
  it('unreachable remote: WinRMOperationTimeout,PSSessionStateBroken', async () => {
    const e = await failure(session('farm').run(generatedBodies.find((b) => b.name === 'remote')!.body));
    expect(e.powershell?.fullyQualifiedErrorId).toBe('WinRMOperationTimeout,PSSessionStateBroken');
    expect(e.message).toMatch(/^Connecting to remote server WEB03 failed with the following error message : WinRM cannot complete the operation\./);
  });
});

describe('iisreset.exe', () => {
  it('/STATUS lines and a restart with its audit events', async () => {
    const s = session('fast');
    await expect(s.run(ps`iisreset.exe /STATUS`)).resolves.toEqual([
      'Status for Windows Process Activation Service ( WAS ) : Running',
      'Status for World Wide Web Publishing Service ( W3SVC ) : Running',
    ]);
    // Compared as values: a hashtable's keys come in its hash order (randomized per process in pwsh 7's .NET), not as written.
    await expect(s.run(ps`$o = iisreset; @{ out = $o; code = $LASTEXITCODE } | ConvertTo-Json -Compress`).then((text) => JSON.parse(String(text)))).resolves.toEqual(
      { out: ['Attempting stop...', 'Internet services successfully stopped', 'Attempting start...', 'Internet services successfully restarted'], code: 0 },
    );
    await expect(s.run(ps`@(Get-WinEvent -FilterHashtable @{ LogName='System'; ProviderName='Microsoft-Windows-IIS-IISReset' } | ForEach-Object { $_.Id }) -join ','`)).resolves.toBe('3201,3202');
  });
  it('non-administrator: the access-denied text and exit code 1', async () => {
    await expect(session('not-admin').run(ps`$o = iisreset /stop; "$LASTEXITCODE|$($o[0])"`))
      .resolves.toBe('1|Access denied, you must be an administrator of the remote computer to use this');
  });
});

describe('host process', () => {
  it('crashing on the Nth call: SESSION_DIED, the next call gets a new process', async () => {
    const s = session('host-crash');
    await expect(s.run(ps`'one'`)).resolves.toBe('one'); // call 2 (the session's init is call 1)
    expect((await failure(s.run(ps`'two'`))).code).toBe('SESSION_DIED');
    await expect(s.run(ps`'three'`)).resolves.toBe('three');
  });

  function spawnHost(state = path.join(tmp, `raw-${n++}.json`)): ReturnType<typeof spawn> {
    return spawn(process.execPath, ['--no-warnings', HOST_JS, '-NoLogo', '-NonInteractive', '-Command', '-'], {
      env: { ...process.env, IISCTL_SIM_SCENARIO: 'fast', IISCTL_SIM_STATE: state },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }
  const exitOf = (c: ReturnType<typeof spawn>) => new Promise<number | null>((r) => c.on('exit', (code) => r(code)));

  it('holds multi-line raw input in block mode until a blank line; stdin end exits 0', async () => {
    const state = path.join(tmp, `raw-${n++}.json`);
    const c = spawnHost(state);
    const exit = exitOf(c);
    try {
      let out = '';
      c.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
      const marker = output(c.stdout!, /after/);
      // A delimiter line and a line after the closing brace: both held in the block, not run on their own.
      c.stdin!.write("if ($true) {\n'inside'\n");
      c.stdin!.write('[Console]::Out.WriteLine("D1")\n');
      c.stdin!.write("}\n'tail'\n");
      c.stdin!.write("\n'after'\n");
      await marker;
      // The order proves the hold: the block ran once, as one script, when the blank line came; then the next line.
      // (Within the block the Console write comes before the pipeline's output: the simulator does not stream pipelines.)
      const lines = out.split(/\r?\n/).filter(Boolean);
      expect(lines.pop()).toBe('after');
      expect(lines.sort()).toEqual(['D1', 'inside', 'tail']);
      expect(readCommandLog({ stateFile: state }).map((x) => x.text)).toEqual([
        "if ($true) {\n'inside'\n[Console]::Out.WriteLine(\"D1\")\n}\n'tail'",
        "'after'",
      ]);
      c.stdin!.end();
      expect(await exit).toBe(0);
    } finally {
      c.kill(); // a failed expectation must not leave the host running (no-op once it has exited)
    }
  });

  it('SIGTERM exits 143', async () => {
    const c = spawnHost();
    c.stdin!.write("'x'\n");
    await new Promise((r) => c.stdout!.once('data', r));
    const exit = exitOf(c);
    c.kill('SIGTERM');
    expect(await exit).toBe(143);
  });
});

describe('generated scripts', () => {
  it.each(generatedBodies.map((b) => [b.name, b.body] as const))('%s parses inside the envelope', async (_name, body) => {
    const parser = await loadParser();
    const result = parser.checkSyntax(buildEnvelopeScript(body));
    expect(result.errors).toEqual([]);
  });
});
