/**
 * Invoke-Command -ComputerName / -Session (docs/sources.md §6), New-PSSession, Get-PSSession, Remove-PSSession,
 * Get-Counter (Web Service Current Connections) and Restart-Computer.
 *
 * The script block runs on the other simulated computer in a fresh interpreter (a new runspace:
 * local variables are not visible there, as over WinRM). Its output objects get PSComputerName,
 * RunspaceId and PSShowComputerName; errors written there, and terminating errors ("treated as
 * non-terminating errors in a remote command", docs/sources.md §6), are re-written here, so Invoke-Command's
 * own -ErrorAction / $ErrorActionPreference decide what happens.
 *
 * Unreachable computers: PSRemotingTransportException, OpenError, FullyQualifiedErrorId
 * WinRMOperationTimeout,PSSessionStateBroken with the WinRM text of docs/sources.md §6; an unknown name is
 * ComputerNotFound,PSSessionStateBroken (FQEID from docs/sources.md §6; its text "The WinRM client cannot
 * process the request because the server name cannot be resolved." is recalled, not sourced).
 */
import { randomUUID } from 'node:crypto';
import type { CmdletCall, CmdletImpl } from '../interp/types';
import type { Interpreter } from '../interp/evaluator';
import { defaultHResult, PsTerminatingError, type PsErrorRecord } from '../errors';
import { SimFault } from '../machine';
import { PsChar, PsHashtable, PsObject, PsScriptBlock, type PsValue, asList, toStr, typeNameOf } from '../values';
import { hostOf, type SimHost } from './simhost';
import { chain, errorWith, only, strings } from './common';
import { PsDateTime, PsEnum } from '../values';
import { SimWorld } from '../machine';
import { peekState, stateFilePath } from '../state';
import * as fs from 'node:fs';
import { newObjectWithCredentials } from './credentials';
import { refuseMutexKeptAcrossInvocations } from './mutex';

type Factory = (host: SimHost, computerName: string, onStdout: (t: string) => void, onError: (rec: PsErrorRecord) => void) => Interpreter;
let factory: Factory | undefined;
/** Set by cmdlets/index.ts (avoids an import cycle). */
export function setRemoteInterpreterFactory(f: Factory): void {
  factory = f;
}

const WINRM_TEXT = 'WinRM cannot complete the operation. Verify that the specified computer name is valid, that the computer is accessible over the network, and that a firewall exception for the WinRM service is enabled and allows access from this computer. By default, the WinRM firewall exception for public profiles limits access to remote computers within the same local subnet. For more information, see the about_Remote_Troubleshooting Help topic.';
const NOT_RESOLVED = 'The WinRM client cannot process the request because the server name cannot be resolved.';

function transportError(call: CmdletCall, name: string, fault: SimFault): void {
  const unknown = fault.reason === 'unknown-host';
  const rec = errorWith(chain({ type: 'System.Management.Automation.Remoting.PSRemotingTransportException', message: `Connecting to remote server ${name} failed with the following error message : ${unknown ? NOT_RESOLVED : WINRM_TEXT}` }),
    unknown ? 'ComputerNotFound,PSSessionStateBroken' : 'WinRMOperationTimeout,PSSessionStateBroken', 'OpenError', name);
  rec.commandName = '';
  rec.activity = '';
  call.ctx.writeError(rec);
}

/**
 * What a property value becomes after remoting's serialization at depth 1 (the default,
 * s_mshDefaultSerializationDepth = 1 in the PowerShell repository's
 * src/System.Management.Automation/engine/serialization.cs): primitives keep their value,
 * collections keep their items (each reduced the same way), any other object is past the depth and
 * arrives as its ToString() text (derived from that depth rule; e.g. a nested [pscustomobject]
 * becomes "@{a=1}").
 */
function pastDepth(v: PsValue): PsValue {
  if (v === null || typeof v !== 'object' || v instanceof PsDateTime || v instanceof PsEnum || v instanceof PsChar) return v;
  if (Array.isArray(v)) return v.map(pastDepth);
  if (v instanceof PsHashtable) {
    const h = new PsHashtable(v.ordered);
    for (const e of v.entries()) h.set(e.key, pastDepth(e.value));
    return h;
  }
  return toStr(v);
}

