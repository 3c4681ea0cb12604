/**
 * What iisreset does, done in TypeScript over small PowerShell commands
 * (docs/sources.md §1.2-§1.5, §1.12; Stop-Service's wait: PowerShell/PowerShell Service.cs, §3.2):
 *
 * - the service set is discovered on the host (IISADMIN if installed, WAS, W3SVC and everything
 *   that depends on them);
 * - stop goes dependents first, start dependencies first, in waves (order.ts);
 * - every stop/start is requested without blocking and waited for on the host, one slice per call,
 *   against a deadline (wait.ts), because Stop-Service has no timeout and waits forever on a hung
 *   StopPending service;
 * - a timeout without force kills nothing and fails with TIMEOUT, naming what is still pending and
 *   the state the host was left in; with force, the IIS configuration is backed up, then only the
 *   processes of IIS services and IIS worker processes are terminated, never a shared service host
 *   that also runs a non-IIS service; then the state is verified;
 * - a forced stop (not a restart) first suspends the SCM recovery actions of the services it
 *   terminates, or the SCM would start them again a minute later while iisctl reported Stopped;
 *   they are saved on the host and the next start (or restart) puts them back;
 * - after every stop, leftover w3wp processes are reported (and terminated only with force);
 * - restart stops and then starts all Internet services (iisreset /RESTART, docs/sources.md §1.2): the roots
 *   (IISADMIN where installed, WAS, W3SVC) always come back, a dependent only when it was running
 *   before (one stopped on purpose stays stopped, and the result says so);
 * - transient failures are retried (retry.ts); success is reported only from a state read back.
 */
import { HINTS } from '../hints';
import { IisctlError, isIisctlError } from '../errors';
import { checkNumber, LIMITS } from '../limits';
import { DEFAULTS } from '../defaults';
import type { EventRecord } from '../scripts/events';
import type { PsCommand } from '../scripts/command';
import { readLock, type LockState } from '../scripts/lock';
import { createBackup } from '../scripts/backups';
import { killProcesses, restartComputer } from '../scripts/processes';
import { IisServiceSnapshot, readIisServices, requestServiceStart, requestServiceStop, ServiceInfo, ServiceWaitFailure, waitForServices } from '../scripts/services';
import { disableRestarts, enableRestarts, readToggle, ToggleState } from '../scripts/toggle';
import {
  clearSuspendedRecovery, readRecovery, readSuspendedRecovery, RECOVERY_SERVICES, saveSuspendedRecovery, type ServiceRecoveryInfo, type SuspendedRecovery, writeRecovery,
} from '../scripts/recovery';
import { startWaves, stopWaves } from './order';
import type { RetryRecord } from './retry';
import { pollUntil } from './wait';
import { HostOperator, type PlannedStep, type StepRecord } from './operation';
import { batch, type PartResult } from '../scripts/batch';

export type { PlannedStep, StepRecord } from './operation';

export interface ServiceOperationResult {
  action: 'stop' | 'start' | 'restart';
  host: string;
  durationMs: number;
  steps: StepRecord[];
  retries: RetryRecord[];
  /** True when processes had to be terminated. */
  forced: boolean;
  killedProcessIds: number[];
  /** IIS worker processes still running after the stop (terminated only with force). */
  orphanWorkerProcessIds: number[];
  /** Name of the configuration backup taken before a forced kill. */
  backup?: string;
  /** Services whose SCM recovery actions a forced stop suspended (restored by the next start). */
  recoverySuspended?: string[];
  /** Services whose suspended recovery actions this start (or restart) put back. */
  recoveryRestored?: string[];
  /** The service set before the operation. */
  before: ServiceInfo[];
  /** The verified state after the operation. */
  after: ServiceInfo[];
  /** Events logged on the host during the operation (its audit event included). */
  events: EventRecord[];
  /** Restart only: dependents that were stopped before and were left stopped. */
  leftStopped?: string[];
}

export interface StatusResult {
  host: string;
  services: ServiceInfo[];
  workerProcessIds: number[];
  restarts: ToggleState;
  /** Whether another iisctl is changing the host right now (the host lock), and who. */
  lock: LockState;
}

