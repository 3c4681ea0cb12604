/**
 * The frame every pool and site operation runs in: the restart
 * toggle, the WAS/W3SVC pre-flight (a clear error, or start them with `ensureServices`), per-name
 * transient retries bounded by the retry policy, step records, the audit event with the caller's
 * reason, and the WAS/SCM events logged in the operation's window attached to the result (and to
 * the error when it failed).
 */
import { HINTS } from '../hints';
import { checkNumber, LIMITS } from '../limits';
import type { PsCommand } from '../scripts/command';
import type { EventRecord } from '../scripts/events';
import { onComputer } from '../scripts/remote';
import { readToggle } from '../scripts/toggle';
import type { CoreServiceState, RequestOutcome } from '../scripts/webadmin';
import { IisctlError } from '../errors';
import type { IisServiceController, StepRecord } from './iisServices';
import { backoffDelay, RetryRecord } from './retry';
import { pause } from './wait';
import { attachResult, ControllerOptions, withStateLeft, disabledError, eventsSince, HostOperator, asInterruption, isInterruption } from './operation';

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

export interface PlannedStep {
  description: string;
  targets?: string[];
  /** The exact script body that would run (inside the standard envelope). */
  script: string;
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
  readLeftWith(read: () => Promise<Array<{ name: string; state: string }>>): void;
}

interface BodyResult {
  targets: TargetResult[];
  verify: () => void;
}

export class WebOperations extends HostOperator {
  readonly services: IisServiceController;

  constructor(options: WebOperationsOptions) {
    super(options);
    this.services = options.services;
  }

  readonly planStep = (description: string, command: PsCommand<unknown>, targets?: string[]): PlannedStep => ({
    description,
    targets,
    script: onComputer(this.computerName, command).script.safeText,
  });

  /** Throws DISABLED when restarts are disabled on the host (the iisreset issue's toggle). */
  async checkToggle(): Promise<void> {
    const toggle = await this.run(readToggle());
    if (toggle.enabled) return;
    throw disabledError(this.host, toggle);
  }


  frame(action: string, kind: SurgicalResult['kind'], guarded: boolean, options: SurgicalOptions, body: (frame: OperationFrame) => Promise<BodyResult>): Promise<SurgicalResult> {
    try {
      checkNumber('timeoutSeconds', options.timeoutSeconds, LIMITS.timeoutSeconds);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.locked(action, () => this.framed(action, kind, guarded, options, body), options.reason);
  }

  private async framed(action: string, kind: SurgicalResult['kind'], guarded: boolean, options: SurgicalOptions, body: (frame: OperationFrame) => Promise<BodyResult>): Promise<SurgicalResult> {
    const started = this.clock.now();
    if (guarded) await this.checkToggle();
    const steps: StepRecord[] = [];
    const retries: RetryRecord[] = [];
    const killed: number[] = [];
    let displayNames: string[] = [];
    let servicesStarted = false;
    let readLeft: (() => Promise<Array<{ name: string; state: string }>>) | undefined;
    const frame: OperationFrame = {
      run: (command) => this.run(command, retries),
      step: (step, targets, durationMs, outcome, detail) => this.logStep(steps, { step, services: targets, durationMs, outcome, detail }),
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
        this.logStep(steps, { step: 'start WAS/W3SVC (ensureServices)', services: down.map((s) => s.name), durationMs: this.clock.now() - t, outcome: 'ok' });
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
        retries.push({ attempt, reason: `${refused.name}: ${refused.message ?? ''}`, code: 'TRANSIENT', delayMs });
        await pause(this.clock, delayMs, this.signal, this.host);
      },
      forced: (pids) => killed.push(...pids),
      readLeftWith: (read) => {
        readLeft = read;
      },
    };
    let failure: unknown;
    let outcome: BodyResult | undefined;
    try {
      outcome = await body(frame);
    } catch (error) {
      failure = asInterruption(error, this.signal);
    }
    // What was acted on, so that the event log answers "who recycled ShopApi, and why".
    const actedOn = outcome ? `${kind === 'site' ? 'sites' : 'pools'}=${outcome.targets.map((t) => t.name).join(',')}` : undefined;
    let left: string[] = [];
    const events = await this.concluding(async () => {
      // An interrupted body did not read its targets back: read them now (on a fresh process when
      // the session was lost), so that the error says what the pools or sites were left in.
      if (failure && readLeft && isInterruption(failure)) {
        left = await readLeft().then(
          (states) => states.map((t) => `${t.name} ${t.state}`),
          () => [],
        );
      }
      await this.audit({ action, reason: options.reason, outcome: failure ? 'failed' : 'succeeded', detail: failure ? (failure as Error).message : actedOn });
      return this.events(started, displayNames);
    });
    const targets = outcome?.targets ?? [];
    const result: SurgicalResult = {
      action,
      kind,
      host: this.host,
      changed: targets.some((t) => t.changed),
      durationMs: this.clock.now() - started,
      targets,
      steps,
      retries,
      forced: killed.length > 0,
      killedProcessIds: killed,
      servicesStarted,
      events,
    };
    if (failure) throw attachResult(withStateLeft(failure, left.length ? left : result.targets.map((t) => `${t.name} ${t.after}`)), result);
    try {
      outcome!.verify();
    } catch (error) {
      throw attachResult(error, result);
    }
    return result;
  }

  /** Events of the window [started - 1 s, now]: WAS recycles/crashes, SCM changes of WAS/W3SVC, audit. */
  events(started: number, displayNames: string[]): Promise<EventRecord[]> {
    return eventsSince((c) => this.run(c), this.logger, this.host, started, displayNames);
  }
}
