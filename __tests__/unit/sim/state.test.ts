import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { commandLogPath, holdMachine, parseState, releaseMachine, peekState, readCommandLog, resetState, SimStateError, stateFilePath, withMachine, withMachineSync } from '../../../lib/sim/state';
import { SimHost } from '../../../lib/sim/cmdlets/simhost';
import type { SimClock } from '../../../lib/sim/clock';

const T0 = Date.parse('2026-11-20T12:00:00.000Z');
/** A clock stopped at t. */
const at = (t: number): SimClock => ({ now: () => t, sleep: () => Promise.resolve() });
const repo = path.resolve(__dirname, '../../..');
let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-sim-state-'));
  file = path.join(dir, 'fast.state.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('state file', () => {
  test('separate sessions see one machine with time passing between them', async () => {
    await withMachine({ scenario: 'fast', stateFile: file, clock: at(T0) }, (m) => m.requestStop('W3SVC'));
    const mid = await withMachine({ scenario: 'fast', stateFile: file, clock: at(T0 + 100) }, (m) => m.service('W3SVC')!.statusName);
    expect(mid).toBe('StopPending');
    const [after, ev] = await withMachine({ scenario: 'fast', stateFile: file, clock: at(T0 + 10_000) }, (m) => [
      m.service('W3SVC')!.statusName,
      m.events({ id: 7036, startTime: T0 })[0].timeCreated,
    ]);
    expect(after).toBe('Stopped');
    expect(ev).toBe(T0 + 250); // the moment it happened, not T0 + 10 s
  });

  test('the default location is per user and per scenario; IISCTL_SIM_STATE overrides it', () => {
    const saved = process.env.IISCTL_SIM_STATE;
    delete process.env.IISCTL_SIM_STATE;
    try {
      expect(stateFilePath({ scenario: 'hung-stop' })).toBe(path.join(os.homedir(), '.iisctl-sim', 'hung-stop.state.json'));
      process.env.IISCTL_SIM_STATE = path.join(dir, 'env.json');
      expect(stateFilePath({ scenario: 'hung-stop' })).toBe(path.join(dir, 'env.json'));
      expect(stateFilePath({ scenario: 'hung-stop', stateFile: file })).toBe(file);
    } finally {
      if (saved === undefined) delete process.env.IISCTL_SIM_STATE;
      else process.env.IISCTL_SIM_STATE = saved;
    }
  });

  test('a deleted state file is recreated from the scenario', async () => {
    await withMachine({ scenario: 'fast', stateFile: file, clock: at(T0) }, (m) => m.requestStop('W3SVC'));
    fs.rmSync(file);
    const st = await withMachine({ scenario: 'fast', stateFile: file, clock: at(T0 + 10_000) }, (m) => m.service('W3SVC')!.statusName);
    expect(st).toBe('Running');
  });

  test('a corrupted state file gives a clear error naming the file and how to reset; resetState fixes it', async () => {
    fs.writeFileSync(file, '{"format":"iisctl-sim-state", truncated');
    const err = await withMachine({ scenario: 'fast', stateFile: file }, () => 1).catch((e) => e);
    expect(err).toBeInstanceOf(SimStateError);
    expect(err.code).toBe('CORRUPT');
    expect(err.file).toBe(file);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/resetState\("fast", /);
    expect(() => parseState('{"format":"other"}', file, 'fast')).toThrow(/"format" is not "iisctl-sim-state"/);
    expect(fs.existsSync(`${file}.lock`)).toBe(false); // the lock was released
    resetState('fast', file);
    expect(await withMachine({ scenario: 'fast', stateFile: file }, (m) => m.service('WAS')!.statusName)).toBe('Running');
  });

  test('resetState brings back the scenario state in one call', () => {
    withMachineSync({ scenario: 'fast', stateFile: file, clock: at(T0) }, (m) => m.requestStop('WAS', { force: true }));
    withMachineSync({ scenario: 'fast', stateFile: file, clock: at(T0 + 10_000) }, () => undefined);
    expect(peekState({ stateFile: file })!.computers.WEB01.services.was.status).toBe('Stopped');
    expect(resetState('fast', file)).toBe(file);
    expect(peekState({ stateFile: file })!.computers.WEB01.services.was.status).toBe('Running');
  });

  test('a state file from another scenario is refused', async () => {
    resetState('fast', file);
    await expect(withMachine({ scenario: 'hung-stop', stateFile: file }, () => 1)).rejects.toMatchObject({ code: 'SCENARIO_MISMATCH' });
  });

  test('a stale lock left by a dead process is broken; a live one makes others wait then time out', async () => {
    resetState('fast', file);
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), at: Date.now(), token: 'dead' }));
    expect(await withMachine({ scenario: 'fast', stateFile: file }, () => 'ran')).toBe('ran');
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.pid, host: os.hostname(), at: Date.now(), token: 'live' }));
    const err = await withMachine({ scenario: 'fast', stateFile: file, lockTimeoutMs: 200 }, () => 'ran').catch((e) => e);
    expect(err).toMatchObject({ code: 'LOCK_TIMEOUT' });
    expect(err.message).toContain(`held by pid ${process.pid}`);
    fs.rmSync(`${file}.lock`);
  });
});

