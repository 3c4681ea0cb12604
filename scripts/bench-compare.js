#!/usr/bin/env node
'use strict';
/**
 * `make bench`, comparing part: this build beside a baseline build, measured on the same machine
 * in the same run, so that every figure is also a ratio (README, Benchmarks):
 * - a graceful restart of the default scenario: wall time over the services' own stop + start time;
 * - PowerShell round trips per restart, per pool recycle and per status (the session's stats);
 * - the CLI's cold start: `iisctl --version`, `--help` and `--simulate status`, each a fresh Node
 *   process, median wall time of BENCH_COLD_RUNS runs (and, on Linux, the CPU time of the process
 *   tree), the builds taking turns run by run so that a load peak hits both alike.
 *
 * The baseline is the git ref BENCH_BASELINE (default: the last commit before the round-trip and
 * cold-start work, see DEFAULT_BASELINE), exported with `git archive` into a temporary directory
 * and built there with this tree's node_modules; BENCH_BASELINE=none compares nothing.
 * Not a test: nothing here fails on a slow machine.
 */
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DEFAULT_BASELINE = '0c86069';
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS || 15);
const RESTARTS = Number(process.env.BENCH_RESTARTS || 3);

const median = (xs) => {
  const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : undefined;
};

// ---- library figures, measured in a process of their own per build (--measure ROOT) ----

