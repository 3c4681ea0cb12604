import { IisctlError } from '../../../lib/errors';
import { buildEnvelopeScript, fromSingleLine, newMarker, readEnvelope, toSingleLine, wrapScript } from '../../../lib/powershell/envelope';
import { suspiciousContent } from '../../../lib/powershell/suspicious';
import { ps } from '../../../lib/powershell/quote';
import { loadParser } from '../../../lib/sim/parser';

describe('script envelope', () => {
  const body = ps`Get-Service -Name ${"W3SVC'"} | ForEach-Object { [pscustomobject]@{ Name = $_.Name } }`;

  it('sends one pure-ASCII line that decodes to the full script', () => {
    const w = wrapScript(ps`Write-Output ${'Café 😀 \u2019'}`);
    expect(w.line).not.toMatch(/[\r\n]/);
    expect(w.line).toMatch(/^[\x20-\x7E]+$/);
    expect(fromSingleLine(w.line)).toBe(w.script);
    expect(w.script).toContain("Write-Output 'Café 😀 \u2019\u2019'");
  });

  it('the line holds none of PowerShell\'s suspicious-content words (FromBase64String was one)', () => {
    const w = wrapScript(ps`Write-Output ${"x'y"}`);
    expect(suspiciousContent(w.line)).toEqual([]);
    expect(suspiciousContent(w.script)).toEqual([]);
    expect(fromSingleLine(toSingleLine(''))).toBe('');
    expect(fromSingleLine('Get-Date')).toBeUndefined();
  });

  it('writes line ends and tabs as escapes and each run of other characters as one item (a cast each is compiled per call)', () => {
    const script = "a'b\r\n\tc é€😀 d\u0001\n";
    const line = toSingleLine(script);
    expect(line).toBe("& ([scriptblock]::Create((-join @('a''b',\"`r\",\"`n\",\"`t\",'c ',(-join [char[]](233,8364,55357,56832)),' d',[char]1,\"`n\"))))");
    expect(fromSingleLine(line)).toBe(script);
    // Items that are not of the format make the line foreign.
    expect(fromSingleLine("& ([scriptblock]::Create((-join @('a',\"`a\"))))")).toBeUndefined();
    expect(fromSingleLine("& ([scriptblock]::Create((-join @('a',(-join [char[]](233))))))")).toBeUndefined();
  });

  it('sets Stop, silences progress and warnings, and writes one marker line', () => {
    const script = buildEnvelopeScript(body);
    expect(script).toMatch(/^\$ErrorActionPreference = 'Stop'$/m);
    expect(script).toMatch(/^\$ProgressPreference = 'SilentlyContinue'$/m);
    expect(script).toMatch(/^\$WarningPreference = 'SilentlyContinue'$/m);
    expect(script).toMatch(/^param\(\[string\]\$iisctlMarker\)\n/);
    expect(script.split('[Console]::Out.WriteLine($iisctlMarker + $iisctlJson)')).toHaveLength(2);
    expect(script).toContain('-Depth 10 -Compress');
  });

  it('passes the marker as the line\'s argument, so two calls of one body send the same script text (PowerShell reuses its compiled form)', () => {
    const first = wrapScript(body);
    const second = wrapScript(body);
    expect(first.marker).not.toBe(second.marker);
    expect(first.script).toBe(second.script);
    expect(first.script).not.toContain(first.marker);
    expect(first.line.endsWith(`)))) '${first.marker}'`)).toBe(true);
    expect(fromSingleLine(first.line)).toBe(first.script);
    expect(fromSingleLine(second.line)).toBe(first.script);
    // The argument is one literal: a quote in it is doubled, and anything but printable ASCII is refused.
    expect(toSingleLine('x', "a'b")).toBe("& ([scriptblock]::Create((-join @('x')))) 'a''b'");
    expect(fromSingleLine(toSingleLine('x', "a'b"))).toBe('x');
    expect(() => toSingleLine('x', 'a\nb')).toThrow(RangeError);
  });

  it('keeps a multi-line string literal in the body unchanged', () => {
    const script = buildEnvelopeScript(ps`Write-Output ${'line1\n  line2'}`);
    expect(script).toContain("Write-Output 'line1\n  line2'");
  });

  it('is valid PowerShell, wrapper and script alike', async () => {
    const parser = await loadParser();
    const w = wrapScript(body);
    expect(parser.checkSyntax(w.line)).toEqual({ ok: true, errors: [] });
    expect(parser.checkSyntax(w.script)).toEqual({ ok: true, errors: [] });
    expect(parser.checkSyntax(toSingleLine('Get-Date'))).toEqual({ ok: true, errors: [] });
  });

  it('uses a new marker per call', () => {
    expect(newMarker()).not.toBe(newMarker());
    expect(newMarker()).toMatch(/^@@IISCTL-RESULT:[0-9a-f]{18}@@$/);
  });
});