/**
 * One output object as Invoke-Command returns it (about_Remote_Output,
 * https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_remote_output):
 * a deserialized copy with properties and no methods, type names prefixed "Deserialized." (a
 * PSCustomObject keeps its name), its property values serialized at depth 1 (pastDepth), and the
 * notes PSComputerName, RunspaceId and PSShowComputerName, on every object, primitives included
 * (a primitive becomes a PSObject wrapping the value with those notes: ConvertTo-Json of it is
 * {"value":..., "PSComputerName":...}).
 */
function tag(v: PsValue, computer: string, runspace: string): PsValue {
  let o: PsObject;
  if (v instanceof PsObject && v.base === undefined) {
    o = new PsObject(v.typeNames.map((t) => (v.isCustom || t.startsWith('Deserialized.') ? t : `Deserialized.${t}`)), v.toStringImpl);
    for (const n of v.propertyNames()) {
      let value: PsValue;
      try {
        value = v.getProperty(n) ?? null;
      } catch {
        value = null; // a property that throws when read is serialized as $null
      }
      o.addNote(n, pastDepth(value));
    }
  } else {
    const base = v instanceof PsObject ? (v.base as PsValue) : v;
    o = new PsObject([typeNameOf(base), 'System.Object']);
    o.base = pastDepth(base);
  }
  o.addNote('PSComputerName', computer);
  o.addNote('RunspaceId', runspace);
  o.addNote('PSShowComputerName', true);
  return o;
}

/**
 * A remote error as this computer sees it: the ErrorRecord keeps its FullyQualifiedErrorId,
 * category and message, but its exception is a System.Management.Automation.RemoteException; the
 * original exception (type, HResult, NativeErrorCode, inner exceptions) is only in its
 * SerializedRemoteException property, a deserialized copy
 * (https://learn.microsoft.com/dotnet/api/system.management.automation.remoteexception).
 */
function remoteRecord(rec: PsErrorRecord): PsErrorRecord {
  return {
    ...rec,
    exception: { typeName: 'System.Management.Automation.RemoteException', message: rec.exception.message, hresult: defaultHResult('System.Management.Automation.RemoteException'), serializedRemote: rec.exception },
  };
}

/**
 * Where one remote invocation runs: the computer, its runspace, and the name its output is tagged
 * with. Opened by openComputer / openSession, the one place that decides reachability, session
 * state and the command log for both engines (the pwsh engine opens it through pwshInvokeCommandStep).
 */
interface RemoteRun {
  computer: string;
  /** PSComputerName of what comes back: the name as given (-ComputerName) or the session's. */
  shown: string;
  runspaceId: string;
  remoteHost: SimHost;
  session?: SimSession;
}

/** Invoke-Command -ComputerName name: connects and records the command, or writes the transport error. */
async function openComputer(call: CmdletCall, name: string, text: string): Promise<RemoteRun | undefined> {
  const host = hostOf(call);
  try {
    const computer = await host.use((_m, world) => {
      const m = world.connect(name);
      world.recordCommand(text, m.name);
      return m.name;
    });
    return { computer, shown: name, runspaceId: randomUUID(), remoteHost: host.forComputer(computer) };
  } catch (e) {
    if (e instanceof SimFault && e.kind === 'Unreachable') {
      transportError(call, name, e);
      return undefined;
    }
    throw e;
  }
}

/** Invoke-Command -Session s: the session's runspace, or an InvalidSessionState error when it is not Opened. */
async function openSession(call: CmdletCall, s: SimSession, text: string): Promise<RemoteRun | undefined> {
  const host = hostOf(call);
  refresh(host, s);
  if (s.state !== 'Opened') {
    call.ctx.writeError(errorWith(chain({ type: 'System.Management.Automation.Runspaces.InvalidRunspaceStateException', message: `Because the session state for session ${s.name}, ${s.instanceId}, ${s.computerName} is not equal to Open, you cannot run a command in the session. The session state is ${s.state}.` }),
      `InvalidSessionState,${call.ctx.cmdletTypeName}`, 'InvalidOperation', sessionObject(host, s)));
    return undefined;
  }
  await host.use((_m, world) => world.recordCommand(text, s.computer));
  return { computer: s.computer, shown: s.computerName, runspaceId: s.runspaceId, remoteHost: s.remoteHost, session: s };
}

