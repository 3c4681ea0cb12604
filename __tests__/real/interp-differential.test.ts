/**
 * The simulator's interpreter held to real PowerShell on generated snippets of the language subset
 * the library's scripts use (snippets.ts): each snippet runs inside the library's own envelope on
 * the interpreter (in process) and on one persistent pwsh 7 process (snippet-engines.ts), and what
 * the library would see — the value as data, or the error's FullyQualifiedErrorId, category,
 * exception types and message — must agree. Forms that differ between 5.1 and 7 by design are
 * made one (DOCUMENTED, with sources; the interpreter keeps 5.1's) and counted; anything else is a
 * disagreement and fails. REGRESSIONS are the interpreter's defects this test found, kept by name.
 *
 * Fixed seed and case count (IISCTL_DIFF_SEED / IISCTL_DIFF_RUNS to explore); IISCTL_DIFF_INT64=1
 * also draws integers beyond +-2^53 (off until the interpreter's Int64 arithmetic is exact).
 */
import fc from 'fast-check';
import { describeReal, summary } from '../helpers/real-pwsh';
import { comparable, type Documented, DOCUMENTED, type Outcome, PwshSnippets, runOnInterpreter } from './snippet-engines';
import { snippetArbitrary } from './snippets';

jest.setTimeout(300_000);

const SEED = Number(process.env.IISCTL_DIFF_SEED ?? 20261206);
const RUNS = Number(process.env.IISCTL_DIFF_RUNS ?? 400);
const INT64 = process.env.IISCTL_DIFF_INT64 === '1';

/** Defects of the interpreter this test found, fixed, and kept as named cases. */
const REGRESSIONS: Array<{ name: string; body: string }> = [];

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
  const all = [...REGRESSIONS.map((r) => r.body), ...generated];
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
    const failed = verdicts.filter((v) => !v.agreed).length;
    const errors = verdicts.filter((v) => v.agreed && v.interp.startsWith('{"error"')).length;
    summary(
      `interpreter vs pwsh (generated snippets, seed ${SEED}${INT64 ? ', Int64 on' : ''}): ${verdicts.length} snippets compared (${REGRESSIONS.length} regression cases, ${errors} agreeing on an error), ${failed} undocumented disagreements; documented 5.1-vs-7 forms: ${[...documented].map(([d, n]) => `${n} × ${d}`).join(', ') || 'none'}`,
    );
  });

  function report(from: number, to: number): string[] {
    const out: string[] = [];
    for (let i = from; i < to; i++) if (!verdicts[i].agreed) out.push(`--- snippet ${i}:\n${all[i]}\n  interpreter: ${verdicts[i].interp}\n  pwsh:        ${verdicts[i].pwsh}`);
    return out;
  }

  it('regression cases: the interpreter defects found by this test stay fixed', () => {
    expect(report(0, REGRESSIONS.length)).toEqual([]);
  });

  it(`${RUNS} generated snippets: no undocumented disagreement`, () => {
    expect(report(REGRESSIONS.length, all.length)).toEqual([]);
  });

  it('the documented forms are known ones', () => {
    for (const v of verdicts) for (const d of v.documented) expect(DOCUMENTED[d]).toBeDefined();
  });
});
