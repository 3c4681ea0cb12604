/**
 * connectMany: the same operation on N computers, at most `concurrency` at a time, one result per
 * host (never one host's failure for all), through the one fan-out (./fanOut.ts).
 *
 * Shape: one IisClient per host, i.e. one local PowerShell process per remote computer, each with
 * its one reused PSSession. Not one local process driving `Invoke-Command -Session @(...)`: every
 * iisctl operation is a conversation (read, act, poll until the state is reached, read back,
 * retry), and one local process runs one call at a time, so one slow or hung host (a call timeout
 * kills the local process and every PSSession in it) would stall or break all the others. The
 * invariant "one persistent session per connection" holds per host.
 */
import type { Clock } from '../clock';
import { connect, ConnectOptions, IisClient, parseConnectOptions, ParsedConnectOptions } from '../client';
import { checkConcurrency, fanOut, HostResult } from './fanOut';
import { checkHosts, CheckedHosts, parseHostsOptions } from './hosts';

export interface FleetOptions extends Omit<ConnectOptions, 'computerName'> {
  /** Hosts worked on at the same time. Default: DEFAULTS.concurrency. */
  concurrency?: number;
  /** Failed hosts tolerated by each(): once more have failed, no further host is started. Default: no limit. */
  maxFailures?: number;
  /** Connects one host (default: the library's connect, with the options checked once). For tests and custom set-ups: given the options as they were passed. */
  connectHost?: (host: string, options: ConnectOptions) => Promise<IisClient>;
}

/**
 * Connections to several computers, opened on first use and kept (so every later operation
 * reuses each host's PowerShell process and PSSession) until close().
 */
export class Fleet {
  readonly hosts: CheckedHosts;
  readonly concurrency: number;
  private readonly clients = new Map<string, Promise<IisClient>>();
  /** Each host's connection options, checked once (the hosts and options are checked when the Fleet is made). */
  private readonly connections: ReadonlyMap<string, ParsedConnectOptions>;

  constructor(
    hosts: readonly string[],
    private readonly options: FleetOptions = {},
  ) {
    this.hosts = checkHosts(hosts);
    this.concurrency = checkConcurrency(options.concurrency);
    const parsed = parseHostsOptions(this.hosts, this.connectOptions());
    this.connections = new Map(this.hosts.map((h, i) => [h, parsed[i]]));
  }

  /** The connection to one host (opened on first use). */
  client(host: string): Promise<IisClient> {
    let c = this.clients.get(host);
    if (!c) {
      const { connectHost } = this.options;
      c = (connectHost ? connectHost(host, { ...this.connectOptions(), computerName: host }) : connect(this.connections.get(host) ?? parseConnectOptions({ ...this.connectOptions(), computerName: host }))).catch((e: unknown) => {
        this.clients.delete(host);
        throw e;
      });
      this.clients.set(host, c);
    }
    return c;
  }

  /**
   * fn on every host (or the given subset), at most `concurrency` at once; per-host results in host
   * order. Once the signal of the options is aborted (or more than maxFailures hosts failed), no
   * further host is started: those end CANCELLED with `started: false`.
   */
  each<T>(fn: (iis: IisClient, host: string) => Promise<T>, hosts: readonly string[] = this.hosts): Promise<HostResult<T>[]> {
    const { maxFailures, signal, clock } = this.options;
    return fanOut(hosts, async (host) => fn(await this.client(host), host), { concurrency: this.concurrency, maxFailures, signal, clock });
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

  /** Cancels the fleet's waits and runs (FleetOptions.signal). */
  get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  /** The time the fleet's connections wait and measure in (FleetOptions.clock; undefined: real time). */
  get clock(): Clock | undefined {
    return this.options.clock;
  }

  /** The options of connect() among the options of the Fleet. */
  private connectOptions(): Omit<ConnectOptions, 'computerName'> {
    const { concurrency: _c, maxFailures: _m, connectHost: _h, ...rest } = this.options;
    return rest;
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
