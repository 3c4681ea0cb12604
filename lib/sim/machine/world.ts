/**
 * SimWorld: the clock, the timer queue and the computers of one scenario.
 * SimMachine: one computer's API in terms of requests and views — what the cmdlet layer uses.
 *
 * Time model: every operation happens at world.clock. advance(now) replays every timer whose
 * time has come, in order, setting the clock to each timer's time first, so events carry the
 * moment a transition happened, not when someone looked. All of it is plain JSON state, so a
 * later process that loads the state and advances to its own "now" sees time having passed.
 */
import type { ObjectStateName, StartTypeName } from './constants';
import { Ctx } from './context';
import { queryEvents, registerSource, writeEntry, type EventQuery, type WriteEntry } from './eventlog';
import { SimFault } from './faults';
import * as msg from './messages';
import type { EventTemplate } from './messages';
import * as pools from './pools';
import { killProcess, processView, type ProcessView } from './processes';
import { onBootDone, requestReboot } from './reboot';
import * as registry from './registry';
import * as services from './services';
import type { CommandLogEntry, ComputerState, EventRecord, PoolState, RegistryKey, ServiceRecovery, RegistryValue, RegistryValueKind, Timer, WorldState } from './types';
import { ownEntry } from './tables';

/** Longest command text kept per command-log entry. */
export const COMMAND_TEXT_LIMIT = 16 * 1024;

type Handler = (ctx: Ctx, t: Timer) => void;

const handlers: Record<Timer['kind'], Handler> = {
  svcStarted: (ctx, t) => services.onStarted(ctx, t.target),
  svcStopped: (ctx, t) => services.onStopped(ctx, t.target),
  svcRecoveryRestart: (ctx, t) => services.onRecoveryRestart(ctx, t.target),
  poolStarted: (ctx, t) => pools.onPoolStarted(ctx, t.target),
  poolStopped: (ctx, t) => pools.onPoolStopped(ctx, t.target),
  workerExit: (ctx, t) => pools.onWorkerExit(ctx, t.target, String(t.data?.pool ?? '')),
  workerSpawn: (ctx, t) => pools.onWorkerSpawn(ctx, t.target),
  workerCrash: (ctx, t) => pools.onWorkerCrash(ctx, t.target, String(t.data?.pool ?? '')),
  workerPeriodicRecycle: (ctx, t) => pools.onPeriodicRecycle(ctx, t.target, String(t.data?.pool ?? '')),
  bootDone: (ctx) => onBootDone(ctx),
};

export class SimWorld {
  /** Commands recorded through this object and not yet appended to the command log file (state.ts). */
  readonly newCommands: CommandLogEntry[] = [];
  /** The command log recorded before (state.ts reads its file; a world only in memory has none). */
  earlierCommands: () => CommandLogEntry[] = () => [];

  constructor(readonly state: WorldState) {}

  get now(): number {
    return this.state.clock;
  }

  /** Settles every transition due at or before `now`, then sets the clock to `now` (never backwards). */
  advance(now: number): void {
    const s = this.state;
    for (;;) {
      let next: Timer | undefined;
      for (const t of s.timers) {
        if (t.at > now) continue;
        if (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t;
      }
      if (!next) break;
      s.timers = s.timers.filter((t) => t !== next);
      s.clock = Math.max(s.clock, next.at);
      const comp = s.computers[next.computer.toUpperCase()];
      if (comp) handlers[next.kind](new Ctx(s, comp), next);
    }
    s.clock = Math.max(s.clock, now);
  }

  /** When the next pending transition happens (null: nothing scheduled). */
  nextTransitionAt(): number | null {
    return this.state.timers.reduce<number | null>((m, t) => (m === null || t.at < m ? t.at : m), null);
  }

  computerNames(): string[] {
    return Object.values(this.state.computers).map((c) => c.name);
  }

  get local(): SimMachine {
    return new SimMachine(this, this.state.localComputer);
  }

  /** Resolves a computer by name, FQDN, "localhost" or "."; null when unknown. */
  resolve(name: string): ComputerState | null {
    const n = name.trim().toUpperCase();
    if (n === '' || n === '.' || n === 'LOCALHOST' || n === '127.0.0.1') return this.state.computers[this.state.localComputer];
    return (
      this.state.computers[n] ?? Object.values(this.state.computers).find((c) => c.fqdn.toUpperCase() === n) ?? null
    );
  }

  /** A computer as seen from the network: unknown, unreachable (scenario flag) or rebooting computers throw. */
  connect(name: string): SimMachine {
    const comp = this.resolve(name);
    const fail = (reason: string, message: string) =>
      new SimFault({ kind: 'Unreachable', message, computer: name, target: { type: 'computer', name }, reason });
    if (!comp) throw fail('unknown-host', `The computer name ${name} could not be resolved.`); // assumed text
    if (comp.unreachable) throw fail('unreachable', `The computer ${comp.name} is not reachable.`); // assumed text
    if (comp.rebootingUntil !== null) throw fail('rebooting', `The computer ${comp.name} is restarting.`); // assumed text
    return new SimMachine(this, comp.name);
  }

  /** Appends to the bounded command log (what the host executed; security tests read it). */
  recordCommand(text: string, computer = this.state.localComputer): void {
    const s = this.state;
    const truncated = text.length > COMMAND_TEXT_LIMIT;
    this.newCommands.push({
      seq: s.nextCommandSeq++,
      at: s.clock,
      computer,
      text: truncated ? text.slice(0, COMMAND_TEXT_LIMIT) : text,
      ...(truncated ? { truncated: true } : {}),
    });
  }

  /** The last commandLogLimit commands, oldest first. */
  commands(): CommandLogEntry[] {
    return [...this.earlierCommands(), ...this.newCommands].slice(-this.state.commandLogLimit).map((c) => ({ ...c }));
  }

  /** Counts a host call; true when the scenario says the host crashes on this one (only then counted: a change saved to the state). */
  noteHostCall(): boolean {
    const h = this.state.host;
    if (h.crashOnCall === null) return false;
    h.calls++;
    return h.crashOnCall !== null && h.calls === h.crashOnCall;
  }

  get hostSettings(): Readonly<WorldState['host']> {
    return this.state.host;
  }
}

export class SimMachine {
  constructor(
    readonly world: SimWorld,
    readonly name: string,
  ) {}