export interface StopOptions {
  /** Default: DEFAULTS.stopTimeoutSeconds for stop, DEFAULTS.restartStopTimeoutSeconds for restart (iisreset's, lib/defaults.ts). */
  timeoutSeconds?: number;
  /** Terminate IIS processes when the graceful stop times out (iisreset without /NOFORCE). */
  force?: boolean;
  /** Why, recorded in the audit event. */
  reason?: string;
  /** Skip the configuration backup before a forced kill. */
  skipBackup?: boolean;
  /** Called after every poll with what is still pending. */
  onProgress?: (progress: Progress) => void;
}

export interface StartOptions {
  timeoutSeconds?: number;
  reason?: string;
  onProgress?: (progress: Progress) => void;
}

export interface RestartOptions extends StopOptions {
  /** Reboot the host when the stop or start fails (iisreset /REBOOTONERROR). */
  rebootOnError?: boolean;
}

/** What an operation would do, without doing it (--dry-run). Reads are done; nothing is changed. */
export interface OperationPlan {
  action: ServiceOperationResult['action'] | 'disable' | 'enable';
  host: string;
  steps: PlannedStep[];
}

export interface Progress {
  phase: 'stop' | 'start' | 'kill';
  pending: string[];
  elapsedMs: number;
  timeoutMs: number;
}

export type { ControllerOptions } from './operation';

const STOPPED = 'Stopped';
const RUNNING = 'Running';
/** After a forced kill, how long the SCM gets to report the killed services as stopped. */
const KILL_SETTLE_MS = DEFAULTS.killSettleMs;

export class IisServiceController extends HostOperator {

  /**
   * The services, the restarts toggle and the host lock, in one round trip; with `recovery`, the
   * services' recovery actions in the same round trip too (left out, and logged, when they cannot
   * be read: they complete the picture, they are not the status).
   */
  async status(options: { recovery?: boolean } = {}): Promise<StatusResult & { recovery?: ServiceRecoveryInfo[] }> {
    const read = { services: readIisServices(), toggle: readToggle(), lock: readLock() };
    const recovery = readRecovery(RECOVERY_SERVICES);
    const parts = await this.run(batch(options.recovery ? { ...read, recovery } : read, this.host));
    const snapshot = await this.settle(parts.services, read.services);
    const restarts = await this.settle(parts.toggle, read.toggle);
    const lock = await this.settle(parts.lock, read.lock);
    const status = { host: this.host, services: snapshot.services, workerProcessIds: snapshot.workerProcessIds, restarts, lock };
    if (!options.recovery) return status;
    try {
      return { ...status, recovery: await this.settle((parts as typeof parts & { recovery: PartResult<ServiceRecoveryInfo[]> }).recovery, recovery) };
    } catch (error) {
      this.logger.debug('could not read the recovery actions', { host: this.host, error: (error as Error).message });
      return status;
    }
  }

  isEnabled(): Promise<ToggleState> {
    return this.run(readToggle());
  }

  disable(reason?: string): Promise<ToggleState> {
    return this.toggled('disable', false, reason, async () => {
      const classic = await this.run(disableRestarts(reason ?? ''));
      if (classic.ran && classic.exitCode !== 0) {
        this.logger.warn('iisreset /disable did not succeed; iisctl restarts are disabled all the same', { host: this.host, output: classic.output });
      }
    });
  }

  enable(): Promise<ToggleState> {
    return this.toggled('enable', true, undefined, async () => {
      await this.run(enableRestarts());
    });
  }

  /** Disable or enable in the frame: the change, then the toggle read back (with the audit event) and verified. */
  private async toggled(action: 'disable' | 'enable', enabled: boolean, reason: string | undefined, change: () => Promise<void>): Promise<ToggleState> {
    const state = await this.operation({
      action,
      reason,
      guarded: false,
      body: change,
      readBack: () => ({ toggle: readToggle() }),
      audit: { beforeReadBack: true },
      events: false,
      attach: false,
      record: (_frame, _value, read) => read.toggle,
      verify: (read) => {
        if (!read?.ok) throw read?.error;
        if (read.value.enabled !== enabled) throw new IisctlError('FAILED', `Restarts are still ${read.value.enabled ? 'enabled' : 'disabled'} on ${this.host} after the change.`, { host: this.host });
      },
    });
    return (state as { value: ToggleState }).value;
  }

  stop(options: StopOptions = {}): Promise<ServiceOperationResult> {
    return this.operate('stop', options, async (op) => {
      await this.stopAll(op, options, (options.timeoutSeconds ?? DEFAULTS.stopTimeoutSeconds) * 1000);
    });
  }

