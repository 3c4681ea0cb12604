/**
 * The library's entry point: `const iis = await connect(options)`.
 *
 * One connection = one persistent PowerShell session (invariant of the architecture); remote
 * computers are reached from it through PowerShell remoting. The client never prints and never
 * exits: it returns typed results and throws IisctlError.
 */
import { invalidArgument } from './errors';
import { Clock, realClock } from './clock';
import { loadSimulator } from './simulator';
import type { TransportFactory } from './powershell/transport';
import { checkNumbers, LIMITS } from './limits';
import { DEFAULTS } from './defaults';
import { Logger, silentLogger } from './log';
import { resolveExecutable } from './powershell/executable';
import { PowerShellSession, SessionStats } from './powershell/session';
import type { EventQuery, EventRecord } from './scripts/events';
import { readEvents, validateEventQuery } from './scripts/events';
import type { ToggleState } from './scripts/toggle';
import { closeRemoteSessions, ComputerName, currentConnections, listRemoteSessions, parseComputerName, parseRemoteAuth, RemoteAuth, remoteSecretEnv, RemoteSessionInfo, RemoteTarget, remoteTarget } from './scripts/remote';
import type { Secret } from './powershell/quote';
import { IisServiceController, OperationPlan, RestartOptions, ServiceOperationResult, StartOptions, StatusResult, StopOptions } from './control/iisServices';
import type { RetryPolicy } from './control/retry';
import { AppPoolController } from './control/appPools';
import { SiteController } from './control/sites';
import { Healer, HealOptions, HealResult, HealTarget } from './control/heal';
import { WebOperations } from './control/webOperations';
import { CheckedLockOptions, HostLock, LockOptions, parseLockOptions } from './control/lock';
import { currentUser } from './control/operation';
import { attributeOf, PoolConfigurePlan, PoolConfigureResult, PoolSettingsController } from './control/settings';
import type { PoolSettings, PoolSettingsChanges, SettingName } from './scripts/settings';
import { RecoveryController } from './control/recovery';
import type { ServiceRecoveryInfo } from './scripts/recovery';
import { BackupController } from './control/settings-backups';
import { Advisor, AdviseOptions, AdviseResult } from './control/advise';
import { brand, Checked, isParsed, markParsed } from './parse';

// `await using iis = await connect()` looks Symbol.asyncDispose up at run time (TypeScript's
// downlevel helper for using declarations); Node has it from 18.18 / 20.4 on, older Node 18 not.
// The polyfill is the registered symbol core-js and TypeScript's documentation use.
if (typeof (Symbol as { asyncDispose?: symbol }).asyncDispose !== 'symbol') {
  Object.defineProperty(Symbol, 'asyncDispose', { value: Symbol.for('Symbol.asyncDispose') });
}

/** The simulated Windows host, in detail (`simulate: true` is `{}`, `simulate: 'farm'` is `{ scenario: 'farm' }`). */
export interface SimulateOptions {
  /** A bundled scenario name ("default", "fast", "farm", ...) or a scenario file. Default "default" (or IISCTL_SIM_SCENARIO). */
  scenario?: string;
  /** State file of the simulated machine. Default: simulatorStateFile, IISCTL_SIM_STATE or a per-user file. */
  stateFile?: string;
  /**
   * Run the simulated host in this Node process instead of a stand-in powershell.exe process: no
   * process, no pipes, the same machine and the same scripts. What tests want.
   */
  inProcess?: boolean;
  /**
   * In process only. 'virtual': the machine and every wait of iisctl share one virtual clock that
   * jumps ahead whenever everything waits on it, so a restart whose services take seconds is done
   * in milliseconds of real time, with the durations and event times of the simulated seconds.
   * A Clock object (e.g. the simulator's VirtualClock, `iisctl/sim`) is shared as is: a test
   * that advances it itself decides when time passes. Default 'real'.
   */
  clock?: 'real' | 'virtual' | Clock;
  /**
   * What runs the simulated host's scripts: 'interp' (the simulator's own PowerShell interpreter),
   * 'pwsh' (real PowerShell 7, only Windows simulated; POWERSHELL_UNAVAILABLE when pwsh cannot be
   * found) or 'auto' (pwsh where it can be found, else interp; README, "The simulated host's engines"). Default:
   * IISCTL_SIM_ENGINE, else auto.
   */
  engine?: 'pwsh' | 'interp' | 'auto';
}