/** Runs the block in the interpreter of the run's runspace (a session's own, kept; else a fresh one). */
async function runInInterpreter(call: CmdletCall, run: RemoteRun, sb: PsScriptBlock, args: PsValue[]): Promise<PsValue[]> {
  if (!factory) throw new Error('remote interpreter factory not set');
  // Only what the remote command wrote to its error stream travels back (an error silenced with
  // -ErrorAction SilentlyContinue is in the remote $Error but never sent).
  const written: PsErrorRecord[] = [];
  const sink: SimSession['sink'] = run.session?.sink ?? { out: () => undefined, err: () => undefined };
  const make = factory;
  const remote = run.session ? (run.session.interp ??= make(run.remoteHost, run.computer, (t) => sink.out(t), (rec) => sink.err(rec))) : make(run.remoteHost, run.computer, (t) => sink.out(t), (rec) => sink.err(rec));
  sink.out = (t) => call.ctx.writeHost(t.replace(/\r?\n$/, ''));
  sink.err = (rec) => written.push(rec);
  let results: PsValue[] = [];
  let terminating: PsTerminatingError | undefined;
  try {
    results = await remote.invokeScriptBlock(sb, args, { dotSource: false });
  } catch (e) {
    if (e instanceof PsTerminatingError) terminating = e;
    else throw e;
  } finally {
    sink.out = () => undefined;
    sink.err = () => undefined;
  }
  refuseMutexKeptAcrossInvocations(run.remoteHost);
  for (const rec of written) call.ctx.writeError(remoteRecord(rec));
  if (terminating) call.ctx.writeError(remoteRecord(terminating.record));
  return results.map((v) => tag(v, run.shown, run.runspaceId));
}

const invokeCommand: CmdletImpl = async (call) => {
  only(call, ['ComputerName', 'Session', 'ScriptBlock', 'ArgumentList', 'HideComputerName']);
  const sb = call.params.get('ScriptBlock');
  if (!(sb instanceof PsScriptBlock)) return [];
  const args = asList(call.params.get('ArgumentList') ?? null);
  if (!call.params.has('Session') && !call.params.has('ComputerName')) return call.ctx.invokeScriptBlock(sb, args);
  const opens = call.params.has('Session')
    ? sessionsOf(call, call.params.get('Session')).map((s) => () => openSession(call, s, sb.text))
    : strings(call.params.get('ComputerName')).map((n) => () => openComputer(call, n, sb.text));
  const out: PsValue[] = [];
  for (const open of opens) {
    const run = await open();
    if (run) out.push(...(await runInInterpreter(call, run, sb, args)));
  }
  return out;
};

// ---- the pwsh engine's Invoke-Command ----------------------------------------------------------
//
// On the pwsh engine (pwsh/SimWindows.psm1, remoting section) the block runs in a runspace of the
// real pwsh, and what comes back crosses PowerShell's own serializer (pwsh/Wire.cs Remote). Only
// the Windows part happens here: opening ONE target (-ComputerName name or -Session s) exactly as
// above. The step returns the target as an object (nothing when an error was written); the
// runspace's SimWindows names it in its bridge hello (pwsh/bridge.ts), so its calls act on that
// computer; its Close() ends the invocation.

const pwshTargets = new WeakMap<PsObject, RemoteRun>();

/** The run an object returned by pwshInvokeCommandStep stands for. */
export function remoteTargetOf(o: PsObject): RemoteRun | undefined {
  return pwshTargets.get(o);
}

const pwshInvokeCommandStep: CmdletImpl = async (call) => {
  only(call, ['ComputerName', 'Session', 'ScriptBlock', 'HideComputerName']);
  const text = toStr(call.params.get('ScriptBlock') ?? null);
  const run = call.params.has('Session')
    ? await openSession(call, sessionsOf(call, call.params.get('Session'))[0], text)
    : await openComputer(call, strings(call.params.get('ComputerName'))[0], text);
  if (!run) return [];
  const o = new PsObject(['IisctlSim.RemoteRun', 'System.Object']);
  // The runspace to run in: a session's is kept under its InstanceId, a -ComputerName one is new.
  o.addNote('Key', run.session ? run.session.instanceId : null);
  o.addNote('ComputerName', run.shown);
  o.addNote('RunspaceId', run.runspaceId);
  o.addMethod('Close', () => {
    refuseMutexKeptAcrossInvocations(run.remoteHost);
    return null;
  });
  pwshTargets.set(o, run);
  return [o];
};

