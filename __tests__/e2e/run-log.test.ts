/**
 * --log-file holds a record of every run at its default level: the start (command, host, user,
 * reason), each step, the result (outcome, exit code, duration), failures at error level. The
 * README's scheduled-task recipe is run as written (with a local log path).
 * And several hosts of a stop/restart go one after another unless --parallel is given: read from
 * the same log, whose lines are in the order things happened.
 * The recipe runs as a process, as the scheduled task runs it; the other runs in process (runCli).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inProcessMachine, SimMachine, tempDir } from '../helpers/cli';
import { scenarioFile } from '../helpers/sim';

type Line = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function readLog(file: string): Line[] {
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
}

/** The arguments of the README's scheduled-task action, taken from the README itself. */
function recipeArgs(logFile: string): string[] {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const m = /main\.js (restart [^>]*?)--log-file (\S+) >>/.exec(readme);
  expect(m).not.toBeNull();
  expect(m![2]).toMatch(/iisctl\.log$/);
  return [...m![1].trim().split(/\s+/), '--log-file', logFile];
}

describe('--log-file at its default level', () => {
  it("the README's scheduled-task recipe writes start, every step and the result", async () => {
    const m = new SimMachine();
    const log = path.join(tempDir(), 'iisctl.log');
    const args = recipeArgs(log);
    expect(args).toEqual(['restart', '--timeout', '60', '--reason', 'nightly', '--json', '--log-file', log]);
    const r = await m.run(args);
    expect(r.code).toBe(0);
    const lines = readLog(log);
    const start = lines.find((l) => l.record === 'start' && l.command === 'restart');
    expect(start).toMatchObject({ level: 'info', command: 'restart', host: 'localhost', reason: 'nightly', user: expect.any(String) });
    const steps = lines.filter((l) => l.record === 'step').map((l) => [l.step, l.targets, l.outcome]);
    expect(steps).toEqual([
      ['stop', ['W3SVC'], 'ok'],
      ['stop', ['WAS'], 'ok'],
      ['start', ['WAS'], 'ok'],
      ['start', ['W3SVC'], 'ok'],
    ]);
    const result = lines.filter((l) => l.record === 'result').pop();
    expect(result).toMatchObject({ level: 'info', command: 'restart', host: 'localhost', outcome: 'succeeded', exitCode: 0, durationMs: expect.any(Number) });
    // The order is the order of events: start, steps, result.
    expect(lines.indexOf(start!)).toBeLessThan(lines.findIndex((l) => l.record === 'step'));
    expect(lines.indexOf(result!)).toBe(lines.length - 1);
    // Logs never reach stdout: it holds the one JSON document.
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ ok: true, command: 'restart' });
  });

  it('a failed restart is logged at error level with its exit code, and stderr is not doubled', async () => {
    const m = inProcessMachine(scenarioFile('hung-stop'), { clock: 'virtual' });
    const log = path.join(tempDir(), 'iisctl.log');
    const r = await m.run(['restart', '--timeout', '1', '--reason', 'nightly', '--log-file', log]);
    expect(r.code).toBe(3);
    const lines = readLog(log);
    expect(lines.find((l) => l.record === 'step' && l.step === 'stop')).toMatchObject({ level: 'warn', outcome: 'timeout', targets: ['W3SVC'] });
    const result = lines.filter((l) => l.record === 'result').pop();
    expect(result).toMatchObject({ level: 'error', outcome: 'failed', exitCode: 3, code: 'TIMEOUT' });
    expect(result!.message).toMatch(/W3SVC \(StopPending\)/);
    // stderr has the CLI's own error line once, not the log records too.
    expect(r.stderr.match(/W3SVC \(StopPending\)/g)).toHaveLength(1);
  });

  it('a read-only command is recorded too', async () => {
    const m = inProcessMachine(undefined, { clock: 'virtual' });
    const log = path.join(tempDir(), 'iisctl.log');
    expect((await m.run(['status', '--log-file', log])).code).toBe(0);
    expect(readLog(log).map((l) => [l.record, l.command, l.outcome])).toEqual([
      ['start', 'status', undefined],
      ['result', 'status', 'succeeded'],
    ]);
  });
});

describe('several hosts', () => {
  const order = (lines: Line[]) => lines.filter((l) => l.command === 'restart' && (l.record === 'start' || l.record === 'result')).map((l) => `${l.record} ${l.host}`);

  it('restart goes one host after another by default', async () => {
    const m = inProcessMachine(scenarioFile('farm'), { clock: 'virtual' });
    const log = path.join(tempDir(), 'iisctl.log');
    const r = await m.run(['-c', 'WEB01', '-c', 'WEB02', 'restart', '--log-file', log]);
    expect(r.code).toBe(0);
    expect(order(readLog(log))).toEqual(['start WEB01', 'result WEB01', 'start WEB02', 'result WEB02']);
  });

  it('--parallel 2 works on both at once', async () => {
    const m = inProcessMachine(scenarioFile('farm'), { clock: 'virtual' });
    const log = path.join(tempDir(), 'iisctl.log');
    const r = await m.run(['-c', 'WEB01', '-c', 'WEB02', 'restart', '--parallel', '2', '--log-file', log]);
    expect(r.code).toBe(0);
    expect(order(readLog(log)).slice(0, 2)).toEqual(['start WEB01', 'start WEB02']);
  });
});