export interface ConnectOptions {
  /** A remote computer, reached through PowerShell remoting (WinRM). Default: this machine. */
  computerName?: string;
  /**
   * Credential for the PSSession to computerName (New-PSSession -Credential). Default: the
   * caller's own Windows identity. The password is kept in a Secret: never logged, never in JSON.
   */
  credential?: { userName: string; password: string | Secret };
  /**
   * Instead of credential (not both): a file made once with `Get-Credential | Export-Clixml -Path
   * FILE` by the account that runs this code, on this computer (Windows DPAPI protects the
   * password for that user on that computer). Read once with Import-Clixml by the local
   * PowerShell process; only the path is in script text. An unusable file: CREDENTIAL_FILE.
   */
  credentialFile?: string;
  /** true: the simulated Windows host (default scenario); a string: a scenario name or file; an object: SimulateOptions. */
  simulate?: boolean | string | SimulateOptions;
  /** State file of the simulated host (default: IISCTL_SIM_STATE or a per-user file). */
  simulatorStateFile?: string;
  /** An explicit PowerShell executable (or stand-in). Also IISCTL_POWERSHELL. */
  powershell?: string;
  /** Use PowerShell 7 (pwsh) instead of Windows PowerShell 5.1. */
  pwsh?: boolean;
  /**
   * What runs the scripts instead of a PowerShell process (simulate, powershell, pwsh and
   * simulatorStateFile are then unused): the simulator in process, `inProcessTransport()` of
   * iisctl/sim. A credential's password reaches PowerShell only through a process's environment.
   */
  transport?: TransportFactory;
  /** A winston logger; the library is silent without one. */
  logger?: Logger;
  /** Retries of transient failures. */
  retry?: Partial<RetryPolicy>;
  /** Deadline of one PowerShell call. Default: DEFAULTS.callTimeoutMs (lib/defaults.ts). */
  callTimeoutMs?: number;
  /** Time between state reads while waiting. Default: DEFAULTS.pollIntervalMs. */
  pollIntervalMs?: number;
  /**
   * The host lock every changing operation takes: wait for another iisctl (default, up
   * to timeoutSeconds, default DEFAULTS.lockTimeoutSeconds) or, with `wait: false`, fail with LOCKED at once.
   */
  lock?: LockOptions;
  /** Shorthand for lock.timeoutSeconds. */
  lockTimeoutSeconds?: number;
  /**
   * Cancels waiting: once aborted, every wait (service and pool polls, retry back-offs, the host
   * lock) ends with CANCELLED at its next step. A running operation still reads the host's state
   * back, writes its audit event and releases the lock, and its error carries that state.
   */
  signal?: AbortSignal;
  /**
   * Whose time iisctl's waits, polls, back-offs, deadlines and durations are in (lib/clock.ts).
   * Default real time; `simulate: { inProcess: true, clock }` sets it to the simulator's.
   */
  clock?: Clock;
}

/**
 * ConnectOptions checked once (parseConnectOptions): the remote computer and how to reach it, the
 * lock options, the simulated host in its one detailed form, every number in its bounds, and who
 * runs iisctl. connect() takes it as it is; the layers under the client take its parts.
 */
export type ParsedConnectOptions = Checked<
  CheckedConnection & {
    /** The remote computer with its credential or credential file; undefined: this machine. */
    readonly target?: RemoteTarget;
  },
  'ConnectOptions'
>;

/** What parsed options hold whatever the computer. */
type CheckedConnection = Readonly<Pick<ConnectOptions, 'simulatorStateFile' | 'powershell' | 'pwsh' | 'transport' | 'logger' | 'retry' | 'callTimeoutMs' | 'pollIntervalMs' | 'signal' | 'clock'>> & {
  readonly lock: CheckedLockOptions;
  readonly simulate?: SimulateOptions;
  /** Who runs iisctl (DOMAIN\\user on Windows): the user of audit events and of the host lock. */
  readonly user: string;
};

/** ConnectOptions without the computer, checked once for several computers (connectMany); connectOptionsOn gives each its own. */
export type SharedConnectOptions = Checked<{ readonly connection: CheckedConnection; readonly auth: RemoteAuth }, 'SharedConnectOptions'>;

/**
 * Every check of connect()'s options, once, before anything runs (INVALID_ARGUMENT): a later
 * connect(parsed) checks nothing again. For several computers: parseSharedConnectOptions.
 */
export function parseConnectOptions(options: ConnectOptions = {}): ParsedConnectOptions {
  if (isParsedConnectOptions(options)) return options;
  const computerName = options.computerName === undefined ? undefined : parseComputerName(options.computerName);
  return connectOptionsOn(parseSharedConnectOptions(options, computerName !== undefined), computerName);
}