  private get comp(): ComputerState {
    return this.world.state.computers[this.name.toUpperCase()];
  }

  private ctx(): Ctx {
    return new Ctx(this.world.state, this.comp);
  }

  // ---- identity / time -----------------------------------------------------------------------

  get now(): number {
    return this.world.now;
  }
  advance(now: number): void {
    this.world.advance(now);
  }
  get fqdn(): string {
    return this.comp.fqdn;
  }
  get os(): string {
    return this.comp.os;
  }
  get iisVersion(): string {
    return this.comp.iisVersion;
  }
  get bootTime(): number {
    return this.comp.bootTime;
  }
  get rebooting(): boolean {
    return this.comp.rebootingUntil !== null;
  }
  get isLocal(): boolean {
    return this.comp.name.toUpperCase() === this.world.state.localComputer;
  }
  get user(): Readonly<ComputerState['user']> {
    return this.comp.user;
  }
  get isAdministrator(): boolean {
    return this.comp.user.isAdmin;
  }
  /** Whether a PowerShell module is installed ("WebAdministration", "IISAdministration"). */
  hasModule(module: string): boolean {
    const m = Object.entries(this.comp.modules).find(([k]) => k.toLowerCase() === module.toLowerCase());
    return m ? m[1] : false;
  }
  /** IIS is installed: the World Wide Web Publishing Service exists (assumed criterion; iisreset.exe ships with IIS). */
  get iisInstalled(): boolean {
    return services.findService(this.comp, 'W3SVC') !== undefined;
  }
  /** `iisreset /DISABLE` is in effect (docs/sources.md §1.8); persisted with the computer. */
  get iisResetDisabled(): boolean {
    return this.comp.iisResetDisabled === true;
  }
  /** `iisreset /DISABLE` (true) or `/ENABLE` (false); administrators only (throws AccessDenied). */
  setIisResetDisabled(disabled: boolean): void {
    const ctx = this.ctx();
    ctx.requireUp();
    ctx.requireAdmin({ type: 'computer', name: this.comp.name });
    this.comp.iisResetDisabled = disabled;
  }
  /** Another computer, through the network (throws Unreachable). */
  remote(name: string): SimMachine {
    return this.world.connect(name);
  }
  recordCommand(text: string): void {
    this.world.recordCommand(text, this.comp.name);
  }

  // ---- services --------------------------------------------------------------------------------

