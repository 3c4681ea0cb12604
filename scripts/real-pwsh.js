#!/usr/bin/env node
/**
 * Real PowerShell 7 for the test tier that checks every generated script against PowerShell itself
 * (parser, parameter binder, execution). Not a runtime dependency of iisctl.
 *
 * Resolution order: `pwsh` on PATH, then the project's own install in .tools/powershell (made by
 * `install`, gitignored). Install: `dotnet tool install PowerShell --version 7.6.10 --tool-path
 * .tools/powershell` (the PowerShell .NET global tool on NuGet, https://www.nuget.org/packages/PowerShell;
 * "Install as a .NET Global tool", https://learn.microsoft.com/powershell/scripting/install/installing-powershell-on-linux).
 * The version is pinned: without it the tool installer takes the newest, which needs a newer .NET
 * runtime than the SDK here provides.
 *
 *   node scripts/real-pwsh.js install   installs when needed; one line saying what it found or did
 *   node scripts/real-pwsh.js path      prints the resolved pwsh, or nothing (exit 1)
 *
 * With CI=true, `install` fails when PowerShell cannot be had: CI must run the real-PowerShell tier.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const VERSION = '7.6.10';
const ROOT = path.resolve(__dirname, '..');
const TOOL_PATH = path.join(ROOT, '.tools', 'powershell');
const EXE = process.platform === 'win32' ? 'pwsh.exe' : 'pwsh';

/** The first `name` on PATH that is a file, or undefined. */
function onPath(name, env = process.env) {
  for (const dir of (env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The pwsh to use: on PATH first, then the project's install; undefined when neither exists. */
function findPwsh(env = process.env) {
  const fromPath = onPath(EXE, env);
  if (fromPath) return fromPath;
  const local = path.join(TOOL_PATH, EXE);
  return fs.existsSync(local) ? local : undefined;
}

/**
 * How to start the pwsh that findPwsh() found, as one process: the .NET tool's `pwsh` is a shim
 * that starts `dotnet pwsh.dll` as a child, which a kill of the shim leaves running, so the
 * project's install is started as `dotnet <its pwsh.dll>` directly. Returns { command, args }.
 */
function pwshCommand(env = process.env) {
  const found = findPwsh(env);
  if (!found) return undefined;
  if (path.resolve(found) === path.join(TOOL_PATH, EXE)) {
    const dotnet = onPath(process.platform === 'win32' ? 'dotnet.exe' : 'dotnet', env);
    const base = path.join(TOOL_PATH, '.store', 'powershell', VERSION, 'powershell', VERSION, 'tools');
    const platformDir = process.platform === 'win32' ? 'win' : 'unix';
    const dll = fs.existsSync(base)
      ? fs.readdirSync(base).map((tfm) => path.join(base, tfm, 'any', platformDir, 'pwsh.dll')).find((p) => fs.existsSync(p))
      : undefined;
    if (dotnet && dll) return { command: dotnet, args: [dll] };
  }
  return { command: found, args: [] };
}

/** True when CI requires the real-PowerShell tier (CI=true, as GitHub Actions and others set it). */
function required(env = process.env) {
  return /^(1|true|yes)$/i.test(env.CI || '');
}

function install() {
  const found = findPwsh();
  if (found) {
    console.log(`real PowerShell: ${found}`);
    return 0;
  }
  const dotnet = onPath(process.platform === 'win32' ? 'dotnet.exe' : 'dotnet');
  if (!dotnet) {
    const line = 'real PowerShell: neither pwsh nor dotnet found; the real-PowerShell test tier is skipped (install the .NET SDK or PowerShell 7 to run it)';
    if (required()) {
      console.error(`${line.replace('is skipped', 'is required in CI')}`);
      return 1;
    }
    console.log(line);
    return 0;
  }
  console.log(`real PowerShell: installing PowerShell ${VERSION} as a .NET tool into ${path.relative(ROOT, TOOL_PATH)}`);
  const r = spawnSync(dotnet, ['tool', 'install', 'PowerShell', '--version', VERSION, '--tool-path', TOOL_PATH], { stdio: 'inherit' });
  if (r.status !== 0 || !findPwsh()) {
    console.error(`real PowerShell: dotnet tool install failed (exit ${r.status}); the real-PowerShell test tier ${required() ? 'is required in CI' : 'is skipped'}`);
    return required() ? 1 : 0;
  }
  console.log(`real PowerShell: ${findPwsh()}`);
  return 0;
}

module.exports = { VERSION, TOOL_PATH, findPwsh, pwshCommand, required };

if (require.main === module) {
  const cmd = process.argv[2];
  if (cmd === 'install') process.exit(install());
  if (cmd === 'path') {
    const p = findPwsh();
    if (p) console.log(p);
    process.exit(p ? 0 : 1);
  }
  console.error('usage: node scripts/real-pwsh.js install|path');
  process.exit(2);
}
