/**
 * Cold start (README, Benchmarks): a CLI run loads only the modules its command needs. Which
 * modules a fresh `node dist/cli/main.js ...` loaded is read from require.cache at its exit; the
 * times themselves are measured by `make bench` (scripts/bench-compare.js), never here.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, ROOT, tempDir } from '../helpers/cli';

const PRELOAD = path.join(ROOT, '__tests__/fixtures/loaded-modules.js');
const DIST = path.join(ROOT, 'dist') + path.sep;

/** The modules one CLI run loaded: dist files as paths under dist/, packages by name. */
function loadedBy(args: string[]): { dist: string[]; packages: string[]; transports: string[]; code: number | null } {
  const dir = tempDir();
  const list = path.join(dir, 'modules.json');
  const env = { ...process.env, IISCTL_TEST_LOADED_MODULES: list, IISCTL_SIM_STATE: path.join(dir, 'state.json') };
  const r = spawnSync(process.execPath, ['-r', PRELOAD, CLI, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  const files = JSON.parse(fs.readFileSync(list, 'utf8')) as string[];
  const dist = files.filter((f) => f.startsWith(DIST)).map((f) => f.slice(DIST.length).split(path.sep).join('/'));
  const packages = [...new Set(files.map((f) => /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(f)?.[1]?.replace(/\\/g, '/')).filter((p): p is string => p !== undefined))];
  // winston's transports other than the console's.
  const transports = files.map((f) => /winston[\\/]lib[\\/]winston[\\/]transports[\\/]([^\\/]+)$/.exec(f)?.[1]).filter((t): t is string => t !== undefined && t !== 'index.js' && t !== 'console.js');
  return { dist, packages, transports, code: r.status };
}

const COMMAND_MODULE = /^cli\/(commands\/(?!index\.js)|operation\.js|poolsAndSites\.js)/;
const LIBRARY = /^(client|index|simulator)\.js$|^(powershell|control|scripts|sim)\//;
const HEAVY_PACKAGES = ['winston', 'node-powershell', 'web-tree-sitter', 'tree-sitter-powershell'];

describe('cold start: what a CLI run loads', () => {
  it.each([['--version'], ['--help']])('%s loads yargs and the CLI frame, no command, no library, no winston, no PowerShell, no simulator', (flag) => {
    const run = loadedBy([flag]);
    expect(run.code).toBe(0);
    expect(run.dist).toContain('cli/main.js');
    expect(run.packages).toContain('yargs');
    expect(run.dist.filter((f) => COMMAND_MODULE.test(f) || LIBRARY.test(f) || f === 'cli/context.js')).toEqual([]);
    expect(run.packages.filter((p) => HEAVY_PACKAGES.includes(p))).toEqual([]);
  });

  it('--simulate status loads the status command only, and no file transport without --log-file', () => {
    const run = loadedBy(['--simulate', 'status']);
    expect(run.code).toBe(0);
    expect(run.dist).toContain('cli/commands/status.js');
    expect(run.dist.filter((f) => COMMAND_MODULE.test(f) && f !== 'cli/commands/status.js' && f !== 'cli/commands/recovery.js')).toEqual([]);
    // The simulated host is a process of its own: this one needs only the path of its entry.
    expect(run.packages.filter((p) => p.includes('tree-sitter'))).toEqual([]);
    expect(run.packages).toContain('winston');
    expect(run.transports).toEqual([]);
  });

  it('--log-file loads the stream transport (the check above can fail)', () => {
    const run = loadedBy(['--simulate', '--log-file', path.join(tempDir(), 'run.log'), 'status']);
    expect(run.code).toBe(0);
    expect(run.transports).toEqual(['stream.js']);
  });
});

