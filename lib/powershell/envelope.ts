/**
 * The script envelope: how a script body travels to PowerShell and how its one result comes back.
 *
 * Outbound: the body is wrapped so that it runs with $ErrorActionPreference='Stop', progress and
 * warnings silenced, inside try/catch, and ends by writing exactly one line: a per-call marker
 * plus compressed JSON {ok, data, error}. The whole script is then sent as ONE pure-ASCII line
 * that builds the script from literals into a scriptblock on the host (toSingleLine), because
 * `powershell -Command -` reads stdin like interactive typing (a multi-line script can hang in
 * block mode), decodes stdin with the OEM code page, and a syntax error inside
 * [scriptblock]::Create becomes an ordinary error instead of a hang
 * (docs/sources.md §P0, §P2.1, §P2.2).
 *
 * Inbound: only the marker line is read; warnings, host output and stderr noise never decide
 * success. Non-ASCII characters in the JSON are \u-escaped on the host so no console code page can
 * corrupt them (docs/sources.md §P2.2, "belt and braces"). Never `exit` in a body: it ends powershell.exe.
 */
import { randomBytes } from 'node:crypto';
import { IisctlError, PowerShellErrorDetails } from '../errors';
import { parsePsJson } from './json';
import { PsCode } from './quote';

const MARKER_PREFIX = '@@IISCTL-RESULT:';
/** ANSI control sequences (CSI ... final byte) at the start of a line. */
const LEADING_TERMINAL_CONTROL = /^(?:\u001b\[[0-9;?]*[ -/]*[@-~])+/;

export interface WrappedScript {
  /** The single ASCII line to write to PowerShell's stdin. */
  line: string;
  /** The decoded script (what PowerShell compiles), for --dry-run and debugging. */
  script: string;
  /** The marker that starts this call's result line. */
  marker: string;
}

export interface EnvelopeResult {
  ok: boolean;
  data: unknown;
  error: PowerShellErrorDetails | null;
}

/** A fresh marker per call, so no output of an earlier call (or a hostile value) can pose as the result. */
export function newMarker(): string {
  return `${MARKER_PREFIX}${randomBytes(9).toString('hex')}@@`;
}

/**
 * The details of the error in $_ as an [ordered] hashtable expression (needs $iisctlBase =
 * $_.Exception.GetBaseException()). One place for the envelope and for the remote block
 * (scripts/remote.ts), so an error is classified the same wherever it happened. The base
 * exception's HResult is sent too: a COM error wrapped in another exception (0x800710D8 inside a
 * MethodInvocationException) is only there.
 */
export const ERROR_DETAILS =
  '[ordered]@{ message = $_.Exception.Message; type = $_.Exception.GetType().FullName; fullyQualifiedErrorId = $_.FullyQualifiedErrorId; category = [string]$_.CategoryInfo.Category; hresult = $_.Exception.HResult; baseMessage = $iisctlBase.Message; baseType = $iisctlBase.GetType().FullName; win32Code = $iisctlBase.NativeErrorCode; baseHresult = $iisctlBase.HResult }';

/**
 * A body run for one result: preferences, try/catch, and `finish`, a statement that delivers the
 * compressed, ASCII-only JSON {ok, data, error} held in $iisctlJson.
 */
export function resultScript(body: string, finish: string): string {
  return [
    "$ErrorActionPreference = 'Stop'",
    "$ProgressPreference = 'SilentlyContinue'",
    "$WarningPreference = 'SilentlyContinue'",
    'try {',
    '    $iisctlData = & {',
    // Not re-indented: that would change the value of a multi-line string literal in the body.
    body,
    '    }',
    '    $iisctlPayload = [ordered]@{ ok = $true; data = $iisctlData; error = $null }',
    '} catch {',
    '    $iisctlBase = $_.Exception.GetBaseException()',
    `    $iisctlPayload = [ordered]@{ ok = $false; data = $null; error = ${ERROR_DETAILS} }`,
    '}',
    'try {',
    '    $iisctlJson = ConvertTo-Json -InputObject $iisctlPayload -Depth 10 -Compress',
    '} catch {',
    "    $iisctlJson = ConvertTo-Json -InputObject ([ordered]@{ ok = $false; data = $null; error = [ordered]@{ message = 'The result could not be converted to JSON: ' + $_.Exception.Message; type = $_.Exception.GetType().FullName; fullyQualifiedErrorId = $_.FullyQualifiedErrorId; category = [string]$_.CategoryInfo.Category; hresult = $_.Exception.HResult } }) -Depth 10 -Compress",
    '}',
    // Every non-ASCII UTF-16 unit becomes \uXXXX (surrogate pairs as two escapes, which JSON accepts).
    "$iisctlJson = [regex]::Replace($iisctlJson, '[^\\x00-\\x7F]', { param($m) '\\u{0:x4}' -f [int][char]$m.Value })",
    finish,
  ].join('\n');
}

/** The envelope's parameter: the marker its result line starts with. */
const MARKER_VARIABLE = 'iisctlMarker';

/**
 * The full script for a body: preferences, try/catch, one result line. The call's marker is its
 * one argument ($iisctlMarker), not part of its text: PowerShell keeps the compiled form of each
 * script text it creates (ScriptBlock.Create looks the text up in a cache of up to 1 024 texts,
 * TryGetCachedScriptBlock in
 * https://github.com/PowerShell/PowerShell/blob/master/src/System.Management.Automation/engine/runtime/CompiledScriptBlock.cs,
 * 5.1's System.Management.Automation has the same cache), so the second status() sends a text
 * PowerShell has already compiled; a marker written into the text made every call a new text.
 */
export function buildEnvelopeScript(body: PsCode): string {
  return `param([string]$${MARKER_VARIABLE})\n${resultScript(body.text, `[Console]::Out.WriteLine($${MARKER_VARIABLE} + $iisctlJson)`)}`;
}

/**
 * The wire format of one call, written by the library and read back by the simulated host
 * (lib/sim/host.ts): `& ([scriptblock]::Create((-join @(ITEMS)))) 'ARGUMENT'` (the argument, the
 * call's marker, only for the envelope: buildEnvelopeScript) where each of ITEMS is
 * - a single-quoted literal of printable ASCII (a ' doubled),
 * - "`n", "`r" or "`t" for a line feed, carriage return or tab (escape sequences of double-quoted
 *   strings in Windows PowerShell 5.1 too: https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_special_characters?view=powershell-5.1),
 * - `[char]N` for one other UTF-16 unit (other controls, non-ASCII), and
 *   `(-join [char[]](N,N,...))` for a run of two or more of them.
 * So the line is pure ASCII (no console code page can damage it), a single complete statement (no
 * block-mode hang), a syntax error in the script is an error of [scriptblock]::Create rather than a
 * hang, and the line holds the script's own words and nothing else: none of PowerShell's
 * suspicious-content words (suspicious.ts; FromBase64String, which the base64 form used, is one),
 * so a normal call is not logged as a Warning 4104 event.
 * Why escapes and runs rather than a `[char]N` per unit: every cast in the line is one more
 * conversion PowerShell compiles for this call (the line itself is new text for every call: its
 * marker argument), and a `[char]10` per line end made the line cost more to compile than the script it
 * carries (pwsh 7.6 here: 16 ms against 1.2 ms per line for a 100-line script).
 */
const LINE_START = '& ([scriptblock]::Create((-join @(';
const LINE_END = '))))';
const PRINTABLE = /^[\x20-\x7e]$/;
const ESCAPES: Record<string, string> = { '\n': '"`n"', '\r': '"`r"', '\t': '"`t"' };
const UNESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t' };

/** A trailing argument of a line: one single-quoted literal of printable ASCII. */
const ARGUMENT = / '((?:[\x20-\x26\x28-\x7e]|'')*)'$/;

/**
 * One ASCII line that makes PowerShell build and run `script` in a child scope (see LINE_START),
 * with `argument` (printable ASCII) as its one argument when given.
 */
export function toSingleLine(script: string, argument?: string): string {
  const items: string[] = [];
  let literal = '';
  let codes: number[] = [];
  const flush = (): void => {
    if (literal) items.push(`'${literal}'`);
    literal = '';
    if (codes.length === 1) items.push(`[char]${codes[0]}`);
    else if (codes.length > 1) items.push(`(-join [char[]](${codes.join(',')}))`);
    codes = [];
  };
  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (PRINTABLE.test(ch)) {
      if (codes.length) flush();
      literal += ch === "'" ? "''" : ch;
    } else if (ESCAPES[ch]) {
      flush();
      items.push(ESCAPES[ch]);
    } else {
      if (literal) flush();
      codes.push(script.charCodeAt(i));
    }
  }
  flush();
  if (items.length === 0) items.push("''");
  const passed = argument === undefined ? '' : ` '${argument.replace(/'/g, "''")}'`;
  if (passed && !ARGUMENT.test(passed)) throw new RangeError('a line argument is printable ASCII');
  return `${LINE_START}${items.join(',')}${LINE_END}${passed}`;
}