/** A PSCredential that came from pwsh (-Credential): its user name; the password stays there (nothing simulated checks it). */
export function pwshCredential(userName: string): PsObject {
  const o = new PsObject(['System.Management.Automation.PSCredential', 'System.Object'], () => 'System.Management.Automation.PSCredential');
  o.addProperty('UserName', () => userName);
  return o;
}

/** What the pwsh engine's bridge runs instead of the interpreter's cmdlets of the same name. */
export const pwshRemotingCmdlets: Array<[string, CmdletImpl]> = [['Invoke-Command', pwshInvokeCommandStep]];

/** Restart-Computer [-ComputerName] [-Force]: the machine reboots (services stop, boot later). */
const restartComputer: CmdletImpl = async (call) => {
  only(call, ['ComputerName', 'Force']);
  const host = hostOf(call);
  const names = call.params.has('ComputerName') ? strings(call.params.get('ComputerName')) : [null];
  for (const name of names) {
    try {
      await host.use((m, world) => (name === null ? m : world.connect(name)).reboot());
    } catch (e) {
      if (!(e instanceof SimFault)) throw e;
      // "Failed to restart the computer {0} with the following error message: {1}." (as recalled).
      call.ctx.writeError(errorWith(chain({ type: 'System.InvalidOperationException', message: `Failed to restart the computer ${name ?? call.ctx.computerName} with the following error message: ${e.message}` }),
        `RestartcomputerFailed,${call.ctx.cmdletTypeName}`, 'OperationStopped', name ?? call.ctx.computerName));
    }
  }
  return [];
};

// ---- PSSessions ---------------------------------------------------------------------------------
//
// A PSSession lives in the PowerShell process that created it (Get-PSSession without -ComputerName
// lists "the PSSessions created in the current session", Get-PSSession 5.1 help), with a runspace on
// the remote computer whose variables persist between Invoke-Command -Session calls. Facts used:
// - Get-PSSession display columns (5.1): Id Name ComputerName ComputerType State ConfigurationName
//   Availability; default names WinRM<n>; ComputerType RemoteMachine; ConfigurationName
//   Microsoft.PowerShell; Availability Available (transcripts in PowerShell/PowerShell#6554 and
//   microsoft/SdnDiagnostics#10/#11). Here Name is WinRM<Id> (assumed: the counter is per process).
// - State is a RunspaceState (BeforeOpen 0, Opening 1, Opened 2, Closed 3, Closing 4, Broken 5,
//   Disconnecting 6, Disconnected 7, Connecting 8: System.Management.Automation.Runspaces), and
//   Availability a RunspaceAvailability (None 0, Available 1, AvailableForNestedCommand 2, Busy 3,
//   RemoteDebug 4). A Broken or Closed session shows Availability None (assumed).
// - A session whose computer went away becomes Broken and Invoke-Command on it fails with "Because
//   the session state for session WinRM6, <InstanceId>, websrv1 is not equal to Open, you cannot
//   run a command in the session. The session state is Disconnected." (5.1 transcript, "PowerShell
//   for Sysadmins" listing 8-16; "The session state is Broken" in a PowerShell Pester test of a
//   session whose host process died). ErrorId InvalidSessionState, category InvalidOperation,
//   exception InvalidRunspaceStateException (assumed).
// - New-PSSession to an unreachable computer: PSRemotingTransportException, OpenError, target the
//   RemoteRunspace, FullyQualifiedErrorId WinRMOperationTimeout,PSSessionOpenFailed (public
//   transcripts; AccessDenied,PSSessionOpenFailed and CannotUseIPAddress,PSSessionOpenFailed are
//   matched by public scripts). ComputerNotFound,PSSessionOpenFailed for an unknown name follows
//   the same pattern (derived).
// Simplification: a session notices that its computer rebooted (boot time changed), is restarting
// or became unreachable whenever it is looked at (State read, Invoke-Command); real WinRM clients
// notice on the next use or keep-alive.

