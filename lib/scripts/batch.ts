/**
 * Several commands in ONE PowerShell round trip: `batch({ toggle: readToggle(), before: readIisServices() })`.
 *
 * Each part runs in its own child scope (`& { ... }`, so no part sees another's variables) inside
 * its own try/catch, in the order given; a part that fails does not stop the next one. Each part's
 * answer is `{ ok, data }` or `{ ok: false, error }` with the same error details as the envelope
 * (envelope.ts ERROR_DETAILS), classified by the same rules (classify.ts), and parsed by the part's
 * own parser: so every part keeps its own semantics (a failed audit write stays a logged warning,
 * a failed read-back falls back to what was known, ...), only the round trips are fewer.
 *
 * Pure, like every builder: a batch is a PsCommand, so onComputer wraps the whole batch into ONE
 * Invoke-Command (the parts must be the plain commands, not commands already wrapped for a remote
 * computer), --dry-run shows it and the real-PowerShell tiers check it.
 *
 * With `{ untilFailure: true }` a part runs only when every part before it succeeded (a request,
 * then the first slice of the wait for it: no wait for a change that was never requested); a part
 * that did not run answers SKIPPED_PART.
 *
 * A batch waits on the host as long as its parts together (PsCommand.waitsMs), so the session's
 * call deadline stretches by their sum.
 *
 * A part's data travels two levels deeper in the result's JSON than a command run alone
 * (result -> part -> data), within the envelope's ConvertTo-Json -Depth 10.
 */
import { IisctlError } from '../errors';
import { classifyPowerShellError } from '../powershell/classify';
import { decodeResult, ERROR_DETAILS } from '../powershell/envelope';
import { joinCode, ps, PsCode } from '../powershell/quote';
import type { PsCommand } from './command';

/** One part's answer: its parsed value, or the error it failed with. */
export type PartResult<T> = { ok: true; value: T } | { ok: false; error: IisctlError };

/** What each part of a batch returns, under the part's key. */
export type BatchResult<P extends Record<string, PsCommand<unknown>>> = { [K in keyof P]: P[K] extends PsCommand<infer T> ? PartResult<T> : never };

const PART_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

/** The parts of every batch made, for stand-ins of a host that answer command by command (tests). */
const PARTS = new WeakMap<PsCommand<unknown>, Record<string, PsCommand<unknown>>>();

const OPTIONS = new WeakMap<PsCommand<unknown>, BatchOptions>();

/** The parts of a command made by batch(), or undefined for any other command. */
export function batchParts(command: PsCommand<unknown>): Record<string, PsCommand<unknown>> | undefined {
  return PARTS.get(command);
}

/** The options a command was made with by batch() (stand-ins of a host answer as the host would). */
export function batchOptions(command: PsCommand<unknown>): BatchOptions | undefined {
  return OPTIONS.get(command);
}

export interface BatchOptions {
  /** Run a part only when every part before it succeeded. */
  untilFailure?: boolean;
}

/** What a part that did not run (an earlier part failed, `untilFailure`) answers. */
export const SKIPPED_PART = 'skipped: an earlier part of the batch failed';

/** The parts of a batch, each parsed by its own parser (undefined parts are left out); `host` names where a part's error happened. */
export function batch<P extends Record<string, PsCommand<unknown>>>(parts: P, host?: string, options: BatchOptions = {}): PsCommand<BatchResult<P>> {
  const entries = Object.entries(parts).filter(([, c]) => c !== undefined);
  if (entries.length === 0) throw new IisctlError('FAILED', 'A batch of commands needs at least one part.');
  for (const [key] of entries) if (!PART_KEY.test(key)) throw new IisctlError('FAILED', `A batch part is named ${JSON.stringify(key)}; part names are letters and digits.`);
  const script = joinCode([
    ps`$iisctlBatch = [ordered]@{}
$iisctlBatchFailed = $false`,
    ...entries.map(([key, c]) => (options.untilFailure ? ps`if (-not $iisctlBatchFailed) {
${partScript(key, c.script)}
}` : partScript(key, c.script))),
    ps`$iisctlBatch`,
  ]);
  const waits = entries.map(([, c]) => c.waitsMs ?? 0).reduce((a, b) => a + b, 0);
  const command: PsCommand<BatchResult<P>> = {
    purpose: entries.map(([, c]) => c.purpose).join('; '),
    script,
    parse: (data) => {
      const answers = data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
      const out: Record<string, PartResult<unknown>> = {};
      for (const [key, c] of entries) out[key] = partResult(answers[key], c, host, options.untilFailure === true);
      return out as BatchResult<P>;
    },
    ...(waits > 0 ? { waitsMs: waits } : {}),
  };
  PARTS.set(command, Object.fromEntries(entries));
  OPTIONS.set(command, options);
  return command;
}

/** A part: its body in a child scope, its answer (or its error's details) under its key. */
function partScript(key: string, body: PsCode): PsCode {
  // The body on lines of its own, not re-indented (a multi-line string literal would change).
  const open = ps`try {
    $iisctlPart = & {`;
  const close = ps`    }
    $iisctlBatch[${key}] = [ordered]@{ ok = $true; data = $iisctlPart; error = $null }
} catch {
    $iisctlBatchFailed = $true
    $iisctlBase = $_.Exception.GetBaseException()
    $iisctlBatch[${key}] = [ordered]@{ ok = $false; data = $null; error = ${new PsCode(ERROR_DETAILS)} }
}`;
  return joinCode([open, body, close]);
}

function partResult<T>(answer: unknown, command: PsCommand<T>, host: string | undefined, mayBeSkipped: boolean): PartResult<T> {
  if (answer === undefined && mayBeSkipped) return { ok: false, error: new IisctlError('FAILED', `${command.purpose}: ${SKIPPED_PART}.`, { host }) };
  if (answer === undefined) return { ok: false, error: new IisctlError('FAILED', `No answer for "${command.purpose}" in the batch's result.`, { host }) };
  let decoded;
  try {
    decoded = decodeResult(answer);
  } catch (error) {
    return { ok: false, error: error as IisctlError };
  }
  if (!decoded.ok) return { ok: false, error: classifyPowerShellError(decoded.error!, host) };
  try {
    return { ok: true, value: command.parse(decoded.data) };
  } catch (error) {
    return { ok: false, error: error instanceof IisctlError ? error : new IisctlError('FAILED', (error as Error).message, { cause: error }) };
  }
}
