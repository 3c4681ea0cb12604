/**
 * Loaded into each suite of the end-to-end tier's run on the pwsh engine (scripts/test-pwsh-engine.js
 * passes it as --setupFilesAfterEnv): after the suite, one summary line with how many script lines
 * its simulated hosts ran on real PowerShell and in how many pwsh processes (also appended, as JSON,
 * to the runner's $IISCTL_PWSH_TIER_COUNTS).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pwshEngineRuns } from '../../lib/sim/pwsh/engine';
import { summary } from '../helpers/real-pwsh';

afterAll(() => {
  const file = path.relative(path.resolve(__dirname, '..', '..'), expect.getState().testPath ?? '?');
  summary(`pwsh engine: ${file}: ${pwshEngineRuns.lines} script lines in ${pwshEngineRuns.engines} pwsh processes`);
  // The runner's totals.
  const counts = process.env.IISCTL_PWSH_TIER_COUNTS;
  if (counts) fs.appendFileSync(counts, JSON.stringify({ file, ...pwshEngineRuns }) + '\n');
  // Counted once: the process's own report at exit (lib/sim/pwsh/engine.ts) finds nothing left.
  pwshEngineRuns.engines = 0;
  pwshEngineRuns.lines = 0;
});