async function measureLibrary(root) {
  const { connect } = require(path.join(root, 'dist', 'index.js'));
  const scenarioPath = path.join(root, 'lib', 'sim', 'scenarios', 'default.json');
  const scenario = JSON.parse(fs.readFileSync(scenarioPath, 'utf8'));
  const local = Object.values(scenario.computers).find((c) => c.local) || Object.values(scenario.computers)[0];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-bench-compare-'));
  const iis = await connect({ simulate: scenarioPath, simulatorStateFile: path.join(dir, 'state.json') });
  const calls = async (fn) => {
    const before = iis.stats.calls;
    const t = process.hrtime.bigint();
    const value = await fn();
    return { value, calls: iis.stats.calls - before, ms: Number(process.hrtime.bigint() - t) / 1e6 };
  };
  try {
    await iis.status(); // the host process and its state, outside the measurements
    const status = await calls(() => iis.status());
    // Waves run one after another; inside a wave services change in parallel: the services' own
    // time is the sum over the running ones of their stop and start times (the scenario's).
    const running = new Set(status.value.services.filter((s) => s.status === 'Running').map((s) => s.name));
    const byName = new Map(local.services.map((s) => [s.name, s]));
    const chain = (key) => status.value.services.filter((s) => running.has(s.name)).reduce((sum, s) => sum + (byName.get(s.name)?.[key] ?? 0), 0);
    const ideal = chain('stopMs') + chain('startMs');
    const restarts = [];
    for (let i = 0; i < RESTARTS; i++) restarts.push(await calls(() => iis.restart({ reason: 'bench' })));
    const pool = local.appPools[0].name;
    const recycles = [];
    for (let i = 0; i < RESTARTS; i++) recycles.push(await calls(() => iis.appPools.recycle(pool)));
    return {
      idealMs: ideal,
      restartRatio: median(restarts.map((r) => r.ms / ideal)),
      restartMs: median(restarts.map((r) => r.ms)),
      restartCalls: median(restarts.map((r) => r.calls)),
      recycleCalls: median(recycles.map((r) => r.calls)),
      recycleMs: median(recycles.map((r) => r.ms)),
      statusCalls: status.calls,
    };
  } finally {
    await iis.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the baseline build ----

function baselineRoot(ref) {
  const sha = execFileSync('git', ['-C', ROOT, 'rev-parse', '--verify', `${ref}^{commit}`], { encoding: 'utf8' }).trim();
  const dir = path.join(os.tmpdir(), `iisctl-bench-baseline-${sha.slice(0, 12)}`);
  if (!fs.existsSync(path.join(dir, 'dist', 'cli', 'main.js'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const archive = spawnSync('git', ['-C', ROOT, 'archive', '--format=tar', sha], { maxBuffer: 1 << 30 });
    if (archive.status !== 0) throw new Error(`git archive ${ref}: ${archive.stderr}`);
    execFileSync('tar', ['-x', '-C', dir], { input: archive.stdout });
    linkModules(dir);
    process.stderr.write(`building the baseline ${ref} (${sha.slice(0, 12)}) in ${dir} ...\n`);
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(dir, 'tsconfig.json')], { stdio: 'inherit' });
    execFileSync(process.execPath, [path.join(dir, 'scripts', 'copy-assets.js')], { stdio: 'inherit' });
  }
  linkModules(dir); // a cached build from another checkout runs on this one's packages
  return { root: dir, label: `${ref} (${sha.slice(0, 12)})` };
}

function linkModules(dir) {
  const link = path.join(dir, 'node_modules');
  fs.rmSync(link, { force: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), link, 'dir');
}

// ---- cold start ----

/** CPU time (user + system, ms) of this process's waited-for children (Linux /proc), else undefined. */
function childrenCpuMs() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of proc(5) (cutime, cstime), here counted from field 3; clock ticks of 1/100 s.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

function timeRun(args, env) {
  const cpu = childrenCpuMs();
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const after = childrenCpuMs();
  return { wall, cpu: cpu === undefined ? undefined : after - cpu };
}

const COLD = [
  ['--version', ['--version']],
  ['--help', ['--help']],
  ['--simulate status', ['--simulate', 'status']],
];

function measureCold(builds) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-bench-cold-'));
  try {
    const env = (b) => ({ ...process.env, IISCTL_SIM_STATE: path.join(dir, `${b}.json`) });
    const samples = {};
    const add = (key, s) => (samples[key] ??= []).push(s);
    // The state file exists before the runs measured, as on any machine used before.
    builds.forEach((b, i) => timeRun([path.join(b.root, 'dist', 'cli', 'main.js'), '--simulate', 'status'], env(i)));
    for (let run = 0; run < COLD_RUNS; run++) {
      add('floor', timeRun(['-e', '0'], process.env));
      for (const [name, args] of COLD) builds.forEach((b, i) => add(`${i}:${name}`, timeRun([path.join(b.root, 'dist', 'cli', 'main.js'), ...args], env(i))));
    }
    const pick = (key, k) => median(samples[key].map((s) => s[k]));
    return { pick };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the report ----

function machine() {
  const cpus = os.cpus();
  return `${cpus[0]?.model?.trim() ?? 'unknown CPU'} x${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, node ${process.version}`;
}

const loadavg = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

function measureInChild(root) {
  const out = execFileSync(process.execPath, [__filename, '--measure', root], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop());
}

async function main() {
  if (process.argv[2] === '--measure') {
    process.stdout.write(JSON.stringify(await measureLibrary(path.resolve(process.argv[3]))) + '\n');
    return;
  }
  const ref = process.env.BENCH_BASELINE || DEFAULT_BASELINE;
  const builds = [{ root: ROOT, label: 'this build' }];
  if (ref !== 'none') builds.push(baselineRoot(ref));
  const loadBefore = loadavg();
  const lib = builds.map((b) => measureInChild(b.root));
  const cold = measureCold(builds);
  const loadAfter = loadavg();

  const fmt = (x, digits) => (x === undefined ? '-' : x.toFixed(digits));
  const rows = [
    ['restart wall / services\' own stop+start', 'restartRatio', 2, '<= 1.02'],
    ['restart wall ms', 'restartMs', 0, ''],
    ['round trips per restart', 'restartCalls', 0, '<= 15'],
    ['round trips per pool recycle', 'recycleCalls', 0, '<= 5'],
    ['pool recycle wall ms', 'recycleMs', 0, ''],
    ['round trips per status', 'statusCalls', 0, '1'],
  ].map(([label, key, digits, target]) => [label, lib[0][key], lib[1]?.[key], target, digits]);
  for (const [name] of COLD) {
    const target = name === '--simulate status' ? '<= 600' : '<= 150';
    rows.push([`cold ${name}: median wall ms`, cold.pick(`0:${name}`, 'wall'), builds[1] && cold.pick(`1:${name}`, 'wall'), target, 0]);
    rows.push([`cold ${name}: median CPU ms (process tree)`, cold.pick(`0:${name}`, 'cpu'), builds[1] && cold.pick(`1:${name}`, 'cpu'), '', 0]);
  }
  rows.push(['node -e 0 (the floor): median wall ms', cold.pick('floor', 'wall'), undefined, '', 0]);

  console.log(`iisctl: this build${builds[1] ? ` beside the baseline ${builds[1].label}` : ''}, same machine, same run`);
  console.log(`machine: ${machine()}; load average ${loadBefore} before, ${loadAfter} after`);
  console.log(`services' own stop+start time of the default scenario: ${lib[0].idealMs} ms; ${RESTARTS} restarts and recycles, ${COLD_RUNS} cold runs each`);
  const head = ['', 'this build', ...(builds[1] ? ['baseline', 'this/baseline'] : []), 'target'];
  const body = rows.map(([label, now, base, target, digits]) => [
    label,
    fmt(now, digits),
    ...(builds[1] ? [fmt(base, digits), now !== undefined && base ? (now / base).toFixed(2) : '-'] : []),
    target,
  ]);
  const widths = head.map((_h, c) => Math.max(...[head, ...body].map((r) => String(r[c]).length)));
  for (const r of [head, ...body]) console.log(r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  '));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
