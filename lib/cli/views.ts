/**
 * Human views shared by several commands: a dry-run plan, and the result of a stop/start/restart
 * with iisreset's console wording (docs/sources.md §1.7).
 */
import type { OperationPlan, Progress, ServiceOperationResult, ServiceInfo } from '../index';
import { duration, Output, table } from './render';

export function renderPlan(out: Output, plan: OperationPlan, restartsEnabled?: boolean): void {
  out.line(`Dry run on ${plan.host}: ${plan.action} would run these steps. Nothing was changed.`);
  if (restartsEnabled === false && plan.action !== 'start' && plan.action !== 'enable' && plan.action !== 'disable') disabledNote(out, plan.host, plan.action);
  plan.steps.forEach((step, i) => {
    out.line('');
    out.line(`${i + 1}. ${step.description}${step.targets?.length ? ` [${step.targets.join(', ')}]` : ''}`);
    for (const l of step.script.split(/\r?\n/)) out.line(`     ${l}`);
  });
}

/** In a dry run of an action that restarts being disabled on the host would refuse. */
export function disabledNote(out: Output, host: string, action: string): void {
  out.line(out.paint(`Note: restarts are disabled on ${host}; the ${action} would be refused (exit 6).`, 'yellow'));
}

/** A dry run's steps under a title: number, description, the exact script indented. */
export function renderSteps(out: Output, title: string, steps: ReadonlyArray<{ description: string; script: string }>): void {
  out.line(title);
  steps.forEach((s, i) => {
    out.line('');
    out.line(`${i + 1}. ${s.description}`);
    for (const l of s.script.split(/\r?\n/)) out.line(`     ${l}`);
  });
}

const VERB: Record<Progress['phase'], string> = { stop: 'stopping', start: 'starting', kill: 'terminating' };

/**
 * The iisreset narration of one operation, driven by the library's progress callbacks.
 * "Attempting stop..." is said once the operation is under way (its first progress report, or its
 * end), never before a refusal (restarts disabled, host locked, bad input) nor while waiting for
 * the host lock.
 */
export class Narration {
  private stoppedSaid = false;
  private begun = false;
  private wanted = false;

  constructor(
    private readonly out: Output,
    private readonly action: ServiceOperationResult['action'],
    private readonly host: string,
  ) {}

  /** Narration wanted for this operation; said from the first progress report on. */
  begin(): void {
    this.wanted = true;
  }

  private attempting(): void {
    if (!this.wanted || this.begun) return;
    this.begun = true;
    this.out.say(this.action === 'start' ? 'Attempting start...' : 'Attempting stop...');
  }

  /** The progress callback: the live line, and in a restart the switch from stop to start. */
  onProgress = (p: Progress): void => {
    this.attempting();
    if (this.action === 'restart' && p.phase === 'start') this.stopped();
    this.out.progress(this.host, VERB[p.phase], p.pending, p.elapsedMs, p.timeoutMs);
  };

  end(): void {
    this.out.clearProgress();
    this.attempting();
    if (this.action === 'restart') this.stopped();
    this.out.say(`Internet services successfully ${this.action === 'stop' ? 'stopped' : this.action === 'start' ? 'started' : 'restarted'}`);
  }

  fail(): void {
    this.out.clearProgress();
  }

  private stopped(): void {
    if (this.stoppedSaid) return;
    this.stoppedSaid = true;
    this.out.say('Internet services successfully stopped');
    this.out.say('Attempting start...');
  }
}

/** After the iisreset lines, what iisctl adds: the services before and after, and what was done. */
export function renderOperation(out: Output, r: ServiceOperationResult): void {
  out.line('');
  const rows = r.after.map((after) => {
    const before = r.before.find((b) => b.name === after.name);
    return [after.name, before ? out.state(before.status) : '-', out.state(after.status), pidChange(before, after)];
  });
  for (const l of table(['SERVICE', 'BEFORE', 'AFTER', 'PROCESS'], rows)) out.line(l);
  out.line('');
  const forced = r.forced ? `forced: terminated ${r.killedProcessIds.join(', ') || 'nothing'}${r.backup ? `, configuration backup ${r.backup}` : ''}` : 'graceful, nothing terminated';
  out.line(`${r.action} on ${r.host} took ${duration(r.durationMs)} (${forced}).`);
  if (r.recoverySuspended?.length) out.line(`Automatic Restart (SCM recovery actions) of ${r.recoverySuspended.join(', ')} suspended so the terminated services stay stopped; \`iisctl start\` restores it.`);
  if (r.recoveryRestored?.length) out.line(`Automatic Restart of ${r.recoveryRestored.join(', ')} restored (a forced stop had suspended it).`);
  if (r.leftStopped?.length) out.line(leftStoppedLine(r.leftStopped));
  if (r.retries.length) out.line(`Retried ${r.retries.length} time(s): ${[...new Set(r.retries.map((x) => x.reason))].join('; ')}`);
  // After a restart the worker processes are the new ones; only a stop leaves orphans behind.
  if (r.action === 'stop' && r.orphanWorkerProcessIds.length) out.line(out.paint(`Worker processes still running after the stop: ${r.orphanWorkerProcessIds.join(', ')} (terminated only with --force).`, 'yellow'));
}

function pidChange(before: ServiceInfo | undefined, after: ServiceInfo): string {
  const b = before?.processId ? String(before.processId) : '-';
  const a = after.processId ? String(after.processId) : '-';
  return b === a ? a : `${b} -> ${a}`;
}

/** A restart brings back the IIS roots; dependents stopped before it stay stopped (the result says so). */
export function leftStoppedLine(names: readonly string[]): string {
  return `Left stopped, as before the restart: ${names.join(', ')} (iisctl start brings back the automatic ones).`;
}
