/**
 * The simulator's interpreter held to real PowerShell on generated snippets of the language subset
 * the library's scripts use (snippets.ts): each snippet runs inside the library's own envelope on
 * the interpreter (in process) and on one persistent pwsh 7 process (snippet-engines.ts), and what
 * the library would see — the value as data, or the error's FullyQualifiedErrorId, category,
 * exception types and message — must agree. Forms that differ between 5.1 and 7 by design are
 * made one (DOCUMENTED, with sources; the interpreter keeps 5.1's) and counted; anything else is a
 * disagreement and fails. REGRESSIONS are the interpreter's defects this test found, kept by name.
 *
 * Fixed seed and case count (IISCTL_DIFF_SEED / IISCTL_DIFF_RUNS to explore); integers beyond
 * +-2^53 (Int64 literals, [long] casts, DateTime.Ticks arithmetic) are drawn too, IISCTL_DIFF_INT64=0
 * leaves them out.
 */
import fc from 'fast-check';
import { describeReal, summary } from '../helpers/real-pwsh';
import { comparable, type Documented, DOCUMENTED, type Outcome, PwshSnippets, runOnInterpreter } from './snippet-engines';
import { snippetArbitrary } from './snippets';

jest.setTimeout(300_000);

const SEED = Number(process.env.IISCTL_DIFF_SEED ?? 20261206);
const RUNS = Number(process.env.IISCTL_DIFF_RUNS ?? 300);
const INT64 = process.env.IISCTL_DIFF_INT64 !== '0';

/** Defects of the interpreter this test found, fixed, and kept as named cases (each failed before its fix). */
const REGRESSIONS: Array<{ name: string; body: string }> = [
  { name: 'a failed [int] cast wraps PSInvalidCastException and FormatException (the library reads baseType)', body: "[int]'abc'" },
  { name: 'a failed arithmetic conversion is InvalidArgument, not InvalidOperation', body: "3 - 'b'" },
  { name: 'division by zero: NotSpecified, DivideByZeroException inside', body: '1 / 0' },
  { name: '[datetime] refuses month 13', body: "[datetime]'2024-13-01'" },
  { name: '[datetime] refuses February 30', body: "[datetime]'2024-02-30T00:00:00Z'" },
  { name: '[datetime] of a bad text is InvalidCastParseTargetInvocationWithFormatProvider', body: "[datetime]'yesterday'" },
  { name: '++ on a string is OperatorRequiresNumber (it crashed the interpreter)', body: "$x = 'a'; $x++" },
  { name: 'Substring beyond the end throws ArgumentOutOfRangeException', body: "'abc'.Substring(100)" },
  { name: '[string] and "$x" of a Double: 15 significant digits', body: '[ordered]@{ a = [string](10 / 7); b = "$(2 / 3)"; c = [string]1e20; d = [string]0.00001 }' },
  { name: '[void] in a loop body writes nothing', body: "$h = @{}; @(foreach ($x in 1, 2) { [void]$h.ContainsKey('x') }).Count" },
  { name: '$null has Count and Length 0', body: '[ordered]@{ l = $undefined.Length; c = $undefined.Count }' },
  { name: 'an empty pipeline into ConvertTo-Json writes nothing (no missing-parameter error)', body: '$s = (@() | ConvertTo-Json -Compress); $null -eq $s' },
  { name: 'Measure-Object -Maximum of nothing is $null, not -Infinity', body: '[ordered]@{ max = (@() | Measure-Object -Maximum).Maximum; min = (@() | Measure-Object -Minimum).Minimum }' },
  { name: '[string] of 0.00001 is 1E-05', body: '[string]0.00001' },
  { name: 'a scalar has Count and Length 1', body: '[ordered]@{ a = (2.5).Length; b = (7).Count; c = $true.Length; d = [string](@(1).Count * 2.5).Length }' },
  { name: '[datetime] of a text with Z is local time, and Add* keep the ticks', body: "$d = [datetime]'2024-02-29T12:00:00.1234567Z'; [ordered]@{ kind = [string]$d.Kind; o = $d.AddDays(1).AddHours(1).AddMinutes(1).ToString('o') }" },
  { name: 'Int64 beyond 2^53 is exact: Ticks differences, ++, %, Abs', body: "$t = ([datetime]'2024-02-29T12:00:00.1234567Z').Ticks; $i = 9223372036854775806; $i++; [ordered]@{ d = $t - ([datetime]'2024-02-29T12:00:00.1234567Z').AddSeconds(1).Ticks; i = $i; m = [math]::Abs(-9223372036854775807) % 3; t = $t }" },
  { name: 'Int64 overflow is a Double: * truncates (BigInteger to Double), a non-exact / divides the Doubles', body: '$m = 9223372036854775807; [ordered]@{ p = [string]($m * $m); s = [string]($m + $m); q = [string](9007199254740993 / 10) }' },
  { name: '[datetime]$null is nullToObjectInvalidCast', body: '[datetime]$null' },
  { name: 'an [int] cast past Int32 wraps an OverflowException', body: '[int]9007199254740993' },
  { name: 'ConvertTo-Json of a whole Double past 2^53 is in E notation', body: "ConvertTo-Json -InputObject (([datetime]'2023-12-31T23:59:59Z').Ticks * 2.5) -Compress" },
];

