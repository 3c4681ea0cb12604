/**
 * What Invoke-Command hands back in the simulated host, as real remoting does:
 * - every output object carries PSComputerName, RunspaceId and PSShowComputerName, primitives
 *   included (about_Remote_Output, learn.microsoft.com), and 5.1's ConvertTo-Json writes such a
 *   primitive as {"value": ..., <notes>} (ConvertToJsonCommand.cs AddPsProperties, PowerShell repository);
 * - objects are deserialized at depth 1 (serialization.cs s_mshDefaultSerializationDepth = 1):
 *   method-less Deserialized.* property bags whose nested objects arrive as strings;
 * - a remote error is a RemoteException, the original exception only in SerializedRemoteException
 *   (learn.microsoft.com System.Management.Automation.RemoteException).
 */
import { simRunspace } from './simhost.helpers';

async function run(rs: ReturnType<typeof simRunspace>, script: string): Promise<{ stdout: string; stderr: string }> {
  const r = await rs.interp.runLine(script);
  return { stdout: r.stdout.trim(), stderr: r.stderr };
}

describe('Invoke-Command output in the simulated host', () => {
  it('a primitive comes back with the remoting notes, and ConvertTo-Json writes it as {value, notes}', async () => {
    const rs = simRunspace('farm');
    const out = await run(rs, "$r = Invoke-Command -ComputerName WEB02 -ScriptBlock { 37 }; ConvertTo-Json -InputObject $r -Compress");
    const json = JSON.parse(out.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ value: 37, PSComputerName: 'WEB02', PSShowComputerName: true });
    expect(typeof json.RunspaceId).toBe('string');
    // The value still converts and compares as the number it wraps.
    expect((await run(rs, '$r = Invoke-Command -ComputerName WEB02 -ScriptBlock { 37 }; [int]$r + 1; "$r"')).stdout.split(/\r?\n/)).toEqual(['38', '37']);
  });

  it('through a PSSession too, strings included', async () => {
    const rs = simRunspace('farm');
    const out = await run(rs, "$s = New-PSSession -ComputerName WEB02; ConvertTo-Json -InputObject (Invoke-Command -Session $s -ScriptBlock { 'x' }) -Compress");
    expect(JSON.parse(out.stdout)).toMatchObject({ value: 'x', PSComputerName: 'WEB02' });
  });

  it('objects are depth-1 property bags: nested objects become their string, methods are gone, the type name is Deserialized.*', async () => {
    const rs = simRunspace('farm');
    const out = await run(rs, "$r = Invoke-Command -ComputerName WEB02 -ScriptBlock { [pscustomobject]@{ n = 1; inner = [pscustomobject]@{ a = 1 }; list = @(1, 2) } }; ConvertTo-Json -InputObject $r -Compress");
    expect(JSON.parse(out.stdout)).toMatchObject({ n: 1, inner: '@{a=1}', list: [1, 2], PSComputerName: 'WEB02' });
    const svc = await run(rs, "$r = Invoke-Command -ComputerName WEB02 -ScriptBlock { Get-Service -Name W3SVC }; $r.Name; $r.Stop()");
    expect(svc.stdout.split(/\r?\n/)[0]).toBe('W3SVC');
    expect(svc.stderr).toMatch(/Stop/);
  });

  it('a remote error arrives as RemoteException; type, HResult and Win32 code only in SerializedRemoteException', async () => {
    const rs = simRunspace('farm');
    // W3SVC on WEB02 refuses control once (0x80070425, ERROR_SERVICE_CANNOT_ACCEPT_CTRL 1061).
    await rs.machine((m) => {
      const w3svc = Object.values(m.world.state.computers.WEB02.services).find((x) => x.name.toUpperCase() === 'W3SVC')!;
      w3svc.faults.cannotAcceptControl = 1;
    });
    const out = await run(rs, `try { Invoke-Command -ComputerName WEB02 -ErrorAction Stop -ScriptBlock { Stop-Service -Name W3SVC -ErrorAction Stop } } catch {
  $_.Exception.GetType().FullName
  $_.Exception.GetBaseException().GetType().FullName
  [string]$_.Exception.NativeErrorCode
  $_.Exception.SerializedRemoteException.Message
  $_.FullyQualifiedErrorId
}`);
    const [type, base, native, message, fqid] = out.stdout.split(/\r?\n/);
    expect(type).toBe('System.Management.Automation.RemoteException');
    expect(base).toBe('System.Management.Automation.RemoteException'); // no InnerException: nothing to unwrap
    expect(native).toBe('');
    expect(message).toMatch(/W3SVC|World Wide Web/);
    expect(fqid).toMatch(/Microsoft\.PowerShell\.Commands\.StopServiceCommand$/);
  });
});
