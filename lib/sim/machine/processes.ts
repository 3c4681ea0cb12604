/**
 * The process table: listing and Stop-Process. Killing a service host ends every service in
 * it (so a shared svchost takes its neighbours down — the reason iisctl must never kill one
 * blindly, docs/sources.md §3.6); killing a w3wp is a worker failure seen by WAS (docs/sources.md §2.2).
 */
import type { Ctx } from './context';
import { SimFault, Win32Errors } from './faults';
import { findPool, killWorker } from './pools';
import { crashHostedServices } from './services';
import type { ProcessState } from './types';

export interface ProcessView {
  id: number;
  /** Get-Process ProcessName (no ".exe"). */
  processName: string;
  startTime: number;
  workingSet: number;
  commandLine: string;
  userName: string;
  /** Canonical names of the services hosted (service hosts only). */
  services: string[];
  /** The pool served (w3wp only). */
  appPool: string | null;
}

export function processView(p: ProcessState): ProcessView {
  return {
    id: p.pid,
    processName: p.name,
    startTime: p.startTime,
    workingSet: p.workingSet,
    commandLine: p.commandLine,
    userName: p.userName,
    services: [...p.services],
    appPool: p.owner.kind === 'worker' ? p.owner.pool : null,
  };
}

export function requireProcess(ctx: Ctx, pid: number): ProcessState {
  const p = ctx.process(pid);
  if (!p) {
    throw new SimFault({
      kind: 'NotFound',
      // Stop-Process wording for a missing id (assumed; the cmdlet layer may word its own).
      message: `Cannot find a process with the process identifier ${pid}.`,
      computer: ctx.comp.name,
      target: { type: 'process', name: String(pid) },
    });
  }
  return p;
}

/**
 * Processes nobody may terminate, administrators included: OpenProcess(PROCESS_TERMINATE) fails
 * with ERROR_ACCESS_DENIED. Sources: System (pid 4) — "OpenProcess for pid 4 (System) : Access is
 * denied." (eduardomcm/VelociraptorCompetition#2); Idle and CSRSS — OpenProcess docs quoted in
 * cuckoosandbox/monitor#50, "CSRSS is a protected process" (winsiderss/systeminformer#1959), and
 * Stop-Process on Idle: 'Cannot stop process "Idle (0)" because of the following error: Access is
 * denied' (jabbera/my-vsts-tasks#53). Other protected processes (smss, wininit, services) are not
 * covered: no source found.
 */
const UNKILLABLE = new Set(['system', 'idle', 'csrss']);

/** Stop-Process -Id: processes owned by services/pools need an administrator. */
export function killProcess(ctx: Ctx, pid: number): void {
  ctx.requireUp();
  const p = requireProcess(ctx, pid);
  const target = { type: 'process' as const, name: `${p.name} (${p.pid})` };
  ctx.requireAdmin(target);
  if (p.owner.kind === 'system' && UNKILLABLE.has(p.name.toLowerCase())) throw SimFault.win32('AccessDenied', Win32Errors.ACCESS_DENIED, ctx.comp.name, target);
  if (p.owner.kind === 'service') {
    crashHostedServices(ctx, p);
  } else if (p.owner.kind === 'worker' && findPool(ctx.comp, p.owner.pool)) {
    killWorker(ctx, p);
  } else {
    ctx.endProcess(pid);
  }
}
