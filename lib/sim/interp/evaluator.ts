/**
 * The PowerShell language interpreter of the simulated host (see lib/sim/README.md for the
 * supported subset). Walks the plain AST copied from tree-sitter-powershell (./ast.ts).
 *
 * Execution model:
 * - pipelines run stage by stage (each command gets all the objects of the previous one);
 * - terminating errors are JS exceptions (PsTerminatingError); statement-terminating errors that
 *   no try/catch is waiting for are reported and the next statement runs, unless
 *   $ErrorActionPreference is Stop; `throw` ends the whole line (script-terminating);
 * - non-terminating errors go through CmdletContext.writeError and the redirection sinks.
 * Anything outside the subset throws an error record saying the simulated host does not support it.
 */
import { loadParser } from '../parser';
import { Catalog, BindingError, CommandArg, ACTION_PREFERENCES } from '../catalog';
import {
  BreakSignal, ContinueSignal, ExitSignal, PsErrorRecord, PsTerminatingError, ReturnSignal,
  errorRecordObject, formatErrorRecord, makeError, recordOf, ErrorPosition, ErrorCategory,
} from '../errors';
import {
  PsBytes, PsChar, PsDateTime, PsEnum, PsHashtable, PsInt64, PsObject, PsScriptBlock, PsType, PsValue,
  collapse, enumerate, integral, isArray, isTrue, toStr, typeNameOf, asList,
} from '../values';
import { Ast, copyTree, named } from './ast';
import { Scope } from './scope';
import { compositeFormat, expandEscapes, FormatError, hereStringBody, verbatimString } from './strings';
import {
  ConversionError, UnsupportedCast, UnsupportedOperator, UnsupportedRegex, arith, canonicalTypeName,
  convertTo, netRegex, psCompare, psEquals, typeMatches, wildcardToRegex, toNumber,
} from './operators';
import {
  HostHooks, MethodFailure, NO_MEMBER, NotSupported, callMethod, getProperty, netReplacement,
  newUtf8Encoding, setProperty, setStaticMember, staticMember,
} from './dotnet';
import { formatForHost } from './format';
import type { CmdletContext, CmdletImpl, CommandTable, NativeImpl } from './types';
import { realClock } from '../clock';

export interface InterpreterOptions {
  cmdlets: Map<string, CmdletImpl>;
  nativeCommands?: Map<string, NativeImpl>;
  catalog?: Catalog;
  /** Opaque machine facade handed to cmdlets. */
  host?: unknown;
  computerName?: string;
  userName?: string;
  /** [Environment]::UserDomainName; the computer name when not given (a local account). */
  userDomainName?: string;
  /** $PID: the process id of the host process. */
  processId?: number;
  /**
   * The process's environment ([Environment]::GetEnvironmentVariable/SetEnvironmentVariable):
   * each simulated powershell.exe has its own, the one it was started with; changed in place.
   * Default: this Node process's (the process host is that powershell.exe).
   */
  environment?: Record<string, string | undefined>;
  /** Clock (ms since epoch) and sleep; default real time. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Streaming sinks (in addition to the strings runLine returns). */
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
  /** Receives error records written to the error stream at top level (instead of stderr text): remoting forwards them. */
  onError?: (rec: PsErrorRecord) => void;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Set when the script ran `exit N`: the host process must exit with this code. */
  exitCode?: number;
}

interface ScriptSource {
  source: string;
  lines: string[];
  name?: string;
}

interface Frame {
  scope: Scope;
  script: ScriptSource;
  /** The statement being executed (error positions of method failures and throw). */
  statement?: Ast;
}

interface Sinks {
  error?: (rec: PsErrorRecord) => void;
  warning?: (text: string) => void;
  host?: (text: string) => void;
}

type ErrorAction = 'Stop' | 'Continue' | 'SilentlyContinue' | 'Ignore' | 'Inquire' | 'Suspend';

const SIM = 'not supported by the simulated host';

/** Error raised for constructs outside the supported subset (always loud). */
function unsupported(what: string): PsTerminatingError {
  return new PsTerminatingError(
    makeError('System.NotSupportedException', `${what} is ${SIM} (iisctl simulator).`, 'NotSupportedBySimulatedHost', 'NotImplemented'),
  );
}

/** The RuntimeException record of a failed conversion or operation, with the exceptions it wraps. */
function conversionRecord(e: ConversionError, category: ErrorCategory): PsErrorRecord {
  const rec = makeError('System.Management.Automation.RuntimeException', e.message, e.fqid, e.category ?? category);
  if (e.inner) rec.exception = { ...rec.exception, inner: e.inner };
  return rec;
}

export class Interpreter {
  readonly catalog: Catalog;
  readonly global = new Scope(undefined, true);
  private readonly cmdlets = new Map<string, CmdletImpl>();
  private readonly natives = new Map<string, NativeImpl>();
  private readonly functions = new Map<string, PsScriptBlock>();
  /** Function names as written (keys of `functions` are lower-case). */
  private readonly functionNames = new Map<string, string>();
  private readonly errors: PsValue[] = [];
  private out = '';
  private err = '';
  private sinks: Sinks[] = [];
  private tryDepth = 0;
  /** Errors being handled by the catch blocks now running, innermost last (bare `throw` rethrows). */
  private readonly handling: { rec: PsErrorRecord; body: Ast; source: string }[] = [];
  private outputEncoding: PsValue = null;
  private queue: Promise<unknown> = Promise.resolve();
  private exited?: number;
  /** Set by Remove-TypeData -TypeName System.Array (kept for fidelity bookkeeping). */
  arrayTypeDataRemoved = false;

