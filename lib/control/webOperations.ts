/**
 * Pool and site operations in the one operation frame (HostOperator.operation, operation.ts): the
 * restart toggle and the inventory in the first round trip, the WAS/W3SVC pre-flight (a clear
 * error, or start them with `ensureServices`), per-name transient retries bounded by the retry
 * policy, step records, and in the last round trip the targets' state read back, the audit event
 * with the caller's reason and the WAS/SCM events logged in the operation's window, attached to
 * the result (and to the error when it failed).
 */
import { HINTS } from '../hints';
import { checkNumber, LIMITS } from '../limits';
import type { PsCommand } from '../scripts/command';
import type { EventRecord } from '../scripts/events';
import type { CoreServiceState, RequestOutcome } from '../scripts/webadmin';
import { IisctlError } from '../errors';
import type { IisServiceController } from './iisServices';
import { backoffDelay, RetryRecord } from './retry';
import { pause } from './wait';
import { ControllerOptions, HostOperator, isInterruption, type PlannedStep, type StepRecord } from './operation';

export type { PlannedStep } from './operation';

export interface SurgicalOptions {
  /** Deadline of the wait for the state read back. Default: DEFAULTS.webTimeoutSeconds (lib/defaults.ts). */
  timeoutSeconds?: number;
  /** stop: terminate the remaining worker processes of the pools that did not stop in time (only those). */
  force?: boolean;
  /** stop: also set autoStart / serverAutoStart to false, so it does not come back after a WAS restart or a reboot. */
  stayStopped?: boolean;
  /** Why, recorded in the audit event. */
  reason?: string;
  /** Start WAS and W3SVC first when they are not running (otherwise: a clear error). */
  ensureServices?: boolean;
  onProgress?: (progress: { pending: string[]; elapsedMs: number; timeoutMs: number }) => void;
}

export interface TargetResult {
  name: string;
  /** False when it already was in the wanted state (nothing was requested). */
  changed: boolean;
  before: string;
  after: string;
  /** Pools only. */
  workerProcessIdsBefore?: number[];
  workerProcessIdsAfter?: number[];
  killedProcessIds?: number[];
  detail?: string;
}

export interface SurgicalResult {
  action: string;
  kind: 'application pool' | 'site';
  host: string;
  /** True when at least one target was changed. */
  changed: boolean;
  durationMs: number;
  targets: TargetResult[];
  steps: StepRecord[];
  retries: RetryRecord[];
  forced: boolean;
  killedProcessIds: number[];
  /** True when WAS/W3SVC had to be started first (ensureServices). */
  servicesStarted: boolean;
  /** WAS, SCM and audit events logged during the operation. */
  events: EventRecord[];
}

export interface SurgicalPlan {
  action: string;
  kind: 'application pool' | 'site';
  host: string;
  targets: string[];
  /** Targets already in the wanted state: nothing would be requested for them. */
  unchanged: string[];
  steps: PlannedStep[];
}

/** What the service controller is built from, plus the controller itself. */
export interface WebOperationsOptions extends ControllerOptions {
  /** Starts WAS/W3SVC for ensureServices (and restarts IIS for heal). */
  services: IisServiceController;
}

export interface OperationFrame {
  run<T>(command: PsCommand<T>): Promise<T>;
  step(step: string, targets: string[] | undefined, durationMs: number, outcome: StepRecord['outcome'], detail?: string): void;
  /** Display names of WAS/W3SVC, to keep their SCM events. */
  eventServices(displayNames: string[]): void;
  ensureServices(services: CoreServiceState[], options: SurgicalOptions): Promise<void>;
  /** Waits before retrying refused names; TRANSIENT once the retry policy is used up. */
  backoff(attempt: number, refused: RequestOutcome): Promise<void>;
  forced(killed: number[]): void;
  /** How to read the targets' states when the operation is interrupted (they end its error message). */
  readLeftWith(read: PsCommand<Array<{ name: string; state: string }>>): void;
}

/** What a pool or site body did, and how its targets are read back and verified at the end. */
export interface BodyResult<S = never> {
  targets: TargetResult[];
  /** The targets' final state, read in the frame's last round trip (with the audit event and the events). */
  final: PsCommand<S[]>;
  /** Takes the final state into the targets. */
  apply(final: S[]): void;
  /** Throws when the final state is not what was asked. */
  verify(final: S[]): void;
}

export class WebOperations extends HostOperator {
  readonly services: IisServiceController;

  constructor(options: WebOperationsOptions) {
    super(options);
    this.services = options.services;
  }