/** The script a line of toSingleLine's format carries (without its argument), or undefined for any other line. */
export function fromSingleLine(line: string): string | undefined {
  const t = line.trim().replace(ARGUMENT, '');
  if (!t.startsWith(LINE_START) || !t.endsWith(LINE_END)) return undefined;
  const inner = t.slice(LINE_START.length, t.length - LINE_END.length);
  const item = /'((?:[^']|'')*)'|\[char\](\d{1,5})|"`([nrt])"|\(-join \[char\[\]\]\((\d{1,5}(?:,\d{1,5})+)\)\)/y;
  let out = '';
  let i = 0;
  while (i < inner.length) {
    item.lastIndex = i;
    const m = item.exec(inner);
    if (!m) return undefined;
    if (m[1] !== undefined) out += m[1].replace(/''/g, "'");
    else if (m[2] !== undefined) out += String.fromCharCode(Number(m[2]));
    else if (m[3] !== undefined) out += UNESCAPES[m[3]];
    else out += String.fromCharCode(...m[4].split(',').map(Number));
    i = item.lastIndex;
    if (i < inner.length) {
      if (inner[i] !== ',') return undefined;
      i++;
    }
  }
  return out;
}

export function wrapScript(body: PsCode, marker: string = newMarker()): WrappedScript {
  const script = buildEnvelopeScript(body);
  return { line: toSingleLine(script, marker), script, marker };
}

