/**
 * Native `iisreset.exe` (docs/sources.md §1). Writes only to stdout (a native's stderr would fail a
 * node-powershell call, docs/sources.md §P1.4) and sets $LASTEXITCODE: 0 on success, 1 on
 * failure (docs/sources.md §1.9: undocumented; "treat non-zero as failure").
 *
 * Services acted on: IISADMIN and WAS (when present) plus every service depending on them (docs/sources.md §1.4,
 * derived from a real /status listing). Stop: forced stop of the roots (SCM stops dependents
 * first); on failure or timeout, unless /NOFORCE, the processes hosting them and the w3wp workers
 * are killed (docs/sources.md §1.5, the "kill" path). Start: the roots and the dependents that are Automatic
 * or were running before a restart. Events 3202 (stop) / 3201 (start) via logIisResetCommand (docs/sources.md §2.1).
 * Assumed: the failure line for a stop timeout uses ERROR_SERVICE_REQUEST_TIMEOUT (1053, standard
 * Win32 text), lower-case hex in the "(decimal, hex)" suffix, and "Stop attempt failed." is not
 * used: /STOP failures print KB 969864's "There was an error while performing this operation.".
 *
 * /DISABLE and /ENABLE (docs/sources.md §1.8): administrators only (the docs/sources.md §1.7 access-denied text otherwise); they
 * set / clear the computer's persisted `iisResetDisabled` flag. Their own console output was not
 * found in any source: assumed to print nothing and exit 0. While disabled, every IIisServiceControl
 * method returns E_ERROR_RESOURCE_DISABLED 0x800710D5 and does nothing else (docs/sources.md §1.3, §1.8), so
 * /STOP, /START, /RESTART and /STATUS fail with the docs/sources.md §1.5 error line
 * "A resource required for this operation is disabled. (2147946709, 800710d5)" (Win32 text of
 * ERROR_RESOURCE_DISABLED, 4309) and no IISReset event is logged; the head lines are the ones of
 * the other failures ("Restart attempt failed." / "There was an error while performing this
 * operation." after "Attempting stop...", none after "Attempting start..."; /STATUS prints only the
 * error line — assumed).
 */
import type { NativeCall, NativeImpl, NativeResult } from '../interp/types';
import { SimFault, Win32Errors, hresultFromWin32, type ServiceView, type SimMachine } from '../machine';
import { hostOf, type SimHost } from './simhost';
import { commandNotFound } from './common';

export const IISRESET_USAGE = [
  '',
  'IISRESET.EXE (c) Microsoft Corp. 1998-2005',
  '',
  'Usage:',
  'iisreset [computername]',
  '',
  '    /RESTART            Stop and then restart all Internet services.',
  '    /START              Start all Internet services.',
  '    /STOP               Stop all Internet services.',
  '    /REBOOT             Reboot the computer.',
  '    /REBOOTONERROR      Reboot the computer if an error occurs when starting,',
  '                        stopping, or restarting Internet services.',
  '    /NOFORCE            Do not forcefully terminate Internet services if',
  '                        attempting to stop them gracefully fails.',
  '    /TIMEOUT:val        Specify the timeout value ( in seconds ) to wait for ',
  '                        a successful stop of Internet services. On expiration',
  '                        of this timeout the computer can be rebooted if ',
  '                        the /REBOOTONERROR parameter is specified.',
  '                        The default value is 20s for restart, 60s for stop,',
  '                        and 0s for reboot.',
  '    /STATUS             Display the status of all Internet services.',
  '    /ENABLE             Enable restarting of Internet Services ',
  '                        on the local system.',
  '    /DISABLE            Disable restarting of Internet Services ',
  '                        on the local system.',
  '',
  '',
].join('\r\n');

const ACCESS_DENIED = [
  'Access denied, you must be an administrator of the remote computer to use this',
  'command. Either have your account added to the administrator local group of',
  'the remote computer or to the domain administrator global group.',
];
const START_FAILED = 'The IIS Admin Service or the World Wide Web Publishing Service, or a service dependent on them failed to start.  The service, or dependent services, may had an error during its startup or may be disabled';
const TIMEOUT = { code: 1053, message: 'The service did not respond to the start or control request in a timely fashion.' };
const POLL_MS = 100;