  constructor(private readonly opts: InterpreterOptions) {
    this.catalog = opts.catalog ?? Catalog.load();
    for (const [name, impl] of opts.cmdlets) {
      const canonical = this.catalog.resolve(name);
      if (!canonical) throw new Error(`cmdlet ${name} is not in the 5.1 catalog; the simulator only runs documented cmdlets`);
      this.cmdlets.set(canonical.toLowerCase(), impl);
    }
    for (const [name, impl] of opts.nativeCommands ?? []) this.natives.set(name.toLowerCase().replace(/\.exe$/, ''), impl);
    const g = this.global;
    g.setLocal('true', true);
    g.setLocal('false', false);
    g.setLocal('null', null);
    g.setLocal('ErrorActionPreference', 'Continue');
    g.setLocal('ProgressPreference', 'Continue');
    g.setLocal('WarningPreference', 'Continue');
    g.setLocal('VerbosePreference', 'SilentlyContinue');
    g.setLocal('DebugPreference', 'SilentlyContinue');
    g.setLocal('InformationPreference', 'SilentlyContinue');
    g.setLocal('Error', this.errors);
    g.setLocal('OFS', ' ');
    g.setLocal('PSVersionTable', this.psVersionTable());
    g.setLocal('PSHOME', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0');
    g.setLocal('MaximumHistoryCount', 4096);
    if (opts.processId !== undefined) g.setLocal('PID', opts.processId);
  }

  /** $PSVersionTable of Windows PowerShell 5.1 (major/minor only; build numbers vary by OS). */
  private psVersionTable(): PsHashtable {
    const h = new PsHashtable();
    h.set('PSVersion', '5.1');
    h.set('PSEdition', 'Desktop');
    return h;
  }

  get computerName(): string {
    return this.opts.computerName ?? 'IISHOST';
  }

  // -------------------------------------------------------------------------------------------
  // Entry points
  // -------------------------------------------------------------------------------------------

  /** Runs one line of `-Command -` input (lines are serialized, like the console host). */
  runLine(line: string): Promise<RunResult> {
    const run = this.queue.then(() => this.runNow(line));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Whether `exit` has been executed (the host process should be gone). */
  get exitCode(): number | undefined {
    return this.exited;
  }

  private async runNow(line: string): Promise<RunResult> {
    this.out = '';
    this.err = '';
    if (this.exited !== undefined) return { stdout: '', stderr: '', exitCode: this.exited };
    const frame: Frame = { scope: this.global, script: scriptSource(line) };
    let exitCode: number | undefined;
    try {
      const parsed = await parse(line);
      if (parsed.error) {
        // A top-level parse error prints its own "At line" block (ParserError,
        // ParentContainsErrorRecordException in 5.1 output).
        this.report({ ...parsed.error, position: undefined, exception: { ...parsed.error.exception, typeName: 'System.Management.Automation.ParentContainsErrorRecordException' } });
      } else {
        const output = await this.execBody(parsed.ast, frame, true);
        this.outDefault(output);
      }
    } catch (e) {
      if (e instanceof ExitSignal) {
        exitCode = e.code;
        this.exited = e.code;
      } else if (e instanceof PsTerminatingError) {
        this.recordError(e.record);
        this.report(e.record);
      } else if (e instanceof BreakSignal || e instanceof ContinueSignal || e instanceof ReturnSignal) {
        if (e instanceof ReturnSignal) this.outDefault(e.value);
      } else {
        throw e;
      }
    }
    return { stdout: this.out, stderr: this.err, exitCode };
  }

  // -------------------------------------------------------------------------------------------
  // Output streams
  // -------------------------------------------------------------------------------------------

  writeStdout(text: string): void {
    this.out += text;
    this.opts.onStdout?.(text);
  }
  writeStderr(text: string): void {
    this.err += text;
    this.opts.onStderr?.(text);
  }
  private outDefault(items: PsValue[]): void {
    if (items.length) this.writeStdout(formatForHost(items));
  }
  private report(rec: PsErrorRecord): void {
    this.writeStderr(formatErrorRecord(rec));
  }
  private recordError(rec: PsErrorRecord): void {
    const obj = errorRecordObject(rec);
    if (this.errors[0] === obj) return;
    this.errors.unshift(obj);
    if (this.errors.length > 256) this.errors.length = 256;
  }
  private currentSink<K extends keyof Sinks>(k: K): Sinks[K] | undefined {
    for (let i = this.sinks.length - 1; i >= 0; i--) if (this.sinks[i][k]) return this.sinks[i][k];
    return undefined;
  }
  private emitError(rec: PsErrorRecord): void {
    const sink = this.currentSink('error');
    if (sink) sink(rec);
    else if (this.opts.onError) this.opts.onError(rec);
    else this.report(rec);
  }
  private emitWarning(text: string): void {
    const sink = this.currentSink('warning');
    if (sink) sink(text);
    else this.writeStdout(`WARNING: ${text}\n`);
  }
  private emitHost(text: string): void {
    const sink = this.currentSink('host');
    if (sink) sink(text);
    else this.writeStdout(text + '\n');
  }

  private preference(scope: Scope, name: string): ErrorAction {
    const v = scope.get(name);
    const s = v instanceof PsEnum ? v.name : toStr(v ?? 'Continue');
    const m = ACTION_PREFERENCES.find((a) => a.toLowerCase() === s.toLowerCase());
    return (m ?? 'Continue') as ErrorAction;
  }

  // -------------------------------------------------------------------------------------------
  // Statements
  // -------------------------------------------------------------------------------------------

  /** Runs a program / script block body: param block, named blocks or a statement list. */
  private async execBody(node: Ast, frame: Frame, topLevel = false): Promise<PsValue[]> {
    const out: PsValue[] = [];
    for (const c of node.children) {
      if (c.type === 'statement_list') out.push(...(await this.execStatements(c, frame, topLevel)));
      else if (c.type === 'param_block') continue;
      else if (c.type === 'script_block_body') out.push(...(await this.execBody(c, frame, topLevel)));
      else if (c.type === 'named_block_list') out.push(...(await this.execNamedBlocks(c, frame, [])));
      else if (c.named) throw unsupported(`'${c.type}' at this position`);
    }
    return out;
  }

  private async execNamedBlocks(list: Ast, frame: Frame, input: PsValue[]): Promise<PsValue[]> {
    const out: PsValue[] = [];
    const blocks = named(list).map((b) => ({ name: named(b).find((x) => x.type === 'block_name')?.text.toLowerCase() ?? '', body: named(b).find((x) => x.type === 'statement_block') }));
    const run = async (name: string) => {
      const b = blocks.find((x) => x.name === name);
      if (b?.body) out.push(...(await this.execBlock(b.body, frame)));
    };
    await run('begin');
    if (blocks.some((b) => b.name === 'process')) {
      for (const item of input.length ? input : [null]) {
        frame.scope.setLocal('_', item);
        frame.scope.setLocal('PSItem', item);
        await run('process');
      }
    }
    await run('end');
    return out;
  }

  private async execBlock(block: Ast, frame: Frame): Promise<PsValue[]> {
    const list = block.children.find((c) => c.type === 'statement_list');
    return list ? this.execStatements(list, frame) : [];
  }

  private async execStatements(list: Ast, frame: Frame, topLevel = false): Promise<PsValue[]> {
    const out: PsValue[] = [];
    for (const stmt of named(list)) {
      const saved = frame.statement;
      frame.statement = stmt;
      try {
        out.push(...(await this.execStatement(stmt, frame)));
      } catch (e) {
        if (e instanceof ReturnSignal) throw new ReturnSignal([...out, ...e.value]);
        if (e instanceof BreakSignal || e instanceof ContinueSignal) {
          e.partial = [...out, ...e.partial];
          throw e;
        }
        // A statement-terminating error nobody catches: report it and go on with the next
        // statement, unless $ErrorActionPreference is Stop or it came from `throw`.
        if (e instanceof PsTerminatingError && !e.scriptTerminating && this.tryDepth === 0 && this.preference(frame.scope, 'ErrorActionPreference') !== 'Stop') {
          this.recordError(e.record);
          this.emitError(e.record);
          continue;
        }
        if (topLevel && e instanceof PsTerminatingError) {
          this.outDefault(out);
          out.length = 0;
        }
        throw e;
      } finally {
        frame.statement = saved;
      }
    }
    return out;
  }

  private async execStatement(stmt: Ast, frame: Frame): Promise<PsValue[]> {
    switch (stmt.type) {
      case 'pipeline':
        return this.execPipeline(stmt, frame);
      case 'empty_statement':
        return [];
      case 'if_statement':
        return this.execIf(stmt, frame);
      case 'foreach_statement':
        return this.execForeach(stmt, frame);
      case 'for_statement':
        return this.execFor(stmt, frame);
      case 'while_statement':
        return this.execWhile(stmt, frame);
      case 'do_statement':
        return this.execDo(stmt, frame);
      case 'try_statement':
        return this.execTry(stmt, frame);
      case 'flow_control_statement':
        return this.execFlow(stmt, frame);
      case 'switch_statement':
        return this.execSwitch(stmt, frame);
      case 'function_statement':
        return this.defineFunction(stmt, frame);
      case 'statement_block':
        return this.execBlock(stmt, frame);
      default:
        throw unsupported(`the '${stmt.type.replace(/_/g, ' ')}'`);
    }
  }

  private async execIf(stmt: Ast, frame: Frame): Promise<PsValue[]> {
    const parts = named(stmt);
    const cond = parts.find((p) => p.type === 'pipeline')!;
    const block = parts.find((p) => p.type === 'statement_block')!;
    if (isTrue(await this.pipelineValue(cond, frame))) return this.execBlock(block, frame);
    for (const part of parts) {
      if (part.type === 'elseif_clauses') {
        for (const clause of named(part)) {
          const c = named(clause);
          if (isTrue(await this.pipelineValue(c.find((x) => x.type === 'pipeline')!, frame))) {
            return this.execBlock(c.find((x) => x.type === 'statement_block')!, frame);
          }
        }
      }
      if (part.type === 'else_clause') return this.execBlock(named(part)[0], frame);
    }
    return [];
  }

  private async loopBody(block: Ast, frame: Frame, out: PsValue[]): Promise<'break' | 'continue' | undefined> {
    try {
      out.push(...(await this.execBlock(block, frame)));
      return undefined;
    } catch (e) {
      if (e instanceof BreakSignal || e instanceof ContinueSignal) out.push(...e.partial);
      if (e instanceof BreakSignal) return 'break';
      if (e instanceof ContinueSignal) return 'continue';
      throw e;
    }
  }

  private async execForeach(stmt: Ast, frame: Frame): Promise<PsValue[]> {
    const parts = named(stmt);
    if (parts.some((p) => p.type === 'foreach_parameter')) throw unsupported('foreach -parallel');
    const variable = parts.find((p) => p.type === 'variable')!;
    const source = parts.find((p) => p.type === 'pipeline')!;
    const block = parts.find((p) => p.type === 'statement_block')!;
    const items = asList(await this.pipelineValue(source, frame));
    const out: PsValue[] = [];
    for (const item of items) {
      this.assignVariable(variable, item, frame);
      if ((await this.loopBody(block, frame, out)) === 'break') break;
    }
    return out;
  }

  private async execFor(stmt: Ast, frame: Frame): Promise<PsValue[]> {
    const parts = named(stmt);
    const init = parts.find((p) => p.type === 'for_initializer');
    const cond = parts.find((p) => p.type === 'for_condition');
    const iter = parts.find((p) => p.type === 'for_iterator');
    const block = parts.find((p) => p.type === 'statement_block')!;
    const out: PsValue[] = [];
    if (init) await this.execPipeline(named(init)[0], frame);
    for (;;) {
      if (cond && !isTrue(await this.pipelineValue(named(cond)[0], frame))) break;
      if ((await this.loopBody(block, frame, out)) === 'break') break;
      if (iter) await this.execPipeline(named(iter)[0], frame);
    }
    return out;
  }

  private async execWhile(stmt: Ast, frame: Frame): Promise<PsValue[]> {
    const parts = named(stmt);
    const cond = named(parts.find((p) => p.type === 'while_condition')!)[0];
    const block = parts.find((p) => p.type === 'statement_block')!;
    const out: PsValue[] = [];
    while (isTrue(await this.pipelineValue(cond, frame))) {
      if ((await this.loopBody(block, frame, out)) === 'break') break;
    }
    return out;
  }

  private async execDo(stmt: Ast, frame: Frame): Promise<PsValue[]> {
    const parts = named(stmt);
    const block = parts.find((p) => p.type === 'statement_block')!;
    const cond = named(parts.find((p) => p.type === 'while_condition')!)[0];
    const until = stmt.children.some((c) => c.type === 'until');
    const out: PsValue[] = [];
    for (;;) {
      if ((await this.loopBody(block, frame, out)) === 'break') break;
      const v = isTrue(await this.pipelineValue(cond, frame));
      if (until ? v : !v) break;
    }
    return out;
  }

  private async execTry(stmt: Ast, frame: Frame): Promise<PsValue[]> {
    const parts = named(stmt);
    const body = parts[0];
    const catches = parts.find((p) => p.type === 'catch_clauses');
    const fin = parts.find((p) => p.type === 'finally_clause');
    if (!catches && !fin) throw unsupported('try without catch or finally');
    const out: PsValue[] = [];
    try {
      this.tryDepth++;
      try {
        out.push(...(await this.execBlock(body, frame)));
      } finally {
        this.tryDepth--;
      }
    } catch (e) {
      if (!(e instanceof PsTerminatingError) || !catches) throw e;
      const rec = e.record;
      this.recordError(rec);
      let handled = false;
      for (const clause of named(catches)) {
        const types = clause.children.find((c) => c.type === 'catch_type_list');
        if (types && !named(types).some((t) => exceptionMatches(rec, typeLiteralName(t)))) continue;
        const errObj = errorRecordObject(rec);
        const savedUnder = frame.scope.lookup('_') ? frame.scope.get('_') : undefined;
        frame.scope.setLocal('_', errObj);
        frame.scope.setLocal('PSItem', errObj);
        const catchBody = clause.children.find((c) => c.type === 'statement_block')!;
        this.handling.push({ rec, body: catchBody, source: frame.script.source });
        try {
          out.push(...(await this.execBlock(catchBody, frame)));
        } finally {
          this.handling.pop();
          if (savedUnder !== undefined) frame.scope.setLocal('_', savedUnder);
        }
        handled = true;
        break;
      }
      if (!handled) throw e;
    } finally {
      if (fin) out.push(...(await this.execBlock(named(fin)[0], frame)));
    }
    return out;
  }

  private async execFlow(stmt: Ast, frame: Frame): Promise<PsValue[]> {
    const keyword = stmt.children[0].type.toLowerCase();
    const arg = named(stmt).find((c) => c.type === 'pipeline');
    const label = named(stmt).find((c) => c.type === 'label_expression');
    if (label) throw unsupported('loop labels');
    switch (keyword) {
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
      case 'return':
        throw new ReturnSignal(arg ? await this.execPipeline(arg, frame) : []);
      case 'exit': {
        const v = arg ? await this.pipelineValue(arg, frame) : 0;
        const code = v === null ? 0 : toNumber(v);
        this.global.setLocal('LASTEXITCODE', code);
        throw new ExitSignal(code);
      }
      case 'throw': {
        const caught = arg ? undefined : this.rethrowable(stmt, frame);
        if (caught) throw new PsTerminatingError(caught, true);
        throw this.throwError(arg ? await this.pipelineValue(arg, frame) : null, stmt, frame);
      }
      default:
        throw unsupported(`'${keyword}'`);
    }
  }

  /**
   * A bare `throw` written inside a catch block (script blocks within it included, functions
   * defined elsewhere not) rethrows the error being handled unchanged, as a script-terminating
   * error; anywhere else it throws ScriptHalted. ThrowStatementAst.IsRethrow, Microsoft Learn
   * (https://learn.microsoft.com/dotnet/api/system.management.automation.language.throwstatementast.isrethrow);
   * checked against pwsh: `try { try { Get-Item nope } catch { throw } } catch { $_.FullyQualifiedErrorId }`
   * gives PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand, and the rethrow ends the script.
   */
  private rethrowable(stmt: Ast, frame: Frame): PsErrorRecord | undefined {
    for (let i = this.handling.length - 1; i >= 0; i--) {
      const h = this.handling[i];
      if (h.source === frame.script.source && stmt.start >= h.body.start && stmt.end <= h.body.end) return h.rec;
    }
    return undefined;
  }

  /**
   * `throw`: a string becomes a RuntimeException whose FullyQualifiedErrorId is the message
   * itself, category OperationStopped, target the string ("+ CategoryInfo : OperationStopped:
   * (Bad thing happened:String) [], RuntimeException / + FullyQualifiedErrorId : Bad thing
   * happened", public 5.1 transcripts); an ErrorRecord is rethrown as is.
   */
  private throwError(v: PsValue, stmt: Ast, frame: Frame): PsTerminatingError {
    const rec = recordOf(v);
    if (rec) return new PsTerminatingError(rec, true);
    if (v instanceof PsObject && v.typeNames.includes('System.Exception')) {
      const msg = toStr(v.getProperty('Message') ?? null);
      return new PsTerminatingError(
        makeError(v.typeName, msg, v.typeName, 'OperationStopped', null, { position: this.position(stmt, frame) }),
        true,
      );
    }
    const message = v === null ? 'ScriptHalted' : toStr(v);
    return new PsTerminatingError(
      makeError('System.Management.Automation.RuntimeException', message, message, 'OperationStopped', v, { position: this.position(stmt, frame) }),
      true,
    );
  }

  private async execSwitch(stmt: Ast, frame: Frame): Promise<PsValue[]> {
    const params = named(stmt).find((c) => c.type === 'switch_parameters');
    const flags = params ? named(params).map((p) => p.text.toLowerCase()) : [];
    if (flags.some((f) => !['-wildcard', '-regex', '-casesensitive', '-exact'].includes(f))) throw unsupported('switch -file/-parallel');
    const cond = named(named(stmt).find((c) => c.type === 'switch_condition')!).find((c) => c.type === 'pipeline')!;
    const body = named(stmt).find((c) => c.type === 'switch_body')!;
    const clauses = named(named(body).find((c) => c.type === 'switch_clauses') ?? body).filter((c) => c.type === 'switch_clause');
    const cs = flags.includes('-casesensitive');
    const out: PsValue[] = [];
    const items = asList(await this.pipelineValue(cond, frame));
    outer: for (const item of items) {
      frame.scope.setLocal('_', item);
      let matched = false;
      for (const clause of clauses) {
        const [condNode, block] = named(clause);
        if (condNode.text.toLowerCase() === 'default') continue;
        let hit: boolean;
        if (condNode.type === 'script_block_expression') {
          hit = isTrue(collapse(await this.invokeScriptBlock(this.scriptBlockFrom(condNode, frame), [], { dotSource: true, dollarUnder: item, frame })));
        } else {
          const value = condNode.type === 'switch_clause_condition' && condNode.children.length === 0 ? condNode.text : await this.evalExpr(condNode.type === 'switch_clause_condition' ? named(condNode)[0] ?? condNode : condNode, frame);
          const pattern = toStr(value);
          if (flags.includes('-regex')) hit = netRegex(pattern, cs ? '' : 'i').test(toStr(item));
          else if (flags.includes('-wildcard')) hit = wildcardToRegex(pattern, cs).test(toStr(item));
          else hit = psEquals(item, value, cs);
        }
        if (!hit) continue;
        matched = true;
        const r = await this.loopBody(block, frame, out);
        if (r === 'break') break outer;
        if (r === 'continue') continue outer;
      }
      if (!matched) {
        const def = clauses.find((c) => named(c)[0].text.toLowerCase() === 'default');
        if (def && (await this.loopBody(named(def)[1], frame, out)) === 'break') break;
      }
    }
    return out;
  }

  private defineFunction(stmt: Ast, frame: Frame): PsValue[] {
    const nameNode = named(stmt).find((c) => c.type === 'function_name');
    const body = named(stmt).find((c) => c.type === 'script_block');
    if (!nameNode || !body) throw unsupported('this function definition');
    if (named(stmt).some((c) => c.type === 'function_parameter_declaration')) throw unsupported('function parameters declared after the name (use param())');
    this.functions.set(nameNode.text.toLowerCase(), new PsScriptBlock(body, body.text, frame.script));
    this.functionNames.set(nameNode.text.toLowerCase(), nameNode.text);
    return [];
  }

  // -------------------------------------------------------------------------------------------
  // Pipelines
  // -------------------------------------------------------------------------------------------

  /** Value of a pipeline used as an expression: expressions keep their value, commands collapse. */
  private async pipelineValue(node: Ast, frame: Frame): Promise<PsValue> {
    const expr = this.singleExpression(node);
    if (expr) return this.evalExpr(expr, frame);
    return collapse(await this.execPipeline(node, frame));
  }

  /** The expression of a pipeline that is a bare expression (no commands, no redirections). */
  private singleExpression(node: Ast): Ast | undefined {
    if (node.type !== 'pipeline') return node.type === 'pipeline_chain' ? undefined : node;
    const parts = named(node);
    if (parts.length !== 1) return undefined;
    const chain = parts[0];
    if (chain.type === 'assignment_expression') return undefined;
    if (chain.type !== 'pipeline_chain') return chain;
    const elems = named(chain);
    if (elems.length !== 1 || elems[0].type === 'command' || elems[0].type === 'redirections') return undefined;
    return elems[0];
  }

  private async execPipeline(node: Ast, frame: Frame): Promise<PsValue[]> {
    const parts = named(node);
    if (parts.some((p) => p.type === 'pipeline_chain_tail')) throw unsupported('the && and || pipeline chain operators (PowerShell 7)');
    const first = parts[0];
    if (!first) return [];
    if (first.type === 'assignment_expression') {
      await this.execAssignment(first, frame);
      return [];
    }
    if (first.type !== 'pipeline_chain') return this.statementOutput(first, await this.evalExpr(first, frame));
    const elems = named(first);
    let data: PsValue[] | undefined;
    for (let i = 0; i < elems.length; i++) {
      const el = elems[i];
      if (el.type === 'redirections') throw unsupported('redirection of an expression');
      if (el.type === 'command') {
        data = await this.runCommand(el, data, frame);
      } else if (el.type === 'verbatim_command_argument') {
        throw unsupported('the stop-parsing token --%');
      } else {
        if (i > 0) throw unsupported('an expression after | (only commands can follow a pipe)');
        const v = await this.evalExpr(el, frame);
        data = elems.length > 1 ? (v === null ? [null] : enumerate(v)) : this.statementOutput(el, v);
      }
    }
    return data ?? [];
  }

  /** What an expression statement writes to the pipeline. */
  private statementOutput(expr: Ast, v: PsValue): PsValue[] {
    if (isVoidExpression(expr) && v === null) return [];
    if (isVoidCast(expr)) return [];
    // $i++ / --$i as statements write nothing.
    if (/^(post|pre)_(in|de)crement_expression$/.test(expr.type)) return [];
    if (v === null) return [null];
    return enumerate(v);
  }

  // -------------------------------------------------------------------------------------------
  // Commands
  // -------------------------------------------------------------------------------------------

  private async runCommand(cmd: Ast, input: PsValue[] | undefined, frame: Frame): Promise<PsValue[]> {
    const invocation = cmd.children.find((c) => c.type === 'command_invokation_operator')?.text;
    const nameNode = cmd.children.find((c) => c.type === 'command_name' || c.type === 'command_name_expr');
    const elementsNode = cmd.children.find((c) => c.type === 'command_elements');
    if (!nameNode) throw unsupported('this command form');

    // The grammar reads a statement that starts with a number range (1..3) as a command name.
    if (nameNode.type === 'command_name' && /^[0-9]/.test(nameNode.text) && !invocation) {
      if (elementsNode && named(elementsNode).some((e) => e.type !== 'command_argument_sep')) throw unsupported('this expression form');
      return enumerate(this.rangeFromText(nameNode.text, frame));
    }

    const { args, redirections } = await this.commandArgs(elementsNode, frame);
    return this.withRedirections(redirections, frame, async () => {
      let target: PsValue;
      let nameText: string;
      if (nameNode.type === 'command_name_expr') {
        const inner = named(nameNode)[0];
        target = inner.type === 'command_name' && !named(inner).length ? inner.text : await this.evalExpr(inner.type === 'path_command_name' ? named(inner)[0] : inner, frame);
        nameText = toStr(target);
      } else if (named(nameNode).length) {
        target = await this.evalExpr(named(nameNode)[0], frame);
        nameText = toStr(target);
      } else {
        target = nameNode.text;
        nameText = nameNode.text;
      }
      if (target instanceof PsScriptBlock) {
        return this.invokeScriptBlock(target, args.map((a) => (a.kind === 'arg' ? a.value : a)), { dotSource: invocation === '.', input, frame, rawArgs: args });
      }
      if (typeof target !== 'string') {
        throw this.positioned(
          makeError('System.Management.Automation.RuntimeException',
            "The expression after '&' in a pipeline element produced an object that was not valid. It must result in a command name, a script block, or a CommandInfo object.",
            'BadExpression', 'InvalidOperation', null),
          nameNode, frame);
      }
      return this.invokeNamed(nameText, nameNode, cmd, args, input, frame, invocation === '.');
    });
  }

  private async invokeNamed(name: string, nameNode: Ast, cmd: Ast, args: CommandArg[], input: PsValue[] | undefined, frame: Frame, dot: boolean): Promise<PsValue[]> {
    const fn = this.functions.get(name.toLowerCase());
    if (fn) return this.invokeScriptBlock(fn, args.map((a) => (a.kind === 'arg' ? a.value : a)), { dotSource: dot, input, frame, rawArgs: args, functionName: name });
    const canonical = this.catalog.resolve(name);
    if (canonical) return this.invokeCmdlet(canonical, cmd, args, input, frame);
    const native = this.natives.get(name.toLowerCase().replace(/^.*[\\/]/, '').replace(/\.exe$/, ''));
    if (native) return this.invokeNative(name, native, args, input, frame);
    // "The term 'X' is not recognized as the name of a cmdlet, function, script file, or operable
    // program. Check the spelling of the name, or if a path was included, verify that the path
    // is correct and try again." - ObjectNotFound: (X:String) [], CommandNotFoundException
    // (5.1 transcripts quoted in the Azure PowerShell troubleshooting docs and about_Operators).
    const rec = makeError(
      'System.Management.Automation.CommandNotFoundException',
      `The term '${name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
      'CommandNotFoundException', 'ObjectNotFound', name,
      { commandName: nameNode.type === 'command_name_expr' ? '&' : name, position: this.position(nameNode.type === 'command_name_expr' ? named(nameNode)[0] : nameNode, frame) },
    );
    throw new PsTerminatingError(rec);
  }

  private async invokeCmdlet(canonical: string, cmd: Ast, args: CommandArg[], input: PsValue[] | undefined, frame: Frame): Promise<PsValue[]> {
    const hasInput = input !== undefined;
    const items = input ?? [];
    let bound;
    try {
      // A command fed by a pipeline that brought nothing still binds as a pipeline command: its
      // pipeline parameters are simply never bound, so a mandatory one is no error and the command
      // runs with no input (`@() | ConvertTo-Json` writes nothing; checked against pwsh 7.6).
      bound = this.catalog.bind(canonical, args, hasInput, items[0]);
    } catch (e) {
      if (e instanceof BindingError) {
        const rec = e.record;
        rec.position = this.position((e.node as Ast | undefined) ?? cmd, frame);
        throw new PsTerminatingError(rec);
      }
      if (e instanceof UnsupportedCast) throw unsupported(`binding a value of that type (${e.message})`);
      throw e;
    }
    const impl = this.cmdlets.get(canonical.toLowerCase());
    const typeName = this.catalog.cmdletTypeName(canonical);
    if (!impl) {
      throw new PsTerminatingError(
        makeError('System.NotImplementedException', `The simulated host does not implement the cmdlet '${canonical}' (it exists in Windows PowerShell 5.1; iisctl simulator).`,
          `NotImplementedBySimulatedHost,${typeName}`, 'NotImplemented', null, { commandName: canonical, activity: canonical, position: this.position(cmd, frame) }),
      );
    }
    const ea = (bound.common.get('ErrorAction') as ErrorAction | undefined) ?? this.preference(frame.scope, 'ErrorActionPreference');
    const wa = (bound.common.get('WarningAction') as ErrorAction | undefined) ?? this.preference(frame.scope, 'WarningPreference');
    const errVar = bound.common.get('ErrorVariable') as string | undefined;
    const collected: PsValue[] = [];
    const position = this.position(cmd, frame);
    const ctx: CmdletContext = {
      host: this.opts.host,
      computerName: this.computerName,
      commandName: canonical,
      cmdletTypeName: typeName,
      whatIf: bound.common.get('WhatIf') === true,
      writeError: (rec) => {
        rec.commandName ??= canonical;
        rec.activity ??= canonical;
        rec.position ??= position;
        if (errVar) collected.push(errorRecordObject(rec));
        if (ea === 'Ignore') return;
        if (ea === 'Stop') throw new PsTerminatingError(rec, true);
        this.recordError(rec);
        if (ea === 'SilentlyContinue') return;
        this.emitError(rec);
      },
      throwTerminating: (rec) => {
        rec.commandName ??= canonical;
        rec.activity ??= canonical;
        rec.position ??= position;
        throw new PsTerminatingError(rec);
      },
      writeWarning: (text) => {
        if (wa === 'SilentlyContinue' || wa === 'Ignore') return;
        if (wa === 'Stop') {
          throw new PsTerminatingError(makeError('System.Management.Automation.ActionPreferenceStopException',
            `The running command stopped because the preference variable "WarningPreference" or common parameter is set to Stop: ${text}`,
            `ActionPreferenceStop,${typeName}`, 'OperationStopped', null, { commandName: canonical, activity: canonical, position }));
        }
        this.emitWarning(text);
      },
      writeHost: (text) => this.emitHost(text),
      sleep: (ms) => (this.opts.sleep ?? realClock.sleep)(ms),
      now: () => (this.opts.now ?? realClock.now)(),
      invokeScriptBlock: (sb, a, ...under: PsValue[]) => this.invokeScriptBlock(sb, a, { dotSource: true, dollarUnder: under[0], frame, hasUnder: under.length > 0 }),
      getVariable: (n) => frame.scope.get(n),
      setVariable: (n, v) => frame.scope.setLocal(n, v),
      commands: () => this.commandTable(),
    };
    let output: PsValue[];
    try {
      output = await impl({ name: canonical, parameterSetName: bound.parameterSetName, params: bound.params, input: items, hasInput, ctx });
    } catch (e) {
      if (e instanceof PsTerminatingError) {
        if (errVar) collected.push(errorRecordObject(e.record));
        this.setErrorVariable(errVar, collected, frame);
      }
      throw this.translate(e, cmd, frame);
    }
    this.setErrorVariable(errVar, collected, frame);
    const outVar = bound.common.get('OutVariable') as string | undefined;
    if (outVar) frame.scope.setLocal(outVar.replace(/^\+/, ''), [...output]);
    return output;
  }

  private setErrorVariable(name: string | undefined, collected: PsValue[], frame: Frame): void {
    if (!name) return;
    if (name.startsWith('+')) {
      const prev = frame.scope.get(name.slice(1));
      frame.scope.setLocal(name.slice(1), [...asList(prev ?? null), ...collected]);
    } else frame.scope.setLocal(name, collected);
  }

  private async invokeNative(name: string, impl: NativeImpl, args: CommandArg[], input: PsValue[] | undefined, frame: Frame): Promise<PsValue[]> {
    const argv = args.map((a) => (a.kind === 'arg' ? (isArray(a.value) ? a.value.map((x) => toStr(x)).join(' ') : toStr(a.value)) : a.text));
    const ctx = this.bareContext(name, frame);
    const r = await impl({ name, args: argv, input: input ?? [], ctx });
    this.global.setLocal('LASTEXITCODE', r.exitCode);
    const lines = splitLines(r.stdout);
    if (r.stderr) {
      const sink = this.currentSink('error');
      if (sink) {
        // Redirected native stderr lines become ErrorRecords (RemoteException, NativeCommandError)
        // written like any error, so in 5.1 $ErrorActionPreference='Stop' turns the first one into
        // a terminating error (PowerShell 7.2 stopped applying the preference to them:
        // PSNotApplyErrorActionToStderr, PowerShell/PowerShell issue #3996 and pull request #13361).
        const stop = this.preference(frame.scope, 'ErrorActionPreference') === 'Stop';
        for (const l of splitLines(r.stderr)) {
          const rec = makeError('System.Management.Automation.RemoteException', l, 'NativeCommandError', 'NotSpecified', l, { commandName: name });
          if (stop) {
            this.recordError(rec);
            throw new PsTerminatingError(rec, true);
          }
          sink(rec);
        }
      } else {
        // Not redirected: the child writes straight to the inherited stderr handle.
        this.writeStderr(r.stderr.endsWith('\n') ? r.stderr : r.stderr + '\n');
      }
    }
    return lines;
  }

  private commandTable(): CommandTable {
    return {
      cmdlets: [...this.cmdlets.keys()].map((k) => this.catalog.resolve(k) ?? k),
      natives: [...this.natives.keys()],
      functions: [...this.functions].map(([k, sb]) => ({ name: this.functionNames.get(k) ?? k, definition: sb.text.replace(/^\{|\}$/g, '') })),
    };
  }

  private bareContext(name: string, frame: Frame): CmdletContext {
    return {
      host: this.opts.host,
      computerName: this.computerName,
      commandName: name,
      cmdletTypeName: name,
      whatIf: false,
      writeError: (rec) => {
        this.recordError(rec);
        this.emitError(rec);
      },
      throwTerminating: (rec) => {
        throw new PsTerminatingError(rec);
      },
      writeWarning: (t) => this.emitWarning(t),
      writeHost: (t) => this.emitHost(t),
      sleep: (ms) => (this.opts.sleep ?? realClock.sleep)(ms),
      now: () => (this.opts.now ?? realClock.now)(),
      invokeScriptBlock: (sb, a, under) => this.invokeScriptBlock(sb, a, { dotSource: true, dollarUnder: under, frame, hasUnder: under !== undefined }),
      getVariable: (n) => frame.scope.get(n),
      setVariable: (n, v) => frame.scope.setLocal(n, v),
      commands: () => this.commandTable(),
    };
  }

  /** Evaluates command elements into binder arguments and redirections. */
  private async commandArgs(elements: Ast | undefined, frame: Frame): Promise<{ args: CommandArg[]; redirections: Redirection[] }> {
    const args: CommandArg[] = [];
    const redirections: Redirection[] = [];
    if (!elements) return { args, redirections };
    const kids = elements.children.filter((c) => c.type !== 'command_argument_sep' || c.text.trim() === ':');
    for (let i = 0; i < kids.length; i++) {
      const el = kids[i];
      switch (el.type) {
        case 'command_parameter': {
          const colon = el.text.endsWith(':') || kids[i + 1]?.type === 'command_argument_sep';
          const name = el.text.replace(/^[-\u2013\u2014\u2015]/, '').replace(/:$/, '');
          if (colon) {
            if (kids[i + 1]?.type === 'command_argument_sep') i++;
            const valueNode = kids[++i];
            if (!valueNode) throw unsupported('a -Name: parameter without a value');
            args.push({ kind: 'param', name, text: el.text, value: await this.argValue(valueNode, frame), hasValue: true, node: el });
          } else args.push({ kind: 'param', name, text: el.text, hasValue: false, node: el });
          break;
        }
        case 'generic_token': {
          const redir = /^(\*|[1-6])?(>>?)(&[12])?(.*)$/s.exec(el.text);
          if (redir && el.text.includes('>')) {
            redirections.push(parseRedirectionToken(redir));
            break;
          }
          if (el.text.includes('$') || el.text.includes('`')) throw unsupported(`the bare-word argument '${el.text}' with variables or escapes (quote it)`);
          args.push({ kind: 'arg', value: el.text, text: el.text, node: el });
          break;
        }
        case 'redirection':
          redirections.push(await this.redirectionNode(el, frame));
          break;
        case 'stop_parsing':
          throw unsupported('the stop-parsing token --%');
        default: {
          if (el.type === 'variable' && el.text.startsWith('@')) {
            args.push(...this.splat(el, frame));
            break;
          }
          // Real PowerShell takes even a quoted '--%' for the stop-parsing token and drops the
          // parameters after it (PowerShell/PowerShell#11608; seen in pwsh 7.6).
          if (/^(?:['\u2018\u2019\u201A\u201B]--%['\u2018\u2019\u201A\u201B]|["\u201C\u201D\u201E]--%["\u201C\u201D\u201E])$/.test(el.text)) {
            throw unsupported("a quoted '--%' argument, which PowerShell takes for the stop-parsing token");
          }
          const value = await this.argValue(el, frame);
          args.push({ kind: 'arg', value, text: isArray(value) ? 'System.Object[]' : toStr(value), node: el });
        }
      }
    }
    return { args, redirections };
  }