interface SimSession {
  id: number;
  name: string;
  instanceId: string;
  runspaceId: string;
  /** As given to New-PSSession (what ComputerName shows). */
  computerName: string;
  /** The simulated computer it is connected to. */
  computer: string;
  bootTime: number;
  state: 'Opened' | 'Broken' | 'Closed';
  /** What the remote runspace's cmdlets see (its computer, its modules, its mutexes). */
  remoteHost: SimHost;
  /** Its interpreter (the interpreter engine; made on first use). */
  interp?: Interpreter;
  sink: { out: (t: string) => void; err: (rec: PsErrorRecord) => void };
  object?: PsObject;
}

interface Registry {
  nextId: number;
  sessions: SimSession[];
}

const registries = new WeakMap<SimHost, Registry>();

function registryOf(host: SimHost): Registry {
  let r = registries.get(host);
  if (!r) {
    r = { nextId: 1, sessions: [] };
    registries.set(host, r);
  }
  return r;
}

/**
 * Properties read when looked at, not when the object was made (the pwsh engine's bridge sends them
 * as such): a PSSession's State and Availability are its runspace's now (PSSession.Runspace's
 * RunspaceStateInfo), so a session broken by a reboot shows Broken on the next read.
 */
export const LIVE_PROPERTIES: Record<string, string[]> = { 'System.Management.Automation.Runspaces.PSSession': ['State', 'Availability'] };

const RUNSPACE_STATE: Record<SimSession['state'], number> = { Opened: 2, Closed: 3, Broken: 5 };

/** Re-reads the world (without the lock: a read-only snapshot) and breaks the session if its computer went away. */
function refresh(host: SimHost, s: SimSession): void {
  if (s.state !== 'Opened') return;
  const state = peekState(host.state);
  if (!state) return;
  const world = new SimWorld(state);
  world.advance(host.now());
  const comp = world.resolve(s.computer);
  if (!comp || comp.unreachable || comp.rebootingUntil !== null || comp.bootTime !== s.bootTime) s.state = 'Broken';
}

function sessionObject(host: SimHost, s: SimSession): PsObject {
  if (s.object) return s.object;
  const o = new PsObject(['System.Management.Automation.Runspaces.PSSession', 'System.Object'], () => `[PSSession]${s.name}`);
  o.addProperty('ComputerType', () => new PsEnum('System.Management.Automation.Runspaces.TargetMachineType', 'RemoteMachine', 0));
  o.addProperty('State', () => {
    refresh(host, s);
    return new PsEnum('System.Management.Automation.Runspaces.RunspaceState', s.state, RUNSPACE_STATE[s.state]);
  });
  o.addProperty('IdleTimeout', () => 7200000);
  o.addProperty('OutputBufferingMode', () => new PsEnum('System.Management.Automation.Runspaces.OutputBufferingMode', 'None', 0));
  o.addProperty('DisconnectedOn', () => null);
  o.addProperty('ExpiresOn', () => null);
  o.addProperty('ComputerName', () => s.computerName);
  o.addProperty('ConfigurationName', () => 'Microsoft.PowerShell');
  o.addProperty('InstanceId', () => s.instanceId);
  o.addProperty('Id', () => s.id);
  o.addProperty('Name', () => s.name);
  o.addProperty('Availability', () => {
    refresh(host, s);
    return s.state === 'Opened' ? new PsEnum('System.Management.Automation.Runspaces.RunspaceAvailability', 'Available', 1) : new PsEnum('System.Management.Automation.Runspaces.RunspaceAvailability', 'None', 0);
  });
  o.native = s;
  s.object = o;
  return o;
}

function sessionsOf(call: CmdletCall, v: PsValue | undefined): SimSession[] {
  const out: SimSession[] = [];
  for (const item of asList(v ?? null)) {
    const s = item instanceof PsObject ? (item.native as SimSession | undefined) : undefined;
    if (!s || typeof s !== 'object' || !('instanceId' in s)) {
      // The binder would have refused a non-PSSession ("Cannot convert ... to type PSSession").
      call.ctx.throwTerminating(errorWith(chain({ type: 'System.Management.Automation.ParameterBindingException', message: `Cannot bind parameter 'Session'. Cannot convert the "${toStr(item)}" value of type "${item === null ? 'null' : 'System.String'}" to type "System.Management.Automation.Runspaces.PSSession".` }),
        `CannotConvertArgumentNoMessage,${call.ctx.cmdletTypeName}`, 'InvalidArgument'));
    }
    out.push(s as SimSession);
  }
  return out;
}

