/**
 * connectMany (Fleet) and rollingRestart are built on the one fan-out: the host check runs before
 * any connection, a cancelled run starts no further host, and rolling's batches and policy are the
 * fan-out's. Hosts are stand-in clients whose operations the test lets finish.
 */
import type { IisClient } from '../../../lib/client';
import { IisctlError } from '../../../lib/errors';
import { connectMany, Fleet } from '../../../lib/fleet/fleet';
import { rollingRestart, RollingEvent } from '../../../lib/fleet/rolling';

/** A stand-in client: restart() waits until the test releases it (or the host is told to fail). */
class StandIn {
  readonly calls: string[] = [];
  closed = false;
  private release?: () => void;
  private readonly begun: Promise<void>;
  private begin!: () => void;

  constructor(
    readonly host: string,
    private readonly failWith?: IisctlError,
    private readonly waits = false,
  ) {
    this.begun = new Promise((r) => (this.begin = r));
  }

  restart = async (): Promise<string> => {
    this.calls.push('restart');
    this.begin();
    if (this.waits) await new Promise<void>((r) => (this.release = r));
    if (this.failWith) throw this.failWith;
    return `restarted ${this.host}`;
  };
  close = async (): Promise<void> => {
    this.closed = true;
  };
  started(): Promise<void> {
    return this.begun;
  }
  finish(): void {
    this.release?.();
  }
}

function standIns(specs: Record<string, { fail?: IisctlError; waits?: boolean }>) {
  const clients = new Map(Object.entries(specs).map(([h, s]) => [h, new StandIn(h, s.fail, s.waits)]));
  const connected: string[] = [];
  const connectHost = async (host: string) => {
    connected.push(host);
    return clients.get(host) as unknown as IisClient;
  };
  return { clients, connected, connectHost };
}

describe('connectMany', () => {
  it('refuses a machine named twice before connecting to anything', () => {
    const s = standIns({ WEB01: {}, web01: {} });
    expect(() => connectMany(['WEB01', 'web01'], { connectHost: s.connectHost })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'The host web01 is given twice.' }));
    expect(() => connectMany(['localhost', '.'], { connectHost: s.connectHost })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => connectMany([], {})).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(s.connected).toEqual([]);
  });

  it('once the signal is aborted no further host is connected; the running one finishes', async () => {
    const controller = new AbortController();
    const s = standIns({ WEB01: { waits: true }, WEB02: {}, WEB03: {} });
    const fleet = new Fleet(['WEB01', 'WEB02', 'WEB03'], { connectHost: s.connectHost, concurrency: 1, signal: controller.signal });
    const run = fleet.restart();
    await s.clients.get('WEB01')!.started();
    controller.abort();
    s.clients.get('WEB01')!.finish();
    const results = await run;
    expect(s.connected).toEqual(['WEB01']);
    expect(results.map((r) => [r.host, r.ok, r.ok || r.started, r.ok ? r.value : r.error.code])).toEqual([
      ['WEB01', true, true, 'restarted WEB01'],
      ['WEB02', false, false, 'CANCELLED'],
      ['WEB03', false, false, 'CANCELLED'],
    ]);
    await fleet.close();
    expect(s.clients.get('WEB01')!.closed).toBe(true);
  });

  it('maxFailures: 0 stops after the first failed host', async () => {
    const s = standIns({ WEB01: { fail: new IisctlError('UNREACHABLE', 'down') }, WEB02: {} });
    const fleet = connectMany(['WEB01', 'WEB02'], { connectHost: s.connectHost, concurrency: 1, maxFailures: 0 });
    const results = await fleet.restart();
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['UNREACHABLE', 'CANCELLED']);
    expect(s.connected).toEqual(['WEB01']);
  });
});

describe('rollingRestart on the fan-out', () => {
  it('Ctrl-C during a batch: that batch ends, no further batch starts, the rest is untouched', async () => {
    const controller = new AbortController();
    const s = standIns({ WEB01: { waits: true }, WEB02: {}, WEB03: {} });
    const fleet = new Fleet(['WEB01', 'WEB02', 'WEB03'], { connectHost: s.connectHost });
    const events: RollingEvent[] = [];
    const run = rollingRestart(['WEB01', 'WEB02', 'WEB03'], { fleet, signal: controller.signal, onProgress: (e) => events.push(e) });
    await s.clients.get('WEB01')!.started();
    controller.abort();
    s.clients.get('WEB01')!.finish();
    const result = await run;
    expect(result).toMatchObject({ ok: true, done: ['WEB01'], failed: [], untouched: ['WEB02', 'WEB03'], stoppedEarly: true });
    expect(s.connected).toEqual(['WEB01']);
    expect(events.filter((e) => e.type === 'batch' || e.type === 'stopped')).toEqual([
      { type: 'batch', index: 0, hosts: ['WEB01'] },
      { type: 'stopped', failures: 0, untouched: ['WEB02', 'WEB03'] },
    ]);
    await fleet.close();
  });

  it('a host given twice is refused even with a fleet of the caller, before any host is touched', async () => {
    const s = standIns({ WEB01: {} });
    const fleet = new Fleet(['WEB01'], { connectHost: s.connectHost });
    await expect(rollingRestart(['WEB01', 'web01.'], { fleet })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(s.connected).toEqual([]);
  });

  it('batches of 2 with maxFailures 1: goes on past one failure, stops after the second', async () => {
    const down = new IisctlError('UNREACHABLE', 'down');
    const s = standIns({ A: { fail: down }, B: {}, C: { fail: down }, D: {}, E: {} });
    const fleet = new Fleet(['A', 'B', 'C', 'D', 'E'], { connectHost: s.connectHost });
    const result = await rollingRestart(['A', 'B', 'C', 'D', 'E'], { fleet, batch: 2, maxFailures: 1 });
    expect(result).toMatchObject({ ok: false, done: ['B', 'D'], failed: ['A', 'C'], untouched: ['E'], stoppedEarly: true });
    expect(result.hosts[0]).toMatchObject({ status: 'failed', phase: 'act', error: { code: 'UNREACHABLE' } });
  });
});
