/**
 * The two engines a PowerShell snippet runs on for the interpreter's differential test
 * (interp-differential.test.ts): the simulator's interpreter in process (lib/sim/interp, the
 * generic cmdlets of lib/sim/cmdlets/core.ts) and one persistent real pwsh process
 * (run-snippets.ps1, batches of lines). Both run the same line: the snippet inside the library's
 * own envelope (lib/powershell/envelope.ts resultScript, toSingleLine), so what is compared is
 * what the library would see — {ok, data, error} — as data.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resultScript, toSingleLine } from '../../lib/powershell/envelope';
import { createInterpreter } from '../../lib/sim/interp';
import { batchDir, PWSH_COMMAND, REAL_DIR } from '../helpers/real-pwsh';

const MARKER = '@@IISCTL-DIFF@@';

/** What one engine made of a snippet. */
export interface Outcome {
  /** The envelope's result, parsed (undefined when no result line was written). */
  result?: { ok: boolean; data: unknown; error: { message?: string; type?: string; fullyQualifiedErrorId?: string; category?: string } | null };
  /** No result line: the line itself failed (a parse error of the snippet, an error outside the envelope's try). */
  failure?: { fullyQualifiedErrorId?: string; category?: string; message: string };
}

/** The one line the library would send for `body` (its result written with [Console]::Out). */
export function snippetLine(body: string): string {
  return toSingleLine(resultScript(body, `[Console]::Out.WriteLine('${MARKER}' + $iisctlJson)`));
}

function outcomeOf(stdout: string, failure: () => Outcome['failure']): Outcome {
  const line = stdout.split(/\r?\n/).find((l) => l.startsWith(MARKER));
  if (line === undefined) return { failure: failure() };
  return { result: JSON.parse(line.slice(MARKER.length)) as Outcome['result'] };
}

/**
 * Runs the snippets on one interpreter, as pwsh runs them in one process: each line runs in a
 * child scope of its own (`& ([scriptblock]::Create(...))`), so no variable carries over.
 */
export async function runOnInterpreter(bodies: string[]): Promise<Outcome[]> {
  const out: Outcome[] = [];
  const interp = createInterpreter({ computerName: 'WEB01', sleep: async () => undefined });
  for (const body of bodies) {
    let r: { stdout: string; stderr: string };
    try {
      r = await interp.runLine(snippetLine(body));
    } catch (e) {
      // Not PowerShell's behaviour in any case: an exception escaping the interpreter is a defect.
      out.push({ failure: { fullyQualifiedErrorId: 'InterpreterCrashed', message: String(e) } });
      continue;
    }
    out.push(
      outcomeOf(r.stdout, () => ({
        // The 5.1 NormalView's "+ FullyQualifiedErrorId : X" and "+ CategoryInfo : Category: (...)" lines.
        fullyQualifiedErrorId: /FullyQualifiedErrorId\s*:\s*(\S+)/.exec(r.stderr)?.[1],
        category: /CategoryInfo\s*:\s*(\w+)/.exec(r.stderr)?.[1],
        message: r.stderr.trim().split(/\r?\n/)[0] ?? '',
      })),
    );
  }
  return out;
}

/** One pwsh process (run-snippets.ps1) that runs batches of snippets until closed. */
export class PwshSnippets {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly dir = batchDir();
  private buffered = '';
  private stderr = '';
  private waiting?: { resolve: () => void; reject: (e: Error) => void };
  private batches = 0;