  services(): services.ServiceView[] {
    return Object.values(this.comp.services).map((s) => services.serviceView(this.comp, s));
  }
  service(name: string): services.ServiceView | undefined {
    const s = services.findService(this.comp, name);
    return s && services.serviceView(this.comp, s);
  }
  serviceByDisplayName(displayName: string): services.ServiceView | undefined {
    const s = services.findServiceByDisplayName(this.comp, displayName);
    return s && services.serviceView(this.comp, s);
  }
  /** Like service() but throws NotFound (Win32 1060). */
  requireService(name: string): services.ServiceView {
    return services.serviceView(this.comp, services.requireService(this.ctx(), name));
  }
  /** Dependents; `recursive` gives all of them in a safe stop order. */
  dependentServices(name: string, opts: { recursive?: boolean } = {}): services.ServiceView[] {
    const svc = services.requireService(this.ctx(), name);
    const list = opts.recursive ? services.allDependents(this.comp, svc.name) : services.directDependents(this.comp, svc.name);
    return list.map((s) => services.serviceView(this.comp, s));
  }
  requestStop(name: string, opts: services.StopOptions = {}): void {
    services.requestStop(this.ctx(), name, opts);
  }
  requestStart(name: string): void {
    services.requestStart(this.ctx(), name);
  }
  /** Sets the `hangOnStop` fault; ending it lets a held stop finish after `stopMs` (true if one was held). */
  setHangOnStop(name: string, hang: boolean): boolean {
    return services.setHangOnStop(this.ctx(), name, hang);
  }
  setStartType(name: string, startType: StartTypeName): void {
    services.setStartType(this.ctx(), name, startType);
  }
  /** The service's SCM failure actions (sc.exe qfailure); null = none. Throws NotFound (1060). */
  serviceRecovery(name: string): ServiceRecovery | null {
    const svc = services.requireService(this.ctx(), name);
    return svc.recovery ? JSON.parse(JSON.stringify(svc.recovery)) : null;
  }
  /** Backup-WebConfiguration backups of this computer, oldest first. */
  configBackups(): Array<{ name: string; createdAt: number }> {
    return (this.comp.configBackups ?? []).map((b) => ({ name: b.name, createdAt: b.createdAt }));
  }
  /** Backup-WebConfiguration: snapshots the pools' configuration; administrators only. */
  addConfigBackup(name: string): { name: string; createdAt: number } {
    const ctx = this.ctx();
    ctx.requireUp();
    ctx.requireAdmin({ type: 'computer', name: this.comp.name });
    const pick = (p: PoolState) => JSON.parse(JSON.stringify({ autoStart: p.autoStart, startMode: p.startMode, processModel: p.processModel, recycling: p.recycling, failure: p.failure, cpu: p.cpu }));
    const backup = { name, createdAt: ctx.now, pools: Object.fromEntries(Object.entries(this.comp.pools).map(([k, p]) => [k, pick(p)])) };
    this.comp.configBackups = [...(this.comp.configBackups ?? []).filter((b) => b.name.toLowerCase() !== name.toLowerCase()), backup];
    return { name, createdAt: backup.createdAt };
  }
  /** Restore-WebConfiguration: puts the pools' configuration back; false when there is no such backup. */
  restoreConfigBackup(name: string): boolean {
    const ctx = this.ctx();
    ctx.requireUp();
    ctx.requireAdmin({ type: 'computer', name: this.comp.name });
    const backup = (this.comp.configBackups ?? []).find((b) => b.name.toLowerCase() === name.toLowerCase());
    if (!backup) return false;
    for (const [k, saved] of Object.entries(backup.pools)) {
      const p = ownEntry(this.comp.pools, k);
      if (p) Object.assign(p, JSON.parse(JSON.stringify(saved)));
    }
    return true;
  }
  /** sc.exe failure: administrators only (AccessDenied); null clears the actions. */
  setServiceRecovery(name: string, recovery: ServiceRecovery | null): void {
    const ctx = this.ctx();
    ctx.requireUp();
    const svc = services.requireService(ctx, name);
    ctx.requireAdmin({ type: 'service', name: svc.name });
    svc.recovery = recovery;
  }

  // ---- pools, sites, workers ------------------------------------------------------------------------

