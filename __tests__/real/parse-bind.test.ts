/**
 * Every generated script judged by real PowerShell (one pwsh process for all of them,
 * real/check-scripts.ps1): the parser finds no error, no construct Windows PowerShell 5.1 lacks,
 * every .NET member called is listed (real/dotnet-members.json) with the .NET Framework version
 * that has it, and every command naming a documented cmdlet binds by PowerShell's own binder
 * against the documented signature: no unknown, ambiguous or missing parameter, no set conflict.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allScripts } from '../helpers/all-scripts';
import { describeReal, REAL_DIR, runBatch, summary } from '../helpers/real-pwsh';

interface Binding {
  command: string;
  cmdlet: string;
  bound: string[];
  failures: string[];
  dynamic: string[];
}
interface ScriptReport {
  name: string;
  parseErrors: string[];
  subset: string[];
  members: string[];
  bindings: Binding[];
  otherCommands: string[];
}
interface Report {
  powershell: string;
  results: ScriptReport[];
}
interface MemberEntry {
  member: string;
  on: string;
  netFramework: string;
  source: string;
}

jest.setTimeout(300_000);

describe('the all-scripts enumeration', () => {
  it('names every builder of lib/scripts that returns a script', () => {
    const dir = path.join(__dirname, '..', '..', 'lib', 'scripts');
    const builders = fs.readdirSync(dir).flatMap((f) => [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/export function (\w+)(?:<\w+>)?\([^)]*\)(?:[^{]*): PsCommand</g)].map((m) => m[1]));
    expect(builders.length).toBeGreaterThan(30);
    const helpers = ['all-scripts.ts', 'library-scripts.ts', 'text-builders.ts'].map((f) => fs.readFileSync(path.join(__dirname, '..', 'helpers', f), 'utf8')).join('\n');
    expect(builders.filter((b) => !new RegExp(`\\b${b}\\(`).test(helpers))).toEqual([]);
  });
});

describeReal('every generated script, judged by real PowerShell', () => {
  const scripts = allScripts();
  let report: Report;
  beforeAll(async () => {
    report = await runBatch<Report>('check-scripts.ps1', { scripts });
  });

  it('checks every script', () => {
    expect(report.results.map((r) => r.name)).toEqual(scripts.map((s) => s.name));
  });

  it('parses every script without an error', () => {
    const errors = report.results.flatMap((r) => r.parseErrors.map((e) => `${r.name}: ${e}`));
    summary(`parse (PowerShell ${report.powershell} Parser.ParseInput): ${report.results.length} scripts parsed, ${errors.length} errors`);
    expect(errors).toEqual([]);
  });

  it('uses nothing Windows PowerShell 5.1 lacks', () => {
    const violations = report.results.flatMap((r) => [...r.subset, ...r.bindings.flatMap((b) => b.failures.filter((f) => f.startsWith('Subset:')))].map((v) => `${r.name}: ${v}`));
    summary(`5.1 subset: ${report.results.length} scripts checked, ${violations.length} violations`);
    expect(violations).toEqual([]);
  });

  it('binds every command naming a documented cmdlet (StaticParameterBinder against the documented signatures)', () => {
    const bindings = report.results.flatMap((r) => r.bindings.map((b) => ({ script: r.name, ...b })));
    const failures = bindings.flatMap((b) => b.failures.filter((f) => !f.startsWith('Subset:')).map((f) => `${b.script}: ${b.command}: ${f}`));
    const dynamic = bindings.filter((b) => b.dynamic.length > 0).length;
    summary(`bind: ${bindings.length} commands bound, ${failures.length} failures (${dynamic} with provider dynamic parameters checked)`);
    expect(failures).toEqual([]);
    expect(bindings.length).toBeGreaterThan(scripts.length);
  });

  it('calls only commands it defines, documented cmdlets and the two documented executables', () => {
    const other = new Set(report.results.flatMap((r) => r.otherCommands.filter((c) => !c.startsWith('function:'))));
    // iisreset.exe (iis-reference: IISReset) and sc.exe (SCDOCS) are native programs the builders run on purpose.
    expect([...other].sort()).toEqual(['iisreset.exe', 'sc.exe']);
  });

  it('lists every .NET member the scripts use, with the .NET Framework version that has it', () => {
    const listed = JSON.parse(fs.readFileSync(path.join(REAL_DIR, 'dotnet-members.json'), 'utf8')) as { members: MemberEntry[] };
    const known = new Set(listed.members.map((m) => m.member));
    const used = [...new Set(report.results.flatMap((r) => r.members))].sort();
    const missing = used.filter((m) => !known.has(m));
    summary(`.NET members: ${used.length} used, ${missing.length} not listed with a .NET Framework source`);
    expect(missing).toEqual([]);
    for (const m of listed.members) expect(m).toEqual({ member: expect.any(String), on: expect.any(String), netFramework: expect.stringMatching(/\S/), source: expect.stringMatching(/^https:\/\//) });
  });
});