  /**
   * A pool or site operation in the frame (HostOperator.operation): `inventory` is read in the
   * frame's first round trip (with the restarts-disabled check) and handed to the body, which
   * settles it where it needs it (a failure there is the operation's, audited).
   */
  frame<I, S>(action: string, kind: SurgicalResult['kind'], guarded: boolean, options: SurgicalOptions, inventory: PsCommand<I>, body: (frame: OperationFrame, inventory: () => Promise<I>) => Promise<BodyResult<S>>): Promise<SurgicalResult> {
    try {
      checkNumber('timeoutSeconds', options.timeoutSeconds, LIMITS.timeoutSeconds);
    } catch (e) {
      return Promise.reject(e);
    }
    const killed: number[] = [];
    let displayNames: string[] = [];
    let servicesStarted = false;
    type Left = Array<{ name: string; state: string }>;
    let readLeft: PsCommand<Left> | undefined;
    return this.operation<BodyResult<S>, SurgicalResult, { inventory: PsCommand<I> }, { final: PsCommand<S[]>; left: PsCommand<Left> }>({
      action,
      reason: options.reason,
      guarded,
      before: { inventory },
      body: (base, first) => {
        const frame: OperationFrame = {
          run: (command) => base.run(command),
          step: (step, targets, durationMs, outcome, detail) => base.step({ step, targets, durationMs, outcome, detail }),
          eventServices: (names) => {
            displayNames = names;
          },
          ensureServices: async (services, opts) => {
            const down = services.filter((s) => s.status !== 'Running');
            const missing = services.length === 0 ? ['WAS', 'W3SVC'] : [];
            if (!opts.ensureServices || missing.length) {
              throw new IisctlError('FAILED', `IIS is not running on ${this.host}: ${[...missing.map((m) => `${m} is not installed`), ...down.map((s) => `${s.name} is ${s.status}`)].join(', ')}. Pools and sites have no state until WAS and W3SVC run.`, {
                host: this.host,
                hint: missing.length ? 'Install the Web Server (IIS) role.' : HINTS.iisNotRunning,
                details: { services: services.map((s) => ({ name: s.name, status: s.status })) },
              });
            }
            const t = this.clock.now();
            await this.services.start({ timeoutSeconds: opts.timeoutSeconds, reason: opts.reason ?? `iisctl ${action} (ensureServices)` });
            servicesStarted = true;
            base.step({ step: 'start WAS/W3SVC (ensureServices)', targets: down.map((s) => s.name), durationMs: this.clock.now() - t, outcome: 'ok' });
          },
          backoff: async (attempt, refused) => {
            if (attempt >= this.retryPolicy.attempts) {
              throw new IisctlError('TRANSIENT', `${refused.message ?? 'The request was refused'} (${JSON.stringify(refused.name)}, still refused after ${attempt} attempts)`, {
                host: this.host,
                powershell: { message: refused.message ?? '', fullyQualifiedErrorId: refused.errorId, category: refused.category, hresult: refused.hresult },
                hint: 'The host keeps refusing the request; try again later or raise the retry count.',
              });
            }
            const delayMs = backoffDelay(attempt, this.retryPolicy);
            base.retries.push({ attempt, reason: `${refused.name}: ${refused.message ?? ''}`, code: 'TRANSIENT', delayMs });
            await pause(this.clock, delayMs, this.signal, this.host);
          },
          forced: (pids) => killed.push(...pids),
          readLeftWith: (read) => {
            readLeft = read;
          },
        };
        return body(frame, () => base.settle(first.inventory, inventory));
      },
      // An interrupted body did not read its targets back: read them now (on a fresh process when
      // the session was lost), so that the error says what the pools or sites were left in.
      readBack: (failure, outcome) => (outcome ? { final: outcome.final } : readLeft && isInterruption(failure) ? { left: readLeft } : undefined),
      // What was acted on, so that the event log answers "who recycled ShopApi, and why".
      audit: { detail: (outcome) => `${kind === 'site' ? 'sites' : 'pools'}=${outcome.targets.map((t) => t.name).join(',')}` },
      events: () => displayNames,
      record: (frame, outcome, read, events): SurgicalResult => {
        if (outcome && read.final?.ok) outcome.apply(read.final.value);
        const targets = outcome?.targets ?? [];
        return {
          action,
          kind,
          host: this.host,
          changed: targets.some((t) => t.changed),
          durationMs: this.clock.now() - frame.started,
          targets,
          steps: frame.steps,
          retries: frame.retries,
          forced: killed.length > 0,
          killedProcessIds: killed,
          servicesStarted,
          events,
        };
      },
      left: (result, read) => {
        const left = read.left?.ok ? read.left.value.map((t) => `${t.name} ${t.state}`) : [];
        return left.length ? left : result.targets.map((t) => `${t.name} ${t.after}`);
      },
      verify: (_result, outcome, read) => {
        // Not read back: no success can be reported.
        if (!read.final?.ok) throw read.final?.error ?? new IisctlError('FAILED', `The ${kind === 'site' ? 'sites' : 'pools'} could not be read back on ${this.host}.`, { host: this.host });
        outcome.verify(read.final.value);
      },
    });
  }
}
