/**
 * Prints the real-PowerShell tier's summary lines (scripts parsed / errors, 5.1-subset violations,
 * commands bound / failures, hostile strings x builders executed / injections, session tier) after
 * the run, so that they are visible in `make test` and CI output. The tests append them to the file
 * named by IISCTL_REAL_PWSH_SUMMARY, which this reporter creates before any test worker starts.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

class RealPwshSummaryReporter {
  constructor() {
    this.file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-summary-')), 'summary.txt');
    fs.writeFileSync(this.file, '');
    process.env.IISCTL_REAL_PWSH_SUMMARY = this.file;
  }

  onRunComplete() {
    const text = fs.existsSync(this.file) ? fs.readFileSync(this.file, 'utf8').trim() : '';
    if (text) process.stdout.write(`\nReal PowerShell tier:\n${text.split('\n').map((l) => `  ${l}`).join('\n')}\n`);
    fs.rmSync(path.dirname(this.file), { recursive: true, force: true });
  }
}

module.exports = RealPwshSummaryReporter;
