/**
 * The hostile corpus executed for real: every string of helpers/hostile.ts through every builder
 * that takes user text (helpers/text-builders.ts), each script run in real PowerShell exactly as
 * the session sends it (the envelope's one line), with the documented cmdlets replaced by
 * recording proxies of the same signatures (real/run-hostile.ps1, one pwsh process). Every value
 * must arrive at its parameter exactly as typed, and nothing may run that the script itself does
 * not call (command lookups watched; canaries for the commands the corpus tries to inject).
 */
import { LOCK_MUTEX_NAME } from '../../lib/scripts/lock';
import { isIisctlError } from '../../lib/errors';
import { wrapScript } from '../../lib/powershell/envelope';
import { hostileCorpus } from '../helpers/hostile';
import { describeReal, runBatch, summary } from '../helpers/real-pwsh';
import { formOf, TEXT_BUILDERS } from '../helpers/text-builders';

/** The harmless stand-in whose places in the recorded parameters are the locations to compare. */
const MARKER = 'IisctlMarker7q';
/** One result marker for every call, so that the scripts differ only by the user text. */
const ENVELOPE_MARKER = '@@IISCTL-RESULT:hostile@@';

/** Cmdlets that run for real: pure pipeline and formatting helpers, no effect outside the process. */
const PASSTHROUGH = ['ForEach-Object', 'Where-Object', 'Select-Object', 'Sort-Object', 'Measure-Object', 'Group-Object', 'ConvertTo-Json', 'ConvertFrom-Json', 'Out-String', 'Out-Null', 'Write-Output', 'New-Object', 'Join-Path', 'Split-Path', 'Select-String', 'ConvertTo-Csv', 'Write-Host', 'Write-Warning', 'Write-Error', 'Get-Date'];

/** What the corpus tries to run (helpers/hostile.ts), plus the usual ways to run anything. */
const CANARIES = ['whoami', 'calc', 'calc.exe', 'Stop-Computer', 'Invoke-Expression', 'Invoke-Item', 'Start-Job', 'Invoke-WebRequest', 'Invoke-RestMethod', 'Set-Content', 'Add-Content', 'Out-File'];

interface BuilderReport {
  name: string;
  locations: string[];
  executed: number;
  compared: number;
  literalsWithText: number;
  literalsCompared: number;
  mismatchCount: number;
  mismatches: string[];
  injections: string[];
  parseErrors: string[];
  baselineParseError: string | null;
}

// About 15 000 scripts: some two minutes on an idle two-core machine, much longer on a loaded one.
jest.setTimeout(1_800_000);

describeReal('hostile input executed in real PowerShell', () => {
  const corpus = hostileCorpus();
  let refused = 0;
  const builders = TEXT_BUILDERS.map((b) => ({ name: b.name, markerForm: formOf(b, MARKER), markerLower: formOf(b, MARKER).toLowerCase(), baseline: wrapScript(b.build(MARKER).script, ENVELOPE_MARKER).line }));
  const cases: Array<{ b: number; valueForm: string; lowerForm: string; line: string }> = [];
  TEXT_BUILDERS.forEach((b, i) => {
    for (const s of corpus) {
      let line: string;
      try {
        line = wrapScript(b.build(s).script, ENVELOPE_MARKER).line;
      } catch (e) {
        // Refused before anything is built: only ever INVALID_ARGUMENT (property/builders.test.ts).
        if (!isIisctlError(e, 'INVALID_ARGUMENT')) throw e;
        refused++;
        continue;
      }
      cases.push({ b: i, valueForm: formOf(b, s), lowerForm: formOf(b, s).toLowerCase(), line });
    }
  });
  let reports: BuilderReport[];

  beforeAll(async () => {
    // Two processes (the CI machine has two cores), each with whole builders. The lock builders
    // take the machine's one named mutex and keep it, so they all run in the process that holds it
    // (run-hostile.ps1 takes it first); the other process never touches it.
    const usesMutex = (b: number): boolean => /Lock|Lease/.test(builders[b].name);
    const group = (b: number): number => (usesMutex(b) || b % 3 === 0 ? 0 : 1);
    const outs = await Promise.all(
      [0, 1].map((g) =>
        runBatch<{ powershell: string; builders: Array<BuilderReport & { inBatch: boolean }> }>('run-hostile.ps1', {
          passthrough: PASSTHROUGH,
          canaries: CANARIES,
          mutex: g === 0 ? LOCK_MUTEX_NAME : null,
          builders,
          cases: cases.filter((c) => group(c.b) === g),
        }),
      ),
    );
    const out = outs[0];
    reports = builders.map((_, i) => {
      const r = outs[group(i)].builders[i];
      if (!r.inBatch) throw new Error(`${r.name}: not run by the process it was given to`);
      return r;
    });
    const executed = reports.reduce((n, r) => n + r.executed, 0);
    const injections = reports.reduce((n, r) => n + r.injections.length, 0);
    const mismatches = reports.reduce((n, r) => n + r.mismatchCount, 0);
    const compared = reports.reduce((n, r) => n + r.compared + r.literalsCompared, 0);
    summary(`hostile (PowerShell ${out.powershell}): ${corpus.length} strings x ${builders.length} builders, ${executed} scripts executed (${refused} refused before building), ${compared} values compared at parameters and in parsed literals, ${mismatches} changed, ${injections} injections`);
  });

  it('has a corpus of 500+ strings', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(500);
  });

  it.each(TEXT_BUILDERS.map((b, i) => [b.name, i] as const))('%s: every value arrives exactly as typed, nothing else runs', (_name, i) => {
    const r = reports[i];
    expect(r.baselineParseError).toBeNull();
    // The builder's user text is in the script as PowerShell parses it, and for most builders
    // reaches a parameter of a documented cmdlet or program (some only compare it or return it).
    expect(r.literalsWithText).toBeGreaterThan(0);
    expect(r.locations.length + r.literalsWithText).toBeGreaterThan(0);
    expect(r.executed).toBeGreaterThan(0);
    expect({ parseErrors: r.parseErrors, injections: r.injections, mismatches: r.mismatches, mismatchCount: r.mismatchCount }).toEqual({ parseErrors: [], injections: [], mismatches: [], mismatchCount: 0 });
  });
});
