/**
 * Fast stand-ins for the orchestration layer's unit tests: no process, no simulator, no real time.
 *
 * A test file routes every command to a FakeSession with
 *   jest.mock('../../../lib/scripts/command', () => require('./fake-host').commandModule());
 * so runCommand() hands the PsCommand itself (its purpose and script) to the session, which answers
 * with a scripted, already typed result (or throws). Every call is recorded in order, so a test
 * asserts what was sent, in what order, and how the code reacted to each answer.
 *
 * Time: tests use jest's modern fake timers (Date.now and setTimeout are both virtual) and run()
 * advances them until the operation settles, so a 60 s timeout costs no real time.
 */
import type { PsCommand } from '../../../lib/scripts/command';
import type { ServiceInfo } from '../../../lib/scripts/services';
import { IisctlError } from '../../../lib/errors';
import { batchOptions, batchParts, SKIPPED_PART } from '../../../lib/scripts/batch';
import type { Logger } from '../../../lib/log';
import type { PowerShellSession } from '../../../lib/powershell/session';

export interface Call {
  purpose: string;
  /** The script's loggable text. */
  script: string;
  /** The per-call deadline asked for (lock commands). */
  timeoutMs?: number;
  /** Virtual time of the call. */
  at: number;
  /** True when made inside readBack() (a fresh process after the session was lost). */
  readBack: boolean;
  /** The round trip it was part of (calls of one batch share it). */
  trip: number;
}

type Answer = (command: PsCommand<unknown>, call: Call) => unknown;
/** A function computes the answer (or throws); any other value is the answer. */
type Scripted = Answer | object | string | number | boolean | null | undefined;
interface Rule {
  match: RegExp;
  answer: Answer;
  /** Answers left (undefined: unlimited). */
  left?: number;
}

/** The module mock: runCommand goes to the FakeSession it is given. */
export function commandModule(): object {
  const actual = jest.requireActual('../../../lib/scripts/command');
  return {
    ...actual,
    runCommand: (session: FakeSession, command: PsCommand<unknown>, options: { timeoutMs?: number } = {}) => session.handle(command, options),
  };
}

export class FakeSession {
  readonly calls: Call[] = [];
  readonly stats = { calls: 0, spawns: 1, timeouts: 0, deaths: 0 };
  /** Set by a test to model a closed session or a dead pinned process. */
  lost = false;
  pinned = false;
  pins = 0;
  unpins = 0;
  readBacks = 0;
  private readingBack = 0;
  private readonly rules: Rule[] = [];

  /** Answers every command whose purpose matches (the latest matching rule wins). */
  on(match: RegExp | string, answer: Scripted): this {
    this.rules.unshift({ match: toRegExp(match), answer: typeof answer === 'function' ? (answer as Answer) : () => answer });
    return this;
  }

  /** Answers the next `times` matching commands, then falls back to the earlier rules. */
  once(match: RegExp | string, answer: Scripted, times = 1): this {
    this.rules.unshift({ match: toRegExp(match), answer: typeof answer === 'function' ? (answer as Answer) : () => answer, left: times });
    return this;
  }

  /**
   * One round trip. A batch (lib/scripts/batch.ts) is answered part by part, each part recorded as
   * a call of its own (in order, sharing the round trip) and answered by the rules, its failure
   * being that part's error as the host would report it: the answer is the batch's parsed result.
   */
  async handle(command: PsCommand<unknown>, options: { timeoutMs?: number }): Promise<unknown> {
    this.stats.calls++;
    const trip = this.stats.calls;
    const parts = batchParts(command);
    if (parts) {
      await Promise.resolve();
      const out: Record<string, unknown> = {};
      const untilFailure = batchOptions(command)?.untilFailure === true;
      for (const [key, part] of Object.entries(parts)) {
        // As on the host: after a failed part, an `untilFailure` batch runs nothing more.
        if (untilFailure && Object.values(out).some((o) => !(o as { ok: boolean }).ok)) {
          out[key] = { ok: false, error: new IisctlError('FAILED', `${part.purpose}: ${SKIPPED_PART}.`) };
          continue;
        }
        try {
          out[key] = { ok: true, value: await this.answer(part, options, trip, false) };
        } catch (error) {
          // A failure of the whole process (died, closed, timed out) fails the round trip, not a part.
          if (error instanceof IisctlError && /^SESSION_/.test(error.code)) throw error;
          out[key] = { ok: false, error };
        }
      }
      return out;
    }
    return this.answer(command, options, trip, true);
  }

