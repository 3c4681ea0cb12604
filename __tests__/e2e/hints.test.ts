/**
 * Hints name what the reader can type: the library's hints its own options and methods, never a
 * command-line flag; the CLI's hints its flags and commands, never a library option.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HINTS } from '../../lib/hints';
import { closeClients, failure, scenarioFile, simClient } from '../helpers/sim';
import { inProcessMachine, ROOT } from '../helpers/cli';

afterEach(closeClients);

const CLI_WORDS = /--[a-z]|\biisctl [a-z]/;
const LIBRARY_WORDS = /\b(ensureServices|skipBackup|startIfStopped|timeoutSeconds|lockTimeoutSeconds|force: true|enable\(\)|status\(\)|start\(\)|list\(\)|\{ match)/;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

it('no library hint names a CLI flag or command (every hint: in lib/control, lib/scripts, lib/powershell)', () => {
  for (const text of Object.values(HINTS)) expect(text).not.toMatch(CLI_WORDS);
  for (const file of ['control', 'scripts', 'powershell'].flatMap((d) => sources(path.join(ROOT, 'lib', d)))) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n').filter((l) => /\bhint:/.test(l))) {
      expect(`${path.relative(ROOT, file)}: ${line.trim()}`).not.toMatch(CLI_WORDS);
    }
  }
});

it('library: a recycle on a stopped IIS hints at ensureServices, no flag', async () => {
  const iis = await simClient(scenarioFile('fast'));
  await iis.stop();
  const e = await failure(iis.appPools.recycle('DefaultAppPool'));
  expect(e.hint).toMatch(/ensureServices: true/);
  expect(e.hint).not.toMatch(CLI_WORDS);
});

it('CLI: the same failure hints at iisctl start, in text and in --json, naming no library option', async () => {
  const m = inProcessMachine();
  // Spawned: the real entry point; the runs after it (in process) see the machine it stopped.
  expect((await m.run(['stop'], { spawned: true })).code).toBe(0);
  const r = await m.run(['pool', 'recycle', 'DefaultAppPool']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/hint: Start IIS first: iisctl start/);
  expect(r.stderr).not.toMatch(LIBRARY_WORDS);
  const j = await m.json(['pool', 'recycle', 'DefaultAppPool']);
  expect(j.doc.error.hint).toMatch(/iisctl start/);
  expect(JSON.stringify(j.doc.error.hint)).not.toMatch(LIBRARY_WORDS);
});

it('CLI: a stop that times out without force hints at --timeout and --force', async () => {
  const m = inProcessMachine(scenarioFile('hung-stop'), { clock: 'virtual' });
  const r = await m.run(['stop', '--timeout', '1']);
  expect(r.code).toBe(3);
  expect(r.stderr).toMatch(/hint: Raise --timeout, or add --force/);
  expect(r.stderr).not.toMatch(LIBRARY_WORDS);
});
