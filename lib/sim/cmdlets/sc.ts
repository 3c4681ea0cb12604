/**
 * Native `sc.exe` (docs/sources.md §3.7), the two recovery verbs only: `qfailure <service>` and
 * `failure <service> reset= <seconds> actions= <type>/<ms>[/<type>/<ms>...]` (options and values
 * are separate arguments: "A space is required between an option and its value", learn.microsoft.com sc-config; reset=
 * "requires the actions= parameter"; delays in milliseconds; action types restart, run, reboot and
 * "" for none). Plain `sc` is the Set-Content alias in PowerShell and never reaches this.
 *
 * qfailure output (docs/sources.md §3.7 names the fields RESET_PERIOD (in seconds), REBOOT_MESSAGE,
 * COMMAND_LINE and FAILURE_ACTIONS "RESTART -- Delay = 0 milliseconds." from a public sample); the
 * `[SC] QueryServiceConfig2 SUCCESS` / `[SC] ChangeServiceConfig2 SUCCESS` heads, the column layout,
 * one line per further action, and the error form `[SC] OpenService FAILED <code>:` + blank line +
 * Win32 text with exit code = the Win32 code are *assumed* (common transcripts, not in docs/sources.md §3.7).
 * Everything goes to stdout. Any other verb or option fails loudly (exit 87, not simulated).
 */
import type { NativeCall, NativeImpl, NativeResult } from '../interp/types';
import { SimFault, type ServiceRecovery } from '../machine';
import { hostOf } from './simhost';

const ACTION_NAMES: Record<string, string> = { restart: 'RESTART', reboot: 'REBOOT', run: 'RUN PROCESS', none: 'NONE' };

const out = (lines: string[], exitCode = 0): NativeResult => ({ stdout: lines.join('\r\n') + '\r\n', exitCode });

function failed(api: string, e: SimFault): NativeResult {
  const code = e.win32Code ?? 1;
  return out([`[SC] ${api} FAILED ${code}:`, '', e.message], code);
}

function usageError(text: string): NativeResult {
  return out([`[SC] The simulated host does not implement ${text} (iisctl simulator).`], 87);
}

export function formatQFailure(service: string, r: ServiceRecovery | null): string[] {
  const actions = r ? r.actions ?? [{ type: r.action, delayMs: r.delayMs }] : [];
  const lines = ['[SC] QueryServiceConfig2 SUCCESS', '', `SERVICE_NAME: ${service}`, `        RESET_PERIOD (in seconds)    : ${r?.resetSeconds ?? 0}`, '        REBOOT_MESSAGE               : ', '        COMMAND_LINE                 : '];
  actions.forEach((a, i) => {
    const text = `${ACTION_NAMES[a.type]} -- Delay = ${a.delayMs} milliseconds.`;
    lines.push(i === 0 ? `        FAILURE_ACTIONS              : ${text}` : `                                       ${text}`);
  });
  lines.push('');
  return lines;
}

function parseActions(text: string): ServiceRecovery['actions'] | null {
  if (text === '' || text === '""') return [];
  const parts = text.split('/');
  if (parts.length % 2 !== 0) return null;
  const actions: NonNullable<ServiceRecovery['actions']> = [];
  for (let i = 0; i < parts.length; i += 2) {
    const type = parts[i].replace(/^""$/, '').toLowerCase();
    const delay = parts[i + 1];
    if (!/^\d+$/.test(delay)) return null;
    if (type === '') actions.push({ type: 'none', delayMs: Number(delay) });
    else if (type === 'restart' || type === 'reboot' || type === 'run') actions.push({ type, delayMs: Number(delay) });
    else return null;
  }
  return actions;
}

export const scExe: NativeImpl = async (call: NativeCall) => {
  const args = call.args.map(String);
  const host = hostOf(call);
  const verb = (args[0] ?? '').toLowerCase();
  if (verb === 'qfailure') {
    if (args.length !== 2) return usageError(`sc.exe ${args.join(' ')}`);
    try {
      const { name, recovery } = await host.use((m) => ({ name: m.requireService(args[1]).name, recovery: m.serviceRecovery(args[1]) }));
      return out(formatQFailure(name, recovery));
    } catch (e) {
      if (e instanceof SimFault) return failed('OpenService', e);
      throw e;
    }
  }
  if (verb === 'failure') {
    const service = args[1];
    if (!service) return usageError('sc.exe failure without a service name');
    let reset: number | undefined;
    let actions: ServiceRecovery['actions'] | undefined;
    for (let i = 2; i < args.length; i += 2) {
      const opt = args[i].toLowerCase();
      const value = args[i + 1];
      if (value === undefined) return usageError(`sc.exe failure option ${args[i]} without a value`);
      if (opt === 'reset=') {
        if (!/^\d+$/.test(value)) return usageError(`reset= ${value}`);
        reset = Number(value);
      } else if (opt === 'actions=') {
        const parsed = parseActions(value);
        if (!parsed) return usageError(`actions= ${value}`);
        actions = parsed;
      } else return usageError(`the sc.exe failure option ${args[i]}`);
    }
    if (reset !== undefined && actions === undefined) return usageError('reset= without actions= (it "requires the actions= parameter")');
    if (actions === undefined) return usageError('sc.exe failure without actions=');
    const useful = actions.filter((a) => a.type !== 'none');
    const first = actions[0];
    const recovery: ServiceRecovery | null = useful.length === 0 ? null : { action: 'restart', delayMs: first.delayMs, actions, resetSeconds: reset ?? 0 };
    try {
      await host.use((m) => m.setServiceRecovery(service, recovery));
      return out(['[SC] ChangeServiceConfig2 SUCCESS']);
    } catch (e) {
      if (e instanceof SimFault) return failed(e.kind === 'AccessDenied' ? 'OpenService' : 'OpenService', e);
      throw e;
    }
  }
  return usageError(`sc.exe ${args[0] ?? ''}`);
};