/**
 * Finds this call's result line in stdout and decodes it. Returns undefined when there is none
 * (the script did not run to the end: a parse error, a crash, an `exit`).
 */
export function readEnvelope(stdout: string, marker: string): EnvelopeResult | undefined {
  // PowerShell 7's console host writes terminal mode switches (ESC[?1h ESC[?1l, seen from pwsh 7.6
  // with redirected stdin) in front of the next output line: they are not part of the result.
  const lines = stdout
    .split(/\r?\n/)
    .map((l) => l.replace(LEADING_TERMINAL_CONTROL, ''))
    .filter((l) => l.startsWith(marker));
  if (lines.length === 0) return undefined;
  if (lines.length > 1) {
    throw new IisctlError('FAILED', 'PowerShell returned more than one result for one call.', {
      details: { resultLines: lines.length },
    });
  }
  const [value] = parsePsJson(lines[0].slice(marker.length));
  return decodeResult(value);
}

/** The {ok, data, error} object of a result (the envelope's, or a remote block's: scripts/remote.ts). */
export function decodeResult(value: unknown): EnvelopeResult {
  if (!value || typeof value !== 'object' || Array.isArray(value) || typeof (value as { ok?: unknown }).ok !== 'boolean') {
    throw new IisctlError('FAILED', 'PowerShell returned a result line that is not an iisctl envelope.');
  }
  const record = value as { ok: boolean; data?: unknown; error?: unknown };
  return { ok: record.ok, data: record.data ?? null, error: record.ok ? null : toErrorDetails(record.error) };
}

function toErrorDetails(raw: unknown): PowerShellErrorDetails {
  const e = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  return {
    message: text(e.message) ?? 'PowerShell reported an error without a message.',
    type: text(e.type),
    fullyQualifiedErrorId: text(e.fullyQualifiedErrorId),
    category: text(e.category),
    hresult: typeof e.hresult === 'number' ? e.hresult : undefined,
    baseMessage: text(e.baseMessage),
    baseType: text(e.baseType),
    win32Code: typeof e.win32Code === 'number' ? e.win32Code : undefined,
    baseHresult: typeof e.baseHresult === 'number' ? e.baseHresult : undefined,
  };
}