function credentialOk(call: CmdletCall): void {
  if (!call.params.has('Credential')) return;
  const c = call.params.get('Credential');
  if (c instanceof PsObject && c.typeNames[0] === 'System.Management.Automation.PSCredential') return;
  // A user name instead of a PSCredential makes PowerShell prompt for the password, which a
  // -NonInteractive host refuses (HostException text of 5.1's ConsoleHost).
  call.ctx.throwTerminating(errorWith(chain({ type: 'System.Management.Automation.Host.HostException', message: 'Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.' }),
    `ParameterArgumentTransformationError,${call.ctx.cmdletTypeName}`, 'InvalidData'));
}

function openFailed(call: CmdletCall, name: string, fault: SimFault): void {
  const unknown = fault.reason === 'unknown-host';
  const rec = errorWith(chain({ type: 'System.Management.Automation.Remoting.PSRemotingTransportException', message: `Connecting to remote server ${name} failed with the following error message : ${unknown ? NOT_RESOLVED : WINRM_TEXT}` }),
    unknown ? 'ComputerNotFound,PSSessionOpenFailed' : 'WinRMOperationTimeout,PSSessionOpenFailed', 'OpenError', 'System.Management.Automation.RemoteRunspace');
  call.ctx.writeError(rec);
}

const newPSSession: CmdletImpl = async (call) => {
  only(call, ['ComputerName', 'Credential', 'Name']);
  credentialOk(call);
  const host = hostOf(call);
  const reg = registryOf(host);
  const names = strings(call.params.get('Name'));
  const out: PsValue[] = [];
  for (const [i, name] of strings(call.params.get('ComputerName')).entries()) {
    let opened: { computer: string; bootTime: number };
    try {
      opened = await host.use((_m, world) => {
        const m = world.connect(name);
        return { computer: m.name, bootTime: m.bootTime };
      });
    } catch (e) {
      if (e instanceof SimFault && e.kind === 'Unreachable') {
        openFailed(call, name, e);
        continue;
      }
      throw e;
    }
    const id = reg.nextId++;
    const sink: SimSession['sink'] = { out: () => undefined, err: () => undefined };
    const remoteHost = host.forComputer(opened.computer);
    const s: SimSession = {
      id,
      name: names[i] ?? `WinRM${id}`,
      instanceId: randomUUID(),
      runspaceId: randomUUID(),
      computerName: name,
      computer: opened.computer,
      bootTime: opened.bootTime,
      state: 'Opened',
      sink,
      remoteHost,
    };
    reg.sessions.push(s);
    out.push(sessionObject(host, s));
  }
  return out;
};

const getPSSession: CmdletImpl = (call) => {
  only(call, ['Name', 'Id']);
  const host = hostOf(call);
  let list = registryOf(host).sessions;
  if (call.params.has('Id')) {
    const ids = asList(call.params.get('Id') ?? null).map(Number);
    list = list.filter((s) => ids.includes(s.id));
  }
  if (call.params.has('Name')) {
    const names = strings(call.params.get('Name')).map((n) => n.toLowerCase());
    list = list.filter((s) => names.includes(s.name.toLowerCase()));
  }
  return list.map((s) => sessionObject(host, s));
};

const removePSSession: CmdletImpl = (call) => {
  only(call, ['Session', 'Id', 'Name', 'ComputerName']);
  const host = hostOf(call);
  const reg = registryOf(host);
  let targets: SimSession[];
  if (call.params.has('Session')) targets = sessionsOf(call, call.params.get('Session'));
  else if (call.params.has('Id')) targets = reg.sessions.filter((s) => asList(call.params.get('Id') ?? null).map(Number).includes(s.id));
  else if (call.params.has('Name')) targets = reg.sessions.filter((s) => strings(call.params.get('Name')).some((n) => n.toLowerCase() === s.name.toLowerCase()));
  else targets = reg.sessions.filter((s) => strings(call.params.get('ComputerName')).some((n) => n.toLowerCase() === s.computerName.toLowerCase()));
  for (const s of targets) {
    s.state = 'Closed';
    reg.sessions = reg.sessions.filter((x) => x !== s);
  }
  return [];
};

