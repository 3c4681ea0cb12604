/**
 * The simulated farm serves real HTTP on 127.0.0.1: one listener per site of every simulated
 * computer, answering like IIS would from the shared state file (so changes made by any simulated
 * host process are seen):
 *
 * - computer unreachable or rebooting, WAS or W3SVC not Running, or the site not Started: the
 *   listener is closed, so connecting is refused (HTTP.sys has no registration for the site);
 *   open connections are dropped;
 * - the site is Started but the application pool serving the path is not (Stopped, Starting,
 *   Stopping): 503 "Service Unavailable" (HTTP.sys answers 503 while the pool cannot take the
 *   request);
 * - the pool is Started: 200 with JSON {computer, site, pool, pid, path}; a pool without a worker
 *   starts one on demand (machine.demandWorker). An overlapped recycle keeps a worker at all times,
 *   so it serves without a gap; a non-overlapped recycle (disallowOverlappingRotation) has a short
 *   window without workers.
 * - `?hold=MS` (at most 30000) keeps the request open that long before answering (or until the
 *   client closes it): a way to have current connections while draining.
 *
 * Current connections (open TCP connections per site) are published in
 * `<state file>.connections.json`, which the simulated Get-Counter '\Web Service(<site>)\Current
 * Connections' reads (cmdlets/remoting.ts). Listeners follow the state by polling it (default every
 * 25 ms). Only 127.0.0.1 is ever bound.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SimWorld } from './machine';
import { peekState, withMachine, type SimStateOptions } from './state';
import { realClock, type SimClock } from './clock';
import { connectionsFile } from './cmdlets/remoting';
import type { ComputerState, WorldState } from './machine/types';

export interface SimulatedFarmOptions {
  /** Scenario (bundled name or JSON path); default IISCTL_SIM_SCENARIO or "default". */
  scenario?: string;
  /** The state file the simulated hosts use (IISCTL_SIM_STATE). */
  stateFile: string;
  /** 'auto' (default): free ports chosen by the system; 'scenario': each site's httpPort. */
  ports?: 'auto' | 'scenario';
  /** How often the listeners follow the state (real time: they are real sockets). Default 25 ms. */
  pollMs?: number;
  /** The machine's time (default: realClock). */
  clock?: SimClock;
}

export interface FarmSite {
  computer: string;
  site: string;
  port: number;
  url: string;
}

export interface SimulatedFarm {
  sites: FarmSite[];
  /** http://127.0.0.1:PORT/ of a computer's site (default: its first site). */
  url(computer: string, site?: string): string;
  /** Open connections per computer and (lower-case) site. */
  connections(): Record<string, Record<string, number>>;
  close(): Promise<void>;
}

interface Listener extends FarmSite {
  server?: http.Server;
  sockets: Set<Socket>;
  opening?: Promise<void>;
}

const MAX_HOLD_MS = 30_000;

type Verdict = { kind: 'refused' } | { kind: 'unavailable'; pool: string } | { kind: 'ok'; pool: string; pid: number | null };

function siteOf(comp: ComputerState, site: string) {
  return Object.values(comp.sites).find((s) => s.name.toLowerCase() === site.toLowerCase());
}

function serviceRunning(comp: ComputerState, name: string): boolean {
  const s = Object.values(comp.services).find((x) => x.name.toLowerCase() === name.toLowerCase());
  return !!s && s.status === 'Running';
}

/** What IIS would do with a request for `path` on the site, in this state. */
export function verdict(state: WorldState, computer: string, site: string, path = '/'): Verdict {
  const comp = state.computers[computer.toUpperCase()];
  if (!comp || comp.unreachable || comp.rebootingUntil !== null) return { kind: 'refused' };
  if (!serviceRunning(comp, 'WAS') || !serviceRunning(comp, 'W3SVC')) return { kind: 'refused' };
  const s = siteOf(comp, site);
  if (!s || s.state !== 'Started') return { kind: 'refused' };
  const lower = path.toLowerCase();
  const app = [...s.applications]
    .filter((a) => a.path === '/' || lower === a.path.toLowerCase() || lower.startsWith(a.path.toLowerCase().replace(/\/?$/, '/')))
    .sort((a, b) => b.path.length - a.path.length)[0];
  const poolName = app?.applicationPool ?? '';
  const pool = Object.values(comp.pools).find((p) => p.name.toLowerCase() === poolName.toLowerCase());
  if (!pool || pool.state !== 'Started') return { kind: 'unavailable', pool: poolName };
  const live = pool.workers.filter((pid) => comp.processes[String(pid)]);
  return { kind: 'ok', pool: pool.name, pid: live.length ? live[live.length - 1] : null };
}