/** The options of several computers (or of one, remote true; of this machine, remote false), checked once. */
export function parseSharedConnectOptions(options: Omit<ConnectOptions, 'computerName'>, remote: boolean): SharedConnectOptions {
  if (!remote && options.credential !== undefined) throw invalidArgument('A credential is for a remote computer: give computerName too.');
  if (!remote && options.credentialFile !== undefined) throw invalidArgument('A credential file is for a remote computer: give computerName too.');
  const auth = parseRemoteAuth(options);
  const lock = parseLockOptions(options.lock, options.lockTimeoutSeconds);
  checkNumbers([
    ['callTimeoutMs', options.callTimeoutMs, LIMITS.callTimeoutMs],
    ['pollIntervalMs', options.pollIntervalMs, LIMITS.pollIntervalMs],
    ['retry.attempts', options.retry?.attempts, LIMITS.retryAttempts],
    ['retry.baseDelayMs', options.retry?.baseDelayMs, LIMITS.retryDelayMs],
    ['retry.maxDelayMs', options.retry?.maxDelayMs, LIMITS.retryDelayMs],
  ]);
  const simulate = simulateOptions(options.simulate);
  if (!simulate?.inProcess && simulate?.clock !== undefined && simulate.clock !== 'real') throw invalidArgument('simulate.clock needs simulate.inProcess: a simulated host in its own process keeps real time.');
  const { simulatorStateFile, powershell, pwsh, transport, logger, retry, callTimeoutMs, pollIntervalMs, signal, clock } = options;
  const connection = { simulatorStateFile: simulate?.stateFile ?? simulatorStateFile, powershell, pwsh, transport, logger, retry, callTimeoutMs, pollIntervalMs, signal, clock, lock, simulate, user: currentUser() };
  return brand({ connection, auth }, 'SharedConnectOptions');
}

/** The shared options on one computer (undefined: this machine): nothing left to check. */
export function connectOptionsOn(shared: SharedConnectOptions, computerName: ComputerName | undefined): ParsedConnectOptions {
  return markParsed(brand({ ...shared.connection, target: computerName === undefined ? undefined : remoteTarget(computerName, shared.auth) }, 'ConnectOptions'));
}

function isParsedConnectOptions(options: ConnectOptions | ParsedConnectOptions): options is ParsedConnectOptions {
  return isParsed(options);
}

/** Settings of one pool, on iis.appPools next to the operations. */
export interface PoolSettingsApi {
  /** Recycling, rapid-fail, CPU, idle, start mode, autoStart, time limits of one pool. */
  settings(name: string): Promise<PoolSettings>;
  /** Validates every value first, writes what differs, reads back: before and after. */
  configure(name: string, changes: PoolSettingsChanges): Promise<PoolConfigureResult>;
  /** What configure would change, with the exact scripts; changes nothing. */
  planConfigure(name: string, changes: PoolSettingsChanges): Promise<PoolConfigurePlan>;
  /** The IIS configuration attribute a setting is stored in, e.g. `@autoStart`, `recycling/periodicRestart/@time`. */
  attributeOf(setting: SettingName): string;
}

export class IisClient {
  private readonly services: IisServiceController;
  /** Application pools: list, start, stop, recycle (with selectors, waiting, force, plan), settings, configure. */
  readonly appPools: AppPoolController & PoolSettingsApi;
  /** Sites: list, start, stop, restart (with selectors, binding-conflict pre-flight, plan). */
  readonly sites: SiteController;
  private readonly healer: Healer;
  /** Automatic Restart of IISADMIN, WAS and W3SVC (SCM recovery actions): show, enable, disable, plan. */
  readonly recovery: RecoveryController;
  /** IIS configuration backups: list, create, restore. */
  readonly backups: BackupController;
  private readonly advisor: Advisor;
  private readonly remote?: RemoteTarget;
  private readonly lock: HostLock;
  private closing: Promise<void> | undefined;
  /** The time this client waits and measures in (real time unless a clock was given). */
  readonly clock: Clock;

