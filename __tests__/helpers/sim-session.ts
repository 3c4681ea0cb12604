/**
 * Sessions on the simulated host for tests that speak PowerShell directly (no library client):
 * builds the host if this checkout has not been built, gives each session its own state file, and
 * closes every session after each test.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveExecutable } from '../../lib/powershell/executable';
import { PowerShellSession } from '../../lib/powershell/session';

export const ROOT = path.resolve(__dirname, '../..');
export const HOST_JS = path.join(ROOT, 'dist/sim/host.js');
const SCENARIO_DIR = path.join(ROOT, 'lib/sim/scenarios');

/** Registers the jest hooks; call once at the top of a test file. */
export function useSimSessions(prefix: string): {
  tmp: string;
  /** `scenario`: a bundled scenario's name, or a scenario file's path (ending in .json). */
  session(scenario: string, options?: { stateFile?: string; callTimeoutMs?: number }): PowerShellSession;
} {
  beforeAll(() => {
    if (!fs.existsSync(HOST_JS)) {
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT });
      execFileSync(process.execPath, ['scripts/copy-assets.js'], { cwd: ROOT });
    }
  }, 120_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const sessions: PowerShellSession[] = [];
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
  });
  let n = 0;
  return {
    tmp,
    session(scenario, options = {}) {
      const stateFile = options.stateFile ?? path.join(tmp, `state-${path.basename(scenario, ".json")}-${n++}.json`);
      const s = new PowerShellSession({
        executable: resolveExecutable({ simulate: scenario.endsWith('.json') ? scenario : path.join(SCENARIO_DIR, `${scenario}.json`), env: { IISCTL_SIM_STATE: stateFile } }),
        callTimeoutMs: options.callTimeoutMs ?? 20_000,
      });
      sessions.push(s);
      return s;
    },
  };
}