describe('the machine held in memory', () => {
  const o = () => ({ scenario: 'fast', stateFile: file });

  test('an access that changes nothing does not rewrite the state file; a change does; commands only append to the log', async () => {
    resetState('fast', file);
    const ino = () => fs.statSync(file).ino;
    const before = ino();
    await withMachine({ ...o(), clock: at(T0 + 1000) }, (m) => m.service('W3SVC')!.statusName);
    withMachineSync(o(), (m) => m.recordCommand('Get-Service W3SVC'));
    expect(ino()).toBe(before); // same file: never replaced
    expect(readCommandLog({ stateFile: file }).map((c) => c.text)).toEqual(['Get-Service W3SVC']);
    await withMachine(o(), (m) => m.requestStop('W3SVC'));
    expect(ino()).not.toBe(before);
    expect(peekState({ stateFile: file })!.computers.WEB01.services.w3svc.status).toBe('StopPending');
  });

  test('a change another process wrote is seen by the next access, even with the same size and time stamp', async () => {
    resetState('fast', file);
    await withMachine(o(), (m) => m.service('W3SVC')); // warm copy in memory
    const text = fs.readFileSync(file, 'utf8');
    const { mtime } = fs.statSync(file);
    const state = JSON.parse(text);
    state.computers.WEB01.services.w3svc.status = 'Stopped'; // was Running: same length
    const changed = JSON.stringify(state);
    expect(changed.length).toBe(text.length);
    fs.writeFileSync(file, changed);
    fs.utimesSync(file, mtime, mtime);
    expect(await withMachine(o(), (m) => m.service('W3SVC')!.statusName)).toBe('Stopped');
  });

  test('a host that finds its state file deleted fails (DELETED) and does not write its copy back on the way out', async () => {
    resetState('fast', file);
    const seen: string[] = [];
    const opts = { ...o(), requireExisting: true, onUnusable: (e: SimStateError) => seen.push(e.code) };
    await withMachine(opts, (m) => m.requestStop('W3SVC')); // this process's copy in memory
    fs.rmSync(file);
    await expect(withMachine(opts, (m) => m.service('W3SVC'))).rejects.toMatchObject({ code: 'DELETED' });
    expect(seen).toEqual(['DELETED']);
    releaseMachine(opts); // what the exit handler does
    expect(fs.existsSync(file)).toBe(false);
  });

  test('holdMachine keeps one lock across accesses, gives it back before a wait and when done', async () => {
    resetState('fast', file);
    const lock = `${file}.lock`;
    const host = new SimHost(o());
    const seen: boolean[] = [];
    await holdMachine(o(), async () => {
      await host.use((m) => m.requestStop('W3SVC'));
      seen.push(fs.existsSync(lock));
      expect(peekState({ stateFile: file })!.computers.WEB01.services.w3svc.status).toBe('StopPending'); // this process's view
      await host.sleep(1);
      seen.push(fs.existsSync(lock));
      await host.use((m) => m.service('W3SVC'));
      seen.push(fs.existsSync(lock));
    });
    seen.push(fs.existsSync(lock));
    expect(seen).toEqual([true, false, true, false]);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).computers.WEB01.services.w3svc.status).not.toBe('Running');
  });
});