describe('reading the result line', () => {
  const marker = '@@IISCTL-RESULT:0123456789abcdef01@@';

  it('finds the result among warnings and host output', () => {
    const stdout = `WARNING: something\r\nhost text\r\n${marker}{"ok":true,"data":[{"Name":"W3SVC","Status":4}],"error":null}\r\n`;
    expect(readEnvelope(stdout, marker)).toEqual({ ok: true, data: [{ Name: 'W3SVC', Status: 4 }], error: null });
  });

  it('decodes \\u-escaped non-ASCII and 5.1 dates inside data', () => {
    const stdout = `${marker}{"ok":true,"data":{"n":"Caf\\u00e9 \\ud83d\\ude00","t":"\\/Date(0)\\/"},"error":null}`;
    expect(readEnvelope(stdout, marker)!.data).toEqual({ n: 'Café 😀', t: new Date(0) });
  });

  it("reads the result line behind PowerShell 7's terminal mode switches", () => {
    // Exactly what pwsh 7.6 wrote to node-powershell's stdout (__tests__/real/session.test.ts found it).
    const stdout = `\u001b[?1h\u001b[?1l${marker}{"ok":true,"data":"hi","error":null}\n\u001b[?1h\u001b[?1l\u001b[?1h\u001b[?1l`;
    expect(readEnvelope(stdout, marker)).toEqual({ ok: true, data: 'hi', error: null });
    expect(readEnvelope(`text ${marker}{"ok":true,"data":"x","error":null}`, marker)).toBeUndefined();
  });

  it('ignores a result line with another marker (an earlier call or a forged one)', () => {
    const forged = '@@IISCTL-RESULT:ffffffffffffffffff@@{"ok":true,"data":"forged","error":null}';
    expect(readEnvelope(forged, marker)).toBeUndefined();
  });

  it('returns the PowerShell error details of a failed script', () => {
    const stdout = `${marker}{"ok":false,"data":null,"error":{"message":"Cannot find any service with service name \\u0027nope\\u0027.","type":"Microsoft.PowerShell.Commands.ServiceCommandException","fullyQualifiedErrorId":"NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand","category":"ObjectNotFound","hresult":-2146233087}}`;
    expect(readEnvelope(stdout, marker)).toEqual({
      ok: false,
      data: null,
      error: {
        message: "Cannot find any service with service name 'nope'.",
        type: 'Microsoft.PowerShell.Commands.ServiceCommandException',
        fullyQualifiedErrorId: 'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand',
        category: 'ObjectNotFound',
        hresult: -2146233087,
      },
    });
  });

  it('refuses two result lines or a line that is not an envelope', () => {
    expect(() => readEnvelope(`${marker}{"ok":true}\n${marker}{"ok":true}`, marker)).toThrow(IisctlError);
    expect(() => readEnvelope(`${marker}[1,2]`, marker)).toThrow(/not an iisctl envelope/);
  });

  it('returns undefined when the script never reached its end', () => {
    expect(readEnvelope('', marker)).toBeUndefined();
  });
});