  constructor() {
    const command = PWSH_COMMAND!;
    this.child = spawn(command.command, [...command.args, '-NoLogo', '-NoProfile', '-NonInteractive', '-File', path.join(REAL_DIR, 'run-snippets.ps1')], {
      env: { ...process.env, TERM: 'dumb' },
    });
    this.child.stdout.on('data', (c: Buffer) => {
      this.buffered += c.toString('utf8');
      if (/(^|\n)(\x1b\[[0-9;?]*[a-zA-Z])*done\r?\n/.test(this.buffered)) {
        this.buffered = '';
        this.waiting?.resolve();
      }
    });
    this.child.stderr.on('data', (c: Buffer) => {
      this.stderr = (this.stderr + c.toString('utf8')).slice(-8000);
    });
    this.child.on('close', (code) => this.waiting?.reject(new Error(`run-snippets.ps1 ended (exit ${code}): ${this.stderr}`)));
  }

  /** Runs the snippets as one batch. */
  async run(bodies: string[]): Promise<Outcome[]> {
    const file = path.join(this.dir, `batch${this.batches++}.json`);
    fs.writeFileSync(file, JSON.stringify(bodies.map(snippetLine)));
    await new Promise<void>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.child.stdin.write(`${file}\n`);
    });
    this.waiting = undefined;
    const results = JSON.parse(fs.readFileSync(`${file}.out.json`, 'utf8').replace(/^\uFEFF/, '')) as Array<{ stdout: string; failure: Outcome['failure'] | null }>;
    return results.map((r) => outcomeOf(r.stdout, () => r.failure ?? { message: 'no result line and no error' }));
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.child.on('close', () => resolve()));
    this.waiting = undefined;
    this.child.stdin.end();
    await closed;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Forms that differ between Windows PowerShell 5.1 (the interpreter) and PowerShell 7 (pwsh) by
 * design, each with its public source; `normalise` maps both forms to one and counts each use.
 * Listed in lib/sim/README.md (5.1 vs 7 differences).
 */
export const DOCUMENTED = {
  dates: 'ConvertTo-Json writes a DateTime as "\\/Date(ms)\\/" in 5.1 and as ISO 8601 in 7 (learn.microsoft.com/powershell/module/microsoft.powershell.utility/convertto-json, 5.1 and 7.x pages)',
  escapes: "ConvertTo-Json escapes ' < > & as \\u0027 \\u003c \\u003e \\u0026 in 5.1 only (7 uses Newtonsoft.Json's default escaping: PowerShell/PowerShell ConvertToJsonCommand.cs)",
  jsonDoubles: 'ConvertTo-Json writes an integral Double as 2 in 5.1 (JavaScriptSerializer) and as 2.0 in 7 (Newtonsoft.Json; observed with pwsh 7.6.10; PowerShell/PowerShell src/Microsoft.PowerShell.Commands.Utility/commands/utility/WebCmdlet/JsonObject.cs serialises with Newtonsoft.Json)',
  keyOrder: 'a Hashtable enumerates its keys in hash order, which the interpreter does not model (it keeps insertion order; lib/sim/README.md "Not emulated")',
  dotnetTexts:
    ".NET's own exception texts differ between .NET Framework 4.x (5.1) and .NET 8+ (pwsh 7.6): \"Input string was not in a correct format.\" / \"The input string 'x' was not in a correct format.\", \"\\r\\nParameter name: x\" / \" (Parameter 'x')\" (.NET's resources, not PowerShell's; one such change: dotnet/runtime#95331)",
  doubleDigits:
    'a Double\'s .ToString() and -f write 15 significant digits on .NET Framework (5.1) and the shortest round-trip form on .NET Core 3.0+ (devblogs.microsoft.com/dotnet/floating-point-parsing-and-formatting-improvements-in-net-core-3-0); [string] and "$x" give 15 digits on both',
  jsonNull: 'ConvertTo-Json of $null writes nothing in 5.1 and the text null in 7 (PowerShell/PowerShell#10947, #15590)',
  commandNotFound:
    "CommandNotFoundException's text: 5.1 \"is not recognized as the name of a cmdlet, function, script file, or operable program.\", 7 \"...as a name of a cmdlet, function, script file, or executable program.\" and a line break (PowerShell/PowerShell src/System.Management.Automation/resources/DiscoveryExceptions.resx)",
} as const;
export type Documented = keyof typeof DOCUMENTED;

const COMMAND_NOT_FOUND = /is not recognized as (the|a) name of a cmdlet, function, script file, or (operable|executable) program\.\s*Check the spelling/g;