  start(options: StartOptions = {}): Promise<ServiceOperationResult> {
    return this.operate('start', options, async (op, suspended) => {
      await this.restoreRecovery(op, await suspended());
      await this.startServices(op, this.servicesToStart(op.before), (options.timeoutSeconds ?? DEFAULTS.startTimeoutSeconds) * 1000, options.onProgress);
    });
  }

  /**
   * `startWithinMs`: for a caller with one budget for several steps (a heal rung), what is left of
   * it when the start phase begins; without it the start phase gets DEFAULTS.startTimeoutSeconds.
   */
  restart(options: RestartOptions = {}, startWithinMs?: () => number): Promise<ServiceOperationResult> {
    return this.operate('restart', options, async (op, suspended) => {
      const targets = restartTargets(op.before);
      try {
        await this.stopAll(op, options, (options.timeoutSeconds ?? DEFAULTS.restartStopTimeoutSeconds) * 1000);
        await this.restoreRecovery(op, await suspended());
        await this.startServices(op, targets, startWithinMs ? startWithinMs() : DEFAULTS.startTimeoutSeconds * 1000, options.onProgress);
      } catch (error) {
        throw options.rebootOnError ? await this.rebootAfterFailure(op, error, options.reason) : error;
      }
    });
  }

  /** The plan of an operation from the host's current state; changes nothing. */
  async plan(action: OperationPlan['action'], options: RestartOptions = {}): Promise<OperationPlan> {
    checkNumber('timeoutSeconds', options.timeoutSeconds, LIMITS.timeoutSeconds);
    const step = this.planStep;
    const steps: PlannedStep[] = [];
    if (action === 'disable') steps.push(step('disable restarts', disableRestarts(options.reason ?? '')));
    if (action === 'enable') steps.push(step('enable restarts', enableRestarts()));
    if (action === 'disable' || action === 'enable') return { action, host: this.host, steps };
    const snapshot = await this.snapshot();
    const running = snapshot.services.filter((s) => s.status !== STOPPED);
    if (action !== 'start') {
      for (const wave of stopWaves(snapshot.services)) {
        const names = wave.filter((n) => statusOf(snapshot, n) !== STOPPED);
        if (names.length) steps.push(step(`request stop, then poll until Stopped (deadline ${options.timeoutSeconds ?? (action === 'stop' ? DEFAULTS.stopTimeoutSeconds : DEFAULTS.restartStopTimeoutSeconds)} s)`, requestServiceStop(names), names));
      }
      if (options.force) {
        if (!options.skipBackup) steps.push(step('on timeout only: back up the IIS configuration', createBackup('iisctl-TIMESTAMP')));
        const pids = [...new Set([...running.map((s) => s.processId).filter((p) => p > 0), ...snapshot.workerProcessIds])];
        if (pids.length) steps.push(step('on timeout only: terminate the IIS service and worker processes', killProcesses(pids)));
      }
    }
    if (action !== 'stop') {
      const targets = action === 'start' ? this.servicesToStart(snapshot.services) : restartTargets(snapshot.services);
      const wanted = new Set(targets.map((s) => s.name));
      for (const wave of startWaves(snapshot.services)) {
        const names = wave.filter((n) => wanted.has(n));
        if (names.length) steps.push(step('request start, then poll until Running', requestServiceStart(names), names));
      }
    }
    steps.push(step('verify the final state', readIisServices()));
    return { action, host: this.host, steps };
  }

  // ---- the operation in the frame (HostOperator.operation): what it reads, its record, its verification ----

