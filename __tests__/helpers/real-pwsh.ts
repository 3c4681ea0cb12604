/**
 * The real-PowerShell tier: finds pwsh (scripts/real-pwsh.js: PATH first, then the project's
 * .tools install), runs one batch script over a JSON file, and records the summary lines CI shows
 * (real/summary-reporter.js prints them after the run). Without pwsh the tier is skipped with one
 * line, except in CI (CI=true), where it fails.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCatalogFile } from '../../lib/sim/catalog';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const resolver = require('../../scripts/real-pwsh.js') as {
  findPwsh(): string | undefined;
  pwshCommand(): { command: string; args: string[] } | undefined;
  required(): boolean;
  VERSION: string;
};

export const PWSH: string | undefined = resolver.findPwsh();
/** How to start it as one process (scripts/real-pwsh.js pwshCommand). */
export const PWSH_COMMAND = resolver.pwshCommand();
export const REAL_DIR = path.join(__dirname, '..', 'real');

/** Appends a line to the run's summary (printed by real/summary-reporter.js after all tests). */
export function summary(line: string): void {
  const file = process.env.IISCTL_REAL_PWSH_SUMMARY;
  if (file) fs.appendFileSync(file, `${line}\n`);
}

/**
 * `describe` when pwsh can be had; otherwise one summary line and a skipped suite, or in CI a
 * failing test (the tier is required there).
 */
export function describeReal(name: string, body: () => void): void {
  if (PWSH) {
    describe(name, body);
    return;
  }
  if (resolver.required()) {
    describe(name, () => {
      it('has real PowerShell (required in CI)', () => {
        throw new Error('pwsh not found: run `make pwsh` (needs the .NET SDK) or put PowerShell 7 on PATH');
      });
    });
    return;
  }
  summary(`real PowerShell: skipped "${name}" (neither pwsh nor an install in .tools/powershell; run make pwsh with the .NET SDK)`);
  describe.skip(name, body);
}

/** A temporary directory for one batch. */
export function batchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-real-'));
}

/**
 * .NET runtime settings for the batch processes, which run thousands of freshly compiled scripts
 * each and allocate a lot: a 64 MB generation 0 (checked with [GC]::CollectionCount(0): about a
 * tenth of the collections), collections on the allocating thread instead of a background one,
 * and no dynamic PGO instrumentation (a batch compiles each script once, so the instrumented tier
 * never pays off). They lower a batch's CPU time (__tests__/README.md, "Run time"); none changes
 * what PowerShell parses, binds or runs. The GC settings and their hexadecimal environment form:
 * https://learn.microsoft.com/dotnet/core/runtime-config/garbage-collector; TieredPGO:
 * https://learn.microsoft.com/dotnet/core/runtime-config/compilation.
 */
const BATCH_RUNTIME = { DOTNET_GCgen0size: '0x4000000', DOTNET_gcConcurrent: '0', DOTNET_TieredPGO: '0' };

/**
 * Runs real/<script> in one pwsh process with an input JSON file and returns its output JSON.
 * The input gets `catalog`: the path of the simulator's merged catalog (cmdlets.json and
 * cmdlets-supplement.json, lib/sim/catalog.ts loadCatalogFile) written into the batch directory,
 * so that real PowerShell binds against exactly the cmdlets the simulator knows.
 * stdout is discarded (executed scripts write their envelope lines there); stderr is kept for the error.
 */
export async function runBatch<T>(script: string, input: Record<string, unknown>): Promise<T> {
  const dir = batchDir();
  const inPath = path.join(dir, 'in.json');
  const outPath = path.join(dir, 'out.json');
  const catalog = path.join(dir, 'catalog.json');
  fs.writeFileSync(catalog, JSON.stringify(loadCatalogFile()));
  fs.writeFileSync(inPath, JSON.stringify({ ...input, catalog }));
  const child = spawn(PWSH_COMMAND!.command, [...PWSH_COMMAND!.args, '-NoLogo', '-NoProfile', '-NonInteractive', '-File', path.join(REAL_DIR, script), inPath, outPath], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...BATCH_RUNTIME } });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-8000);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0 || !fs.existsSync(outPath)) throw new Error(`pwsh ${script} failed (exit ${code}): ${stderr}`);
  const out = JSON.parse(fs.readFileSync(outPath, 'utf8')) as T;
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}
