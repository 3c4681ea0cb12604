import { readEnvelope, wrapScript } from '../../../lib/powershell/envelope';
import { ps, PsCode } from '../../../lib/powershell/quote';
import { PsEnum, PsObject } from '../../../lib/sim/values';
import type { CmdletImpl } from '../../../lib/sim/interp';
import { newInterp } from './interp.helpers';

const getService: CmdletImpl = (call) =>
  (call.params.get('Name') as string[]).map((n) => {
    const o = new PsObject(['System.ServiceProcess.ServiceController', 'System.Object']);
    o.addNote('Name', n.toUpperCase());
    o.addNote('Status', new PsEnum('System.ServiceProcess.ServiceControllerStatus', 'Running', 4));
    return o;
  });

async function call(body: PsCode) {
  const interp = newInterp({ cmdlets: new Map([['Get-Service', getService]]) });
  const w = wrapScript(body);
  const r = await interp.runLine(w.line);
  return { ...r, result: readEnvelope(r.stdout, w.marker) };
}

describe('the library envelope runs end to end on the simulated host', () => {
  it('returns data built from a registered cmdlet', async () => {
    const r = await call(ps`Get-Service -Name ${'w3svc'} | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Status = [string]$_.Status; Code = $_.Status } }`);
    expect(r.stderr).toBe('');
    expect(r.result).toEqual({ ok: true, data: { Name: 'W3SVC', Status: 'Running', Code: 4 }, error: null });
  });

  it.each([
    ["quotes ' \u2019 \" and ''"],
    ['backticks `n `$ and $(Get-Date) and $env:X'],
    ['unicode é ß 中文 and emoji 😀👍🏽'],
    ['<script>&amp;</script> \\ / \t tab'],
    ['line1\nline2\r\nline3'],
  ])('round-trips a hostile string: %j', async (value) => {
    const r = await call(ps`[pscustomobject]@{ v = ${value} }`);
    expect(r.stderr).toBe('');
    expect(r.result?.ok).toBe(true);
    expect((r.result?.data as { v: string }).v).toBe(value);
    // The result line is pure ASCII (non-ASCII \u-escaped on the host).
    expect(/^[\x00-\x7f]*$/.test(r.stdout)).toBe(true);
  });

  it('reports a terminating error as ok:false with the PowerShell details', async () => {
    const r = await call(ps`Get-Service -Nmae ${'x'}`);
    expect(r.result).toEqual({
      ok: false,
      data: null,
      error: {
        message: "A parameter cannot be found that matches parameter name 'Nmae'.",
        type: 'System.Management.Automation.ParameterBindingException',
        fullyQualifiedErrorId: 'NamedParameterNotFound,Microsoft.PowerShell.Commands.GetServiceCommand',
        category: 'InvalidArgument',
        hresult: -2146233087,
        baseMessage: "A parameter cannot be found that matches parameter name 'Nmae'.",
        baseType: 'System.Management.Automation.ParameterBindingException',
        baseHresult: -2146233087,
        win32Code: undefined,
      },
    });
  });

  it('a syntax error in the body surfaces as MethodInvocationException on stderr, no result line', async () => {
    const r = await call(new PsCode('if ($true) {'));
    expect(r.result).toBeUndefined();
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Exception calling "Create" with "1" argument\(s\): "At line:\d+ char:\d+\n/);
    expect(r.stderr).toContain('    + CategoryInfo          : NotSpecified: (:) [], MethodInvocationException\n    + FullyQualifiedErrorId : ParseException\n');
  });

  it('exit N in a body is reported to the host', async () => {
    const r = await call(new PsCode('exit 3'));
    expect(r.exitCode).toBe(3);
    expect(r.result).toBeUndefined();
  });
});
