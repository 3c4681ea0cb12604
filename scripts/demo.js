#!/usr/bin/env node
'use strict';
/**
 * `make demo`: the main job, a graceful IIS restart with the status before and after, run with
 * the built `iisctl` command against the simulated Windows Server 2022 / IIS 10 host (default
 * scenario, realistic service timings), on any OS. Every line below is the CLI's real output.
 * The demo uses its own state file so it never disturbs a user's `--simulate` machine.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const cli = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-demo-'));
const env = { ...process.env, IISCTL_SIM_STATE: path.join(dir, 'machine.json') };

function iisctl(args) {
  console.log(`\n$ iisctl ${args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}`);
  const r = spawnSync(process.execPath, [cli, '--simulate', ...args], { env, stdio: 'inherit' });
  if (r.status !== 0) console.log(`(exit code ${r.status})`);
  return r.status;
}

let failed = false;
try {
  console.log('iisctl demo: a graceful restart of IIS on a simulated Windows host');
  failed ||= iisctl(['status']) !== 0;
  failed ||= iisctl(['restart', '--reason', 'make demo']) !== 0;
  failed ||= iisctl(['/status']) !== 0;
  failed ||= iisctl(['events', '--since', '10m', '--kind', 'audit']) !== 0;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
