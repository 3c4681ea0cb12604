/**
 * The interpreter defects the differential test against real PowerShell found
 * (__tests__/real/interp-differential.test.ts), pinned on the interpreter alone so they stay fixed
 * where no pwsh is installed. Expected values are what pwsh 7.6.10 gave, in their 5.1 form.
 */
import { createInterpreter } from '../../../lib/sim/interp';
import { snippetLine } from '../../real/snippet-engines';

async function envelope(body: string): Promise<{ ok: boolean; data: unknown; error: Record<string, unknown> | null }> {
  const interp = createInterpreter({ computerName: 'WEB01', sleep: async () => undefined });
  const r = await interp.runLine(snippetLine(body));
  const line = r.stdout.split(/\r?\n/).find((l) => l.startsWith('@@IISCTL-DIFF@@'));
  if (!line) throw new Error(`no result line; stderr: ${r.stderr}`);
  return JSON.parse(line.slice('@@IISCTL-DIFF@@'.length));
}

describe('interpreter fixes found by the differential test', () => {
  it('a failed cast wraps PSInvalidCastException and .NET FormatException, category InvalidArgument', async () => {
    for (const body of ["[int]'abc'", "3 - 'b'"]) {
      const { error } = await envelope(body);
      expect(error).toMatchObject({ fullyQualifiedErrorId: 'InvalidCastFromStringToInteger', category: 'InvalidArgument', type: 'System.Management.Automation.RuntimeException', baseType: 'System.FormatException', baseMessage: 'Input string was not in a correct format.', baseHresult: -2146233033 });
    }
    expect((await envelope("try { [int]'x' } catch { $_.Exception.InnerException.GetType().FullName }")).data).toBe('System.Management.Automation.PSInvalidCastException');
  });

  it('division by zero is NotSpecified with DivideByZeroException inside', async () => {
    expect((await envelope('1 / 0')).error).toMatchObject({ fullyQualifiedErrorId: 'RuntimeException', category: 'NotSpecified', baseType: 'System.DivideByZeroException', baseHresult: -2147352558 });
  });

  it('[datetime] refuses impossible dates, with the format-provider id', async () => {
    for (const text of ['2024-13-01', '2024-02-30T00:00:00Z', 'yesterday', '2024-01-01T24:00:00Z']) {
      expect((await envelope(`[datetime]'${text}'`)).error).toMatchObject({ fullyQualifiedErrorId: 'InvalidCastParseTargetInvocationWithFormatProvider', category: 'InvalidArgument', baseType: 'System.FormatException' });
    }
    expect((await envelope("[datetime]'2024-02-29T12:00:00Z' -ne $null")).data).toBe(true);
  });

  it('++ and -- take numbers and $null only', async () => {
    for (const body of ["$x = 'a'; $x++", "$x = '5'; $x--", '$x = $true; $x++', '$x = @(1); $x++']) {
      expect((await envelope(body)).error).toMatchObject({ fullyQualifiedErrorId: 'OperatorRequiresNumber', category: 'InvalidOperation' });
    }
    expect((await envelope('$x = $null; $x++; $x')).data).toBe(1);
  });

  it('Substring out of range throws ArgumentOutOfRangeException', async () => {
    expect((await envelope("'abc'.Substring(100)")).error).toMatchObject({ fullyQualifiedErrorId: 'ArgumentOutOfRangeException', type: 'System.Management.Automation.MethodInvocationException', baseType: 'System.ArgumentOutOfRangeException' });
    expect((await envelope("'abc'.Substring(1, 5)")).error).toMatchObject({ baseType: 'System.ArgumentOutOfRangeException' });
    expect((await envelope("'abc'.Substring(1, 2) + 'abc'.Substring(3)")).data).toBe('bc');
  });

  it('a Double becomes text with 15 significant digits (.NET Framework G)', async () => {
    expect((await envelope('@([string](10 / 7), "$(2 / 3)", [string]1e20, [string]0.00001, [string]0.0001, [string]0.5)')).data).toEqual(['1.42857142857143', '0.666666666666667', '1E+20', '1E-05', '0.0001', '0.5']);
  });

  it('[void] writes nothing, in a loop body too', async () => {
    expect((await envelope("$h = @{}; @(foreach ($x in 1, 2) { [void]$h.ContainsKey('x') }).Count")).data).toBe(0);
  });

  it('$null has Count and Length 0, a scalar 1', async () => {
    expect((await envelope('@($undefined.Length, $undefined.Count)')).data).toEqual([0, 0]);
    expect((await envelope('@((2.5).Length, (7).Count, $true.Length, \'abc\'.Length, @(1, 2).Count)')).data).toEqual([1, 1, 1, 3, 2]);
  });

  it('[datetime] of a text with Z is local time (Kind Local); Add* keep the sub-millisecond ticks', async () => {
    expect((await envelope("$d = [datetime]'2024-02-29T12:00:00.1234567Z'; @([string]$d.Kind, $d.AddDays(1).AddHours(1).AddMinutes(1).ToString('o'))")).data).toEqual(['Local', '2024-03-01T13:01:00.1234567+00:00']);
  });

  it('an empty pipeline into a command with a mandatory pipeline parameter is no error', async () => {
    expect((await envelope('$s = (@() | ConvertTo-Json -Compress); $null -eq $s')).data).toBe(true);
  });

  it('Measure-Object -Maximum/-Minimum of nothing is $null', async () => {
    expect((await envelope('$m = @() | Measure-Object -Maximum -Minimum; [ordered]@{ max = $null -eq $m.Maximum; min = $null -eq $m.Minimum }')).data).toEqual({ max: true, min: true });
  });

  it('.PSObject is refused, never a silent $null', async () => {
    expect((await envelope('([pscustomobject]@{ a = 1 }).PSObject.Properties')).error).toMatchObject({ fullyQualifiedErrorId: 'NotSupportedBySimulatedHost' });
  });
});
