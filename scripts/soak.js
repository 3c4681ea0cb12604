#!/usr/bin/env node
/**
 * Soak (reliability over time): one connection, one persistent PowerShell session against the simulated host,
 * STATUS_CALLS status() calls then RECYCLES pool recycles, printing memory at intervals:
 * Node RSS and heap, and the host process's RSS (/proc/<pid>/status VmRSS, else `ps`).
 * Goal: flat after warm-up (no growth from history, listeners or queues).
 *
 *   node scripts/soak.js            # 10 000 status + 1 000 recycles
 *   SOAK_STATUS=2000 SOAK_RECYCLES=200 node scripts/soak.js
 * Not a test: it takes minutes. Needs `npm run build`.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { connect } = require('../dist/client');

const STATUS_CALLS = Number(process.env.SOAK_STATUS ?? 10_000);
const RECYCLES = Number(process.env.SOAK_RECYCLES ?? 1_000);
const EVERY_STATUS = Number(process.env.SOAK_EVERY ?? 1000);
const EVERY_RECYCLE = Math.max(1, Math.round(EVERY_STATUS / 10));

function hostRssKb(pid) {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    /* not Linux */
  }
  try {
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
}

const mb = (kb) => (kb === undefined ? '   n/a' : (kb / 1024).toFixed(1).padStart(6));

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-soak-'));
  const iis = await connect({
    simulate: path.join(__dirname, '..', 'lib', 'sim', 'scenarios', 'fast.json'),
    simulatorStateFile: path.join(dir, 'state.json'),
    pollIntervalMs: 20,
    retry: { baseDelayMs: 20 },
  });
  const session = iis.session;
  const started = Date.now();
  const rows = [];
  const sample = (phase, n) => {
    if (global.gc) global.gc();
    const m = process.memoryUsage();
    const row = { phase, n, seconds: Math.round((Date.now() - started) / 1000), nodeRssMb: m.rss / 1048576, heapMb: m.heapUsed / 1048576, hostPid: session.pid, hostRssMb: (hostRssKb(session.pid) ?? NaN) / 1024, calls: iis.stats.calls, spawns: iis.stats.spawns };
    rows.push(row);
    console.log(`${phase.padEnd(8)} ${String(n).padStart(6)}  t=${String(row.seconds).padStart(5)} s  node rss ${mb(m.rss / 1024)} MB  heap ${mb(m.heapUsed / 1024)} MB  host rss ${mb(hostRssKb(session.pid))} MB (pid ${session.pid})  calls ${iis.stats.calls}  spawns ${iis.stats.spawns}`);
  };
  try {
    await iis.status();
    sample('start', 0);
    for (let i = 1; i <= STATUS_CALLS; i++) {
      await iis.status();
      if (i % EVERY_STATUS === 0) sample('status', i);
    }
    for (let i = 1; i <= RECYCLES; i++) {
      await iis.appPools.recycle('DefaultAppPool', { reason: 'soak' });
      if (i % EVERY_RECYCLE === 0) sample('recycle', i);
    }
  } finally {
    await iis.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const warm = rows.filter((r) => r.phase !== 'start');
  const after = warm.slice(Math.min(1, warm.length - 1));
  const range = (k) => [Math.min(...after.map((r) => r[k])), Math.max(...after.map((r) => r[k]))].map((v) => v.toFixed(1)).join('-');
  console.log(`\nafter warm-up: node rss ${range('nodeRssMb')} MB, heap ${range('heapMb')} MB, host rss ${range('hostRssMb')} MB; ${iis.stats.calls} calls, ${iis.stats.spawns} spawn(s), ${Math.round((Date.now() - started) / 1000)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
