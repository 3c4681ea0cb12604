#!/usr/bin/env node
'use strict';
/**
 * `make bench`: figures for the README. Not a test: nothing here fails on a slow machine.
 *
 * Session layer (lib/powershell), against the well-behaved stand-in host:
 * - calls per second through iisctl's session for a trivial script;
 * - median and p99 latency added by iisctl's layer over node-powershell alone (same host, same line);
 * - the same work done by spawning a new process per call.
 */
const path = require('node:path');
const { PowerShell } = require('node-powershell');
const { PowerShellSession } = require('../dist/powershell/session');
const { resolveExecutable } = require('../dist/powershell/executable');
const { wrapScript } = require('../dist/powershell/envelope');
const { ps } = require('../dist/powershell/quote');

const STANDIN = path.join(__dirname, '..', '__tests__', 'fixtures', 'hosts', 'well-behaved.js');
const CALLS = Number(process.env.BENCH_CALLS || 1000);
const SPAWNS = Number(process.env.BENCH_SPAWNS || 30);

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (ns) => Number(ns) / 1e6;
const fmt = (x) => x.toFixed(3);

async function timeCalls(n, call) {
  const lat = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await call(i);
    lat.push(ms(process.hrtime.bigint() - t));
  }
  return { lat, total: ms(process.hrtime.bigint() - start) };
}

async function main() {
  const exe = resolveExecutable({ executable: STANDIN });

  // node-powershell alone, fed the exact line iisctl would send.
  const raw = new PowerShell({ executable: exe.command, executableOptions: { '-NoLogo': false, [exe.leadingArgs[0]]: true, [exe.leadingArgs[1]]: true }, throwOnInvocationError: false });
  const line = wrapScript(ps`Write-Output ${'bench'}`).line;
  await raw.invoke(line);
  const alone = await timeCalls(CALLS, async () => {
    await raw.invoke(line);
    raw.history.length = 0;
  });
  await raw.dispose();

  const session = new PowerShellSession({ executable: exe });
  await session.run(ps`Write-Output ${'warm-up'}`);
  const ours = await timeCalls(CALLS, (i) => session.run(ps`Write-Output ${`bench ${i}`}`));
  await session.close();

  const perCall = await timeCalls(SPAWNS, async () => {
    const s = new PowerShellSession({ executable: exe });
    await s.run(ps`Write-Output ${'once'}`);
    await s.close();
  });

  const rows = [
    ['iisctl session: calls/s (trivial script)', fmt((CALLS / ours.total) * 1000)],
    ['iisctl session: median latency ms', fmt(quantile(ours.lat, 0.5))],
    ['node-powershell alone: median latency ms', fmt(quantile(alone.lat, 0.5))],
    ['overhead of iisctl layer: median ms', fmt(quantile(ours.lat, 0.5) - quantile(alone.lat, 0.5))],
    ['overhead of iisctl layer: p99 ms', fmt(quantile(ours.lat, 0.99) - quantile(alone.lat, 0.99))],
    ['new process per call: median ms', fmt(quantile(perCall.lat, 0.5))],
    ['new process per call: calls/s', fmt((SPAWNS / perCall.total) * 1000)],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`Session benchmark (stand-in host, ${CALLS} calls, ${SPAWNS} spawns, node ${process.version})`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