  pools(): pools.PoolView[] {
    return Object.values(this.comp.pools).map((p) => pools.poolView(this.comp, p));
  }
  pool(name: string): pools.PoolView | undefined {
    const p = pools.findPool(this.comp, name);
    return p && pools.poolView(this.comp, p);
  }
  poolState(name: string): ObjectStateName | undefined {
    return this.pool(name)?.stateName;
  }
  requestPoolStart(name: string): void {
    pools.requestPoolStart(this.ctx(), name);
  }
  requestPoolStop(name: string): void {
    pools.requestPoolStop(this.ctx(), name);
  }
  requestPoolRecycle(name: string): void {
    pools.requestPoolRecycle(this.ctx(), name);
  }
  /** A request reaches the pool: starts a worker if none runs; returns its pid (null if the pool can't serve). */
  demandWorker(name: string): number | null {
    return pools.demandWorker(this.ctx(), name);
  }
  sites(): pools.SiteView[] {
    return Object.values(this.comp.sites)
      .sort((a, b) => a.id - b.id)
      .map((s) => pools.siteView(this.comp, s));
  }
  site(name: string): pools.SiteView | undefined {
    const s = pools.findSite(this.comp, name);
    return s && pools.siteView(this.comp, s);
  }
  requestSiteStart(name: string): void {
    pools.requestSiteStart(this.ctx(), name);
  }
  requestSiteStop(name: string): void {
    pools.requestSiteStop(this.ctx(), name);
  }
  /** Configuration write of applicationPools/add/@autoStart (Set-ItemProperty IIS:\AppPools\x autoStart). */
  setPoolAutoStart(name: string, value: boolean): void {
    pools.setPoolAutoStart(this.ctx(), name, value);
  }
  /** A validated configuration write to a pool's element (Set-WebConfigurationProperty); admins only. */
  updatePoolConfig(name: string, change: (pool: PoolState) => void): void {
    pools.updatePoolConfig(this.ctx(), name, change);
  }
  /** Configuration write of sites/site/@serverAutoStart (Set-ItemProperty IIS:\Sites\x serverAutoStart). */
  setSiteServerAutoStart(name: string, value: boolean): void {
    pools.setSiteServerAutoStart(this.ctx(), name, value);
  }

  // ---- processes ---------------------------------------------------------------------------------

  processes(): ProcessView[] {
    return Object.values(this.comp.processes)
      .sort((a, b) => a.pid - b.pid)
      .map(processView);
  }
  process(pid: number): ProcessView | undefined {
    const p = this.comp.processes[String(pid)];
    return p && processView(p);
  }
  /** Stop-Process -Id pid. */
  kill(pid: number): void {
    killProcess(this.ctx(), pid);
  }

  // ---- event log ---------------------------------------------------------------------------------

  /** Newest first, like Get-WinEvent. */
  events(query: EventQuery = {}): EventRecord[] {
    return queryEvents(this.comp, query).map((r) => ({ ...r, properties: [...r.properties] }));
  }
  logNames(): string[] {
    return Object.values(this.comp.eventLogs).map((l) => l.name);
  }
  sourceExists(source: string): boolean {
    return source.toLowerCase() in this.comp.eventSources;
  }
  /** New-EventLog -LogName -Source (needs an administrator; SourceExists fault if registered). */
  registerEventSource(logName: string, source: string, computerLabel?: string): void {
    const ctx = this.ctx();
    ctx.requireUp();
    ctx.requireAdmin({ type: 'eventSource', name: source });
    registerSource(this.comp, logName, source, computerLabel);
  }
  /** Write-EventLog: source must be registered for that log. */
  writeEvent(entry: WriteEntry, computerLabel?: string): EventRecord {
    const ctx = this.ctx();
    ctx.requireUp();
    return writeEntry(this.comp, entry, ctx.now, computerLabel);
  }
  /** Appends an event as a Windows component would (any provider, any log), at the current time. */
  logEvent(tpl: EventTemplate, user?: { sid: string | null; name: string | null }): void {
    const log = this.comp.eventLogs[tpl.logName.toLowerCase()];
    if (!log) throw new SimFault({ kind: 'LogNotFound', message: `No log ${tpl.logName}.`, computer: this.name });
    this.ctx().log(tpl, this.now, user);
  }
  /** The audit event iisreset.exe writes when it receives a command (docs/sources.md §2.1). */
  logIisResetCommand(kind: 'start' | 'stop'): void {
    this.ctx().log(msg.iisResetCommand(kind, this.comp.user.name));
  }

  // ---- registry ----------------------------------------------------------------------------------

  registryKey(path: string): RegistryKey | undefined {
    const k = registry.getKey(this.comp, path);
    return k && JSON.parse(JSON.stringify(k));
  }
  registryKeyExists(path: string): boolean {
    return registry.keyExists(this.comp, path);
  }
  registrySubKeys(path: string): string[] {
    return registry.subKeys(this.comp, path);
  }
  createRegistryKey(path: string): boolean {
    return registry.createKey(this.ctx(), path);
  }
  getRegistryValue(path: string, name: string): RegistryValue | undefined {
    const v = registry.getValue(this.comp, path, name);
    return v && JSON.parse(JSON.stringify(v));
  }
  setRegistryValue(path: string, name: string, value: RegistryValue['value'], kind?: RegistryValueKind): void {
    registry.setValue(this.ctx(), path, name, value, kind);
  }
  removeRegistryValue(path: string, name: string): boolean {
    return registry.removeValue(this.ctx(), path, name);
  }
  removeRegistryKey(path: string): boolean {
    return registry.removeKey(this.ctx(), path);
  }

  // ---- power ---------------------------------------------------------------------------------------

  /** Restart-Computer. */
  reboot(): void {
    requestReboot(this.ctx());
  }
}

