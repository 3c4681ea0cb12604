/**
 * Runs iisctl against the simulated host, each test on its own state file (IISCTL_SIM_STATE):
 * spawned as built (`node dist/cli/main.js`, its host a second process), optionally under a
 * pseudo-terminal (util-linux `script`); or, for a machine made with { inProcess: true }, in this
 * Node process (runCli of lib/cli/main.ts, its host the simulator's in-process transport), where
 * what is asserted is output and exit codes, not what only a process shows.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { runCli as runCliHere } from '../../lib/cli/main';
import { VirtualClock } from '../../lib/sim/clock';

import { localComputer, SCENARIOS, scenarioFile, tempDir } from './sim';

export { localComputer, SCENARIOS, tempDir };
export const ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(ROOT, 'dist/cli/main.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A bundled scenario changed for one test, written to a temp file. */
export function changedScenario(name: string, change: (scenario: Json) => void): string {
  return scenarioFile(name, change);
}

/** One simulated machine (its own state file) and a way to run iisctl against it. */
export class SimMachine {
  readonly stateFile = path.join(tempDir(), 'state.json');
  /** run() calls runCli in this process, unless told { spawned: true }. */
  readonly inProcess: boolean;
  /**
   * In process on virtual time: one auto-advancing clock for every run on this machine (the
   * machine's time and iisctl's waits), so simulated seconds cost no real time and no run can be
   * cut short by a loaded machine. It starts at the wall time (a state file never lies in its future).
   */
  readonly clock: VirtualClock | undefined;

  constructor(
    readonly scenario: string = path.join(SCENARIOS, 'fast.json'),
    options: { inProcess?: boolean; clock?: 'virtual' } = {},
  ) {
    this.inProcess = options.inProcess === true;
    this.clock = this.inProcess && options.clock === 'virtual' ? new VirtualClock(Date.now(), { auto: true }) : undefined;
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, IISCTL_SIM_STATE: this.stateFile, ...extra };
    delete env.NO_COLOR;
    delete env.FORCE_COLOR;
    return env;
  }

  /**
   * iisctl --simulate=<scenario> ...args (the simulate option first, as a user would type it);
   * spawned: a process even on an in-process machine (the real entry point, same state file).
   */
  run(args: string[], options: { env?: Record<string, string>; simulate?: boolean; spawned?: boolean } = {}): Promise<CliRun> {
    const full = options.simulate === false ? args : [`--simulate=${this.scenario}`, ...args];
    return this.inProcess && !options.spawned ? runInProcess(full, this.env(options.env), this.clock) : runCli(full, this.env(options.env));
  }

  async json(args: string[], options: { spawned?: boolean } = {}): Promise<{ code: number; doc: Json; stderr: string }> {
    const r = await this.run([...args, '--json'], options);
    return { code: r.code, doc: parseOneDocument(r.stdout), stderr: r.stderr };
  }

  /** Under a pseudo-terminal: stdout and stderr arrive merged on the terminal. */
  runTty(args: string[]): CliRun {
    const quoted = [process.execPath, CLI, `--simulate=${this.scenario}`, ...args].map(shellQuote).join(' ');
    // A colour terminal, whatever the machine running the tests has: Node's hasColors() says no
    // without TERM and under CI=true, and that is the behaviour iisctl follows.
    const env = this.env({ COLUMNS: '120', TERM: 'xterm-256color' });
    delete env.CI;
    const r = spawnSync('script', ['-qfec', quoted, '/dev/null'], { env, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }
}

/**
 * A simulated machine whose runs are in this process (run(args, { spawned: true }) spawns one);
 * clock 'virtual': on one virtual clock (SimMachine.clock).
 */
export function inProcessMachine(scenario?: string, options: { clock?: 'virtual' } = {}): SimMachine {
  return new SimMachine(scenario, { inProcess: true, ...options });
}

export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A stream that keeps what is written to it (not a terminal, as a pipe to a spawned CLI is not). */
class Captured extends Writable {
  text = '';
  readonly isTTY = false;

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** iisctl in this process: runCli with the streams captured, --simulate on the in-process host (on `clock`, if given). */
export async function runInProcess(args: string[], env: NodeJS.ProcessEnv, clock?: VirtualClock): Promise<CliRun> {
  const stdout = new Captured();
  const stderr = new Captured();
  const code = await runCliHere({ argv: args, env, stdout, stderr, simulator: { inProcess: true, clock } });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** stdout must be exactly one JSON document and nothing else. */
export function parseOneDocument(stdout: string): Json {
  const text = stdout.trim();
  expect(text.startsWith('{')).toBe(true);
  expect(text.endsWith('}')).toBe(true);
  return JSON.parse(text) as Json; // throws on a second document or any extra text
}

export function hasScript(): boolean {
  return spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).status === 0;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
