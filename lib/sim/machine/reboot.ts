/**
 * Restart-Computer: every process ends, services stop (no per-service events: the machine is
 * going down), the computer is unreachable for rebootMs (assumed duration), then it boots:
 * base processes come back with new pids, Automatic services start (dependencies first) and,
 * once WAS and W3SVC run, autoStart pools and serverAutoStart sites start.
 */
import type { Ctx } from './context';
import { iisServicesChanged } from './pools';
import { startAutomaticServices } from './services';

export function requestReboot(ctx: Ctx): void {
  ctx.requireUp();
  ctx.requireAdmin({ type: 'computer', name: ctx.comp.name });
  ctx.cancelAll();
  for (const svc of Object.values(ctx.comp.services)) {
    svc.status = 'Stopped';
    svc.queued = null;
    svc.pid = null;
    svc.lastChange = ctx.now;
  }
  ctx.comp.processes = {};
  iisServicesChanged(ctx); // pools/sites lose their workers and report Unknown
  ctx.comp.rebootingUntil = ctx.now + ctx.comp.rebootMs;
  ctx.schedule('bootDone', ctx.comp.rebootingUntil, ctx.comp.name.toLowerCase());
}

/** Creates the processes every boot has (System etc.); also used when building a world. */
export function spawnBaseProcesses(ctx: Ctx): void {
  for (const b of ctx.comp.baseProcesses) {
    ctx.spawn(b.name, { kind: 'system' }, { workingSet: b.workingSet, commandLine: b.commandLine, userName: b.userName, pid: b.pid });
  }
}

/** Timer: the computer is up again. */
export function onBootDone(ctx: Ctx): void {
  ctx.comp.rebootingUntil = null;
  ctx.comp.bootTime = ctx.now;
  spawnBaseProcesses(ctx);
  startAutomaticServices(ctx);
}
