#!/usr/bin/env node
'use strict';
/**
 * `make bench`, pools part (batched pool operations), against the simulated host (fast scenario plus N pools):
 * - appPools.list() for N = 10, 100, 1000 pools: PowerShell round trips (always 1) and time;
 * - recycle of 50 pools at once (one batch, one status read per poll) vs one after another.
 * Not a test: nothing here fails on a slow machine.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { connect } = require('../dist/index');

const FAST = path.join(__dirname, '..', 'lib', 'sim', 'scenarios', 'fast.json');
const TIMING = { startMs: 50, stopMs: 100, overlapMs: 150, workerStartMs: 50 };

async function client(extraPools) {
  const scenario = JSON.parse(fs.readFileSync(FAST, 'utf8'));
  const local = Object.values(scenario.computers).find((c) => c.local);
  for (let i = 0; i < extraPools; i++) local.appPools.push({ name: `bench-${String(i).padStart(4, '0')}`, workers: 1, timing: TIMING });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-bench-pools-'));
  scenario.name = `bench-pools-${extraPools}`;
  const file = path.join(dir, 'scenario.json');
  fs.writeFileSync(file, JSON.stringify(scenario));
  const iis = await connect({ simulate: file, simulatorStateFile: path.join(dir, 'state.json'), pollIntervalMs: 50 });
  await iis.status(); // spawn the host and create the state outside the measurement
  return iis;
}

async function timed(iis, fn) {
  const calls = iis.stats.calls;
  const t = process.hrtime.bigint();
  const value = await fn();
  return { value, ms: Number(process.hrtime.bigint() - t) / 1e6, calls: iis.stats.calls - calls };
}

async function main() {
  console.log('appPools.list()');
  for (const n of [10, 100, 1000]) {
    const iis = await client(n - 2); // fast.json already has 2 pools
    try {
      const r = await timed(iis, () => iis.appPools.list());
      console.log(`  ${String(n).padStart(5)} pools: ${r.calls} round trip(s), ${r.ms.toFixed(0)} ms (${r.value.length} listed)`);
    } finally {
      await iis.close();
    }
  }
  console.log('recycle of 50 pools');
  const iis = await client(50);
  try {
    const names = (await iis.appPools.list()).map((p) => p.name).filter((n) => n.startsWith('bench-'));
    const batch = await timed(iis, () => iis.appPools.recycle(names));
    console.log(`  at once:            ${batch.ms.toFixed(0)} ms, ${batch.calls} round trips`);
    const serial = await timed(iis, async () => {
      for (const n of names) await iis.appPools.recycle(n);
    });
    console.log(`  one after another:  ${serial.ms.toFixed(0)} ms, ${serial.calls} round trips`);
    console.log(`  speed-up: x${(serial.ms / batch.ms).toFixed(1)}`);
  } finally {
    await iis.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