  private splat(el: Ast, frame: Frame): CommandArg[] {
    const v = frame.scope.get(el.text.slice(1));
    if (v instanceof PsHashtable) {
      return v.entries().map((e) => (e.value === true && false ? { kind: 'param' as const, name: toStr(e.key), text: '-' + toStr(e.key), hasValue: false } : { kind: 'param' as const, name: toStr(e.key), text: '-' + toStr(e.key), value: e.value, hasValue: true }));
    }
    return asList(v ?? null).map((x) => ({ kind: 'arg' as const, value: x, text: toStr(x) }));
  }

  private async argValue(node: Ast, frame: Frame): Promise<PsValue> {
    if (node.type === 'generic_token') return node.text;
    return this.evalExpr(node, frame);
  }

  private async redirectionNode(el: Ast, frame: Frame): Promise<Redirection> {
    const op = named(el).find((c) => c.type.endsWith('redirection_operator'));
    if (!op) throw unsupported('this redirection');
    if (op.type === 'merging_redirection_operator') {
      const m = /^(\*|[1-6])?>&([12])$/.exec(op.text.trim());
      if (!m) throw unsupported(`the redirection ${op.text}`);
      return { stream: m[1] ?? '1', toNull: false, mergeTo: m[2] };
    }
    const file = named(el).find((c) => c.type === 'redirected_file_name');
    const targetNode = file ? named(file).find((c) => c.type !== 'command_argument_sep') : undefined;
    if (!targetNode || targetNode.type === 'generic_token') throw unsupported('redirection to a file');
    const target = await this.evalExpr(targetNode, frame);
    if (target !== null) throw unsupported('redirection to a file');
    const m = /^(\*|[1-6])?>>?$/.exec(op.text.trim());
    return { stream: m?.[1] ?? '1', toNull: true };
  }

