/**
 * The Node side of the pwsh engine's bridge: the shadowing functions of the SimWindows module
 * (SimWindows.psm1, running in real pwsh) send one JSON line per call over a local socket (a Unix
 * domain socket; a named pipe on Windows) and read one JSON line back. A call runs the SAME
 * cmdlet implementation the interpreter engine runs (lib/sim/cmdlets, on lib/sim/machine): one
 * implementation of Windows, two engines. PowerShell did the parsing and the binding; the values
 * bound (PSBoundParameters) come here already converted to the declared parameter types.
 *
 * Wire values (both directions): JSON primitives and arrays as themselves; tagged objects for the
 * rest: {"$obj": id, t: PSTypeNames, p: [[name, value]...], m: [method names], s: ToString()}
 * (an object the simulator made: kept here under its id, so that passing it back, or calling one
 * of its methods, reaches the simulator's object), {"$ref": id} (such an object passed back),
 * {"$enum": type, n: name, v: value}, {"$date": ms, k: kind}, {"$hash": [[k, v]...], o: ordered},
 * {"$bytes": base64}, {"$type": full name}, {"$cred": user, pw: password} (a credential Import-Clixml
 * read: pwsh's own PSCredential is made of it), {"$str": text} (what cannot cross: a script block, an
 * object nested deeper than MAX_DEPTH).
 */
import * as net from 'node:net';
import type { BoundParams } from '../catalog';
import { makeError, PsTerminatingError, type PsErrorRecord, type PsExceptionInfo } from '../errors';
import { MethodFailure } from '../interp/dotnet';
import type { CmdletContext, CmdletImpl, NativeImpl } from '../interp/types';
import { PsBytes, PsChar, PsDateTime, PsEnum, PsHashtable, PsObject, PsScriptBlock, PsType, type PsValue, toStr } from '../values';
import type { SimHost } from '../cmdlets/simhost';
import { LIVE_PROPERTIES, pwshCredential, remoteTargetOf } from '../cmdlets/remoting';
import { secureStringText } from '../cmdlets/credentials';

/** Objects nested deeper than this cross as their string (ServiceController.DependentServices nest without end). */
const MAX_DEPTH = 2;
/** Objects the simulator made that pwsh may still hold: the oldest are forgotten beyond this. */
const MAX_OBJECTS = 20000;

export type Wire = null | boolean | number | string | Wire[] | { [k: string]: Wire };

interface WireError {
  id: string;
  cat: string;
  target: Wire;
  ex: WireException;
}
interface WireException {
  type: string;
  message: string;
  hresult?: number;
  native?: number;
  inner?: WireException;
}

/** One call from pwsh. */
type Request =
  | { op: 'cmd'; name: string; set: string; params: Record<string, Wire>; whatIf?: boolean }
  | { op: 'native'; name: string; args: string[] }
  | { op: 'method'; id: number; name: string; args: Wire[] }
  | RemotingRequest
  | { op: 'now' };

/**
 * Remoting (Invoke-Command to a simulated computer, SimWindows.psm1's remoting section):
 * `hello` makes the connection a remote runspace's, its calls acting on that computer (the object
 * `id` is the target the Invoke-Command step returned, cmdlets/remoting.ts pwshInvokeCommandStep);
 * `prop` reads a live property (LIVE_PROPERTIES: a PSSession's State) of an object the simulator made.
 */
type RemotingRequest = { op: 'hello'; id: number } | { op: 'prop'; id: number; name: string };

/** Which simulated computer a connection's calls act on: the host's own, or a remote runspace's (hello). */
interface Connection {
  host: SimHost;
  computerName: string;
}

/** What happened during the call, in order: output, non-terminating errors, warnings, host text. */
type Event = { o: Wire } | { e: WireError } | { w: string } | { h: string };
interface Reply {
  ev: Event[];
  /** A terminating error (ThrowTerminatingError in pwsh). */
  term?: WireError;
  /** method: the object again, its properties as they are now (a method may change them: Refresh()). */
  self?: Wire;
  /** native: its exit code ($LASTEXITCODE). */
  exit?: number;
  stdout?: string;
  stderr?: string;
  /** now: the simulated machine's current time (a Local DateTime, as DateTime.Now). */
  now?: Wire;
}

