#!/usr/bin/env node
'use strict';
/**
 * `make demo`: the main job against the simulated Windows host, on any OS.
 *
 * Today (issues 2 and 3 landed): start a simulated Windows Server 2022 / IIS 10 host from its
 * default scenario, discover the IIS service set through the library's own command, and print it
 * the way `iisreset /status` does. The restart itself arrives with the iisreset issue (4).
 * The demo uses its own state file so it never disturbs a user's `--simulate` machine.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { PowerShellSession } = require('../dist/powershell/session');
const { resolveExecutable } = require('../dist/powershell/executable');
const { runCommand } = require('../dist/commands/command');
const { readIisServices } = require('../dist/commands/services');
const { readToggle } = require('../dist/commands/toggle');

async function main() {
  const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-demo-')), 'machine.json');
  const executable = resolveExecutable({ simulate: true, env: { IISCTL_SIM_STATE: stateFile } });
  const session = new PowerShellSession({ executable, hostName: 'simulated host' });
  try {
    console.log(`iisctl demo: ${executable.description}`);
    const started = Date.now();
    const snapshot = await runCommand(session, readIisServices());
    const toggle = await runCommand(session, readToggle());
    for (const s of snapshot.services) {
      console.log(`Status for ${s.displayName} ( ${s.name} ) : ${s.status}`);
    }
    console.log(`Worker processes (w3wp): ${snapshot.workerProcessIds.join(', ') || 'none'}`);
    console.log(`Restarts: ${toggle.enabled ? 'enabled' : `disabled by ${toggle.disabledBy} (${toggle.reason ?? 'no reason'})`}`);
    console.log(`(${session.stats.calls} PowerShell round trips, ${Date.now() - started} ms)`);
  } finally {
    await session.close();
    fs.rmSync(path.dirname(stateFile), { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`demo failed: ${err && err.code ? `${err.code}: ` : ''}${err && err.message ? err.message : err}`);
  process.exit(1);
});