  /** Applies the redirections of one command around its execution. */
  private async withRedirections(redirs: Redirection[], frame: Frame, run: () => Promise<PsValue[]>): Promise<PsValue[]> {
    if (redirs.length === 0) return run();
    const sinks: Sinks = {};
    const merged: PsValue[] = [];
    let dropOutput = false;
    for (const r of redirs) {
      const all = r.stream === '*';
      if (r.toNull) {
        if (all || r.stream === '1') dropOutput = true;
        if (all || r.stream === '2') sinks.error = () => undefined;
        if (all || r.stream === '3') sinks.warning = () => undefined;
        if (all || r.stream === '6') sinks.host = () => undefined;
      } else if (r.mergeTo === '1') {
        if (all || r.stream === '2') sinks.error = (rec) => merged.push(errorRecordObject(rec));
        if (all || r.stream === '3') sinks.warning = (t) => merged.push(t);
      } else if (r.stream !== '1' || r.mergeTo !== '2') {
        throw unsupported('this stream merge');
      }
    }
    this.sinks.push(sinks);
    try {
      const out = await run();
      return dropOutput ? [] : [...out, ...merged];
    } catch (e) {
      if (e instanceof PsTerminatingError && sinks.error && !e.scriptTerminating && this.tryDepth === 0 && this.preference(frame.scope, 'ErrorActionPreference') !== 'Stop') {
        // A statement-terminating error of a command whose error stream is redirected goes to
        // that redirection like its other errors.
        this.recordError(e.record);
        sinks.error(e.record);
        return dropOutput ? [] : merged;
      }
      throw e;
    } finally {
      this.sinks.pop();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Script blocks
  // -------------------------------------------------------------------------------------------

  scriptBlockFrom(node: Ast, frame: Frame): PsScriptBlock {
    return new PsScriptBlock(node, node.text, frame.script);
  }

  /** [scriptblock]::Create: parse errors become ParseException -> MethodInvocationException. */
  private async createScriptBlock(source: string): Promise<PsScriptBlock> {
    const parsed = await parse(source);
    if (parsed.error) throw new MethodFailure(parsed.error.exception.message, 'System.Management.Automation.ParseException');
    return new PsScriptBlock(parsed.ast, source, scriptSource(source));
  }

  async invokeScriptBlock(
    sb: PsScriptBlock,
    args: Array<PsValue | CommandArg>,
    o: { dotSource: boolean; dollarUnder?: PsValue; hasUnder?: boolean; input?: PsValue[]; frame?: Frame; rawArgs?: CommandArg[]; functionName?: string },
  ): Promise<PsValue[]> {
    const parentScope = o.frame?.scope ?? this.global;
    const scope = o.dotSource ? parentScope : new Scope(parentScope, sb.script.source === sb.text);
    const frame: Frame = { scope, script: { ...scriptSource(sb.script.source), name: sb.script.name } };
    const node = sb.body as Ast;
    const block = node.type === 'script_block_expression' ? node : node;
    const paramBlock = findParamBlock(block);
    const bodyNode = block.type === 'script_block_expression' ? block.children.find((c) => c.type === 'script_block') : block;

    const saved: Array<[string, PsValue | undefined]> = [];
    const setVar = (n: string, v: PsValue) => {
      if (o.dotSource) saved.push([n, scope.lookup(n) ? scope.get(n) : undefined]);
      scope.setLocal(n, v);
    };
    if (o.hasUnder || o.dollarUnder !== undefined) {
      setVar('_', o.dollarUnder ?? null);
      setVar('PSItem', o.dollarUnder ?? null);
    }
    if (o.input !== undefined) setVar('input', o.input);
    await this.bindScriptParams(paramBlock, args, setVar, frame);
    try {
      if (!bodyNode) return [];
      const nb = findNamedBlocks(bodyNode);
      if (nb) return await this.execNamedBlocks(nb, frame, o.input ?? []);
      return await this.execBody(bodyNode, frame);
    } catch (e) {
      if (e instanceof ReturnSignal) return e.value;
      if (e instanceof BreakSignal || e instanceof ContinueSignal) return [];
      throw e;
    } finally {
      if (o.dotSource) {
        for (const [n, v] of saved.reverse()) if (n === '_' || n === 'PSItem' || n === 'input') v === undefined ? scope.removeLocal(n) : scope.setLocal(n, v);
      }
    }
  }

  private async bindScriptParams(paramBlock: Ast | undefined, rawArgs: Array<PsValue | CommandArg>, setVar: (n: string, v: PsValue) => void, frame: Frame): Promise<void> {
    const params = paramBlock ? named(named(paramBlock).find((c) => c.type === 'parameter_list') ?? paramBlock).filter((c) => c.type === 'script_parameter') : [];
    if (paramBlock && named(paramBlock).some((c) => c.type === 'attribute_list')) throw unsupported('[CmdletBinding()] and parameter attributes in script blocks');
    const names = params.map((p) => named(p).find((c) => c.type === 'variable')!.text.replace(/^\$/, ''));
    const values = new Map<string, PsValue>();
    const positional: PsValue[] = [];
    for (let i = 0; i < rawArgs.length; i++) {
      const a = rawArgs[i];
      if (a && typeof a === 'object' && 'kind' in (a as object) && ((a as CommandArg).kind === 'param')) {
        const p = a as Extract<CommandArg, { kind: 'param' }>;
        const match = names.filter((n) => n.toLowerCase().startsWith(p.name.toLowerCase()));
        const exact = names.find((n) => n.toLowerCase() === p.name.toLowerCase());
        const target = exact ?? (match.length === 1 ? match[0] : undefined);
        if (!target) {
          if (match.length > 1) {
            throw new PsTerminatingError(makeError('System.Management.Automation.ParameterBindingException', `Parameter cannot be processed because the parameter name '${p.name}' is ambiguous. Possible matches include:${match.map((m) => ' -' + m).join('')}.`, 'AmbiguousParameter', 'InvalidArgument'));
          }
          // No such parameter: with a param() block PowerShell rejects it; without one it lands in $args.
          if (paramBlock) {
            throw new PsTerminatingError(makeError('System.Management.Automation.ParameterBindingException', `A parameter cannot be found that matches parameter name '${p.name}'.`, 'NamedParameterNotFound', 'InvalidArgument', null, { position: this.position(p.node as Ast, frame) }));
          }
          positional.push(p.text);
          continue;
        }
        if (p.hasValue) values.set(target, p.value ?? null);
        else {
          const next = rawArgs[i + 1];
          if (next !== undefined && !(next && typeof next === 'object' && 'kind' in (next as object) && (next as CommandArg).kind === 'param')) {
            values.set(target, next as PsValue);
            i++;
          } else values.set(target, true);
        }
      } else positional.push(a as PsValue);
    }
    let pi = 0;
    for (let i = 0; i < params.length; i++) {
      const n = names[i];
      let v: PsValue;
      if (values.has(n)) v = values.get(n)!;
      else if (pi < positional.length) v = positional[pi++];
      else {
        const def = named(params[i]).find((c) => c.type === 'script_parameter_default');
        v = def ? await this.evalExpr(named(def)[0], frame) : null;
      }
      const typeNode = named(params[i]).find((c) => c.type === 'type_literal');
      if (typeNode) v = this.cast(v, typeLiteralName(typeNode));
      setVar(n, v);
    }
    setVar('args', positional.slice(pi));
  }

  // -------------------------------------------------------------------------------------------
  // Assignment
  // -------------------------------------------------------------------------------------------

  private async execAssignment(node: Ast, frame: Frame): Promise<void> {
    const [target, opNode, valueNode] = node.children.filter((c) => c.named);
    const op = opNode.text.trim();
    let value = await this.pipelineValue(valueNode, frame);
    if (op !== '=') {
      const current = await this.evalExpr(target, frame);
      const binop = op.slice(0, -1);
      value = this.arithmetic(binop, current, value, node, frame);
    }
    await this.assignTo(target, value, frame);
  }

  private async assignTo(target: Ast, value: PsValue, frame: Frame): Promise<void> {
    switch (target.type) {
      case 'variable':
        this.assignVariable(target, value, frame);
        return;
      case 'expression_with_unary_operator': {
        const cast = named(target).find((c) => c.type === 'cast_expression');
        if (cast) {
          const [typeNode, inner] = named(cast);
          const tn = typeLiteralName(typeNode);
          if (tn.toLowerCase() === 'void') return;
          return this.assignTo(inner, this.cast(value, tn), frame);
        }
        break;
      }
      case 'member_access': {
        const [objNode, , memberNode] = target.children;
        const member = memberName(memberNode);
        if (objNode.type === 'type_literal') {
          setStaticMember(new PsType(typeLiteralName(objNode)), member, value, this.hooks(frame));
          return;
        }
        const obj = await this.evalExpr(objNode, frame);
        if (!setProperty(obj, member, value)) {
          throw this.positioned(
            makeError('System.Management.Automation.RuntimeException', `The property '${member}' cannot be found on this object. Verify that the property exists and can be set.`, 'PropertyNotFound', 'InvalidOperation'),
            target, frame,
          );
        }
        return;
      }
      case 'element_access': {
        const objNode = target.children[0];
        const idx = await this.evalExpr(named(target)[1], frame);
        const obj = await this.evalExpr(objNode, frame);
        if (obj instanceof PsHashtable) {
          obj.set(idx, value);
          return;
        }
        if (isArray(obj)) {
          let i = toNumber(idx);
          if (i < 0) i += obj.length;
          if (i < 0 || i >= obj.length) {
            throw this.positioned(makeError('System.IndexOutOfRangeException', 'Index was outside the bounds of the array.', 'System.IndexOutOfRangeException', 'OperationStopped'), target, frame);
          }
          obj[i] = value;
          return;
        }
        break;
      }
    }
    throw unsupported(`assignment to '${target.text}'`);
  }

  private assignVariable(v: Ast, value: PsValue, frame: Frame): void {
    const { scope: prefix, name } = variableName(v.text);
    const lower = name.toLowerCase();
    if (['true', 'false', 'null'].includes(lower)) {
      if (lower === 'null') return; // $null = ... discards
      throw this.positioned(makeError('System.Management.Automation.SessionStateUnauthorizedAccessException', `Cannot overwrite variable ${name} because it is read-only or constant.`, 'VariableNotWritable', 'WriteError', name), v, frame);
    }
    if (prefix === 'env') throw unsupported('environment variables ($env:)');
    const scope = prefix === 'global' ? this.global : prefix === 'script' ? frame.scope.scriptScope() : frame.scope;
    scope.setLocal(name, value);
  }

  // -------------------------------------------------------------------------------------------
  // Expressions
  // -------------------------------------------------------------------------------------------

  async evalExpr(node: Ast, frame: Frame): Promise<PsValue> {
    switch (node.type) {
      case 'variable':
        return this.readVariable(node, frame);
      case 'string_literal':
        return this.evalExpr(node.children[0], frame);
      case 'verbatim_string_characters':
        return verbatimString(node.text);
      case 'verbatim_here_string_characters':
        return hereStringBody(node.text);
      case 'expandable_string_literal':
        return this.expandString(node, frame, false);
      case 'expandable_here_string_literal':
        return this.expandString(node, frame, true);
      case 'integer_literal':
        return parseInteger(node.text);
      case 'decimal_integer_literal':
      case 'hexadecimal_integer_literal':
        return parseInteger(node.text);
      case 'real_literal':
        return parseReal(node.text);
      case 'array_literal_expression': {
        const items: PsValue[] = [];
        for (const c of named(node)) items.push(await this.evalExpr(c, frame));
        return items;
      }
      case 'array_expression': {
        const list = node.children.find((c) => c.type === 'statement_list');
        return list ? [...(await this.execStatements(list, frame))] : [];
      }
      case 'sub_expression': {
        const list = node.children.find((c) => c.type === 'statement_list');
        return list ? collapse(await this.execStatements(list, frame)) : null;
      }
      case 'parenthesized_expression': {
        const inner = named(node)[0];
        if (!inner) return null;
        if (inner.type === 'pipeline') {
          const p = named(inner)[0];
          if (p?.type === 'assignment_expression') {
            await this.execAssignment(p, frame);
            return this.evalExpr(named(p)[0], frame);
          }
          return this.pipelineValue(inner, frame);
        }
        return this.evalExpr(inner, frame);
      }
      case 'hash_literal_expression':
        return this.hashLiteral(node, frame, false);
      case 'script_block_expression':
        return this.scriptBlockFrom(node, frame);
      case 'type_literal':
        return new PsType(canonicalTypeName(typeLiteralName(node)));
      case 'expression_with_unary_operator':
        return this.unary(node, frame);
      case 'cast_expression':
        return this.castExpression(node, frame);
      case 'member_access':
        return this.memberAccess(node, frame);
      case 'invokation_expression':
        return this.invocation(node, frame);
      case 'element_access':
        return this.elementAccess(node, frame);
      case 'post_increment_expression':
      case 'post_decrement_expression':
      case 'pre_increment_expression':
      case 'pre_decrement_expression':
        return this.incDec(node, frame);
      case 'pipeline':
        return this.pipelineValue(node, frame);
      case 'logical_expression':
      case 'bitwise_expression':
      case 'comparison_expression':
      case 'additive_expression':
      case 'multiplicative_expression':
      case 'format_expression':
      case 'range_expression':
      case 'logical_argument_expression':
      case 'bitwise_argument_expression':
      case 'comparison_argument_expression':
      case 'additive_argument_expression':
      case 'multiplicative_argument_expression':
      case 'format_argument_expression':
      case 'range_argument_expression':
        return this.binary(node, frame);
      case 'generic_token':
        return node.text;
      default:
        throw unsupported(`the expression '${node.text.slice(0, 60)}' (${node.type})`);
    }
  }

  private readVariable(node: Ast, frame: Frame): PsValue {
    let text = node.text;
    if (text.startsWith('${')) text = '$' + text.slice(2, -1);
    if (text.startsWith('@')) throw unsupported('splatting outside a command argument');
    const { scope: prefix, name } = variableName(text);
    if (prefix === 'env') {
      if (name.toLowerCase() === 'computername') return this.computerName;
      if (name.toLowerCase() === 'username') return this.opts.userName ?? 'Administrator';
      if (name.toLowerCase() === 'windir' || name.toLowerCase() === 'systemroot') return 'C:\\Windows';
      throw unsupported(`the environment variable $env:${name}`);
    }
    if (prefix && !['global', 'script', 'local', 'private'].includes(prefix)) throw unsupported(`the variable drive '${prefix}:'`);
    const scope = prefix === 'global' ? this.global : prefix === 'script' ? frame.scope.scriptScope() : frame.scope;
    const v = scope.get(name);
    if (v === undefined) {
      if (name === '_' || name.toLowerCase() === 'psitem') return null;
      return null; // Set-StrictMode is off: unset variables are $null.
    }
    return v;
  }

  private async expandString(node: Ast, frame: Frame, here: boolean): Promise<string> {
    let text = node.text;
    let offset = 0;
    if (here) {
      const first = text.indexOf('\n');
      const last = text.lastIndexOf('\n');
      offset = first + 1;
      text = last > first ? text.slice(first + 1, last).replace(/\r$/, '') : '';
    } else {
      offset = 1;
      text = text.slice(1, -1);
    }
    let out = '';
    let pos = 0;
    for (const c of named(node)) {
      const s = c.start - node.start - offset;
      const e = c.end - node.start - offset;
      if (s < pos || s > text.length) continue;
      out += expandEscapes(text.slice(pos, s), here);
      if (c.type === 'variable') out += toStr(this.readVariable(c, frame));
      else if (c.type === 'sub_expression') out += toStr(await this.evalExpr(c, frame));
      else throw unsupported(`'${c.type}' inside a string`);
      pos = e;
    }
    out += expandEscapes(text.slice(pos), here);
    return out;
  }

  private async hashLiteral(node: Ast, frame: Frame, ordered: boolean): Promise<PsHashtable> {
    const h = new PsHashtable(ordered);
    const body = node.children.find((c) => c.type === 'hash_literal_body');
    if (!body) return h;
    for (const entry of named(body)) {
      if (entry.type !== 'hash_entry') continue;
      const parts = named(entry);
      const keyNode = parts[0];
      const valueNode = parts[parts.length - 1];
      const key = keyNode.type === 'simple_name' ? keyNode.text : await this.evalExpr(keyNode, frame);
      if (h.has(key)) {
        // "Duplicate keys 'a' are not allowed in hash literals." (parser error in PowerShell)
        throw this.positioned(makeError('System.Management.Automation.ParseException', `Duplicate keys '${toStr(key)}' are not allowed in hash literals.`, 'DuplicateKeyInHashLiteral', 'ParserError'), keyNode, frame);
      }
      const value = valueNode.type === 'pipeline' ? await this.pipelineValue(valueNode, frame) : collapse(await this.execStatement(valueNode, frame));
      h.set(key, value);
    }
    return h;
  }

  private async unary(node: Ast, frame: Frame): Promise<PsValue> {
    const cast = node.children.find((c) => c.type === 'cast_expression');
    if (cast) return this.castExpression(cast, frame);
    const opNode = node.children[0];
    const operand = named(node).find((c) => c !== opNode) ?? node.children[1];
    const op = opNode.text.toLowerCase();
    if (op === ',') return [await this.evalExpr(operand, frame)];
    if (op === '-not' || op === '!') return !isTrue(await this.evalExpr(operand, frame));
    if (op === '-') {
      const v = await this.evalExpr(operand, frame);
      return v instanceof PsInt64 ? integral(-v.value) : -toNumber(v);
    }
    if (op === '+') return toNumber(await this.evalExpr(operand, frame));
    if (op === '-split') return this.splitOp(await this.evalExpr(operand, frame), ' ', false, true);
    if (op === '-join') return asList(await this.evalExpr(operand, frame)).map((x) => toStr(x)).join('');
    if (op === '-bnot') return ~toNumber(await this.evalExpr(operand, frame));
    if (op === '++' || op === '--') return this.incDec(node, frame);
    throw unsupported(`the unary operator '${op}'`);
  }

  private async castExpression(node: Ast, frame: Frame): Promise<PsValue> {
    const [typeNode, operandNode] = named(node);
    const tn = typeLiteralName(typeNode);
    const lower = tn.toLowerCase();
    if ((lower === 'ordered' || lower === 'pscustomobject') && operandNode.type === 'hash_literal_expression') {
      const h = await this.hashLiteral(operandNode, frame, true);
      if (lower === 'ordered') return h;
      return PsObject.custom(h.entries().map((e) => [toStr(e.key), e.value]));
    }
    if (lower === 'ordered') throw this.positioned(makeError('System.Management.Automation.ParseException', 'The ordered attribute can be specified only on a hash literal node.', 'OrderedAttributeOnlyOnHashLiteralNode', 'ParserError'), typeNode, frame);
    const v = await this.evalExpr(operandNode, frame);
    if (lower === 'void') return null;
    return this.cast(v, tn, node, frame);
  }

  private cast(v: PsValue, typeName: string, node?: Ast, frame?: Frame): PsValue {
    const t = canonicalTypeName(typeName);
    if (t === 'System.Management.Automation.PSObject') {
      if (v instanceof PsHashtable) return PsObject.custom(v.entries().map((e) => [toStr(e.key), e.value]));
      return v;
    }
    if (t === 'System.Text.RegularExpressions.Regex') throw unsupported('[regex] instances');
    try {
      return convertTo(v, t);
    } catch (e) {
      if (e instanceof ConversionError) {
        throw this.positioned(conversionRecord(e, 'InvalidArgument'), node, frame);
      }
      if (e instanceof UnsupportedCast) throw unsupported(`the cast to [${typeName}]`);
      throw e;
    }
  }

  private async memberAccess(node: Ast, frame: Frame): Promise<PsValue> {
    const [objNode, opNode, memberNode] = node.children;
    const member = memberNode.type === 'member_name' && named(memberNode)[0]?.type !== 'simple_name' && named(memberNode).length
      ? toStr(await this.evalExpr(named(memberNode)[0], frame))
      : memberName(memberNode);
    if (objNode.type === 'type_literal' && opNode.text === '::') {
      return this.guardMethod(() => staticMember(new PsType(canonicalTypeName(typeLiteralName(objNode))), member, undefined, this.hooks(frame)), member, undefined, node, frame);
    }
    if (opNode.text === '::') {
      const t = await this.evalExpr(objNode, frame);
      if (t instanceof PsType) return this.guardMethod(() => staticMember(t, member, undefined, this.hooks(frame)), member, undefined, node, frame);
      throw unsupported('static member access on a non-type');
    }
    const obj = await this.evalExpr(objNode, frame);
    let r: ReturnType<typeof getProperty>;
    try {
      r = getProperty(obj, member);
    } catch (e) {
      if (e instanceof NotSupported) throw unsupported(e.message);
      throw e;
    }
    return r === NO_MEMBER ? null : r;
  }

  private async invocation(node: Ast, frame: Frame): Promise<PsValue> {
    const kids = node.children;
    const argList = kids.find((c) => c.type === 'argument_list');
    const memberNode = kids.find((c) => c.type === 'member_name')!;
    const opNode = kids.find((c) => c.text === '.' || c.text === '::')!;
    const objNode = kids[0];
    const member = memberName(memberNode);
    const args: PsValue[] = [];
    if (argList) {
      const list = argList.children.find((c) => c.type === 'argument_expression_list');
      if (list) for (const a of named(list)) args.push(await this.evalExpr(a, frame));
    }
    if (opNode.text === '::') {
      const type = objNode.type === 'type_literal' ? new PsType(canonicalTypeName(typeLiteralName(objNode))) : await this.evalExpr(objNode, frame);
      if (!(type instanceof PsType)) throw unsupported('static method call on a non-type');
      if (member.toLowerCase() === 'new') {
        if (canonicalTypeName(type.fullName) === 'System.Text.UTF8Encoding') return newUtf8Encoding(isTrue(args[0] ?? false));
        throw unsupported(`[${type.fullName}]::new()`);
      }
      return this.guardMethod(() => staticMember(type, member, args, this.hooks(frame)), member, args, node, frame);
    }
    const obj = await this.evalExpr(objNode, frame);
    const r = await this.guardMethod(() => callMethod(obj, member, args, (sb, a) => this.invokeScriptBlock(sb, a, { dotSource: false, frame })), member, args, node, frame);
    if (r === NO_MEMBER) {
      if (obj === null) {
        throw this.positioned(makeError('System.Management.Automation.RuntimeException', 'You cannot call a method on a null-valued expression.', 'InvokeMethodOnNull', 'InvalidOperation'), node, frame);
      }
      // "Method invocation failed because [System.String] does not contain a method named 'Foo'."
      if (isKnownValue(obj)) {
        throw this.positioned(
          makeError('System.Management.Automation.RuntimeException', `Method invocation failed because [${obj instanceof PsObject ? obj.typeName : typeNameOf(obj)}] does not contain a method named '${member}'.`, 'MethodNotFound', 'InvalidOperation', null),
          node, frame,
        );
      }
      throw unsupported(`the method ${member}()`);
    }
    return r as PsValue;
  }

  /** Runs a .NET member; a failure becomes MethodInvocationException (Exception calling ...). */
  private async guardMethod<T>(f: () => T | Promise<T>, member: string, args: PsValue[] | undefined, node: Ast, frame: Frame): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof MethodFailure) {
        // 'Exception calling "Create" with "1" argument(s): "<inner message>"'
        // NotSpecified: (:) [], MethodInvocationException / FullyQualifiedErrorId: ParseException
        // (public 5.1 transcripts of [ScriptBlock]::Create on invalid code).
        const inner = { typeName: e.innerType, message: e.message, inner: e.inner };
        const msg = args === undefined ? `Exception getting "${member}": "${e.message}"` : `Exception calling "${member}" with "${args.length}" argument(s): "${e.message}"`;
        const rec = makeError('System.Management.Automation.MethodInvocationException', msg, e.innerType.slice(e.innerType.lastIndexOf('.') + 1), 'NotSpecified', null, {
          position: this.position(frame.statement ?? node, frame),
        });
        rec.exception.inner = inner;
        throw new PsTerminatingError(rec);
      }
      if (e instanceof NotSupported) throw unsupported(e.message);
      if (e instanceof UnsupportedRegex) throw unsupported(e.message);
      if (e instanceof ConversionError) throw this.positioned(conversionRecord(e, 'InvalidArgument'), node, frame);
      throw e;
    }
  }

  private async elementAccess(node: Ast, frame: Frame): Promise<PsValue> {
    const obj = await this.evalExpr(node.children[0], frame);
    const index = await this.evalExpr(named(node)[1], frame);
    const one = (i: PsValue): PsValue => {
      if (obj instanceof PsHashtable) return obj.get(i) ?? null;
      if (isArray(obj) || typeof obj === 'string' || obj instanceof PsBytes) {
        const len = obj instanceof PsBytes ? obj.bytes.length : obj.length;
        let n = toNumber(i);
        if (n < 0) n += len;
        if (n < 0 || n >= len) return null;
        if (typeof obj === 'string') return new PsChar(obj.charCodeAt(n));
        if (obj instanceof PsBytes) return obj.bytes[n];
        return obj[n];
      }
      if (obj === null) {
        throw this.positioned(makeError('System.Management.Automation.RuntimeException', 'Cannot index into a null array.', 'NullArray', 'InvalidOperation'), node, frame);
      }
      if (obj instanceof PsObject) {
        const r = getProperty(obj, toStr(i));
        if (r !== NO_MEMBER) return r;
      }
      return toNumber(i) === 0 ? obj : null;
    };
    if (isArray(index)) return index.map(one);
    return one(index);
  }

  private async incDec(node: Ast, frame: Frame): Promise<PsValue> {
    const target = named(node)[0];
    const inc = node.text.includes('++');
    const value = await this.evalExpr(target, frame);
    // ++/-- take numbers and $null only; a string (even '5'), a bool, an array or a date is
    // OperatorRequiresNumber (checked against pwsh 7.6; PowerShell repository, ParserStrings/
    // ExtendedTypeSystem "OperatorRequiresNumber").
    const base = value instanceof PsObject && value.base !== undefined ? value.base : value;
    if (base !== null && typeof base !== 'number' && !(base instanceof PsInt64)) {
      const op = inc ? '++' : '--';
      throw this.positioned(makeError('System.Management.Automation.RuntimeException', `The '${op}' operator works only on numbers. The operand is a '${typeNameOf(base)}'.`, 'OperatorRequiresNumber', 'InvalidOperation'), node, frame);
    }
    const before = base instanceof PsInt64 ? base : toNumber(value);
    const after = arith(inc ? '+' : '-', before, 1);
    await this.assignTo(target, after, frame);
    return node.type.startsWith('post') ? before : after;
  }

  private async binary(node: Ast, frame: Frame): Promise<PsValue> {
    const [leftNode, opNode, rightNode] = node.children;
    if (!rightNode) return this.evalExpr(leftNode, frame);
    const op = opNode.text.trim().toLowerCase();
    if (op === '-and') return isTrue(await this.evalExpr(leftNode, frame)) ? isTrue(await this.evalExpr(rightNode, frame)) : false;
    if (op === '-or') return isTrue(await this.evalExpr(leftNode, frame)) ? true : isTrue(await this.evalExpr(rightNode, frame));
    const left = await this.evalExpr(leftNode, frame);
    const rightRaw = opNode.type === 'format_operator' ? named(opNode)[0] ?? rightNode : rightNode;
    const right = await this.evalExpr(rightRaw, frame);
    if (op === '-xor') return isTrue(left) !== isTrue(right);
    if (op === '..') {
      const a = toNumber(left);
      const b = toNumber(right);
      const out: number[] = [];
      if (Math.abs(b - a) > 1_000_000) throw unsupported('ranges longer than 1,000,000 items');
      for (let i = a; a <= b ? i <= b : i >= b; i += a <= b ? 1 : -1) out.push(i);
      return out;
    }
    if (op === '-f') {
      try {
        return compositeFormat(toStr(left), asList(right).length || right === null ? (isArray(right) ? right : [right]) : [right]);
      } catch (e) {
        if (e instanceof FormatError) {
          throw this.positioned(makeError('System.Management.Automation.RuntimeException', `Error formatting a string: ${e.message}.`, 'FormatError', 'InvalidOperation', toStr(left)), node, frame);
        }
        throw e;
      }
    }
    if (['+', '-', '*', '/', '%'].includes(op)) return this.arithmetic(op, left, right, node, frame);
    if (op === '-band') return toNumber(left) & toNumber(right);
    if (op === '-bor') return toNumber(left) | toNumber(right);
    return this.comparison(op, left, right, node, frame);
  }

  private arithmetic(op: string, left: PsValue, right: PsValue, node: Ast, frame: Frame): PsValue {
    try {
      return arith(op, left, right);
    } catch (e) {
      if (e instanceof ConversionError) {
        throw this.positioned(conversionRecord(e, 'InvalidOperation'), node, frame);
      }
      if (e instanceof UnsupportedOperator) throw unsupported(`the operator '${op}' on these operand types`);
      throw e;
    }
  }

  private comparison(op: string, left: PsValue, right: PsValue, node: Ast, frame: Frame): PsValue {
    let base = op.replace(/^-/, '');
    let cs = false;
    if (/^c(eq|ne|gt|ge|lt|le|like|notlike|match|notmatch|contains|notcontains|in|notin|replace|split)$/.test(base)) {
      cs = true;
      base = base.slice(1);
    } else if (/^i(eq|ne|gt|ge|lt|le|like|notlike|match|notmatch|contains|notcontains|in|notin|replace|split)$/.test(base)) {
      base = base.slice(1);
    }
    const test = (a: PsValue): boolean => {
      switch (base) {
        case 'eq': return psEquals(a, right, cs);
        case 'ne': return !psEquals(a, right, cs);
        case 'gt': return psCompare(a, right, cs) > 0;
        case 'ge': return psCompare(a, right, cs) >= 0;
        case 'lt': return psCompare(a, right, cs) < 0;
        case 'le': return psCompare(a, right, cs) <= 0;
        case 'like': return wildcardToRegex(toStr(right), cs).test(toStr(a));
        case 'notlike': return !wildcardToRegex(toStr(right), cs).test(toStr(a));
        case 'match': return netRegex(toStr(right), cs ? '' : 'i').test(toStr(a));
        case 'notmatch': return !netRegex(toStr(right), cs ? '' : 'i').test(toStr(a));
      }
      throw unsupported(`the operator '${op}'`);
    };
    try {
      switch (base) {
        case 'contains':
        case 'notcontains': {
          const has = asList(left).some((x) => psEquals(x, right, cs));
          return base === 'contains' ? has : !has;
        }
        case 'in':
        case 'notin': {
          const has = asList(right).some((x) => psEquals(x, left, cs));
          return base === 'in' ? has : !has;
        }
        case 'is':
        case 'isnot': {
          const tn = right instanceof PsType ? right.fullName : toStr(right);
          const r = typeMatches(left, tn);
          return base === 'is' ? r : !r;
        }
        case 'as':
          try {
            return this.cast(left, right instanceof PsType ? right.fullName : toStr(right));
          } catch (e) {
            if (e instanceof PsTerminatingError && e.record.fullyQualifiedErrorId === 'NotSupportedBySimulatedHost') throw e;
            return null;
          }
        case 'join':
          return asList(left).map((x) => toStr(x)).join(toStr(right));
        case 'split':
          return this.splitOp(left, right, cs, false);
        case 'replace': {
          const [pattern, replacement] = isArray(right) ? [right[0], right[1] ?? ''] : [right, ''];
          const re = netRegex(toStr(pattern), cs ? 'g' : 'gi');
          const r = (s: PsValue) => toStr(s).replace(re, netReplacement(toStr(replacement)));
          return isArray(left) ? left.map(r) : r(left);
        }
      }
      if (isArray(left)) return left.filter((x) => test(x));
      if (base === 'match' || base === 'notmatch') {
        const m = netRegex(toStr(right), cs ? '' : 'i').exec(toStr(left));
        if (m && base === 'match') {
          const h = new PsHashtable();
          m.forEach((g, i) => g !== undefined && h.set(i, g));
          for (const [k, g] of Object.entries(m.groups ?? {})) if (g !== undefined) h.set(k, g);
          frame.scope.setLocal('Matches', h);
        }
        return base === 'match' ? !!m : !m;
      }
      return test(left);
    } catch (e) {
      if (e instanceof UnsupportedRegex) throw unsupported(e.message);
      if (e instanceof SyntaxError) {
        throw this.positioned(makeError('System.Management.Automation.RuntimeException', `The regular expression pattern ${toStr(right)} is not valid.`, 'InvalidRegularExpression', 'InvalidOperation', toStr(right)), node, frame);
      }
      if (e instanceof ConversionError) throw this.positioned(conversionRecord(e, 'InvalidOperation'), node, frame);
      throw e;
    }
  }

  private splitOp(left: PsValue, right: PsValue, cs: boolean, unaryWhitespace: boolean): PsValue {
    if (unaryWhitespace) return asList(left).flatMap((x) => toStr(x).trim().split(/\s+/).filter((s) => s !== ''));
    if (right instanceof PsScriptBlock) throw unsupported('-split with a script block');
    const [pattern, max] = isArray(right) ? [right[0], right[1]] : [right, undefined];
    const re = netRegex(toStr(pattern), cs ? '' : 'i');
    return asList(left).flatMap((x) => {
      const parts = toStr(x).split(re);
      if (max !== undefined && max !== null && toNumber(max) > 0 && parts.length > toNumber(max)) {
        const n = toNumber(max);
        // Re-split keeping the remainder intact.
        const out: string[] = [];
        let rest = toStr(x);
        for (let i = 0; i < n - 1; i++) {
          const m = re.exec(rest);
          if (!m) break;
          out.push(rest.slice(0, m.index));
          rest = rest.slice(m.index + m[0].length);
        }
        out.push(rest);
        return out;
      }
      return parts;
    });
  }

  // -------------------------------------------------------------------------------------------
  // Helpers
  // -------------------------------------------------------------------------------------------

  /** `1..5` / `1..$n` where the grammar produced a command name instead of a range. */
  private rangeFromText(text: string, frame: Frame): PsValue {
    const m = /^(-?\d+|\$\w+)\.\.(-?\d+|\$\w+)$/.exec(text.trim());
    if (!m) throw unsupported(`the expression '${text}' at the start of a statement`);
    const side = (x: string): number => (x.startsWith('$') ? toNumber(frame.scope.get(x.slice(1)) ?? null) : Number(x));
    const a = side(m[1]);
    const b = side(m[2]);
    if (Math.abs(b - a) > 1_000_000) throw unsupported('ranges longer than 1,000,000 items');
    const out: number[] = [];
    for (let i = a; a <= b ? i <= b : i >= b; i += a <= b ? 1 : -1) out.push(i);
    return out;
  }

  hooks(frame: Frame): HostHooks {
    return {
      writeStdout: (t) => this.writeStdout(t),
      writeStderr: (t) => this.writeStderr(t),
      createScriptBlock: (src) => this.createScriptBlock(src),
      invokeScriptBlock: (sb, args) => this.invokeScriptBlock(sb, args, { dotSource: false, frame }),
      setOutputEncoding: (enc) => {
        this.outputEncoding = enc;
      },
      outputEncoding: () => this.outputEncoding,
      machineName: this.computerName,
      environment: this.opts.environment ?? process.env,
      userName: this.opts.userName ?? 'Administrator',
      userDomainName: this.opts.userDomainName ?? this.computerName,
      now: () => (this.opts.now ?? realClock.now)(),
    };
  }

  private position(node: Ast | undefined, frame: Frame | undefined): ErrorPosition | undefined {
    if (!node || !frame) return undefined;
    const lineText = frame.script.lines[node.row] ?? '';
    const firstLineLen = node.text.split('\n')[0].replace(/\r$/, '').length;
    return { lineText: lineText.replace(/\r$/, ''), line: node.row + 1, column: node.col + 1, length: firstLineLen, scriptName: frame.script.name };
  }

  private positioned(rec: PsErrorRecord, node: Ast | undefined, frame: Frame | undefined): PsTerminatingError {
    rec.position ??= this.position(node, frame);
    return new PsTerminatingError(rec);
  }

  /** Non-PowerShell exceptions from cmdlet implementations are bugs: surface them loudly. */
  private translate(e: unknown, node: Ast, frame: Frame): unknown {
    if (e instanceof PsTerminatingError || e instanceof ExitSignal || e instanceof BreakSignal || e instanceof ContinueSignal || e instanceof ReturnSignal) return e;
    if (e instanceof NotSupported) return unsupported(e.message);
    return this.positioned(
      makeError('System.InvalidOperationException', `Simulated host internal error: ${(e as Error)?.message ?? String(e)}`, 'SimulatedHostInternalError', 'NotSpecified'),
      node, frame,
    );
  }
}

