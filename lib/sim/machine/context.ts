/**
 * Ctx: what every operation on one computer needs — the clock, the timer queue, the
 * process table, the event log and the permission check. Operations are functions of a
 * Ctx so each module stays small.
 */
import { appendEvent, type EventUser } from './eventlog';
import { SimFault, Win32Errors, type SimTarget } from './faults';
import type { EventTemplate } from './messages';
import type { ComputerState, ProcessOwner, ProcessState, Timer, TimerKind, WorldState } from './types';

export class Ctx {
  constructor(
    readonly world: WorldState,
    readonly comp: ComputerState,
  ) {}

  get now(): number {
    return this.world.clock;
  }

  schedule(kind: TimerKind, at: number, target: string, data?: Record<string, unknown>): Timer {
    const t: Timer = { seq: this.world.nextTimerSeq++, at, computer: this.comp.name, kind, target };
    if (data) t.data = data;
    this.world.timers.push(t);
    return t;
  }

  /** Drops this computer's timers for a target (optionally only some kinds). */
  cancel(target: string, kinds?: TimerKind[]): void {
    this.world.timers = this.world.timers.filter(
      (t) => !(t.computer === this.comp.name && t.target === target && (!kinds || kinds.includes(t.kind))),
    );
  }

  cancelAll(): void {
    this.world.timers = this.world.timers.filter((t) => t.computer !== this.comp.name);
  }

  log(tpl: EventTemplate, at: number = this.now, user?: EventUser): void {
    appendEvent(this.comp, tpl, at, user);
  }

  /** Windows process ids are multiples of 4 (assumed: observed behaviour, not in docs/sources.md). */
  allocPid(): number {
    const pid = this.comp.nextPid;
    this.comp.nextPid += 4 + 4 * ((pid * 7) % 5); // irregular gaps, like a busy machine
    return pid;
  }

  spawn(name: string, owner: ProcessOwner, opts: { workingSet: number; commandLine: string; userName: string; pid?: number }): ProcessState {
    const pid = opts.pid ?? this.allocPid();
    const p: ProcessState = {
      pid,
      name,
      startTime: this.now,
      workingSet: opts.workingSet,
      owner,
      services: [],
      commandLine: opts.commandLine,
      userName: opts.userName,
    };
    this.comp.processes[String(pid)] = p;
    return p;
  }

  endProcess(pid: number): void {
    delete this.comp.processes[String(pid)];
  }

  process(pid: number): ProcessState | undefined {
    return this.comp.processes[String(pid)];
  }

  /** Every change request from a non-administrator fails with Win32 5 / 0x80070005 (only Administrators control services: docs/sources.md §3.1, §1.7). */
  requireAdmin(target: SimTarget): void {
    if (!this.comp.user.isAdmin) throw SimFault.win32('AccessDenied', Win32Errors.ACCESS_DENIED, this.comp.name, target);
  }

  /** While rebooting the machine answers nothing. */
  requireUp(): void {
    if (this.comp.rebootingUntil !== null) {
      throw new SimFault({
        kind: 'Unreachable',
        message: `The computer ${this.comp.name} is restarting.`, // assumed text
        computer: this.comp.name,
        target: { type: 'computer', name: this.comp.name },
        reason: 'rebooting',
      });
    }
  }

  get user(): EventUser {
    return { sid: this.comp.user.sid, name: this.comp.user.name };
  }
}
