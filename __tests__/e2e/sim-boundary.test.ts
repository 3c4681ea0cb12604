/**
 * The simulator's boundary: the library reaches lib/sim only through the one lazy loader
 * (lib/simulator.ts), so a real host never loads a simulator module nor tree-sitter.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { standInPath } from '../helpers/standins';

const ROOT = path.resolve(__dirname, '../..');
const LIB = path.join(ROOT, 'lib');
const SIM = path.join(LIB, 'sim');

/** The modules a fresh Node process has loaded after connecting and asking for a restart plan. */
function modulesLoadedByAPlan(connectOptions: Record<string, unknown>): string[] {
  const script = `
    const lib = require(${JSON.stringify(path.join(ROOT, 'dist/index.js'))});
    (async () => {
      const iis = await lib.connect(${JSON.stringify(connectOptions)});
      try { await iis.plan('restart'); } catch (e) { /* the stand-in is not IIS: only what was loaded matters */ }
      await iis.close();
      process.stdout.write(JSON.stringify(Object.keys(require.cache)));
    })();`;
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, NODE_POWERSHELL: '' } });
  return JSON.parse(out) as string[];
}

const simulatorModule = (file: string): boolean => /[\\/]dist[\\/]sim[\\/]|tree-sitter/.test(file);

describe('the simulator boundary', () => {
  it('a real host (here a stand-in powershell) loads no simulator module and no tree-sitter', () => {
    const loaded = modulesLoadedByAPlan({ powershell: standInPath('well-behaved') });
    expect(loaded.some((f) => f.endsWith(path.join('dist', 'index.js')))).toBe(true);
    expect(loaded.filter(simulatorModule)).toEqual([]);
  });

  it('simulate: true loads the simulator (the check above can fail)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-boundary-'));
    try {
      const loaded = modulesLoadedByAPlan({ simulate: true, simulatorStateFile: path.join(dir, 'state.json') });
      expect(loaded.filter(simulatorModule)).toContainEqual(expect.stringMatching(/[\\/]dist[\\/]sim[\\/]index\.js$/));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('nothing outside lib/sim imports it except the loader (lib/simulator.ts)', () => {
    const offenders: string[] = [];
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
    for (const file of walk(LIB)) {
      if (file.startsWith(SIM + path.sep) || file === path.join(LIB, 'simulator.ts')) continue;
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import\(|require\()\s*['"](\.[^'"]+)['"]/g)) {
        const target = path.resolve(path.dirname(file), m[1]);
        if (target === SIM || target.startsWith(SIM + path.sep)) offenders.push(`${path.relative(ROOT, file)} -> ${m[1]}`);
      }
      // A path to a simulator file built by hand is an import too.
      for (const m of text.matchAll(/['"]\.\.?\/(?:\.\.\/)*sim\/[^'"]*['"]/g)) offenders.push(`${path.relative(ROOT, file)} -> ${m[0]}`);
    }
    expect(offenders).toEqual([]);
  });
});