  /**
   * `body` gets the operation and, for start and restart, the recovery actions a forced stop
   * suspended (read in the frame's first round trip; settled where the body needs them).
   */
  private operate(action: ServiceOperationResult['action'], options: StopOptions | StartOptions, body: (op: Operation, suspended: () => Promise<SuspendedRecovery[]>) => Promise<void>): Promise<ServiceOperationResult> {
    try {
      checkNumber('timeoutSeconds', options.timeoutSeconds, LIMITS.timeoutSeconds);
    } catch (e) {
      return Promise.reject(e);
    }
    let op: Operation | undefined;
    const before = { snapshot: readIisServices(), suspended: readSuspendedRecovery() };
    return this.operation({
      action,
      reason: options.reason,
      // Start is allowed while restarts are disabled (it brings IIS back, it does not take it down).
      guarded: action !== 'start',
      // A stop restores nothing: it does not read what a forced stop suspended.
      before: (action === 'stop' ? { snapshot: before.snapshot } : before) as typeof before,
      beforeBody: ['snapshot'],
      body: async (frame, first) => {
        const snapshot = (first.snapshot as { value: IisServiceSnapshot }).value;
        op = { action, before: snapshot.services, current: snapshot, steps: frame.steps, retries: frame.retries, killed: [], forced: false };
        await body(op, () => frame.settle(first.suspended!, before.suspended));
      },
      readBack: () => ({ after: readIisServices() }),
      events: () => op!.before.map((s) => s.displayName),
      record: (frame, _value, read, events): ServiceOperationResult => ({
        action,
        host: this.host,
        durationMs: this.clock.now() - frame.started,
        steps: op!.steps,
        retries: op!.retries,
        forced: op!.forced,
        killedProcessIds: op!.killed,
        orphanWorkerProcessIds: op!.orphans ?? [],
        backup: op!.backup,
        ...(op!.recoverySuspended?.length ? { recoverySuspended: op!.recoverySuspended } : {}),
        ...(op!.recoveryRestored?.length ? { recoveryRestored: op!.recoveryRestored } : {}),
        before: op!.before,
        // Not read back: the last state known.
        after: (read.after?.ok ? read.after.value : op!.current).services,
        events,
        ...(action === 'restart' ? { leftStopped: leftStopped(op!.before) } : {}),
      }),
      // What a lost session left behind is only known from a read-back on a fresh process.
      left: (result, read, failure) => (read.after?.ok || !isIisctlError(failure, 'SESSION_DIED') ? result.after.map((x) => `${x.name} ${x.status}`) : []),
      verify: (result) => this.verify(action, op!, result),
    });
  }

  /** Success is only what the state read back shows. */
  private verify(action: ServiceOperationResult['action'], op: Operation, result: ServiceOperationResult): void {
    // A restart is verified against the roots too, also a root that could not be started (Disabled).
    const expected = action === 'stop' ? op.before : action === 'start' ? op.started ?? [] : [...restartTargets(op.before), ...op.before.filter((s) => isRoot(s) && s.startType === 'Disabled')];
    const want = action === 'stop' ? STOPPED : RUNNING;
    const wrong = expected.map((s) => result.after.find((a) => a.name === s.name) ?? { ...s, status: 'missing' }).filter((s) => s.status !== want);
    if (wrong.length > 0) {
      const disabled = wrong.filter((s) => s.startType === 'Disabled').map((s) => s.name);
      throw new IisctlError('FAILED', `After ${action}, ${wrong.map((s) => `${s.name} is ${s.status}${s.startType === 'Disabled' ? ' (start type Disabled)' : ''}`).join(', ')} (expected ${want}).`, {
        host: this.host,
        ...(disabled.length ? { hint: `Set the start type of ${disabled.join(', ')} to Manual or Automatic (Set-Service -StartupType), then start IIS.` } : {}),
        details: { notRunning: wrong.map((s) => s.name) },
      });
    }
  }

  // ---- stop ----