  /** Made by connect(), from options parsed once (parseConnectOptions). */
  constructor(
    private readonly session: PowerShellSession,
    options: ParsedConnectOptions,
    private readonly logger: Logger,
  ) {
    const clock = (this.clock = options.clock ?? realClock);
    const remote = (this.remote = options.target);
    const { user, signal } = options;
    const lock = (this.lock = new HostLock({ ...options.lock, session, target: remote?.computerName ?? 'localhost', user, logger, remote, signal, clock }));
    const operator = { lock, session, remote, logger, user, retry: options.retry, pollIntervalMs: options.pollIntervalMs, signal, clock };
    this.services = new IisServiceController(operator);
    const web = new WebOperations({ ...operator, services: this.services });
    const poolSettings = new PoolSettingsController(web);
    this.appPools = Object.assign(new AppPoolController(web), {
      settings: (name: string) => poolSettings.settings(name),
      configure: (name: string, changes: PoolSettingsChanges) => poolSettings.configure(name, changes),
      planConfigure: (name: string, changes: PoolSettingsChanges) => poolSettings.plan(name, changes),
      attributeOf,
    });
    this.sites = new SiteController(web);
    this.healer = new Healer(web, this.appPools);
    this.recovery = new RecoveryController(web);
    this.backups = new BackupController(web);
    this.advisor = new Advisor(web);
  }

  /** Escalation ladder for one pool (or a site's pool): recycle, stop/start, kill workers*, restart IIS, restart IIS forced* (*force only). */
  heal(target: HealTarget, options?: HealOptions): Promise<HealResult> {
    return this.healer.heal(target, options);
  }

  /** PowerShell round trips, process spawns, timeouts and deaths of this connection's session. */
  get stats(): Readonly<SessionStats> {
    return this.session.stats;
  }

  /** The computer this client acts on. */
  get host(): string {
    return this.services.host;
  }

  /**
   * The IIS service set (name, display name, status, start type, process id), the restart toggle,
   * and the services' Automatic Restart (recovery actions; absent when sc.exe could not be read).
   */
  async status(): Promise<StatusResult & { recovery?: ServiceRecoveryInfo[] }> {
    return this.services.status({ recovery: true });
  }

  /** What to change instead of resetting IIS: findings with evidence and the iisctl command that fixes each. Read-only. */
  advise(options?: AdviseOptions): Promise<AdviseResult> {
    return this.advisor.advise(options);
  }

  /** Stops IIS gracefully; kills only with `force`. Default timeout: DEFAULTS.stopTimeoutSeconds (iisreset's). */
  stop(options?: StopOptions): Promise<ServiceOperationResult> {
    return this.services.stop(options);
  }

  /** Starts IIS. Default timeout: DEFAULTS.startTimeoutSeconds. Allowed while restarts are disabled. */
  start(options?: StartOptions): Promise<ServiceOperationResult> {
    return this.services.start(options);
  }

  /** Stops IIS, then starts the roots (IISADMIN, WAS, W3SVC) and the dependents that were running. Default stop timeout: DEFAULTS.restartStopTimeoutSeconds (iisreset's). */
  restart(options?: RestartOptions): Promise<ServiceOperationResult> {
    return this.services.restart(options);
  }

  /** Blocks restarts on the host (stored on the host, seen by every iisctl). */
  disable(options: { reason?: string } = {}): Promise<ToggleState> {
    return this.services.disable(options.reason);
  }

  enable(): Promise<ToggleState> {
    return this.services.enable();
  }

  async isEnabled(): Promise<boolean> {
    return (await this.services.isEnabled()).enabled;
  }

  /** What stop/start/restart/disable/enable would do on the host now, with the exact scripts; changes nothing. */
  plan(action: OperationPlan['action'], options: RestartOptions = {}): Promise<OperationPlan> {
    return this.services.plan(action, options);
  }

  /** IIS-related events: resets, recycles, crashes, service changes and iisctl's own audit events. */
  async events(query: EventQuery = {}): Promise<EventRecord[]> {
    validateEventQuery(query); // a bad filter fails before anything runs on the host
    const status = await this.services.status();
    return this.services.run(readEvents({ serviceDisplayNames: status.services.map((s) => s.displayName), ...query }));
  }

  /** Current connections to a site (default: all sites, '_Total'), from the Web Service performance counter. */
  currentConnections(site?: string): Promise<number> {
    return this.services.run(currentConnections(site));
  }

  /** The PSSessions the local PowerShell process holds (one per remote computer, reused by every call). */
  async remoteSessions(): Promise<RemoteSessionInfo[]> {
    const list = listRemoteSessions();
    return list.parse(await this.session.run(list.script, { purpose: list.purpose }));
  }

