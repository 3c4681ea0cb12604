/**
 * Where a scenario given by the user is (kept apart from scenario.ts so that the library can
 * resolve `simulate: 'farm'` without loading the simulator).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Directory of the bundled scenarios (lib/sim/scenarios, copied to dist/sim/scenarios on build). */
export const SCENARIO_DIR = path.join(__dirname, 'scenarios');

export function listBundledScenarios(): string[] {
  return fs
    .readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/**
 * A scenario as the user names it: a path (anything with a directory separator) is that file; a
 * bare `NAME` or `NAME.json` is the file of that name in the current directory when there is one,
 * else the bundled scenario NAME (`farm` and `farm.json` both name the bundled farm).
 */
export function resolveScenarioPath(nameOrPath: string): string {
  if (/[\\/]/.test(nameOrPath)) return path.resolve(nameOrPath);
  const local = path.resolve(nameOrPath);
  const isJson = nameOrPath.toLowerCase().endsWith('.json');
  if (isJson && fs.existsSync(local)) return local;
  const bundled = path.join(SCENARIO_DIR, `${isJson ? nameOrPath.slice(0, -5) : nameOrPath}.json`);
  if (fs.existsSync(bundled) || !isJson) return bundled;
  return local;
}