describe('command log file', () => {
  const record = (texts: string[]) => withMachineSync({ scenario: 'fast', stateFile: file }, (m) => texts.forEach((t) => m.recordCommand(t)));
  const limitTo = (n: number) => withMachineSync({ scenario: 'fast', stateFile: file }, (_m, s) => void (s.world.state.commandLogLimit = n));

  test('the scripts live beside the state file, not in it; the machine and readCommandLog see them in order', () => {
    resetState('fast', file);
    record(['Get-Service W3SVC', 'Stop-Service W3SVC -NoWait']);
    record(['Get-Service WAS']);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('Stop-Service W3SVC');
    expect(fs.readFileSync(commandLogPath(file), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(readCommandLog({ stateFile: file }).map((c) => c.text)).toEqual(['Get-Service W3SVC', 'Stop-Service W3SVC -NoWait', 'Get-Service WAS']);
    const seen = withMachineSync({ scenario: 'fast', stateFile: file }, (m, s) => (m.recordCommand('pending'), s.world.commands().map((c) => c.seq)));
    expect(seen).toEqual([0, 1, 2, 3].map((i) => i + readCommandLog({ stateFile: file })[0].seq));
  });

  test('bounded: reads give the last commandLogLimit; the file is cut back once it has about twice that', () => {
    resetState('fast', file);
    limitTo(5);
    for (let i = 0; i < 120; i++) record([`cmd ${i}`]);
    expect(readCommandLog({ stateFile: file }).map((c) => c.text)).toEqual([115, 116, 117, 118, 119].map((i) => `cmd ${i}`));
    const lines = fs.readFileSync(commandLogPath(file), 'utf8').trim().split('\n').length;
    expect(lines).toBeLessThanOrEqual(5 * 2 + 100 + 1);
    expect(lines).toBeLessThan(120);
  });

  test('resetState and a deleted state file start a new machine with an empty log', () => {
    resetState('fast', file);
    record(['before reset']);
    resetState('fast', file);
    expect(readCommandLog({ stateFile: file })).toEqual([]);
    record(['before delete']);
    fs.rmSync(file);
    record(['after delete']);
    expect(readCommandLog({ stateFile: file }).map((c) => c.text)).toEqual(['after delete']);
  });

  test('a state file of the earlier format (log inside) is moved out on first use, nothing lost', () => {
    resetState('fast', file);
    const old = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete old.commandLogLines;
    old.commandLog = [{ seq: 0, at: T0, computer: 'WEB01', text: 'old one' }];
    old.nextCommandSeq = 1;
    fs.writeFileSync(file, JSON.stringify(old));
    record(['new one']);
    expect(readCommandLog({ stateFile: file }).map((c) => [c.seq, c.text])).toEqual([[0, 'old one'], [1, 'new one']]);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).not.toHaveProperty('commandLog');
  });

  test('a line torn by a crash is skipped, the rest still read, the next one not glued to it', () => {
    resetState('fast', file);
    record(['whole']);
    fs.appendFileSync(commandLogPath(file), '{"seq":9,"text":"cut sh');
    expect(readCommandLog({ stateFile: file }).map((c) => c.text)).toEqual(['whole']);
    record(['next']);
    expect(readCommandLog({ stateFile: file }).map((c) => c.text)).toEqual(['whole', 'next']);
  });
});

describe('concurrency', () => {
  // A child that loads the TypeScript sources directly (transpile only) and records N commands.
  const child = `
    const ts = require(${JSON.stringify(require.resolve('typescript'))});
    const fs = require('node:fs');
    require.extensions['.ts'] = (m, filename) => {
      const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        fileName: filename,
      });
      m._compile(out.outputText, filename);
    };
    const { withMachineSync } = require(${JSON.stringify(path.join(repo, 'lib/sim/state.ts'))});
    const [file, tag, n, go] = process.argv.slice(2);
    // Start together, so the writers really overlap: say ready, then wait for the parent's go file
    // (created once every child is loaded, however long loading took on a busy machine).
    fs.writeSync(1, 'ready');
    while (!fs.existsSync(go)) {}
    for (let i = 0; i < Number(n); i++) {
      withMachineSync({ scenario: 'fast', stateFile: file }, (m) => {
        m.recordCommand(tag + ' ' + i);
        // A read-modify-write of the machine itself: a stale in-memory copy would lose increments.
        const key = 'HKLM:' + String.fromCharCode(92) + 'SOFTWARE' + String.fromCharCode(92) + 'counter';
        m.createRegistryKey(key);
        const v = m.getRegistryValue(key, 'n');
        m.setRegistryValue(key, 'n', (v ? Number(v.value) : 0) + 1);
      });
    }
  `;

  /** A writer child: `ready` settles once it is loaded and waiting for the go file, `done` when it exited. */
  function runChild(script: string, tag: string, n: number, go: string): { ready: Promise<void>; done: Promise<void> } {
    const p = spawn(process.execPath, [script, file, tag, String(n), go], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    const done = new Promise<void>((resolve, reject) => p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child ${tag} exited ${code}: ${err}`)))));
    const ready = new Promise<void>((resolve, reject) => {
      p.stdout.once('data', () => resolve());
      done.catch(reject);
    });
    return { ready, done };
  }

  test('three processes writing concurrently lose no update', async () => {
    const script = path.join(dir, 'child.js');
    fs.writeFileSync(script, child);
    const n = 40;
    const go = path.join(dir, 'go');
    const children = ['A', 'B', 'C'].map((tag) => runChild(script, tag, n, go));
    await Promise.all(children.map((c) => c.ready));
    fs.writeFileSync(go, '');
    await Promise.all(children.map((c) => c.done));
    const state = peekState({ stateFile: file })!;
    const texts = readCommandLog({ stateFile: file }).map((c) => c.text);
    for (const tag of ['A', 'B', 'C']) {
      const mine = texts.filter((t) => t.startsWith(tag + ' '));
      expect(mine).toEqual(Array.from({ length: n }, (_, i) => `${tag} ${i}`)); // all there, in order
    }
    // Every command got its own number: the counter lives with the log, under the same lock.
    const seqs = readCommandLog({ stateFile: file }).map((c) => c.seq);
    expect(seqs).toEqual(Array.from({ length: 3 * n }, (_, i) => seqs[0] + i));
    expect(withMachineSync({ scenario: 'fast', stateFile: file }, (m) => m.getRegistryValue('HKLM:\\SOFTWARE\\counter', 'n')!.value)).toBe(3 * n);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
  }, 60_000);

  test('concurrent async sessions in one process serialise on the lock', async () => {
    resetState('fast', file);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withMachine({ scenario: 'fast', stateFile: file }, async (m) => {
          await new Promise((r) => setTimeout(r, 1));
          m.recordCommand(`async ${i}`);
        }),
      ),
    );
    expect(readCommandLog({ stateFile: file }).map((c) => c.text).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `async ${i}`).sort(),
    );
  });
});