function hrLine(message: string, hresult: number): string {
  return `${message} (${hresult >>> 0}, ${(hresult >>> 0).toString(16)})`;
}

/** IISADMIN/WAS and their dependents, in /STATUS order (roots, then dependents by name). */
function iisServices(m: SimMachine): ServiceView[] {
  const roots = ['IISADMIN', 'WAS'].map((n) => m.service(n)).filter((s): s is ServiceView => !!s);
  const deps = new Map<string, ServiceView>();
  for (const r of roots) for (const d of m.dependentServices(r.name, { recursive: true })) deps.set(d.name.toLowerCase(), d);
  for (const r of roots) deps.delete(r.name.toLowerCase());
  return [...roots, ...[...deps.values()].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()))];
}

interface Options {
  action: 'restart' | 'start' | 'stop' | 'status' | 'usage' | 'enable' | 'disable';
  noforce: boolean;
  timeoutS?: number;
}

function parse(args: string[]): Options | string {
  const o: Options = { action: 'restart', noforce: false };
  for (const a of args) {
    const s = a.replace(/^[-/]/, '/').toUpperCase();
    if (s === '/?' || s === '/HELP') o.action = 'usage';
    else if (s === '/RESTART') o.action = 'restart';
    else if (s === '/START') o.action = 'start';
    else if (s === '/STOP') o.action = 'stop';
    else if (s === '/STATUS') o.action = 'status';
    else if (s === '/ENABLE') o.action = 'enable';
    else if (s === '/DISABLE') o.action = 'disable';
    else if (s === '/NOFORCE') o.noforce = true;
    else if (/^\/TIMEOUT:\d+$/.test(s)) o.timeoutS = Number(s.slice(9));
    else return a;
  }
  return o;
}

async function waitFor(call: NativeCall, host: SimHost, names: string[], target: 'Stopped' | 'Running', ms: number): Promise<'ok' | 'timeout' | 'failed'> {
  const end = host.now() + ms;
  for (;;) {
    const states = await host.use((m) => names.map((n) => m.service(n)?.statusName));
    if (states.every((s) => s === target)) return 'ok';
    if (target === 'Running' && states.some((s) => s === 'Stopped')) return 'failed';
    if (host.now() >= end) return 'timeout';
    await call.ctx.sleep(POLL_MS);
  }
}

async function stop(call: NativeCall, host: SimHost, o: Options, timeoutMs: number): Promise<string | null> {
  let names: string[] = [];
  let fault: SimFault | undefined;
  await host.use((m) => {
    names = iisServices(m).map((s) => s.name);
    for (const root of ['IISADMIN', 'WAS']) {
      const v = m.service(root);
      if (!v || v.statusName === 'Stopped') continue;
      try {
        m.requestStop(v.name, { force: true });
      } catch (e) {
        if (!(e instanceof SimFault)) throw e;
        fault ??= e;
      }
    }
  });
  const waited = fault ? 'failed' : await waitFor(call, host, names, 'Stopped', timeoutMs);
  if (waited === 'ok') return null;
  const why = fault ? hrLine(fault.message, fault.hresult ?? 0x80004005) : hrLine(TIMEOUT.message, 0x80070000 | TIMEOUT.code);
  if (o.noforce) return why;
  // Kill path: the processes hosting the services, then the workers (docs/sources.md §1.5).
  await host.use((m) => {
    const set = new Set(names.map((n) => n.toLowerCase()));
    for (const p of m.processes()) {
      if (p.services.some((s) => set.has(s.toLowerCase())) || p.processName === 'w3wp') {
        try {
          m.kill(p.id);
        } catch {
          // already gone with its host
        }
      }
    }
  });
  return (await waitFor(call, host, names, 'Stopped', 5000)) === 'ok' ? null : why;
}