  private async stopAll(op: Operation, options: StopOptions, timeoutMs: number): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    for (const wave of stopWaves(op.current.services)) {
      const pending = wave.filter((name) => statusOf(op.current, name) !== STOPPED);
      if (pending.length === 0) continue;
      const toRequest = pending.filter((name) => statusOf(op.current, name) !== 'StopPending');
      const stepStart = this.clock.now();
      // The request travels with the wait's first slice: one round trip (HostOperator.runAfter).
      const reached = await this.waitFor(op, pending, STOPPED, deadline, timeoutMs, 'stop', options.onProgress, toRequest.length > 0 ? requestServiceStop(toRequest) : undefined);
      this.logStep(op.steps, { step: 'stop', targets: pending, durationMs: this.clock.now() - stepStart, outcome: reached ? 'ok' : 'timeout' });
      if (!reached) {
        const stillPending = pending.filter((name) => statusOf(op.current, name) !== STOPPED);
        if (!options.force) {
          throw new IisctlError('TIMEOUT', `Stopping IIS timed out after ${timeoutMs / 1000} s; still not stopped: ${stillPending.map((n) => `${n} (${statusOf(op.current, n)})`).join(', ')}. Nothing was killed.`, {
            host: this.host,
            hint: HINTS.stopTimedOut,
            details: { pending: stillPending },
          });
        }
        // Every service still running was terminated; workers left after that are checked below.
        await this.forceKill(op, options);
        break;
      }
    }
    if (op.current.workerProcessIds.length > 0 && options.force) await this.killWorkers(op, options);
    // Workers still alive once every service is stopped are orphans (after a restart, the new
    // workers are not).
    op.orphans = op.current.workerProcessIds;
  }

  private async forceKill(op: Operation, options: StopOptions): Promise<void> {
    const stepStart = this.clock.now();
    const running = op.current.services.filter((s) => s.status !== STOPPED);
    const setNames = new Set(op.current.services.map((s) => s.name.toLowerCase()));
    // Never kill a shared service host that also runs a non-IIS service: that would end a service iisctl was not asked to touch.
    const shared = running.filter((s) => s.processId !== 0 && s.sharedWith.some((n) => !setNames.has(n.toLowerCase())));
    if (shared.length > 0) {
      const s = shared[0];
      const iisInProcess = running.filter((r) => r.processId === s.processId).map((r) => r.name);
      throw new IisctlError('FAILED', `Refusing to terminate process ${s.processId} (${iisInProcess.join(', ')}): it also hosts ${s.sharedWith.filter((n) => !setNames.has(n.toLowerCase())).join(', ')}, which is not part of IIS. Nothing was killed.`, {
        host: this.host,
        hint: 'Stop the other services in that process first, or configure the IIS services to run in their own process.',
        details: { processId: s.processId, sharedWith: s.sharedWith },
      });
    }
    if (!options.skipBackup) await this.backup(op);
    if (op.action === 'stop') await this.suspendRecovery(op, running.map((s) => s.name));
    const pids = unique([...running.map((s) => s.processId).filter((p) => p > 0), ...op.current.workerProcessIds]);
    op.forced = true;
    if (pids.length > 0) {
      const result = await this.run(killProcesses(pids), op.retries);
      op.killed.push(...result.killed);
    }
    const names = running.map((s) => s.name);
    const reached = await this.waitFor(op, names, STOPPED, this.clock.now() + KILL_SETTLE_MS, KILL_SETTLE_MS, 'kill', options.onProgress);
    this.logStep(op.steps, { step: 'kill', targets: names, durationMs: this.clock.now() - stepStart, outcome: reached ? 'ok' : 'failed', detail: `terminated ${pids.join(', ') || 'nothing'}` });
    if (!reached) {
      throw new IisctlError('FAILED', `IIS services did not stop even after their processes were terminated: ${names.filter((n) => statusOf(op.current, n) !== STOPPED).join(', ')}.`, { host: this.host });
    }
  }

  private async killWorkers(op: Operation, options: StopOptions): Promise<void> {
    const stepStart = this.clock.now();
    if (!op.backup && !options.skipBackup) await this.backup(op);
    const result = await this.run(killProcesses(op.current.workerProcessIds), op.retries);
    op.forced = true;
    op.killed.push(...result.killed);
    op.current = await this.snapshot();
    this.logStep(op.steps, { step: 'kill orphan workers', durationMs: this.clock.now() - stepStart, outcome: 'ok', detail: `terminated ${result.killed.join(', ')}` });
  }

  /**
   * The configuration backup a forced kill needs first (iisctl's rule: nothing is force-killed
   * without a way back, unless the caller opts out). When it cannot be
   * made (e.g. no WebAdministration module on the host) nothing is killed: the caller asked for a
   * backup unless it opted out, so the failure says how to opt out.
   */
  private async backup(op: Operation): Promise<void> {
    const name = `iisctl-${new Date(this.clock.now()).toISOString().replace(/[:.]/g, '-')}`;
    const stepStart = this.clock.now();
    try {
      op.backup = (await this.run(createBackup(name), op.retries)).name;
    } catch (error) {
      const why = (error as Error).message;
      this.logStep(op.steps, { step: 'backup configuration', durationMs: this.clock.now() - stepStart, outcome: 'failed', detail: why });
      throw new IisctlError('FAILED', `Could not back up the IIS configuration before terminating IIS processes, so nothing was terminated: ${why}`, {
        host: this.host,
        cause: error,
        hint: HINTS.backupFailed,
        details: { pending: op.current.services.filter((x) => x.status !== STOPPED).map((x) => x.name) },
      });
    }
    this.logStep(op.steps, { step: 'backup configuration', durationMs: this.clock.now() - stepStart, outcome: 'ok', detail: name });
  }

  /**
   * Before a forced stop terminates services: their SCM recovery actions ("restart after N ms")
   * would start them again (the SCM treats a terminated service as failed: events 7031/7034,
   * Microsoft Learn "SERVICE_FAILURE_ACTIONS"), so they are saved on the host and removed, and
   * read back. Anything iisctl could not put back (reboot or run-a-program actions), or a step
   * that fails, refuses the kill: nothing is terminated.
   */
  private async suspendRecovery(op: Operation, names: string[]): Promise<void> {
    const targets = RECOVERY_SERVICES.filter((r) => names.some((n) => n.toLowerCase() === r.toLowerCase()));
    if (targets.length === 0) return;
    const stepStart = this.clock.now();
    const refuse = (why: string): never => {
      this.logStep(op.steps, { step: 'suspend recovery actions', targets: targets, durationMs: this.clock.now() - stepStart, outcome: 'failed', detail: why });
      throw new IisctlError('FAILED', `${why} Nothing was terminated.`, {
        host: this.host,
        hint: HINTS.recoveryBlocksForce,
        details: { pending: op.current.services.filter((x) => x.status !== STOPPED).map((x) => x.name) },
      });
    };
    const infos = (await this.run(readRecovery(targets), op.retries)).filter((i) => i.exists);
    const unreadable = infos.filter((i) => i.error);
    if (unreadable.length) refuse(`The recovery actions of ${unreadable.map((i) => i.service).join(', ')} could not be read, so they could not be suspended before terminating (${unreadable[0].error!.output || `exit ${unreadable[0].error!.exitCode}`}).`);
    const acting = infos.filter((i) => i.actions.some((a) => a.type !== 'none'));
    const foreign = acting.filter((i) => i.actions.some((a) => a.type !== 'restart' && a.type !== 'none'));
    if (foreign.length) refuse(`The recovery actions of ${foreign.map((i) => i.service).join(', ')} include ${[...new Set(foreign.flatMap((i) => i.actions.map((a) => a.type)).filter((t) => t !== 'restart' && t !== 'none'))].join(', ')}, which a terminated service would trigger and iisctl cannot restore.`);
    if (acting.length === 0) return;
    for (const info of acting) {
      await this.run(saveSuspendedRecovery(info), op.retries);
      const r = await this.run(writeRecovery(info.service, { resetSeconds: info.resetSeconds, actions: [] }), op.retries);
      if (r.exitCode !== 0) refuse(`sc.exe failure ${info.service} failed (exit ${r.exitCode}: ${r.output.replace(/\s+/g, ' ').trim()}), so its recovery actions could not be suspended.`);
    }
    const back = await this.run(readRecovery(acting.map((i) => i.service)), op.retries);
    const still = back.filter((b) => b.actions.some((a) => a.type !== 'none'));
    if (still.length) refuse(`The recovery actions of ${still.map((b) => b.service).join(', ')} still read back as set after suspending them.`);
    op.recoverySuspended = acting.map((i) => i.service);
    this.logStep(op.steps, { step: 'suspend recovery actions', targets: op.recoverySuspended, durationMs: this.clock.now() - stepStart, outcome: 'ok', detail: 'restored by the next iisctl start' });
  }

  /** Puts back the recovery actions a forced stop suspended; a failure is reported, not fatal (starting IIS matters more). */
  private async restoreRecovery(op: Operation, saved: SuspendedRecovery[]): Promise<void> {
    if (saved.length === 0) return;
    const stepStart = this.clock.now();
    const restored: string[] = [];
    const failed: string[] = [];
    for (const s of saved) {
      const r = await this.run(writeRecovery(s.service, s), op.retries);
      const [back] = await this.run(readRecovery([s.service]), op.retries);
      if (r.exitCode === 0 && back && back.resetSeconds === s.resetSeconds && JSON.stringify(back.actions) === JSON.stringify(s.actions)) {
        await this.run(clearSuspendedRecovery(s.service), op.retries);
        restored.push(s.service);
      } else {
        failed.push(s.service);
        this.logger.warn('could not restore the recovery actions a forced stop suspended; they stay saved for the next start', { host: this.host, service: s.service, exitCode: r.exitCode, output: r.output });
      }
    }
    op.recoveryRestored = restored;
    this.logStep(op.steps, {
      step: 'restore recovery actions', targets: saved.map((s) => s.service), durationMs: this.clock.now() - stepStart, outcome: failed.length ? 'failed' : 'ok',
      detail: failed.length ? `not restored: ${failed.join(', ')}` : undefined,
    });
  }

  // ---- start ----

  /** For a plain start: the roots and every dependent set to start automatically, never a disabled one. */
  private servicesToStart(services: ServiceInfo[]): ServiceInfo[] {
    return services.filter((s) => s.startType !== 'Disabled' && (isRoot(s) || s.startType === 'Automatic'));
  }

  private async startServices(op: Operation, targets: ServiceInfo[], timeoutMs: number, onProgress?: (p: Progress) => void): Promise<void> {
    op.started = targets;
    const wanted = new Set(targets.map((s) => s.name));
    const deadline = this.clock.now() + timeoutMs;
    for (const wave of startWaves(op.current.services)) {
      const pending = wave.filter((name) => wanted.has(name) && statusOf(op.current, name) !== RUNNING);
      if (pending.length === 0) continue;
      const toRequest = pending.filter((name) => statusOf(op.current, name) !== 'StartPending');
      const stepStart = this.clock.now();
      let request = toRequest.length > 0 ? requestServiceStart(toRequest) : undefined;
      const seenPending = new Set<string>();
      // What the wait is for, said when it begins: its first read may take a whole slice.
      onProgress?.({ phase: 'start', pending, elapsedMs: 0, timeoutMs });
      const result = await pollUntil({
        // The host returns early when a service seen StartPending (in an earlier slice too) is Stopped again.
        read: (waitMs) => {
          const first = request;
          request = undefined;
          return this.waitOnHost(op, pending, RUNNING, waitMs, deadline, { pending: 'StartPending', failed: STOPPED, seen: [...seenPending] }, first);
        },
        done: (snap) => {
          op.current = snap;
          for (const n of pending) if (statusOf(snap, n) === 'StartPending' || snap.seenPending?.some((s) => s.toLowerCase() === n.toLowerCase())) seenPending.add(n);
          // A service that went back to Stopped after StartPending failed to start.
          return pending.every((n) => statusOf(snap, n) === RUNNING) || pending.some((n) => seenPending.has(n) && statusOf(snap, n) === STOPPED);
        },
        deadline,
        signal: this.signal,
        clock: this.clock,
        onPoll: (snap, elapsedMs) => onProgress?.({ phase: 'start', pending: pending.filter((n) => statusOf(snap, n) !== RUNNING), elapsedMs, timeoutMs }),
      });
      const failed = pending.filter((n) => seenPending.has(n) && statusOf(op.current, n) === STOPPED);
      const ok = pending.every((n) => statusOf(op.current, n) === RUNNING);
      this.logStep(op.steps, { step: 'start', targets: pending, durationMs: this.clock.now() - stepStart, outcome: ok ? 'ok' : failed.length ? 'failed' : 'timeout' });
      if (failed.length > 0) {
        throw new IisctlError('FAILED', `${failed.join(', ')} failed to start (see the Service Control Manager events in the result).`, { host: this.host, details: { failed } });
      }
      if (!result.reached || !ok) {
        const still = pending.filter((n) => statusOf(op.current, n) !== RUNNING);
        throw new IisctlError('TIMEOUT', `Starting IIS timed out after ${timeoutMs / 1000} s; not running yet: ${still.map((n) => `${n} (${statusOf(op.current, n)})`).join(', ')}.`, {
          host: this.host,
          details: { pending: still },
        });
      }
    }
  }

  // ---- helpers ----

  /** Waits on the host for `names` to reach `status`; `request`, when given, runs in the first slice's round trip before it. */
  private async waitFor(op: Operation, names: string[], status: string, deadline: number, timeoutMs: number, phase: Progress['phase'], onProgress?: (p: Progress) => void, request?: PsCommand<unknown>): Promise<boolean> {
    // What the wait is for, said when it begins: its first read may take a whole slice.
    onProgress?.({ phase, pending: names.filter((n) => statusOf(op.current, n) !== status), elapsedMs: 0, timeoutMs });
    const result = await pollUntil({
      read: (waitMs) => {
        const first = request;
        request = undefined;
        return this.waitOnHost(op, names, status, waitMs, deadline, undefined, first);
      },
      done: (snap) => {
        op.current = snap;
        return names.every((n) => statusOf(snap, n) === status);
      },
      deadline,
      signal: this.signal,
      clock: this.clock,
      onPoll: (snap, elapsedMs) => onProgress?.({ phase, pending: names.filter((n) => statusOf(snap, n) !== status), elapsedMs, timeoutMs }),
    });
    return result.reached;
  }

  /**
   * One slice of a wait on the host for `names` to reach `status` (scripts/services.ts
   * waitForServices), after `request` in the same round trip when there is one; the snapshot at its end.
   */
  private waitOnHost(op: Operation, names: string[], status: string, waitMs: number, deadline: number, failure?: ServiceWaitFailure, request?: PsCommand<unknown>): Promise<IisServiceSnapshot> {
    const wait = waitForServices(names, status, { waitMs, intervalMs: this.pollIntervalMs }, failure);
    return request ? this.runAfter(request, wait, op.retries, deadline) : this.run(wait, op.retries, deadline);
  }

  private snapshot(): Promise<IisServiceSnapshot> {
    return this.run(readIisServices());
  }

  /**
   * iisreset /REBOOTONERROR: the restart failed, so the computer is restarted. The error that
   * comes back says so (a reboot ends every process, so "Nothing was killed" no longer holds),
   * and the reboot is an audit event of its own, written before the computer goes down.
   */
  private async rebootAfterFailure(op: Operation, error: unknown, reason?: string): Promise<unknown> {
    const why = (error as Error).message;
    this.logger.warn('rebooting the host after a failed restart (rebootOnError)', { host: this.host, error: why });
    if (!(error instanceof IisctlError)) return error;
    const t = this.clock.now();
    await this.audit({ action: 'reboot', reason, outcome: 'succeeded', detail: `computer restart requested after a failed restart (rebootOnError): ${why}` });
    try {
      await this.run(restartComputer());
    } catch (rebootError) {
      // The restart's own failure stays the error; the failed reboot is said next to it.
      const rebootWhy = (rebootError as Error).message;
      this.logStep(op.steps, { step: 'reboot', durationMs: this.clock.now() - t, outcome: 'failed', detail: rebootWhy });
      this.logger.error('the reboot after the failed restart failed too', { host: this.host, error: rebootWhy });
      await this.audit({ action: 'reboot', reason, outcome: 'failed', detail: rebootWhy });
      return new IisctlError(error.code, `${why} The computer restart asked for (reboot on error) failed too: ${rebootWhy}`, { host: error.host, hint: error.hint, powershell: error.powershell, cause: error, details: { ...error.details, rebooted: false, rebootError: rebootWhy } });
    }
    this.logStep(op.steps, { step: 'reboot', durationMs: this.clock.now() - t, outcome: 'ok', detail: 'requested after a failed stop/start (rebootOnError)' });
    const message = `${why.replace(/\s*Nothing was killed\.\s*$/, '')} The computer is being restarted (reboot on error): every IIS process ends with it.`;
    return new IisctlError(error.code, message, { host: error.host, powershell: error.powershell, cause: error, details: { ...error.details, rebooted: true } });
  }
}