export async function startSimulatedFarm(options: SimulatedFarmOptions): Promise<SimulatedFarm> {
  const clock = options.clock ?? realClock;
  const stateOptions: SimStateOptions = { stateFile: options.stateFile, clock, ...(options.scenario ? { scenario: options.scenario } : {}) };
  const pollMs = options.pollMs ?? 25;
  const snapshot = (): WorldState | null => {
    const st = peekState(stateOptions);
    if (!st) return null;
    new SimWorld(st).advance(clock.now());
    return st;
  };
  const first = snapshot() ?? (await withMachine(stateOptions, (_m, s) => s.world.state));
  const listeners: Listener[] = [];
  for (const comp of Object.values(first.computers)) {
    for (const site of Object.values(comp.sites)) {
      if (options.ports === 'scenario' && site.httpPort === null) continue;
      listeners.push({ computer: comp.name, site: site.name, port: options.ports === 'scenario' ? (site.httpPort as number) : 0, url: '', sockets: new Set() });
    }
  }
  if (options.ports === 'scenario') {
    const seen = new Map<number, Listener>();
    for (const l of listeners) {
      const other = seen.get(l.port);
      if (other) throw new Error(`Port ${l.port} is mapped twice: ${other.computer}/${other.site} and ${l.computer}/${l.site} (give each computer's sites their own httpPort, or use ports: 'auto').`);
      seen.set(l.port, l);
    }
  }

  const connFile = connectionsFile(options.stateFile);
  let writeTimer: NodeJS.Timeout | undefined;
  const counts = (): Record<string, Record<string, number>> => {
    const out: Record<string, Record<string, number>> = {};
    for (const l of listeners) (out[l.computer.toUpperCase()] ??= {})[l.site.toLowerCase()] = l.sockets.size;
    return out;
  };
  const publish = () => {
    if (writeTimer) return;
    writeTimer = setTimeout(() => {
      writeTimer = undefined;
      const tmp = `${connFile}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, JSON.stringify({ computers: counts() }));
        fs.renameSync(tmp, connFile);
      } catch {
        // the state directory went away (test cleanup): nothing to publish to
      }
    }, 5);
  };

  let latest = first;
  let latestAt = Date.now(); // wall time: how often real sockets re-read the file, not machine time
  const fresh = (): WorldState => {
    if (Date.now() - latestAt > 10) {
      latest = snapshot() ?? latest;
      latestAt = Date.now();
    }
    return latest;
  };

  const handle = (l: Listener) => async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const hold = Math.min(MAX_HOLD_MS, Math.max(0, Number(url.searchParams.get('hold') ?? 0) || 0));
    if (hold > 0) {
      // A hold ends early when the client goes away: nothing is left to answer, and no timer outlives the connection.
      const gone = await new Promise<boolean>((r) => {
        const timer = setTimeout(() => r(false), hold);
        req.socket.once('close', () => {
          clearTimeout(timer);
          r(true);
        });
      });
      if (gone) return;
    }
    let v = verdict(fresh(), l.computer, l.site, url.pathname);
    if (v.kind === 'ok' && v.pid === null) {
      const pool = v.pool;
      const pid = await withMachine(stateOptions, (_m, s) => {
        try {
          return s.world.connect(l.computer).demandWorker(pool);
        } catch {
          return null;
        }
      }).catch(() => null);
      v = pid === null ? { kind: 'unavailable', pool } : { kind: 'ok', pool, pid };
    }
    if (v.kind === 'refused') {
      req.socket.destroy();
      return;
    }
    if (v.kind === 'unavailable') {
      res.writeHead(503, { 'Content-Type': 'text/html', Server: 'Microsoft-HTTPAPI/2.0' });
      res.end('<h1>Service Unavailable</h1><hr><p>HTTP Error 503. The service is unavailable.</p>');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', Server: 'Microsoft-IIS/10.0' });
    res.end(JSON.stringify({ computer: l.computer, site: l.site, pool: v.pool, pid: v.pid, path: url.pathname }));
  };

  const open = (l: Listener): Promise<void> => {
    if (l.server || l.opening) return l.opening ?? Promise.resolve();
    const server = http.createServer(handle(l));
    server.keepAliveTimeout = 1000;
    server.on('connection', (sock: Socket) => {
      l.sockets.add(sock);
      publish();
      sock.on('close', () => {
        l.sockets.delete(sock);
        publish();
      });
    });
    l.opening = new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(l.port, '127.0.0.1', () => {
        server.off('error', reject);
        l.port = (server.address() as AddressInfo).port;
        l.url = `http://127.0.0.1:${l.port}/`;
        l.server = server;
        resolve();
      });
    }).finally(() => {
      l.opening = undefined;
    });
    return l.opening;
  };
  const shut = (l: Listener) => {
    const server = l.server;
    if (!server) return;
    l.server = undefined;
    server.close();
    for (const s of l.sockets) s.destroy();
  };

  // Every listener opens once to get its port (auto), then follows the state.
  await Promise.all(listeners.map((l) => open(l)));
  let closed = false;
  const follow = async () => {
    const st = fresh();
    for (const l of listeners) {
      const up = verdict(st, l.computer, l.site).kind !== 'refused';
      if (up && !l.server) await open(l).catch(() => undefined);
      else if (!up && l.server) shut(l);
    }
  };
  await follow();
  let running = false;
  const timer = setInterval(() => {
    if (running || closed) return;
    running = true;
    follow().finally(() => {
      running = false;
    });
  }, pollMs);
  publish();

  return {
    sites: listeners.map(({ computer, site, port, url }) => ({ computer, site, port, url })),
    url(computer, site) {
      const l = listeners.find((x) => x.computer.toLowerCase() === computer.toLowerCase() && (site === undefined || x.site.toLowerCase() === site.toLowerCase()));
      if (!l) throw new Error(`No simulated site ${site ?? ''} on ${computer}.`);
      return l.url;
    },
    connections: counts,
    async close() {
      closed = true;
      clearInterval(timer);
      if (writeTimer) clearTimeout(writeTimer);
      for (const l of listeners) shut(l);
      fs.rmSync(connFile, { force: true });
    },
  };
}