interface Redirection {
  stream: string;
  toNull: boolean;
  mergeTo?: string;
}

function parseRedirectionToken(m: RegExpExecArray): Redirection {
  const [, stream = '1', , merge, target] = m;
  if (merge) return { stream, toNull: false, mergeTo: merge.slice(1) };
  if (target.trim().toLowerCase() !== '$null') throw unsupported('redirection to a file');
  return { stream, toNull: true };
}

function splitLines(s: string): string[] {
  if (!s) return [];
  const lines = s.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function scriptSource(source: string): ScriptSource {
  return { source, lines: source.split('\n') };
}

function variableName(text: string): { scope?: string; name: string } {
  const raw = text.replace(/^[$@]/, '');
  const m = /^(global|script|local|private|env|using|variable|function):(.+)$/i.exec(raw);
  if (m) return { scope: m[1].toLowerCase(), name: m[2] };
  return { name: raw };
}

function memberName(node: Ast): string {
  return node.text.replace(/^['"]|['"]$/g, '');
}

function typeLiteralName(node: Ast): string {
  return node.text.replace(/^\[|\]$/g, '').trim();
}

function findParamBlock(node: Ast): Ast | undefined {
  for (const c of node.children) {
    if (c.type === 'param_block') return c;
    if (c.type === 'script_block') {
      const p = findParamBlock(c);
      if (p) return p;
    }
  }
  return undefined;
}

function findNamedBlocks(node: Ast): Ast | undefined {
  for (const c of node.children) {
    if (c.type === 'named_block_list') return c;
    if (c.type === 'script_block_body') {
      const r = findNamedBlocks(c);
      if (r) return r;
    }
  }
  return undefined;
}

function isVoidExpression(expr: Ast): boolean {
  return expr.type === 'invokation_expression';
}

/** `[void]<expr>`: a cast to void writes nothing at all (about_Type_Conversion; not even $null). */
function isVoidCast(expr: Ast): boolean {
  let node: Ast | undefined = expr;
  while (node && node.type !== 'cast_expression' && named(node).length === 1) node = named(node)[0];
  if (node?.type !== 'cast_expression') return false;
  const typeNode = named(node)[0];
  return !!typeNode && typeLiteralName(typeNode).toLowerCase() === 'void';
}

function isKnownValue(v: PsValue): boolean {
  return typeof v === 'string' || typeof v === 'number' || v instanceof PsInt64 || typeof v === 'boolean' || isArray(v) || v instanceof PsHashtable || v instanceof PsDateTime || v instanceof PsObject;
}

function exceptionMatches(rec: PsErrorRecord, typeName: string): boolean {
  const t = canonicalTypeName(typeName).toLowerCase();
  const own = rec.exception.typeName.toLowerCase();
  if (t === 'system.exception' || t === own) return true;
  if (t === 'system.management.automation.runtimeexception') return own.startsWith('system.management.automation.');
  if (t === 'system.systemexception') return own !== 'system.exception';
  return own.endsWith('.' + t) || own === 'system.' + t;
}

function parseInteger(text: string): PsValue {
  const m = /^(0x[0-9a-f]+|\d+)(l|u|ul|lu|d)?(kb|mb|gb|tb|pb)?$/i.exec(text);
  if (!m) throw unsupported(`the number literal '${text}'`);
  // A decimal literal beyond 2^53 stays exact (an Int64); past Int64 PowerShell makes it a Decimal, not modelled: a double.
  if (!m[2] && !m[3] && /^\d+$/.test(m[1])) return integral(BigInt(m[1]));
  const base = m[1].toLowerCase().startsWith('0x') ? parseInt(m[1], 16) : Number(m[1]);
  const mult = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 }[(m[3] ?? '').toLowerCase() as 'kb'] ?? 1;
  return base * mult;
}

function parseReal(text: string): number {
  const m = /^([0-9.]+(?:e[+-]?\d+)?)(d)?(kb|mb|gb|tb|pb)?$/i.exec(text);
  if (!m) throw unsupported(`the number literal '${text}'`);
  const mult = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 }[(m[3] ?? '').toLowerCase() as 'kb'] ?? 1;
  return Number(m[1]) * mult;
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/**
 * Parses a script. Syntax errors give a ParseException record whose message follows PowerShell's
 * "At line:L char:C / + <line> / + ~ / <reason>" layout; the reason text cannot be PowerShell's own
 * (tree-sitter does not know its messages), so it says so.
 */
async function parse(source: string): Promise<{ ast: Ast; error?: undefined } | { ast?: undefined; error: PsErrorRecord }> {
  const cached = parsed.get(source);
  if (cached) return { ast: cached };
  const parser = await loadParser();
  const tree = parser.parse(source);
  try {
    if (tree.rootNode.hasError) {
      const problem = firstProblem(tree.rootNode);
      const lines = source.split('\n');
      const lineText = (lines[problem.row] ?? '').replace(/\r$/, '');
      const msg = `At line:${problem.row + 1} char:${problem.col + 1}\n+ ${lineText}\n+ ${' '.repeat(problem.col)}~\n${problem.what} (the simulated host's tree-sitter parser rejected the script here; PowerShell's own parser message is not reproduced).`;
      return {
        error: makeError('System.Management.Automation.ParseException', msg, 'ParseException', 'ParserError', null, {
          position: { lineText, line: problem.row + 1, column: problem.col + 1, length: 1 },
        }),
      };
    }
    const ast = copyTree(tree.rootNode, source);
    if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value as string);
    parsed.set(source, ast);
    return { ast };
  } finally {
    tree.delete();
  }
}

/**
 * Trees of scripts parsed before, by source text: a client sends the same few scripts again and
 * again, and parsing is most of a line's cost. Safe to share: nothing mutates an Ast after copyTree.
 */
const parsed = new Map<string, Ast>();
const PARSED_LIMIT = 256;

function firstProblem(root: import('../parser').SyntaxNode): { row: number; col: number; what: string } {
  let found: { row: number; col: number; what: string } | undefined;
  const walk = (n: import('../parser').SyntaxNode): void => {
    if (found) return;
    if (n.isError || n.isMissing) {
      found = { row: n.startPosition.row, col: n.startPosition.column, what: n.isMissing ? `Missing '${n.type}'` : `Unexpected token '${n.text.split('\n')[0].replace(/\r$/, '').slice(0, 30)}'` };
      return;
    }
    for (const c of n.children) if (c && (c.hasError || c.isError || c.isMissing)) walk(c);
  };
  walk(root);
  return found ?? { row: root.startPosition.row, col: root.startPosition.column, what: 'Incomplete or invalid statement' };
}

export type { ErrorCategory };