// ---- Get-Counter ----------------------------------------------------------------------------------
//
// Only the IIS "Web Service" object's "Current Connections" counter (technet cc783067: the Web
// Service performance object, one instance per site plus _Total; Current Connections is a
// PERF_COUNTER_RAWCOUNT). The value is the number of open connections to the site's listener of
// the simulated HTTP farm (lib/sim/http.ts), which publishes it in `<state file>.connections.json`;
// 0 when no farm serves. Output: a PerformanceCounterSampleSet (Timestamp, CounterSamples,
// Readings) whose samples carry Path ("\\computer\object(instance)\counter", lower case as
// Get-Counter prints it), InstanceName, CookedValue, RawValue (Get-Counter 5.1 help). Other paths:
// "The specified object was not found on the computer." / an unknown site: "The specified
// instance is not present.", CounterApiError (recalled PDH texts, not sourced).

const COUNTER = /^(?:\\\\([^\\]+))?\\web service\(([^)]*)\)\\current connections$/i;

export function connectionsFile(stateFile: string): string {
  return `${stateFile}.connections.json`;
}

export function currentConnections(host: SimHost, computer: string): Record<string, number> {
  try {
    const doc = JSON.parse(fs.readFileSync(connectionsFile(stateFilePath(host.state)), 'utf8')) as { computers?: Record<string, Record<string, number>> };
    return doc.computers?.[computer.toUpperCase()] ?? {};
  } catch {
    return {};
  }
}

const getCounter: CmdletImpl = async (call) => {
  only(call, ['Counter', 'MaxSamples', 'SampleInterval']);
  const host = hostOf(call);
  const computer = call.ctx.computerName;
  const sites = await host.use((m) => m.sites().map((s) => s.name));
  const conns = currentConnections(host, computer);
  const samples: PsObject[] = [];
  const now = host.now();
  for (const path of strings(call.params.get('Counter'))) {
    const m = COUNTER.exec(path.trim());
    const fail = (message: string) =>
      call.ctx.writeError(errorWith(chain({ type: 'System.Exception', message }), `CounterApiError,${call.ctx.cmdletTypeName}`, 'InvalidResult'));
    if (!m) {
      fail('The specified object was not found on the computer.');
      continue;
    }
    const instance = m[2];
    const lower = instance.toLowerCase();
    let value: number;
    if (lower === '_total') value = Object.values(conns).reduce((a, b) => a + b, 0);
    else if (sites.some((s) => s.toLowerCase() === lower)) value = conns[lower] ?? 0;
    else {
      fail('The specified instance is not present.');
      continue;
    }
    const sample = new PsObject(['Microsoft.PowerShell.Commands.GetCounter.PerformanceCounterSample', 'System.Object']);
    sample.addNote('Path', `\\\\${computer.toLowerCase()}\\web service(${lower})\\current connections`);
    sample.addNote('InstanceName', lower);
    sample.addNote('CookedValue', value);
    sample.addNote('RawValue', value);
    sample.addNote('Timestamp', new PsDateTime(now, 'Local'));
    samples.push(sample);
  }
  if (samples.length === 0) return [];
  const set = new PsObject(['Microsoft.PowerShell.Commands.GetCounter.PerformanceCounterSampleSet', 'System.Object']);
  set.addNote('Timestamp', new PsDateTime(now, 'Local'));
  set.addNote('Readings', samples.map((x) => `${toStr(x.getProperty('Path') ?? null)} :\n${toStr(x.getProperty('CookedValue') ?? null)}\n`).join('\n'));
  set.addNote('CounterSamples', samples);
  return [set];
};

export const remotingCmdlets: Array<[string, CmdletImpl]> = [
  ['Invoke-Command', invokeCommand],
  ['New-PSSession', newPSSession],
  ['Get-PSSession', getPSSession],
  ['Remove-PSSession', removePSSession],
  ['Get-Counter', getCounter],
  ['New-Object', newObjectWithCredentials],
  ['Restart-Computer', restartComputer],
];

export { toStr };
