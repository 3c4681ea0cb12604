/**
 * Output that fits: the progress line cut to the terminal and cleared before any other text,
 * stderr warnings in the CLI's one-line style with a long WinRM text once, a forced pool stop
 * that terminated workers says so, NO_COLOR= (empty) keeps colour (https://no-color.org).
 */
import { spawnSync } from 'node:child_process';
import { clearLiveProgress, Output, Stream } from '../../lib/cli/render';
import { CLI, hasScript, inProcessMachine, SimMachine } from '../helpers/cli';
import { scenarioFile } from '../helpers/sim';

class Terminal implements Stream {
  text = '';
  isTTY = true;
  constructor(readonly columns: number) {}
  write(t: string): boolean {
    this.text += t;
    return true;
  }
}

describe('the live progress line', () => {
  it('is cut to the terminal width and cleared before an error and on Ctrl-C', () => {
    const err = new Terminal(40);
    const out = new Output({ json: false, quiet: false, stdout: new Terminal(40), stderr: err });
    out.progress('localhost', 'stopping', ['W3SVC', 'WAS', 'NetTcpActivator', 'NetPipeActivator', 'NetMsmqActivator'], 1200, 20_000);
    const line = err.text.replace('\r\u001b[2K', '');
    expect([...line].length).toBeLessThanOrEqual(39);
    out.error('iisctl: something');
    expect(err.text.endsWith('\r\u001b[2Kiisctl: something\n')).toBe(true);
    // Ctrl-C text is written around Output (main.ts): the line is cleared first.
    out.progress('localhost', 'stopping', ['W3SVC'], 1300, 20_000);
    const before = err.text.length;
    clearLiveProgress();
    expect(err.text.slice(before)).toBe('\r\u001b[2K');
    clearLiveProgress(); // nothing shown: nothing written
    expect(err.text.length).toBe(before + '\r\u001b[2K'.length);
  });
});

describe('stderr', () => {
  it('retry warnings are one line each in the CLI style; the long WinRM text appears once', async () => {
    const m = inProcessMachine(scenarioFile('farm'), { clock: 'virtual' });
    const r = await m.run(['-c', 'WEB03', 'status']);
    expect(r.code).toBe(7);
    const lines = r.stderr.trim().split('\n');
    const warnings = lines.filter((l) => l.includes('warning'));
    expect(warnings.length).toBeGreaterThan(0);
    for (const w of warnings) expect(w).toMatch(/^iisctl: warning: retrying .* \(UNREACHABLE; attempt \d of \d\)$/);
    expect(r.stderr.match(/WinRM cannot complete the operation/g)).toHaveLength(1);
  });
});

describe('pool stop --force', () => {
  it('a stop that terminated the workers of a pool already stopping says so, not "no (already so)"', async () => {
    const m = inProcessMachine(scenarioFile('pool-hung-stop'));
    // Spawned: the timeout's exit code as the OS sees it; the runs after it in process, on the same machine.
    expect((await m.run(['pool', 'stop', 'DefaultAppPool', '--timeout', '1'], { spawned: true })).code).toBe(3);
    const r = await m.run(['pool', 'stop', 'DefaultAppPool', '--force', '--timeout', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^DefaultAppPool\s+Stopping\s+Stopped\s+yes \(workers terminated\)/m);
    expect(r.stdout).not.toMatch(/already so/);
    const j = await m.json(['pool', 'stop', 'DefaultAppPool', '--force']);
    expect(j.doc.result.targets[0].changed).toBe(false); // now it really was already stopped
  });
});

(hasScript() ? describe : describe.skip)('NO_COLOR', () => {
  const colourRun = (noColor: string) => {
    const m = new SimMachine();
    const env: NodeJS.ProcessEnv = { ...m.env({ COLUMNS: '120', TERM: 'xterm-256color' }), NO_COLOR: noColor };
    delete env.CI;
    const cmd = [process.execPath, CLI, `--simulate=${m.scenario}`, 'status'].map((s) => `'${s}'`).join(' ');
    return spawnSync('script', ['-qfec', cmd, '/dev/null'], { env, encoding: 'utf8', timeout: 60_000 }).stdout;
  };
  it('empty keeps colour; any value turns it off', () => {
    expect(colourRun('')).toMatch(/\u001b\[32mRunning/);
    expect(colourRun('1')).not.toMatch(/\u001b\[3\dm/);
  });
});
