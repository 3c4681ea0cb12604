#!/usr/bin/env node
/**
 * `make test-repeat`: the whole test run (`npx jest --ci`, what `make test` runs after install and
 * build) N times in a row (default 5, TEST_REPEAT=N overrides), one summary line per run, and a
 * failure unless every run was green. Every run is done even after a red one, so the summary shows
 * how often the suite fails, not only that it did. Extra arguments go to jest.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const runs = Number(process.env.TEST_REPEAT ?? 5);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`test-repeat: TEST_REPEAT must be a whole number >= 1, not ${JSON.stringify(process.env.TEST_REPEAT)}`);
  process.exit(2);
}
const extra = process.argv.slice(2);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-test-repeat-'));
const lines = [];
let green = 0;
for (let i = 1; i <= runs; i++) {
  const report = path.join(tmp, `run-${i}.json`);
  const started = Date.now();
  // --json with --outputFile: the normal output stays on the terminal, the counts go to the file.
  const r = spawnSync('npx', ['jest', '--ci', '--json', `--outputFile=${report}`, ...extra], { stdio: 'inherit', shell: process.platform === 'win32' });
  const seconds = Math.round((Date.now() - started) / 1000);
  let counts = 'no jest report';
  let failedNames = [];
  try {
    const j = JSON.parse(fs.readFileSync(report, 'utf8'));
    counts = `${j.numPassedTests} passed, ${j.numFailedTests} failed, ${j.numPendingTests} skipped; ${j.numFailedTestSuites} of ${j.numTotalTestSuites} suites failed`;
    failedNames = j.testResults.filter((t) => t.status !== 'passed').map((t) => path.relative(process.cwd(), t.name));
  } catch {
    // jest died before writing its report: the exit status decides.
  }
  const ok = r.status === 0;
  if (ok) green++;
  const line = `test-repeat run ${i}/${runs}: ${ok ? 'PASS' : 'FAIL'} in ${seconds} s (${counts})${failedNames.length ? `: ${failedNames.join(', ')}` : ''}`;
  lines.push(line);
  console.log(line);
}
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`\ntest-repeat summary:\n${lines.join('\n')}\ntest-repeat: ${green} of ${runs} runs green`);
process.exit(green === runs ? 0 : 1);
