import type { IisClient } from '../../../lib/client';
import { Fleet } from '../../../lib/fleet/fleet';
import { allOk, checkConcurrency } from '../../../lib/fleet/fanOut';
import { IisctlError } from '../../../lib/errors';

/** Stand-in clients: restart() resolves when the test says so, or fails as scripted. */
function standIns(failing: Record<string, unknown> = {}) {
  const connects: string[] = [];
  const closed: string[] = [];
  const running = new Set<string>();
  let most = 0;
  const release = new Map<string, () => void>();
  const connectHost = async (host: string, options: { computerName?: string }) => {
    connects.push(`${host}:${options.computerName}`);
    if (failing[`connect ${host}`]) throw failing[`connect ${host}`];
    return {
      restart: () => {
        running.add(host);
        most = Math.max(most, running.size);
        return new Promise((resolve, reject) => {
          release.set(host, () => {
            running.delete(host);
            if (failing[host]) reject(failing[host]);
            else resolve(`${host} restarted`);
          });
        });
      },
      status: async () => `${host} ok`,
      close: async () => void closed.push(host),
    } as unknown as IisClient;
  };
  /** Lets every started call finish, until none is left. */
  const drain = async <T,>(p: Promise<T>): Promise<T> => {
    let done = false;
    void p.finally(() => (done = true));
    while (!done) {
      await new Promise((r) => setImmediate(r));
      for (const [h, go] of release) (release.delete(h), go());
    }
    return p;
  };
  return { connects, closed, connectHost, drain, most: () => most };
}

describe('Fleet', () => {
  it('runs on every host, at most `concurrency` at once, results in host order, one host\'s failure only its own', async () => {
    const s = standIns({ WEB02: new IisctlError('TIMEOUT', 'stop timed out', { host: 'WEB02' }), WEB04: new Error('boom') });
    const fleet = new Fleet(['WEB01', 'WEB02', 'WEB03', 'WEB04', 'WEB05'], { concurrency: 2, connectHost: s.connectHost });
    const results = await s.drain(fleet.restart());
    expect(s.most()).toBe(2);
    expect(results.map((r) => `${r.host} ${r.ok ? r.value : r.error.code}`)).toEqual(['WEB01 WEB01 restarted', 'WEB02 TIMEOUT', 'WEB03 WEB03 restarted', 'WEB04 FAILED', 'WEB05 WEB05 restarted']);
    expect(allOk(results)).toBe(false);
    const web04 = results[3];
    expect(!web04.ok && web04.error.message).toBe('boom');
  });

  it('opens each connection once and reuses it; a failed connection is retried on the next use; close() closes every open one', async () => {
    const s = standIns({ 'connect WEB02': new IisctlError('UNREACHABLE', 'no route') });
    const fleet = new Fleet([' WEB01 ', 'WEB02'], { connectHost: s.connectHost });
    expect(fleet.hosts).toEqual(['WEB01', 'WEB02']);
    const first = await fleet.status();
    expect(first.map((r) => r.ok)).toEqual([true, false]);
    await fleet.status();
    expect(s.connects).toEqual(['WEB01:WEB01', 'WEB02:WEB02', 'WEB02:WEB02']);
    await fleet.close();
    expect(s.closed).toEqual(['WEB01']);
  });

  it('refuses an empty list, an empty name, a host given twice and a concurrency out of range', () => {
    expect(() => new Fleet([])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => new Fleet(['WEB01', ' '])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => new Fleet(['WEB01', 'web01'])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'The host web01 is given twice.' }));
    expect(() => checkConcurrency(0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(checkConcurrency(undefined)).toBe(8);
  });
});
