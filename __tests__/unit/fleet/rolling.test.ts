import type { IisClient } from '../../../lib/client';
import { healthUrl, RollingEvent, rollingRestart } from '../../../lib/fleet/rolling';
import { IisctlError } from '../../../lib/errors';

const T0 = Date.UTC(2026, 11, 6, 10);
beforeEach(() => jest.useFakeTimers({ now: T0 }));
afterEach(() => jest.useRealTimers());

/** Stand-in clients: each restart takes 1 s (virtual); `fail` hosts fail it; `connections` is what each connection read returns in turn. */
function standIns(options: { fail?: string[]; connections?: Record<string, number[]> } = {}) {
  const log: string[] = [];
  const closed: string[] = [];
  const connectHost = async (host: string) =>
    ({
      restart: async () => {
        log.push(`restart ${host} at ${Date.now() - T0}`);
        await new Promise((r) => setTimeout(r, 1000));
        if (options.fail?.includes(host)) throw new IisctlError('TIMEOUT', `${host} timed out`, { host });
      },
      appPools: { recycle: async (pool: string) => void log.push(`recycle ${pool} on ${host}`) },
      currentConnections: async () => {
        const seq = options.connections?.[host] ?? [0];
        return seq.length > 1 ? seq.shift()! : seq[0];
      },
      close: async () => void closed.push(host),
    }) as unknown as IisClient;
  return { log, closed, connectHost };
}

async function settle<T>(p: Promise<T>): Promise<T> {
  let done = false;
  void p.finally(() => (done = true));
  while (!done) await jest.advanceTimersByTimeAsync(100);
  return p;
}

describe('rollingRestart', () => {
  it('works in batches: the next batch starts only when the previous one is done; every connection is closed after', async () => {
    const s = standIns();
    const events: RollingEvent[] = [];
    const r = await settle(rollingRestart(['WEB01', 'WEB02', 'WEB03'], { batch: 2, connectHost: s.connectHost, onProgress: (e) => events.push(e) }));
    expect(s.log).toEqual(['restart WEB01 at 0', 'restart WEB02 at 0', 'restart WEB03 at 1000']);
    expect(events.filter((e) => e.type === 'batch')).toEqual([{ type: 'batch', index: 0, hosts: ['WEB01', 'WEB02'] }, { type: 'batch', index: 1, hosts: ['WEB03'] }]);
    expect(r).toMatchObject({ ok: true, done: ['WEB01', 'WEB02', 'WEB03'], failed: [], untouched: [], stoppedEarly: false });
    expect(s.closed.sort()).toEqual(['WEB01', 'WEB02', 'WEB03']);
  });

  it('stops after more failures than maxFailures: the rest is untouched and named', async () => {
    const s = standIns({ fail: ['WEB02'] });
    const events: RollingEvent[] = [];
    const r = await settle(rollingRestart(['WEB01', 'WEB02', 'WEB03'], { connectHost: s.connectHost, onProgress: (e) => events.push(e) }));
    expect(s.log.map((l) => l.split(' at ')[0])).toEqual(['restart WEB01', 'restart WEB02']);
    expect(r).toMatchObject({ ok: false, done: ['WEB01'], failed: ['WEB02'], untouched: ['WEB03'], stoppedEarly: true });
    expect(r.hosts[1]).toMatchObject({ status: 'failed', phase: 'act', error: expect.objectContaining({ code: 'TIMEOUT' }) });
    expect(events[events.length - 1]).toEqual({ type: 'stopped', failures: 1, untouched: ['WEB03'] });
    // With one failure allowed it goes on.
    const t = standIns({ fail: ['WEB02'] });
    const r2 = await settle(rollingRestart(['WEB01', 'WEB02', 'WEB03'], { maxFailures: 1, connectHost: t.connectHost }));
    expect(r2).toMatchObject({ done: ['WEB01', 'WEB03'], failed: ['WEB02'], untouched: [], stoppedEarly: false });
  });

  it('an aborted signal starts no further batch', async () => {
    const s = standIns();
    const abort = new AbortController();
    const r = await settle(rollingRestart(['WEB01', 'WEB02'], { connectHost: s.connectHost, signal: abort.signal, onProgress: (e) => e.type === 'acted' && abort.abort() }));
    expect(r).toMatchObject({ done: ['WEB01'], untouched: ['WEB02'], stoppedEarly: true });
  });

  it('drains until the connections reach 0, then acts; a drain that runs out of time goes on (best effort) and says so', async () => {
    const s = standIns({ connections: { WEB01: [5, 3, 0], WEB02: [7] } });
    const r = await settle(rollingRestart(['WEB01', 'WEB02'], { drainMs: 3000, drainIntervalMs: 500, connectHost: s.connectHost }));
    expect(r.hosts[0].drain).toEqual({ initial: 5, final: 0, waitedMs: 1000, timedOut: false });
    expect(r.hosts[1].drain).toEqual({ initial: 7, final: 7, waitedMs: 3000, timedOut: true });
    expect(s.log.map((l) => l.split(' at ')[0])).toEqual(['restart WEB01', 'restart WEB02']);
    expect(r.ok).toBe(true);
  });

  it('a recycle acts on the pool; bad options and health URLs are INVALID_ARGUMENT before any host is touched', async () => {
    const s = standIns();
    await settle(rollingRestart(['WEB01'], { action: { kind: 'recycle', pool: 'ShopApi' }, connectHost: s.connectHost }));
    expect(s.log).toEqual(['recycle ShopApi on WEB01']);
    const t = standIns();
    await expect(rollingRestart(['WEB01'], { health: 'ftp://{host}/health', connectHost: t.connectHost })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(rollingRestart(['WEB01'], { batch: 0, connectHost: t.connectHost })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(rollingRestart(['WEB01'], { action: { kind: 'recycle', pool: ' ' }, connectHost: t.connectHost })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(t.log).toEqual([]);
  });

  it('healthUrl: {host} is filled in (encoded), a record is looked up without case, a function decides, no spec means no gate', () => {
    expect(healthUrl('http://{host}:8080/health', 'WEB01')).toBe('http://WEB01:8080/health');
    expect(healthUrl('http://lb/health?host={HOST}', 'web 01')).toBe('http://lb/health?host=web%2001');
    expect(healthUrl({ WEB01: 'https://web01.contoso.local/ok' }, 'web01')).toBe('https://web01.contoso.local/ok');
    expect(healthUrl({ WEB01: 'https://x/' }, 'WEB02')).toBeUndefined();
    expect(healthUrl((h) => (h === 'WEB02' ? undefined : `http://${h}/`), 'WEB02')).toBeUndefined();
    expect(healthUrl(undefined, 'WEB01')).toBeUndefined();
    expect(() => healthUrl('not a url', 'WEB01')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
