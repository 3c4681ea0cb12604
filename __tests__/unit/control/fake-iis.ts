/**
 * A scripted IIS service set on a FakeSession, on the fake clock: a stop or start request puts a
 * service in StopPending/StartPending and it reaches Stopped/Running after its own delay (or never:
 * hung; or back to Stopped: failing to start). Just enough of a machine for lib/control's
 * iisServices orchestration; what real Windows does is the simulator's and the e2e suites' job.
 */
import type { ServiceInfo } from '../../../lib/scripts/services';
import type { ToggleState } from '../../../lib/scripts/toggle';
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

interface Pool {
  name: string;
  state: string;
  workers: number[];
  autoStart: boolean;
  startMode: string;
  /** Pending change: state and workers reached at `at`. */
  to?: { state: string; workers: number[]; at: number };
}

export interface FakePoolsOptions {
  /** Pools that never finish stopping (until their workers are terminated). */
  hungStop?: string[];
  /** Requests refused with 0x80070425 (cannot accept control messages) this many times per name. */
  refuse?: Record<string, number>;
  /** Requests failing for good, with this outcome. */
  fail?: Record<string, { category: string; hresult: number; message: string }>;
  /** WAS/W3SVC status (default Running). */
  services?: string;
  /** Time a request takes to complete (default 1 s). */
  ms?: number;
}

/** Application pools on a FakeSession, on the fake clock: requests complete after `ms`; workers get new ids. */
export class FakePools {
  readonly pools = new Map<string, Pool>();
  readonly killed: number[] = [];
  private nextPid = 5000;
  private readonly refusals: Record<string, number>;

  constructor(
    readonly session: FakeSession,
    pools: Array<Partial<Pool> & { name: string }>,
    readonly options: FakePoolsOptions = {},
  ) {
    for (const p of pools) this.pools.set(p.name.toLowerCase(), { state: 'Started', workers: [], autoStart: true, startMode: 'OnDemand', ...p });
    this.refusals = { ...options.refuse };
    session
      .on('read whether restarts are enabled', { enabled: true })
      .on(/^write the audit event/, undefined)
      .on('read IIS events', [])
      .on('read the IIS application pools', () => this.inventory())
      .on(/^read the state of \d+ application pool/, (_c, call) => this.states(call.script))
      .on(/^request (start|stop|recycle) of application pool\(s\) /, (c) => this.request(c.purpose))
      .on(/^set autoStart=false on application pool\(s\) /, (c) => {
        for (const n of c.purpose.replace(/^set autoStart=false on application pool\(s\) /, '').split(', ')) this.pools.get(n.toLowerCase())!.autoStart = false;
        return undefined;
      })
      .on(/^terminate processes /, (c) => this.kill(c.purpose.replace('terminate processes ', '').split(', ').map(Number)));
  }

  private settle(): void {
    for (const p of this.pools.values()) {
      if (p.to && Date.now() >= p.to.at) {
        p.state = p.to.state;
        p.workers = p.to.workers;
        p.to = undefined;
      }
    }
  }

  inventory() {
    this.settle();
    const status = this.options.services ?? 'Running';
    return {
      services: [
        { name: 'WAS', displayName: 'Windows Process Activation Service', status },
        { name: 'W3SVC', displayName: 'World Wide Web Publishing Service', status },
      ],
      pools: [...this.pools.values()].map((p) => ({
        name: p.name, state: p.state, autoStart: p.autoStart, startMode: p.startMode, runtimeVersion: 'v4.0', pipelineMode: 'Integrated', identityType: 'ApplicationPoolIdentity', workerProcessIds: [...p.workers], sites: [], applications: [],
      })),
      sites: [],
    };
  }

  /** States of the pools named (as literals) in the script. */
  private states(script: string) {
    this.settle();
    return [...this.pools.values()].filter((p) => script.includes(`'${p.name}'`)).map((p) => ({ name: p.name, exists: true, state: p.state, workerProcessIds: [...p.workers] }));
  }

  private request(purpose: string) {
    const [, action, list] = /^request (\w+) of application pool\(s\) (.*)$/.exec(purpose)!;
    const ms = this.options.ms ?? 1000;
    return list.split(', ').map((name) => {
      const p = this.pools.get(name.toLowerCase())!;
      if (this.refusals[p.name] > 0) {
        this.refusals[p.name]--;
        return { name: p.name, ok: false, hresult: 0x80070425 | 0, message: 'The service cannot accept control messages at this time.' };
      }
      const failure = this.options.fail?.[p.name];
      if (failure) return { name: p.name, ok: false, ...failure };
      if (action === 'stop') {
        p.state = 'Stopping';
        if (!this.options.hungStop?.includes(p.name)) p.to = { state: 'Stopped', workers: [], at: Date.now() + ms };
      } else if (action === 'start') {
        p.state = 'Starting';
        p.to = { state: 'Started', workers: p.startMode === 'AlwaysRunning' ? [this.nextPid++] : [], at: Date.now() + ms };
      } else {
        p.to = { state: 'Started', workers: p.workers.length ? [this.nextPid++] : [], at: Date.now() + ms };
      }
      return { name: p.name, ok: true };
    });
  }

  private kill(pids: number[]) {
    this.killed.push(...pids);
    for (const p of this.pools.values()) {
      if (p.workers.some((w) => pids.includes(w))) {
        p.workers = p.workers.filter((w) => !pids.includes(w));
        if (p.state === 'Stopping' && p.workers.length === 0) p.state = 'Stopped';
      }
    }
    return { killed: pids, alreadyGone: [] };
  }
}