/**
 * Defects this test found and that are not fixed yet: kept as expected failures (jest's it.failing),
 * so a fix turns them into passes that must be moved to REGRESSIONS; the generator does not draw
 * them meanwhile (snippets.ts). The first five are in operators.ts toNumber/arith/psCompare.
 */
const KNOWN_DEFECTS: Array<{ name: string; body: string }> = [
  { name: 'a Boolean on the left of -lt converts the right operand to Boolean ($true -lt 19 is False)', body: '[ordered]@{ a = ($true -lt 19); b = ($false -lt 0); c = ($true -gt 0) }' },
  { name: '$null * 2.5 is $null', body: '$null -eq ($null * 2.5)' },
  { name: "a string times a negative count is ArgumentOutOfRangeException ('b' * -20)", body: "'b' * -20" },
  { name: 'arithmetic converts trimmed text and names it so (" pad " / 3)', body: "' pad ' / 3" },
  { name: '$null on the left of -lt/-gt against a number compares as 0 ($null -lt -5 is False)', body: '[ordered]@{ a = ($null -lt -5); b = ($null -le 5); c = ($null -gt -1) }' },
  { name: 'output written in a try block before a terminating error is kept', body: "@(try { 1; throw 'x' } catch { 2 })" },
  { name: 'a cast of a pipeline that wrote nothing is $null ([string](@() | Sort-Object))', body: '$null -eq [string](@() | Sort-Object)' },
  { name: '[math]::Max of an Int32 and an Int64 past Int32 binds Max(Int32, Int32) and fails with an overflow', body: '[math]::Max(3, 4611686018427387904)' },
];

interface Verdict {
  agreed: boolean;
  documented: Documented[];
  interp: string;
  pwsh: string;
}

function judge(a: Outcome, b: Outcome): Verdict {
  const raw = JSON.stringify(comparable(a, new Set())) === JSON.stringify(comparable(b, new Set())) && JSON.stringify(a) === JSON.stringify(b);
  const used = new Set<Documented>();
  const interp = JSON.stringify(comparable(a, used));
  const pwsh = JSON.stringify(comparable(b, used));
  return { agreed: interp === pwsh, documented: raw ? [] : [...used], interp, pwsh };
}

describeReal('the interpreter agrees with real PowerShell on generated snippets', () => {
  const generated = fc.sample(snippetArbitrary({ int64: INT64 }), { seed: SEED, numRuns: RUNS });
  const all = [...REGRESSIONS.map((r) => r.body), ...KNOWN_DEFECTS.map((r) => r.body), ...generated];
  const firstGenerated = REGRESSIONS.length + KNOWN_DEFECTS.length;
  let pwsh: PwshSnippets;
  let verdicts: Verdict[] = [];

  beforeAll(async () => {
    pwsh = new PwshSnippets();
    const onInterp = await runOnInterpreter(all);
    const onPwsh: Outcome[] = [];
    // Batches of 100: one pwsh process, a few round trips.
    for (let i = 0; i < all.length; i += 100) onPwsh.push(...(await pwsh.run(all.slice(i, i + 100))));
    verdicts = all.map((_, i) => judge(onInterp[i], onPwsh[i]));
  });

  afterAll(async () => {
    await pwsh?.close();
    const documented = new Map<Documented, number>();
    for (const v of verdicts) for (const d of v.agreed ? v.documented : []) documented.set(d, (documented.get(d) ?? 0) + 1);
    const failed = verdicts.slice(firstGenerated).filter((v) => !v.agreed).length + verdicts.slice(0, REGRESSIONS.length).filter((v) => !v.agreed).length;
    const errors = verdicts.filter((v) => v.agreed && v.interp.startsWith('{"error"')).length;
    summary(
      `interpreter vs pwsh (generated snippets, seed ${SEED}${INT64 ? ', Int64 on' : ''}): ${verdicts.length} snippets compared (${REGRESSIONS.length} regression cases, ${KNOWN_DEFECTS.length} known defects left to fix, ${errors} agreeing on an error), ${failed} undocumented disagreements; documented 5.1-vs-7 forms: ${[...documented].map(([d, n]) => `${n} × ${d}`).join(', ') || 'none'}`,
    );
  });

  function report(from: number, to: number): string[] {
    const out: string[] = [];
    for (let i = from; i < to; i++) if (!verdicts[i].agreed) out.push(`--- snippet ${i}:\n${all[i]}\n  interpreter: ${verdicts[i].interp}\n  pwsh:        ${verdicts[i].pwsh}`);
    return out;
  }

  REGRESSIONS.forEach((r, i) => {
    it(`regression: ${r.name}`, () => {
      expect(report(i, i + 1)).toEqual([]);
    });
  });

  KNOWN_DEFECTS.forEach((r, i) => {
    it.failing(`known defect (fails until fixed): ${r.name}`, () => {
      expect(report(REGRESSIONS.length + i, REGRESSIONS.length + i + 1)).toEqual([]);
    });
  });

  it(`${RUNS} generated snippets: no undocumented disagreement`, () => {
    expect(report(firstGenerated, all.length)).toEqual([]);
  });

  it('the documented forms are known ones', () => {
    for (const v of verdicts) for (const d of v.documented) expect(DOCUMENTED[d]).toBeDefined();
  });
});