async function start(call: NativeCall, host: SimHost, wasRunning: Set<string>): Promise<string | null> {
  let names: string[] = [];
  await host.use((m) => {
    const all = iisServices(m);
    const roots = new Set(['iisadmin', 'was']);
    names = all.filter((s) => roots.has(s.name.toLowerCase()) || s.startTypeName === 'Automatic' || wasRunning.has(s.name.toLowerCase())).map((s) => s.name);
    for (const n of names) {
      const v = m.service(n);
      if (!v || v.statusName !== 'Stopped' || v.startTypeName === 'Disabled') continue;
      try {
        m.requestStart(n);
      } catch (e) {
        if (!(e instanceof SimFault)) throw e;
      }
    }
  });
  const r = await waitFor(call, host, names, 'Running', 60_000);
  return r === 'ok' ? null : START_FAILED;
}

const DISABLED_LINE = hrLine(Win32Errors.RESOURCE_DISABLED.message, hresultFromWin32(Win32Errors.RESOURCE_DISABLED.code));

/** The output of a stop/start/restart/status while `iisreset /DISABLE` is in effect (see the header). */
function disabled(o: Options): NativeResult {
  const lines =
    o.action === 'status' ? [DISABLED_LINE]
      : o.action === 'start' ? ['Attempting start...', DISABLED_LINE]
        : ['Attempting stop...', o.action === 'restart' ? 'Restart attempt failed.' : 'There was an error while performing this operation.', DISABLED_LINE];
  return { stdout: lines.join('\r\n') + '\r\n', exitCode: 1 };
}

export const iisreset: NativeImpl = async (call): Promise<NativeResult> => {
  const o = parse(call.args);
  if (typeof o === 'string') {
    // A computer name: remote iisreset goes over DCOM (docs/sources.md §1.10), not simulated.
    call.ctx.throwTerminating({
      exception: { typeName: 'System.NotSupportedException', message: `The simulated host does not implement iisreset ${o} (remote iisreset over DCOM; iisctl simulator).` },
      fullyQualifiedErrorId: 'NotImplementedBySimulatedHost', category: 'NotImplemented', targetObject: o,
    });
  }
  const opts = o as Options;
  const host = hostOf(call);
  // iisreset.exe ships with IIS: on a computer without W3SVC the program does not exist (assumed criterion).
  if (!(await host.use((m) => m.iisInstalled))) commandNotFound(call);
  if (opts.action === 'usage') return { stdout: IISRESET_USAGE, exitCode: 0 };
  const admin = await host.use((m) => m.isAdministrator);
  if (!admin) return { stdout: ACCESS_DENIED.join('\r\n') + '\r\n', exitCode: 1 };
  if (opts.action === 'enable' || opts.action === 'disable') {
    await host.use((m) => m.setIisResetDisabled(opts.action === 'disable'));
    return { stdout: '', exitCode: 0 };
  }
  if (await host.use((m) => m.iisResetDisabled)) return disabled(opts);
  if (opts.action === 'status') {
    const lines = await host.use((m) => iisServices(m).map((s) => `Status for ${s.displayName} ( ${s.name} ) : ${s.state}`));
    return { stdout: lines.join('\r\n') + '\r\n', exitCode: 0 };
  }
  const out: string[] = [];
  const fail = (head: string, line: string) => ({ stdout: [...out, head, line].join('\r\n') + '\r\n', exitCode: 1 });
  let wasRunning = new Set<string>();
  if (opts.action === 'stop' || opts.action === 'restart') {
    wasRunning = await host.use((m) => {
      m.logIisResetCommand('stop');
      return new Set(iisServices(m).filter((s) => s.statusName !== 'Stopped').map((s) => s.name.toLowerCase()));
    });
    out.push('Attempting stop...');
    const timeoutMs = (opts.timeoutS ?? (opts.action === 'stop' ? 60 : 20)) * 1000;
    const err = await stop(call, host, opts, timeoutMs);
    if (err) return fail(opts.action === 'restart' ? 'Restart attempt failed.' : 'There was an error while performing this operation.', err);
    out.push('Internet services successfully stopped');
  }
  if (opts.action === 'start' || opts.action === 'restart') {
    await host.use((m) => m.logIisResetCommand('start'));
    out.push('Attempting start...');
    const err = await start(call, host, wasRunning);
    if (err) return { stdout: [...out, err].join('\r\n') + '\r\n', exitCode: 1 };
    out.push(opts.action === 'restart' ? 'Internet services successfully restarted' : 'Internet services successfully started');
  }
  return { stdout: out.join('\r\n') + '\r\n', exitCode: 0 };
};
