#!/usr/bin/env node
'use strict';
/**
 * `make bench`, iisreset part: a graceful restart against the simulated host's default
 * scenario (realistic stop/start durations), reporting
 * - the overhead ratio: restart wall time / the simulated services' own stop + start time
 *   (goal <= 1.10: waiting and verifying should cost little beyond the services themselves);
 * - the number of PowerShell round trips per restart.
 * Not a test: nothing here fails on a slow machine.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { connect } = require('../dist/index');

const RUNS = Number(process.env.BENCH_RESTARTS || 3);

async function main() {
  const scenarioPath = path.join(__dirname, '..', 'lib', 'sim', 'scenarios', 'default.json');
  const scenario = JSON.parse(fs.readFileSync(scenarioPath, 'utf8'));
  const local = Object.values(scenario.computers).find((c) => c.local) || Object.values(scenario.computers)[0];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iisctl-bench-'));
  const iis = await connect({ simulate: scenarioPath, simulatorStateFile: path.join(dir, 'state.json'), pollIntervalMs: 100 });
  try {
    const status = await iis.status();
    const running = new Set(status.services.filter((s) => s.status === 'Running').map((s) => s.name));
    // Waves run one after another; inside a wave services change in parallel, so the wave costs its slowest member.
    const byName = new Map(local.services.map((s) => [s.name, s]));
    const chainCost = (key) => status.services.filter((s) => running.has(s.name)).reduce((sum, s) => sum + (byName.get(s.name)?.[key] ?? 0), 0);
    const ideal = chainCost('stopMs') + chainCost('startMs');
    const stats = iis.stats;
    for (let i = 0; i < RUNS; i++) {
      const callsBefore = stats.calls;
      const t = Date.now();
      const result = await iis.restart({ reason: 'bench' });
      const wall = Date.now() - t;
      const serviceTime = result.steps.filter((s) => s.step === 'stop' || s.step === 'start').reduce((sum, s) => sum + s.durationMs, 0);
      console.log(
        `restart ${i + 1}: wall ${wall} ms, services' own stop+start ${ideal} ms, overhead ratio ${(wall / ideal).toFixed(2)} ` +
          `(waiting steps ${serviceTime} ms, ratio ${(serviceTime / ideal).toFixed(2)}), round trips ${stats.calls - callsBefore}`,
      );
    }
  } finally {
    await iis.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
