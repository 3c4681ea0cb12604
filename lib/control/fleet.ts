/**
 * Fan-out: the same operation on N computers, at most `concurrency` at a time, one result per
 * host (never one host's failure for all).
 *
 * Shape: one IisClient per host, i.e. one local PowerShell process per remote computer, each with
 * its one reused PSSession. Not one local process driving `Invoke-Command -Session @(...)`: every
 * iisctl operation is a conversation (read, act, poll until the state is reached, read back,
 * retry), and one local process runs one call at a time, so one slow or hung host (a call timeout
 * kills the local process and every PSSession in it) would stall or break all the others. The
 * invariant "one persistent session per connection" holds per host.
 */
import { checkNumber, LIMITS } from '../limits';
import { realClock } from '../clock';
import { connect, ConnectOptions, IisClient } from '../client';
import { IisctlError, invalidArgument, isIisctlError } from '../errors';

export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = LIMITS.concurrency.max;

export type HostResult<T> =
  | { host: string; ok: true; value: T; ms: number }
  | { host: string; ok: false; error: IisctlError; ms: number };

export interface FleetOptions extends Omit<ConnectOptions, 'computerName'> {
  /** Hosts worked on at the same time. Default 8. */
  concurrency?: number;
  /** Connects one host (default: the library's connect). For tests and custom set-ups. */
  connectHost?: (host: string, options: ConnectOptions) => Promise<IisClient>;
}

/** Runs fn over items, at most `limit` at a time; results in input order. */
export async function mapLimit<I, O>(items: readonly I[], limit: number, fn: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const out = new Array<O>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export function checkConcurrency(value: number | undefined): number {
  if (value === undefined) return DEFAULT_CONCURRENCY;
  checkNumber('concurrency', value, LIMITS.concurrency);
  return value;
}

function asError(e: unknown, host: string): IisctlError {
  if (isIisctlError(e)) return e;
  return new IisctlError('FAILED', e instanceof Error ? e.message : String(e), { host, cause: e instanceof Error ? e : undefined });
}

/**
 * Connections to several computers, opened on first use and kept (so every later operation
 * reuses each host's PowerShell process and PSSession) until close().
 */
export class Fleet {
  readonly hosts: readonly string[];
  readonly concurrency: number;
  private readonly clients = new Map<string, Promise<IisClient>>();

  constructor(
    hosts: readonly string[],
    private readonly options: FleetOptions = {},
  ) {
    if (hosts.length === 0) throw invalidArgument('A fleet needs at least one host.');
    const seen = new Set<string>();
    for (const h of hosts) {
      const key = h.trim().toLowerCase();
      if (!key) throw invalidArgument('A computer name is empty.');
      if (seen.has(key)) throw invalidArgument(`The host ${h} is given twice.`);
      seen.add(key);
    }
    this.hosts = hosts.map((h) => h.trim());
    this.concurrency = checkConcurrency(options.concurrency);
  }

  /** The connection to one host (opened on first use). */
  client(host: string): Promise<IisClient> {
    let c = this.clients.get(host);
    if (!c) {
      const { concurrency: _c, connectHost, ...rest } = this.options;
      const opts: ConnectOptions = { ...rest, computerName: host };
      c = (connectHost ? connectHost(host, opts) : connect(opts)).catch((e: unknown) => {
        this.clients.delete(host);
        throw e;
      });
      this.clients.set(host, c);
    }
    return c;
  }

  /** fn on every host (or the given subset), at most `concurrency` at once; per-host results in host order. */
  each<T>(fn: (iis: IisClient, host: string) => Promise<T>, hosts: readonly string[] = this.hosts): Promise<HostResult<T>[]> {
    return mapLimit(hosts, this.concurrency, async (host) => {
      const clock = this.options.clock ?? realClock;
      const started = clock.now();
      try {
        const value = await fn(await this.client(host), host);
        return { host, ok: true as const, value, ms: clock.now() - started };
      } catch (e) {
        return { host, ok: false as const, error: asError(e, host), ms: clock.now() - started };
      }
    });
  }

  status() {
    return this.each((iis) => iis.status());
  }
  stop(options?: Parameters<IisClient['stop']>[0]) {
    return this.each((iis) => iis.stop(options));
  }
  start(options?: Parameters<IisClient['start']>[0]) {
    return this.each((iis) => iis.start(options));
  }
  restart(options?: Parameters<IisClient['restart']>[0]) {
    return this.each((iis) => iis.restart(options));
  }
  recyclePool(name: string, options?: Parameters<IisClient['appPools']['recycle']>[1]) {
    return this.each((iis) => iis.appPools.recycle(name, options));
  }
  startPool(name: string, options?: Parameters<IisClient['appPools']['start']>[1]) {
    return this.each((iis) => iis.appPools.start(name, options));
  }
  stopPool(name: string, options?: Parameters<IisClient['appPools']['stop']>[1]) {
    return this.each((iis) => iis.appPools.stop(name, options));
  }
  startSite(name: string, options?: Parameters<IisClient['sites']['start']>[1]) {
    return this.each((iis) => iis.sites.start(name, options));
  }
  stopSite(name: string, options?: Parameters<IisClient['sites']['stop']>[1]) {
    return this.each((iis) => iis.sites.stop(name, options));
  }

  /** Closes every connection (Remove-PSSession, then the local process). */
  async close(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.then((iis) => iis.close()).catch(() => undefined)));
  }
}

/** Connections to several computers: `const fleet = connectMany(['WEB01', 'WEB02']); await fleet.restart()`. */
export function connectMany(hosts: readonly string[], options: FleetOptions = {}): Fleet {
  return new Fleet(hosts, options);
}

/** True when every host succeeded. */
export function allOk(results: readonly HostResult<unknown>[]): boolean {
  return results.every((r) => r.ok);
}
