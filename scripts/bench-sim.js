#!/usr/bin/env node
'use strict';
/**
 * `make bench`, simulator part: the three figures that say whether a benchmark through the
 * simulated host measures iisctl or the simulator, printed beside the figures measured on the
 * same machine before the machine was held in memory (scripts/bench-sim.baseline.json):
 * - a warm status() round trip through the process host (median, target <= 10 ms);
 * - appPools.list() with 1 000 pools (target <= 1 s);
 * - a graceful restart of the default scenario: wall time over the services' own stop + start
 *   time, and the wall time beyond it (what iisctl and the simulator add);
 * - on the pwsh engine (real PowerShell 7 runs the scripts, in process), where pwsh is installed
 *   (make pwsh): a warm call, one library round trip whose script runs one simulated cmdlet
 *   (`(Get-Service -Name W3SVC).Status`, the engine's own cost per call: target <= 20 ms median),
 *   and a warm status() (one round trip whose script runs eleven simulated cmdlets).
 * Not a test: nothing here fails on a slow machine. BENCH_SIM_BASELINE=1 writes the baseline file.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { connect, PowerShellSession, ps } = require('../dist/index');
// The in-process host (lib/sim/transport.ts) for a session of its own: not part of the public API.
const { inProcessTransport } = require('../dist/sim/transport');

const SCENARIOS = path.join(__dirname, '..', 'lib', 'sim', 'scenarios');
const BASELINE = path.join(__dirname, 'bench-sim.baseline.json');
const STATUS_CALLS = Number(process.env.BENCH_STATUS_CALLS || 40);
const RESTARTS = Number(process.env.BENCH_RESTARTS || 2);
const TIMING = { startMs: 50, stopMs: 100, overlapMs: 150, workerStartMs: 50 };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const elapsed = (t) => Number(process.hrtime.bigint() - t) / 1e6;

function scenarioFile(dir, base, extraPools) {
  const scenario = JSON.parse(fs.readFileSync(path.join(SCENARIOS, `${base}.json`), 'utf8'));
  const local = Object.values(scenario.computers).find((c) => c.local) || Object.values(scenario.computers)[0];
  for (let i = 0; i < extraPools; i++) local.appPools.push({ name: `bench-${String(i).padStart(4, '0')}`, workers: 1, timing: TIMING });
  scenario.name = `bench-sim-${base}-${extraPools}`;
  const file = path.join(dir, 'scenario.json');
  fs.writeFileSync(file, JSON.stringify(scenario));
  return { file, local };
}

async function withClient(base, extraPools, fn, simulate = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-bench-sim-'));
  const { file, local } = scenarioFile(dir, base, extraPools);
  const iis = await connect({ simulate: { scenario: file, ...simulate }, simulatorStateFile: path.join(dir, 'state.json'), pollIntervalMs: 100, callTimeoutMs: 600_000 });
  try {
    await iis.status(); // spawn the host and create the state outside the measurement
    return await fn(iis, local);
  } finally {
    await iis.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The median ms of STATUS_CALLS sequential runs of `call`. */
async function medianOf(call) {
  const lat = [];
  for (let i = 0; i < STATUS_CALLS; i++) {
    const t = process.hrtime.bigint();
    await call();
    lat.push(elapsed(t));
  }
  return median(lat);
}

async function statusMedian(simulate) {
  return withClient('fast', 0, (iis) => medianOf(() => iis.status()), simulate);
}

/** One warm library call whose script runs one simulated cmdlet, median ms (the session's own round trip, envelope included). */
async function callMedian(simulate) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-bench-sim-'));
  const session = new PowerShellSession({ transport: inProcessTransport({ scenario: 'fast', stateFile: path.join(dir, 'state.json'), ...simulate }), callTimeoutMs: 600_000 });
  try {
    const call = () => session.run(ps`(Get-Service -Name ${'W3SVC'}).Status`);
    await call(); // start the engine outside the measurement
    await call(); // and compile the script once
    return await medianOf(call);
  } finally {
    await session.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The pwsh engine's warm call and warm status(), or why they were not measured (no pwsh here). */
async function pwshMedians() {
  try {
    return { call: await callMedian({ engine: 'pwsh' }), status: await statusMedian({ inProcess: true, engine: 'pwsh' }) };
  } catch (error) {
    if (error && error.code === 'POWERSHELL_UNAVAILABLE') return `not measured: ${error.message}`;
    throw error;
  }
}

async function list1000() {
  return withClient('fast', 998, async (iis) => {
    const t = process.hrtime.bigint();
    const pools = await iis.appPools.list();
    if (pools.length !== 1000) throw new Error(`listed ${pools.length} pools, expected 1000`);
    return elapsed(t);
  });
}

async function restartOverhead() {
  return withClient('default', 0, async (iis, local) => {
    const status = await iis.status();
    const running = new Set(status.services.filter((s) => s.status === 'Running').map((s) => s.name));
    const byName = new Map(local.services.map((s) => [s.name, s]));
    const cost = (key) => status.services.filter((s) => running.has(s.name)).reduce((sum, s) => sum + (byName.get(s.name)?.[key] ?? 0), 0);
    const ideal = cost('stopMs') + cost('startMs');
    const walls = [];
    for (let i = 0; i < RESTARTS; i++) {
      const t = process.hrtime.bigint();
      await iis.restart({ reason: 'bench' });
      walls.push(elapsed(t));
    }
    const wall = median(walls);
    return { ratio: wall / ideal, extraMs: wall - ideal };
  });
}

async function main() {
  const status = await statusMedian();
  const list = await list1000();
  const restart = await restartOverhead();
  const pwsh = await pwshMedians();
  const measured = typeof pwsh === 'string' ? {} : pwsh;
  const now = { statusMedianMs: status, list1000Ms: list, restartRatio: restart.ratio, restartExtraMs: restart.extraMs, pwshCallMedianMs: measured.call, pwshStatusMedianMs: measured.status };
  if (process.env.BENCH_SIM_BASELINE) {
    fs.writeFileSync(BASELINE, JSON.stringify({ note: 'before the machine was held in memory (commit 5d50414), same 2-core machine, busy', ...now }, null, 2) + '\n');
  }
  const before = fs.existsSync(BASELINE) ? JSON.parse(fs.readFileSync(BASELINE, 'utf8')) : {};
  const rows = [
    ['warm status() round trip, median ms (target <= 10)', 'statusMedianMs', 1],
    ['appPools.list() of 1 000 pools, ms (target <= 1000)', 'list1000Ms', 0],
    ['restart (default scenario): wall / services own time', 'restartRatio', 2],
    ['restart (default scenario): wall beyond services, ms', 'restartExtraMs', 0],
    ['pwsh engine: warm call, one simulated cmdlet, median ms (target <= 20)', 'pwshCallMedianMs', 1],
    ['pwsh engine: warm status(), eleven simulated cmdlets, median ms', 'pwshStatusMedianMs', 1],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const cell = (v, d) => (typeof v === 'number' ? v.toFixed(d) : '-').padStart(9);
  console.log(`Simulator benchmark (process host, node ${process.version})`);
  console.log(`  ${''.padEnd(width)}  ${'before'.padStart(9)}  ${'now'.padStart(9)}`);
  for (const [label, key, d] of rows) console.log(`  ${label.padEnd(width)}  ${cell(before[key], d)}  ${cell(now[key], d)}`);
  if (typeof pwsh === 'string') console.log(`  pwsh engine: ${pwsh}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