  /**
   * Ends the PowerShell session (after Remove-PSSession of its remote sessions); nothing is left
   * running once it resolves. Later calls fail with SESSION_CLOSED (not retried). An operation
   * running meanwhile is interrupted as by Ctrl-C: the call in flight is cut short, and the
   * operation ends CANCELLED after reading the host's state back on a fresh process and writing its
   * audit event; close() waits for that. Calling it again waits for the first close.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** `await using iis = await connect(...)`: close() when the block is left, however it is left. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async shutdown(): Promise<void> {
    this.logger.debug('closing iisctl connection', { host: this.host });
    // With an operation running, its call in flight is not waited for (it may take up to the
    // call deadline); the operation removes nothing either, so the PSSessions end with the process.
    if (this.remote && !this.lock.busy && this.session.pid !== undefined) {
      const closing = closeRemoteSessions();
      await this.session.run(closing.script, { purpose: closing.purpose, timeoutMs: DEFAULTS.closeRemoteSessionsMs }).catch((e: unknown) => this.logger.debug('could not remove the PSSessions', { host: this.host, error: (e as Error).message }));
    }
    await this.session.close();
    await this.lock.settled();
  }
}

/**
 * Opens a connection. The options are checked first (INVALID_ARGUMENT before anything runs), or
 * taken as they are when parseConnectOptions made them.
 */
export async function connect(options: ConnectOptions | ParsedConnectOptions = {}): Promise<IisClient> {
  const parsed = parseConnectOptions(options);
  const logger = parsed.logger ?? silentLogger();
  const { simulate: sim, simulatorStateFile: stateFile, target } = parsed;
  const hostName = target?.computerName ?? 'localhost';
  // A bad or unavailable engine fails here, before any host starts.
  if (sim) loadSimulator().chooseEngine(sim.engine);
  if (sim?.inProcess) {
    // The credential's password reaches the in-process host as a spawned one gets it: in its own environment.
    const { clock, transport } = inProcessHost(sim, stateFile, parsed.clock, remoteSecretEnv(target));
    logger.debug('connecting', { executable: 'simulated Windows host (in process)', computerName: target?.computerName });
    const session = new PowerShellSession({ transport, logger, callTimeoutMs: parsed.callTimeoutMs, hostName, clock });
    return new IisClient(session, { ...parsed, clock }, logger);
  }
  if (parsed.transport) {
    logger.debug('connecting', { executable: 'transport', computerName: target?.computerName });
    return new IisClient(new PowerShellSession({ transport: parsed.transport, logger, callTimeoutMs: parsed.callTimeoutMs, hostName, clock: parsed.clock }), parsed, logger);
  }
  const executable = resolveExecutable({
    simulate: sim ? sim.scenario ?? true : undefined,
    executable: parsed.powershell,
    pwsh: parsed.pwsh,
    // The password of the credential reaches PowerShell only through its spawn environment (scripts/remote.ts).
    env: { ...(stateFile ? { IISCTL_SIM_STATE: stateFile } : {}), ...(sim?.engine ? { IISCTL_SIM_ENGINE: sim.engine } : {}), ...remoteSecretEnv(target) },
  });
  logger.debug('connecting', { executable: executable.description, computerName: target?.computerName });
  const session = new PowerShellSession({ executable, logger, callTimeoutMs: parsed.callTimeoutMs, hostName, clock: parsed.clock });
  return new IisClient(session, parsed, logger);
}

/** `simulate` in its one detailed form (undefined: a real host). */
function simulateOptions(simulate: ConnectOptions['simulate']): SimulateOptions | undefined {
  if (simulate === undefined || simulate === false) return undefined;
  if (simulate === true) return {};
  if (typeof simulate === 'string') return { scenario: simulate };
  if (typeof simulate !== 'object' || simulate === null) throw invalidArgument('simulate is true, a scenario, or { scenario, stateFile, inProcess, clock }.');
  return simulate;
}

/** The simulated host in this process, on the clock the client shares with it. */
function inProcessHost(sim: SimulateOptions, stateFile: string | undefined, given: Clock | undefined, environment: Record<string, string>): { clock: Clock; transport: TransportFactory } {
  const simulator = loadSimulator();
  const wanted = sim.clock ?? 'real';
  if (given && wanted !== 'real' && given !== wanted) throw invalidArgument('Two clocks given: clock and simulate.clock; give one.');
  // A virtual clock starts at the wall time: a state file saved earlier never lies in its future.
  const clock = wanted === 'virtual' ? new simulator.VirtualClock(realClock.now(), { auto: true }) : wanted === 'real' ? given ?? realClock : wanted;
  const scenario = sim.scenario === undefined ? undefined : simulator.resolveScenarioPath(sim.scenario);
  return { clock, transport: simulator.inProcessTransport({ scenario, stateFile, clock, engine: sim.engine, environment }) };
}
