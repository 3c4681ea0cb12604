#!/usr/bin/env node
'use strict';
// tsc compiles lib/ to dist/ but does not copy data files; the simulated host needs its
// cmdlet catalogs and scenarios next to its compiled code.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const assets = [
  ['lib/sim/cmdlets.json', 'dist/sim/cmdlets.json'],
  ['lib/sim/cmdlets-supplement.json', 'dist/sim/cmdlets-supplement.json'],
  ['lib/sim/scenarios', 'dist/sim/scenarios'],
  // The pwsh engine's PowerShell module (lib/sim/pwsh/engine.ts imports it from next to itself).
  ['lib/sim/pwsh/SimWindows.psm1', 'dist/sim/pwsh/SimWindows.psm1'],
  ['lib/sim/pwsh/proxies.ps1', 'dist/sim/pwsh/proxies.ps1'],
  ['lib/sim/pwsh/Wire.cs', 'dist/sim/pwsh/Wire.cs'],
];
for (const [from, to] of assets) {
  const src = path.join(root, from);
  if (!fs.existsSync(src)) continue;
  fs.cpSync(src, path.join(root, to), { recursive: true });
}

// The `iisctl` bin (package.json "bin") must be executable when installed from dist/.
const bin = path.join(root, 'dist/cli/main.js');
if (fs.existsSync(bin)) fs.chmodSync(bin, 0o755);