export interface BridgeOptions {
  host: SimHost;
  computerName: string;
  cmdlets: Map<string, CmdletImpl>;
  natives: Map<string, NativeImpl>;
  /** Canonical cmdlet name -> its .NET type name (FullyQualifiedErrorIds). */
  typeName(name: string): string;
  /** Told when a request arrives (pwsh now waits on the simulator) and when its reply is sent (pwsh computes again). */
  onRequest?(): void;
  onReplied?(): void;
}

export class Bridge {
  private readonly objects = new Map<number, PsObject>();
  private readonly ids = new WeakMap<PsObject, number>();
  private nextId = 1;
  private readonly cmdlets = new Map<string, CmdletImpl>();
  private readonly natives = new Map<string, NativeImpl>();

  constructor(private readonly o: BridgeOptions) {
    for (const [k, v] of o.cmdlets) this.cmdlets.set(k.toLowerCase(), v);
    for (const [k, v] of o.natives) this.natives.set(k.toLowerCase().replace(/\.exe$/, ''), v);
  }

  /** Serves one connection: requests one at a time, each answered by one line. */
  serve(socket: net.Socket): void {
    socket.setEncoding('utf8');
    let buffered = '';
    let chain = Promise.resolve();
    const conn: Connection = { host: this.o.host, computerName: this.o.computerName };
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).replace(/\r$/, '');
        buffered = buffered.slice(nl + 1);
        if (!line) continue;
        this.o.onRequest?.();
        chain = chain.then(async () => {
          const reply = await this.handle(line, conn);
          if (!socket.destroyed) socket.write(JSON.stringify(reply) + '\n');
          this.o.onReplied?.();
        });
      }
    });
    socket.on('error', () => undefined);
  }

  async handle(line: string, conn: Connection = { host: this.o.host, computerName: this.o.computerName }): Promise<Reply> {
    const events: Event[] = [];
    try {
      const req = JSON.parse(line) as Request;
      if (req.op === 'cmd') return await this.cmd(req, events, conn);
      if (req.op === 'native') return await this.native(req, conn);
      if (req.op === 'hello' || req.op === 'prop') return this.remoting(req, conn);
      if (req.op === 'now') return this.now(conn);
      return await this.method(req);
    } catch (e) {
      return { ev: events, term: this.errorOf(e) };
    }
  }

  private async cmd(req: Extract<Request, { op: 'cmd' }>, events: Event[], conn: Connection): Promise<Reply> {
    const impl = this.cmdlets.get(req.name.toLowerCase());
    if (!impl) throw new PsTerminatingError(makeError('System.NotSupportedException', `The simulated host does not implement ${req.name} (iisctl simulator, pwsh engine).`, 'NotImplementedBySimulatedHost', 'NotImplemented'));
    const values = new Map<string, PsValue>();
    for (const [k, v] of Object.entries(req.params)) values.set(k, this.decode(v));
    const params: BoundParams = {
      values,
      has: (n) => [...values.keys()].some((k) => k.toLowerCase() === n.toLowerCase()),
      get: (n) => {
        for (const [k, v] of values) if (k.toLowerCase() === n.toLowerCase()) return v;
        return undefined;
      },
    };
    const typeName = this.o.typeName(req.name);
    const vars = new Map<string, PsValue>();
    const ctx: CmdletContext = {
      host: conn.host,
      computerName: conn.computerName,
      commandName: req.name,
      cmdletTypeName: typeName,
      whatIf: req.whatIf === true,
      // -ErrorAction and $ErrorActionPreference are PowerShell's business: pwsh writes the record ($PSCmdlet.WriteError).
      writeError: (rec) => void events.push({ e: this.wireError(rec) }),
      throwTerminating: (rec) => {
        throw new PsTerminatingError(rec);
      },
      writeWarning: (text) => void events.push({ w: text }),
      writeHost: (text) => void events.push({ h: text }),
      sleep: (ms) => conn.host.sleep(ms),
      now: () => conn.host.now(),
      invokeScriptBlock: () => {
        throw new PsTerminatingError(makeError('System.NotSupportedException', `A script block passed to ${req.name} is not supported by the pwsh engine yet (iisctl simulator).`, `NotImplementedBySimulatedHost,${typeName}`, 'NotImplemented'));
      },
      getVariable: (n) => vars.get(n.toLowerCase()),
      setVariable: (n, v) => void vars.set(n.toLowerCase(), v),
      // Get-Command reaches the simulator only for the natives (SimWindows.psm1 Test-IisctlSimNativeName):
      // the cmdlets and functions are PowerShell's own.
      commands: () => ({ cmdlets: [], functions: [], natives: [...this.natives.keys()] }),
    };
    // One process-block call per pipeline object: pwsh binds it into PSBoundParameters, as -InputObject.
    const out = await impl({ name: req.name, parameterSetName: req.set, params, input: [], hasInput: false, ctx });
    for (const v of out) events.push({ o: this.encode(v, 0) });
    return { ev: events };
  }

  private async native(req: Extract<Request, { op: 'native' }>, conn: Connection): Promise<Reply> {
    const impl = this.natives.get(req.name.toLowerCase().replace(/\.exe$/, ''));
    if (!impl) throw new Error(`no simulated native command ${req.name}`);
    const ctx = { host: conn.host, computerName: conn.computerName, now: () => conn.host.now(), sleep: (ms: number) => conn.host.sleep(ms) } as unknown as CmdletContext;
    const r = await impl({ name: req.name, args: req.args, input: [], ctx });
    return { ev: [], stdout: r.stdout, stderr: r.stderr, exit: r.exitCode };
  }

  private async method(req: Extract<Request, { op: 'method' }>): Promise<Reply> {
    const obj = this.objects.get(req.id);
    if (!obj) throw new PsTerminatingError(makeError('System.InvalidOperationException', 'The simulated object is no longer known to the simulator (iisctl simulator, pwsh engine).', 'SimObjectGone', 'InvalidOperation'));
    const m = obj.member(req.name);
    if (!m || m.kind !== 'method') throw new PsTerminatingError(makeError('System.Management.Automation.MethodNotFound', `Method invocation failed because [${obj.typeName}] does not contain a method named '${req.name}'.`, 'MethodNotFound', 'InvalidOperation'));
    const result = await m.invoke(req.args.map((a) => this.decode(a)));
    // The simulator's methods return null for a void .NET method (Dispose, ReleaseMutex, Start...), which
    // writes nothing; sending it as an output would put a $null in the script's output (the interpreter
    // writes none either: a method call statement whose value is null is void there).
    return { ev: result === undefined || result === null ? [] : [{ o: this.encode(result, 0) }], self: this.encode(obj, 0) };
  }

  // ---- remoting ------------------------------------------------------------------------------

  private remoting(req: RemotingRequest, conn: Connection): Reply {
    const obj = this.objects.get(req.id);
    if (!obj) throw new PsTerminatingError(makeError('System.InvalidOperationException', 'The simulated object is no longer known to the simulator (iisctl simulator, pwsh engine).', 'SimObjectGone', 'InvalidOperation'));
    if (req.op === 'prop') return { ev: [{ o: this.encode(obj.getProperty(req.name) ?? null, 1) }] };
    const target = remoteTargetOf(obj);
    if (!target) throw new Error('hello: not a remote target');
    conn.host = target.remoteHost;
    conn.computerName = target.computer;
    return { ev: [{ o: target.remoteHost.processId }] };
  }

  // ---------------------------------------------------------------------------------------------
  // The clock: Get-Date reads the simulated machine's time (SimWindows.psm1, "the clock")
  // ---------------------------------------------------------------------------------------------

  private now(conn: Connection): Reply {
    return { ev: [], now: this.encode(new PsDateTime(conn.host.now(), 'Local'), 0) };
  }

  // ---------------------------------------------------------------------------------------------
  // Values
  // ---------------------------------------------------------------------------------------------

  encode(v: PsValue, depth: number): Wire {
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number') return v;
    if (Array.isArray(v)) return v.map((x) => this.encode(x, depth));
    if (v instanceof PsChar) return v.toString();
    if (v instanceof PsEnum) return { $enum: v.typeName, n: v.name, v: v.value };
    if (v instanceof PsDateTime) return { $date: v.ms, k: v.kind };
    if (v instanceof PsBytes) return { $bytes: v.bytes.toString('base64') };
    if (v instanceof PsType) return { $type: v.fullName };
    if (v instanceof PsScriptBlock) return { $str: v.text };
    if (v instanceof PsHashtable) return { $hash: v.entries().map((e) => [this.encode(e.key, depth + 1), this.encode(e.value, depth + 1)]), o: v.ordered };
    if (v instanceof PsObject) {
      if (v.base !== undefined) return this.encode(v.base, depth);
      // A credential (Import-Clixml's): pwsh's own PSCredential is built from it (Wire.cs), so the
      // library's `-is [PSCredential]` and New-PSSession's binding see the real type.
      const password = v.typeNames[0] === 'System.Management.Automation.PSCredential' ? secureStringText(v.getProperty('Password') ?? null) : undefined;
      if (password !== undefined) return { $cred: toStr(v.getProperty('UserName') ?? null), pw: password };
      if (depth > MAX_DEPTH) return { $str: toStr(v) };
      const id = this.remember(v);
      const props: Wire[] = [];
      for (const name of v.propertyNames()) props.push([name, this.encode(v.getProperty(name) ?? null, depth + 1)]);
      const live = LIVE_PROPERTIES[v.typeNames[0]];
      return { $obj: id, t: v.typeNames, p: props, m: v.methodNames(), s: v.toStringImpl ? v.toStringImpl() : toStr(v), ...(live ? { l: live } : {}) };
    }
    return { $str: String(v) };
  }

  decode(w: Wire): PsValue {
    if (w === null || typeof w !== 'object') return w;
    if (Array.isArray(w)) return w.map((x) => this.decode(x));
    if ('$ref' in w) {
      const o = this.objects.get(Number(w.$ref));
      if (!o) throw new PsTerminatingError(makeError('System.InvalidOperationException', 'The simulated object is no longer known to the simulator (iisctl simulator, pwsh engine).', 'SimObjectGone', 'InvalidOperation'));
      return o;
    }
    if ('$date' in w) return new PsDateTime(Number(w.$date), (w.k as 'Utc' | 'Local' | 'Unspecified') ?? 'Local');
    if ('$hash' in w) {
      const h = new PsHashtable(w.o === true);
      for (const pair of w.$hash as Wire[][]) h.set(this.decode(pair[0]), this.decode(pair[1]));
      return h;
    }
    if ('$custom' in w) return PsObject.custom((w.$custom as Wire[][]).map(([k, v]) => [String(k), this.decode(v)]));
    if ('$str' in w) return String(w.$str);
    // A PSCredential (-Credential): its user name only; the password never leaves pwsh (no simulated computer checks it).
    if ('$cred' in w) return pwshCredential(String(w.$cred));
    throw new Error(`unknown wire value ${JSON.stringify(w).slice(0, 80)}`);
  }

  private remember(o: PsObject): number {
    const known = this.ids.get(o);
    if (known !== undefined) return known;
    const id = this.nextId++;
    this.ids.set(o, id);
    this.objects.set(id, o);
    if (this.objects.size > MAX_OBJECTS) this.objects.delete(this.objects.keys().next().value as number);
    return id;
  }

  // ---------------------------------------------------------------------------------------------
  // Errors
  // ---------------------------------------------------------------------------------------------

  private errorOf(e: unknown): WireError {
    if (e instanceof PsTerminatingError) return this.wireError(e.record);
    // What the .NET method threw; PowerShell wraps it in MethodInvocationException itself.
    if (e instanceof MethodFailure) return { id: 'MethodFailure', cat: 'NotSpecified', target: null, ex: wireException({ typeName: e.innerType, message: e.message, inner: e.inner }) };
    const message = e instanceof Error ? e.message : String(e);
    return this.wireError(makeError('System.InvalidOperationException', `iisctl simulator (pwsh engine bridge): ${message}`, 'SimBridgeFailure', 'NotSpecified'));
  }

  private wireError(rec: PsErrorRecord): WireError {
    return { id: rec.fullyQualifiedErrorId, cat: rec.category, target: this.encode(rec.targetObject, 1), ex: wireException(rec.exception) };
  }
}

function wireException(x: PsExceptionInfo): WireException {
  return { type: x.typeName, message: x.message, hresult: x.hresult, native: x.nativeErrorCode, inner: x.inner ? wireException(x.inner) : undefined };
}
