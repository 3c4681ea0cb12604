/**
 * `make demo` leaves the clone as it was: the demo writes only to a temporary directory (its own
 * simulated machine), nothing into the tree (tracked, untracked or ignored files).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers/cli';

const inGit = fs.existsSync(path.join(ROOT, '.git'));
// .tools/sim-cache: the pwsh engine's build cache (lib/sim/pwsh/locate.ts), which other test files
// running at the same time fill; the demo runs on the interpreter and never writes it.
const treeState = () => spawnSync('git', ['status', '--porcelain', '--ignored', '--untracked-files=all', '--', '.', ':!dist', ':!node_modules', ':!.tools/sim-cache'], { cwd: ROOT, encoding: 'utf8' }).stdout;

(inGit ? it : it.skip)('the demo (make demo) writes nothing into the tree', () => {
  const before = treeState();
  const demo = spawnSync(process.execPath, [path.join(ROOT, 'scripts/demo.js')], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  expect(demo.status).toBe(0);
  expect(demo.stdout).toContain('iisctl restart succeeded');
  expect(treeState()).toBe(before);
});