/** .NET's exception texts in their .NET Framework and .NET 8+ forms, made one ('dotnetTexts'). */
const DOTNET_TEXTS: Array<[RegExp, string]> = [
  [/(The input string '[^']*'|Input string) was not in a correct format\.( Failure to parse near offset \d+\. [^.]*\.)?/g, '<FormatException>'],
  [/(The string '[^']*'|String '[^']*'|String) was not recognized as a valid DateTime\.( There is an unknown word starting at index '\d+'\.)?/g, '<DateTime FormatException>'],
  [/The DateTime represented by the string( '[^']*')? is not supported in calendar '[^']*'\./g, '<DateTime calendar FormatException>'],
  [/\r?\nParameter name: (\w+)| \(Parameter '(\w+)'\)/g, ' <parameter>'],
];

/** Numbers with 16-17 significant digits (.NET Core's round-trip form), as 15 ('doubleDigits'). */
function fifteenDigits(text: string): string {
  return text.replace(/-?\d+\.\d{14,}/g, (n) => (n.replace(/[-.]/g, '').replace(/^0+/, '').length > 15 ? String(Number(Number(n).toPrecision(15))) : n));
}

/** A DateTime's JSON inside a longer text (a ConvertTo-Json result concatenated): both forms as one ('dates'). */
const JSON_DATES = /\\?\/Date\((-?\d+)\)\\?\/|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?/g;

function normaliseText(text: string, used: Set<Documented>): string {
  let out = text.replace(COMMAND_NOT_FOUND, '<is not a command>. Check the spelling');
  if (out !== text) used.add('commandNotFound');
  const dated = out.replace(JSON_DATES, (m, ms: string | undefined, _f, zone: string | undefined) => `<date ${ms ?? Date.parse(zone ? m : `${m}Z`)}>`);
  if (dated !== out) used.add('dates');
  out = dated;
  const before = out;
  for (const [re, by] of DOTNET_TEXTS) out = out.replace(re, by);
  if (out !== before) used.add('dotnetTexts');
  // An integral Double's JSON (jsonDoubles) inside a longer text: "11.0 pad " (7) / "11 pad " (5.1).
  const integral = out.replace(/\b(\d+)\.0\b(?!\.)/g, '$1');
  if (integral !== out) used.add('jsonDoubles');
  out = integral;
  const digits = fifteenDigits(out);
  if (digits !== out) used.add('doubleDigits');
  return digits;
}

const MS_DATE = /^\/Date\((-?\d+)\)\/$/;
const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/;

/** A value with both engines' forms of the DOCUMENTED differences made one; `used` collects which applied. */
export function normalise(value: unknown, used: Set<Documented>): unknown {
  if (typeof value === 'string') {
    const ms = MS_DATE.exec(value);
    if (ms) {
      used.add('dates');
      return { date: Number(ms[1]) };
    }
    if (ISO_DATE.test(value)) {
      used.add('dates');
      // A DateTime of Kind Unspecified has no offset in 7's form; both engines run on UTC here.
      return { date: Date.parse(/Z|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`) };
    }
    if (value === 'null') {
      used.add('jsonNull');
      return null;
    }
    if (/^-?\d+\.0$/.test(value)) {
      // ConvertTo-Json of an integral Double: 5.1 writes 2, 7 writes 2.0 (Newtonsoft.Json's form).
      used.add('jsonDoubles');
      return value.slice(0, -2);
    }
    if (/^[[{"]/.test(value)) {
      try {
        const parsed = JSON.parse(value) as unknown;
        if (/\\u00(27|3c|3e|26)/i.test(value)) used.add('escapes');
        return { json: normalise(parsed, used) };
      } catch {
        return normaliseText(value, used);
      }
    }
    return normaliseText(value, used);
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, used));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (sorted.some(([k], i) => k !== entries[i][0])) used.add('keyOrder');
    return Object.fromEntries(sorted.map(([k, v]) => [k, normalise(v, used)]));
  }
  return value;
}

/** What is compared of an outcome: the data, or the error's ids, category and types. */
export function comparable(o: Outcome, used: Set<Documented>): unknown {
  if (o.failure) return { failure: { fullyQualifiedErrorId: o.failure.fullyQualifiedErrorId, category: o.failure.category } };
  const r = o.result!;
  if (r.ok) return { data: normalise(r.data, used) };
  const e = r.error as Record<string, string | undefined>;
  // A .NET exception's own text (the base exception's message, quoted inside PowerShell's) is .NET's, not PowerShell's.
  const dotnet = e.baseType !== undefined && !e.baseType.startsWith('System.Management.Automation.');
  const message = dotnet && e.baseMessage ? e.message?.split(e.baseMessage).join('<.NET text>') : e.message;
  if (dotnet && message !== e.message) used.add('dotnetTexts');
  return { error: { fullyQualifiedErrorId: e.fullyQualifiedErrorId, category: e.category, type: e.type, baseType: e.baseType, message: message === undefined ? undefined : normaliseText(message, used) } };
}
