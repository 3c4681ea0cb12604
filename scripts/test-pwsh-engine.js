#!/usr/bin/env node
/**
 * `make test` (after the whole jest run) and `make test-pwsh-engine`: the end-to-end tier's suites
 * again, this time with IISCTL_SIM_ENGINE=pwsh, so that real PowerShell 7 runs every script they
 * send (lib/sim/pwsh): the in-process ones and those that spawn the CLI (its simulated host
 * processes inherit the engine). The main run already ran them on the interpreter; here the same
 * assertions must hold on real PowerShell, so a test failing here is a disagreement between the
 * engines. Prints one summary: suites and tests run on both engines, disagreements, script lines
 * pwsh ran in process, pwsh processes started in process, CPU seconds (spawned hosts included).
 *
 * It costs: each simulated host on this engine starts its own pwsh (~1-3 CPU s, then the first run
 * of each script compiles it), so a test costs a few CPU s here against well under one on the
 * interpreter, and a spawned CLI's host more. lib/sim/README.md ("The end-to-end tier on it") lists
 * every suite's result. Without pwsh it says so in one line and succeeds, except in CI (CI=true),
 * where the tier is required. Extra arguments go to jest.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pwshCommand } = require('./real-pwsh');

const ROOT = path.resolve(__dirname, '..');
/**
 * The suites run on the pwsh engine, each green on both engines: the whole end-to-end tier but
 * engines-differential (it runs both engines itself, in the main run) and the three that run no
 * script (sim-boundary, clean-tree, cold-start). Where a test shows a documented difference of the
 * engines (lib/sim/README.md) it is skipped on pwsh in its file, saying which.
 */
const SUITES = [
  'virtual-time', // restarts on virtual time: the same simulated durations and events
  'hints', // the library's and the CLI's hints and errors
  'usage-traps',
  'round-trips', // the number of PowerShell calls per operation
  'host-waits', // waits on the host, on the machine's clock
  'pools-sites',
  'alternatives',
  'faults-lock', // the host lock, local and remote leases
  'faults-matrix',
  'scenario-names', // remoting to the farm's computers
  'run-log',
  'fleet-rolling',
  // In process, or spawning the CLI (each simulated host process starts its own pwsh):
  'iisreset',
  'pool-settings',
  'heal-budget',
  'forced-stop-recovery',
  'not-elevated',
  'library-validation',
  'credential-file', // Import-Clixml on the simulated machine's DPAPI
  'fleet-cli',
  'cli',
  'advise-cli', // found the one-entry hashtable defect of the module (lib/sim/README.md)
  'output-fits',
  'restart-roots',
  'interruptions', // found pwsh outliving its killed host process
  'interrupt-all-commands',
  'all-scripts', // every generated script bound by real PowerShell
  'sim-host', // the host's faults, JSON, iisreset.exe, block mode
  'sim-host-commands',
  'sim-webconfig', // found sc.exe's empty lines dropped
].map((name) => `__tests__/e2e/${name}.test.ts`);
// The public API with hostile input (found the XML defect of lib/sim/README.md's table).
SUITES.push('__tests__/property/e2e-api.test.ts');

/** CPU seconds of this process's finished children (Linux: /proc, fields cutime and cstime), or undefined. */
function childCpuSeconds() {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
    // After "(comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

if (!pwshCommand()) {
  const line = 'pwsh engine tier: skipped (no pwsh: run make pwsh, or put PowerShell 7 on PATH)';
  if (process.env.CI === 'true') {
    console.error(`${line}; required in CI`);
    process.exit(1);
  }
  console.log(line);
  process.exit(0);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-pwsh-tier-'));
const report = path.join(tmp, 'jest.json');
const counts = path.join(tmp, 'counts.jsonl');
fs.writeFileSync(counts, '');
const cpuBefore = childCpuSeconds();
const started = Date.now();
const r = spawnSync(
  'npx',
  // The suites first: --setupFilesAfterEnv takes every argument after it as one more setup file.
  // Every simulated host starts its own pwsh (seconds of real time at load): a longer test timeout than the interpreter's run.
  ['jest', ...SUITES, '--ci', '-w', '2', '--testTimeout=180000', '--json', `--outputFile=${report}`, ...process.argv.slice(2), `--setupFilesAfterEnv=${path.join(ROOT, '__tests__', 'e2e', 'pwsh-engine-setup.ts')}`],
  { cwd: ROOT, stdio: 'inherit', env: { ...process.env, IISCTL_SIM_ENGINE: 'pwsh', IISCTL_PWSH_TIER_COUNTS: counts }, shell: process.platform === 'win32' },
);
const cpuAfter = childCpuSeconds();
let tests = 'no jest report';
try {
  const j = JSON.parse(fs.readFileSync(report, 'utf8'));
  tests = `${j.numTotalTestSuites} suites, ${j.numPassedTests} tests agree, ${j.numFailedTests} disagreements (tests failing on pwsh)${j.numPendingTests ? `, ${j.numPendingTests} skipped` : ''}`;
} catch {
  // jest died before writing its report: its exit status decides.
}
const runs = fs.readFileSync(counts, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const lines = runs.reduce((n, x) => n + x.lines, 0);
const engines = runs.reduce((n, x) => n + x.engines, 0);
const cpu = cpuBefore !== undefined && cpuAfter !== undefined ? `, ${(cpuAfter - cpuBefore).toFixed(0)} CPU s` : '';
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`\npwsh engine tier: ${tests}; ${lines} script lines run on real PowerShell in ${engines} pwsh processes; ${Math.round((Date.now() - started) / 1000)} s${cpu}`);
process.exit(r.status === 0 ? 0 : 1);
