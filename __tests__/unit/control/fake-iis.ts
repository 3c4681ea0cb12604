/**
 * A scripted IIS service set on a FakeSession, on the fake clock: a stop or start request puts a
 * service in StopPending/StartPending and it reaches Stopped/Running after its own delay (or never:
 * hung; or back to Stopped: failing to start). Just enough of a machine for lib/control's
 * iisServices orchestration; what real Windows does is the simulator's and the e2e suites' job.
 */
import type { ServiceInfo } from '../../../lib/commands/services';
import type { ToggleState } from '../../../lib/commands/toggle';
import { FakeSession, namesOf, service } from './fake-host';

interface Svc {
  info: ServiceInfo;
  /** Pending change: the status reached at `at` (virtual ms). */
  to?: string;
  at?: number;
}

export interface FakeIisOptions {
  /** Time each service takes to stop / start after the request (default 1 s). */
  stopMs?: Record<string, number>;
  startMs?: Record<string, number>;
  /** Never leave StopPending (until their process is terminated). */
  hung?: string[];
  /** Go StartPending, then back to Stopped. */
  failStart?: string[];
  workers?: number[];
  toggle?: ToggleState;
}

export class FakeIis {
  readonly services = new Map<string, Svc>();
  workers: number[];
  toggle: ToggleState;
  readonly killed: number[] = [];

  constructor(
    readonly session: FakeSession,
    services: ServiceInfo[],
    readonly options: FakeIisOptions = {},
  ) {
    for (const s of services) this.services.set(s.name.toLowerCase(), { info: { ...s } });
    this.workers = options.workers ?? [];
    this.toggle = options.toggle ?? { enabled: true };
    session
      .on('read the IIS service set', () => this.snapshot())
      .on('read whether restarts are enabled', () => this.toggle)
      .on(/^request stop of /, (c) => this.request(namesOf(c.purpose), 'StopPending', 'Stopped'))
      .on(/^request start of /, (c) => this.request(namesOf(c.purpose), 'StartPending', 'Running'))
      .on(/^write the audit event/, undefined)
      .on('read IIS events', [])
      .on('read the recovery actions a forced stop suspended', [])
      .on(/^read the recovery actions of /, [])
      .on(/^back up the IIS configuration as /, (c) => ({ name: c.purpose.replace('back up the IIS configuration as ', ''), createdAt: new Date().toISOString() }))
      .on(/^terminate processes /, (c) => this.kill(c.purpose.replace('terminate processes ', '').split(', ').map(Number)));
  }

  /** The IIS service set and workers as read now. */
  snapshot(): { services: ServiceInfo[]; workerProcessIds: number[] } {
    const now = Date.now();
    for (const s of this.services.values()) {
      if (s.to !== undefined && s.at !== undefined && now >= s.at) {
        s.info.status = s.to;
        s.info.processId = s.to === 'Stopped' ? 0 : 500;
        s.to = s.at = undefined;
      }
    }
    return { services: [...this.services.values()].map((s) => ({ ...s.info })), workerProcessIds: [...this.workers] };
  }

  status(name: string): string {
    return this.snapshot().services.find((s) => s.name === name)!.status;
  }

  private request(names: string[], pending: string, final: string): undefined {
    for (const n of names) {
      const s = this.services.get(n.toLowerCase())!;
      s.info.status = pending;
      const stop = pending === 'StopPending';
      if (stop && this.options.hung?.includes(n)) continue;
      s.to = !stop && this.options.failStart?.includes(n) ? 'Stopped' : final;
      s.at = Date.now() + ((stop ? this.options.stopMs : this.options.startMs)?.[n] ?? 1000);
    }
    if (pending === 'StopPending' && names.some((n) => n.toLowerCase() === 'w3svc')) this.workers = [];
    return undefined;
  }

  private kill(pids: number[]): { killed: number[]; alreadyGone: number[] } {
    this.killed.push(...pids);
    for (const s of this.services.values()) {
      if (pids.includes(s.info.processId)) {
        s.info.status = 'Stopped';
        s.info.processId = 0;
        s.to = s.at = undefined;
      }
    }
    this.workers = this.workers.filter((w) => !pids.includes(w));
    return { killed: pids, alreadyGone: [] };
  }
}

/** WAS, and W3SVC depending on it, both running in their own processes. */
export function runningIis(): ServiceInfo[] {
  return [service('WAS', 'Running', { processId: 11 }), service('W3SVC', 'Running', { processId: 22, dependsOn: ['WAS'] })];
}