  private async answer(command: PsCommand<unknown>, options: { timeoutMs?: number }, trip: number, yieldFirst: boolean): Promise<unknown> {
    const call: Call = { purpose: command.purpose, script: command.script.safeText, timeoutMs: options.timeoutMs, at: Date.now(), readBack: this.readingBack > 0, trip };
    this.calls.push(call);
    // A real call is a round trip: let timers and other promises run in between.
    if (yieldFirst) await Promise.resolve();
    const rule = this.rules.find((r) => r.match.test(command.purpose) && r.left !== 0);
    if (!rule) throw new Error(`fake host: nothing scripted for ${JSON.stringify(command.purpose)}`);
    if (rule.left !== undefined) rule.left--;
    return rule.answer(command, call);
  }

  /** Purposes in order, optionally only those matching. */
  purposes(match?: RegExp): string[] {
    return this.calls.map((c) => c.purpose).filter((p) => !match || match.test(p));
  }

  pin(): boolean {
    this.pinned = true;
    this.pins++;
    return true;
  }

  unpin(): void {
    this.pinned = false;
    this.unpins++;
  }

  async readBack<T>(fn: () => Promise<T>): Promise<T> {
    this.readBacks++;
    this.readingBack++;
    try {
      return await fn();
    } finally {
      this.readingBack--;
    }
  }

  get isClosed(): boolean {
    return false;
  }

  /** Typed as the real session for the controllers' options. */
  get asSession(): PowerShellSession {
    return this as unknown as PowerShellSession;
  }
}

function toRegExp(m: RegExp | string): RegExp {
  return typeof m === 'string' ? new RegExp(`^${m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) : m;
}

/** Audit events written, as "action outcome" (from the event's message in the script). */
export function audits(session: FakeSession): string[] {
  return session.calls
    .filter((c) => c.purpose.startsWith('write the audit event'))
    .map((c) => /iisctl (\S+) (succeeded|failed)/.exec(c.script)?.slice(1).join(' ') ?? '?');
}

/** Lets the fake clock run until the promise settles (a virtual minute per real millisecond or so). */
export async function run<T>(p: Promise<T>, stepMs = 50, maxMs = 3_600_000): Promise<T> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let t = 0; !settled && t < maxMs; t += stepMs) await jest.advanceTimersByTimeAsync(stepMs);
  if (!settled) throw new Error(`still running after ${maxMs} virtual ms`);
  return p;
}

/** The error a promise rejects with (run on the fake clock). */
export async function failure(p: Promise<unknown>): Promise<IisctlError> {
  try {
    await run(p);
  } catch (e) {
    return e as IisctlError;
  }
  throw new Error('expected a failure, but it succeeded');
}

/** A logger that keeps every record (level, message, meta). */
export function recordingLogger(): Logger & { records: Array<{ level: string; message: string; meta?: Record<string, unknown> }> } {
  const records: Array<{ level: string; message: string; meta?: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => void records.push({ level, message, meta });
  const logger = {
    records,
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    log: (level: string, message: string, meta?: Record<string, unknown>) => void records.push({ level, message, meta }),
  };
  return logger as unknown as Logger & { records: typeof records };
}

export function service(name: string, status: string, extra: Partial<ServiceInfo> = {}): ServiceInfo {
  return { name, displayName: `${name} display`, status, startType: 'Automatic', processId: status === 'Stopped' ? 0 : 100 + name.length, dependsOn: [], sharedWith: [], ...extra };
}

/** Names a service request names ("request stop of A, B"). */
export function namesOf(purpose: string): string[] {
  return purpose.replace(/^request \w+ of /, '').split(', ');
}
