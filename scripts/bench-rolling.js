#!/usr/bin/env node
/**
 * make bench: downtime of a 3-host simulated farm (farm.json with WEB03 reachable) under a bounded
 * loopback load while (a) all hosts restart at once, (b) a rolling restart, (c) a rolling pool
 * recycle. The load is RATE requests per second, each request sent to the hosts in rotation by a
 * "load balancer" that skips hosts taken out of rotation (from the rolling progress events) and
 * fails over to the next host; a request counts as served when any host answers 200. It stops by
 * itself (every phase is bounded). Only 127.0.0.1 is used.
 */
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { startSimulatedHost, startSimulatedFarm } = require('../dist/sim');
const { connectMany, rollingRestart } = require('../dist');

const RATE = Number(process.env.BENCH_RPS || 40);
const MAX_PHASE_MS = 90_000;
const HOSTS = ['WEB01', 'WEB02', 'WEB03'];

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Runs the load until stop() resolves (and at most MAX_PHASE_MS); returns counts and the longest gap. */
async function underLoad(farm, out, work) {
  let sent = 0;
  let failed = 0;
  let lastOk = Date.now();
  let longestGap = 0;
  const inflight = new Set();
  const request = async (i) => {
    for (let k = 0; k < HOSTS.length; k++) {
      const host = HOSTS[(i + k) % HOSTS.length];
      if (out.has(host)) continue;
      if ((await get(farm.url(host))) === 200) {
        const now = Date.now();
        longestGap = Math.max(longestGap, now - lastOk);
        lastOk = Math.max(lastOk, now);
        return;
      }
    }
    failed++;
  };
  const started = Date.now();
  const timer = setInterval(() => {
    const p = request(sent++);
    inflight.add(p);
    p.finally(() => inflight.delete(p));
  }, 1000 / RATE);
  const deadline = new Promise((r) => setTimeout(r, MAX_PHASE_MS).unref());
  await Promise.race([work(), deadline]);
  await new Promise((r) => setTimeout(r, 1000)); // settle
  clearInterval(timer);
  await Promise.all(inflight);
  return { sent, failed, longestGapMs: longestGap, ms: Date.now() - started };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-bench-rolling-'));
  const scenario = JSON.parse(fs.readFileSync(path.join(__dirname, '../lib/sim/scenarios/farm.json'), 'utf8'));
  scenario.computers.WEB03.unreachable = false;
  scenario.name = 'farm-bench';
  const scenarioPath = path.join(dir, 'farm-bench.json');
  fs.writeFileSync(scenarioPath, JSON.stringify(scenario));
  const sim = startSimulatedHost({ scenario: scenarioPath, stateFile: path.join(dir, 'state.json') });
  const farm = await startSimulatedFarm({ scenario: scenarioPath, stateFile: sim.stateFile });
  const connectOptions = { simulate: scenarioPath, simulatorStateFile: sim.stateFile, pollIntervalMs: 50 };
  const fleet = connectMany(HOSTS, connectOptions);
  const rows = [];
  try {
    await fleet.status(); // open every connection and PSSession before measuring
    const out = new Set();
    rows.push(['(a) restart all hosts at once', await underLoad(farm, out, () => fleet.restart())]);
    const lb = (e) => {
      if (e.type === 'batch') e.hosts.forEach((h) => out.add(h));
      if (e.type === 'done' || e.type === 'failed') out.delete(e.host);
    };
    const rolling = (action) =>
      rollingRestart(HOSTS, { fleet, action, health: (h) => farm.url(h), healthIntervalMs: 100, healthTimeoutMs: 30_000, drainMs: 5000, drainIntervalMs: 100, onProgress: lb });
    rows.push(['(b) rolling restart', await underLoad(farm, out, () => rolling({ kind: 'restart' }))]);
    rows.push(['(c) rolling recycle DefaultAppPool', await underLoad(farm, out, () => rolling({ kind: 'recycle', pool: 'DefaultAppPool' }))]);
  } finally {
    await fleet.close();
    await farm.close();
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nRolling downtime bench: 3 simulated hosts, ${RATE} requests/s on 127.0.0.1, failover to any healthy host\n`);
  console.log('scenario                             sent  failed  longest gap  duration');
  for (const [name, r] of rows) {
    console.log(`${name.padEnd(36)} ${String(r.sent).padStart(5)} ${String(r.failed).padStart(7)} ${`${r.longestGapMs} ms`.padStart(12)} ${`${(r.ms / 1000).toFixed(1)} s`.padStart(9)}`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
