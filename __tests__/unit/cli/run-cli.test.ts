/**
 * runCli (lib/cli/main.ts): a command line in this process writes only to the streams it is given
 * and reads only the environment it is given; the process entry is the one that passes the
 * process's own.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { peekState } from '../../../lib/sim/state';
import { runInProcess, SCENARIOS, tempDir } from '../../helpers/cli';

jest.setTimeout(120_000);

describe('runCli', () => {
  let written: string[];
  let spies: jest.SpyInstance[];
  beforeEach(() => {
    written = [];
    const record = (chunk: unknown): boolean => {
      written.push(String(chunk));
      return true;
    };
    spies = [jest.spyOn(process.stdout, 'write').mockImplementation(record), jest.spyOn(process.stderr, 'write').mockImplementation(record), jest.spyOn(console, 'log').mockImplementation(record), jest.spyOn(console, 'error').mockImplementation(record)];
  });
  afterEach(() => spies.forEach((s) => s.mockRestore()));

  it("writes help, iisreset usage, errors, logs and results to the given streams, never to the process's", async () => {
    const env = { IISCTL_SIM_STATE: path.join(tempDir(), 'state.json') };
    const scenario = `--simulate=${path.join(SCENARIOS, 'fast.json')}`;
    const help = await runInProcess(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}iisctl status\b/m);
    const usage = await runInProcess(['/?'], env);
    expect(usage.stdout).toContain('/RESTART');
    const bad = await runInProcess(['stop', '--timeout', 'soon'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^iisctl: .*timeout/m);
    const status = await runInProcess([scenario, 'status', '--log-level', 'debug'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^W3SVC\s/m);
    expect(status.stderr).toMatch(/^iisctl: debug: /m);
    const json = await runInProcess([scenario, 'status', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, command: 'status', exitCode: 0 });
    expect(written).toEqual([]);
  });

  it('reads IISCTL_SIM_STATE and IISCTL_SIM_SCENARIO from the environment it is given', async () => {
    const stateFile = path.join(tempDir(), 'given.json');
    expect(process.env.IISCTL_SIM_STATE).not.toBe(stateFile);
    const r = await runInProcess(['--simulate', 'sim', 'reset'], { IISCTL_SIM_STATE: stateFile, IISCTL_SIM_SCENARIO: 'farm' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Simulated machine reset to scenario 'farm' (state file ${stateFile})`);
    expect(peekState({ stateFile })?.scenario).toBe('farm');
    // The in-process host works on that machine: WEB02 exists in farm only.
    expect((await runInProcess(['--simulate', '-c', 'WEB02', 'status'], { IISCTL_SIM_STATE: stateFile, IISCTL_SIM_SCENARIO: 'farm' })).code).toBe(0);
    expect(written).toEqual([]);
  });

  it('returns only once the log file holds everything, every line whole (a process would have waited for the writes anyway)', async () => {
    const env = { IISCTL_SIM_STATE: path.join(tempDir(), 'state.json') };
    const log = path.join(tempDir(), 'iisctl.log');
    const r = await runInProcess([`--simulate=${path.join(SCENARIOS, 'fast.json')}`, 'status', '--log-level', 'debug', '--log-file', log], env);
    expect(r.code).toBe(0);
    const text = fs.readFileSync(log, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { record?: string; level: string; message: string });
    expect(lines.filter((l) => l.record === 'result')).toEqual([expect.objectContaining({ command: 'status', outcome: 'succeeded' })]);
    // The last thing logged: the connection closed after the result.
    expect(lines[lines.length - 1].message).toBe('closing iisctl connection');
  });
});