interface Operation {
  action: ServiceOperationResult['action'];
  before: ServiceInfo[];
  current: IisServiceSnapshot;
  started?: ServiceInfo[];
  steps: StepRecord[];
  retries: RetryRecord[];
  killed: number[];
  forced: boolean;
  backup?: string;
  orphans?: number[];
  recoverySuspended?: string[];
  recoveryRestored?: string[];
}

/** The services iisreset is about (docs/sources.md §1.4): IISADMIN where installed, WAS and W3SVC. */
const ROOTS = new Set(['iisadmin', 'was', 'w3svc']);

function isRoot(s: ServiceInfo): boolean {
  return ROOTS.has(s.name.toLowerCase());
}

/** What a restart starts: every root, and a dependent only when it was running before. */
function restartTargets(before: ServiceInfo[]): ServiceInfo[] {
  return before.filter((s) => s.startType !== 'Disabled' && (isRoot(s) || s.status !== STOPPED));
}

/** Dependents a restart leaves stopped because they were stopped before. */
function leftStopped(before: ServiceInfo[]): string[] {
  return before.filter((s) => !isRoot(s) && s.status === STOPPED).map((s) => s.name);
}

function statusOf(snapshot: IisServiceSnapshot, name: string): string {
  return snapshot.services.find((s) => s.name.toLowerCase() === name.toLowerCase())?.status ?? STOPPED;
}

function unique(values: number[]): number[] {
  return [...new Set(values)];
}
