/**
 * Where real PowerShell 7 is, for the pwsh engine. One place decides it for the whole project:
 * scripts/real-pwsh.js (pwsh on PATH first, then the project's own install in .tools/powershell,
 * started as `dotnet pwsh.dll` so that ending it ends PowerShell itself). That file belongs to a
 * source checkout; an installed package (dist/ only) has no locator, so no pwsh engine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PwshCommand {
  /** The program to spawn and the arguments that must come first (the pwsh.dll for `dotnet`). */
  command: string;
  args: string[];
}

interface Locator {
  pwshCommand(env?: NodeJS.ProcessEnv): PwshCommand | undefined;
  VERSION: string;
}

/** lib/sim/pwsh (ts-jest) and dist/sim/pwsh (built) both sit three levels below the repository root. */
const LOCATOR = path.resolve(__dirname, '..', '..', '..', 'scripts', 'real-pwsh.js');

/**
 * Where the pwsh engine may keep what it builds once (Wire.cs compiled, the module's generated
 * functions): .tools/sim-cache beside the project's own pwsh (gitignored), so only this checkout
 * writes and reads it. Undefined without a locator (then the module builds them at every start).
 */
export function pwshCacheDir(): string | undefined {
  return fs.existsSync(LOCATOR) ? path.resolve(path.dirname(LOCATOR), '..', '.tools', 'sim-cache') : undefined;
}

/** How to start real pwsh here, or undefined (with why) when it cannot be found. */
export function locatePwsh(env: NodeJS.ProcessEnv = process.env): { found: PwshCommand } | { missing: string } {
  if (!fs.existsSync(LOCATOR)) return { missing: 'no PowerShell locator (scripts/real-pwsh.js) in this installation' };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const locator = require(LOCATOR) as Locator;
  const found = locator.pwshCommand(env);
  return found ? { found } : { missing: 'pwsh is neither on PATH nor installed in .tools/powershell (make pwsh)' };
}
