/**
 * Longest files first, also on a fresh clone. jest's own order uses the durations of the last run
 * (its cache); without one it orders by file size, and it runs files it has no time for before
 * those it has. On a fresh clone (`make test`) that put the short files of real PowerShell and of
 * the generated properties (hostile-exec, builders: minutes of CPU in a few hundred lines) last,
 * each then running alone on one core at the end. Here every file gets an estimate: its time from
 * the last run if jest has one, else the figure below (seconds measured on the 2-core machine, see
 * __tests__/README.md "Speed"), else one from its size; failed files still run first.
 */
const Sequencer = require('@jest/test-sequencer').default;

/** Seconds of the files that take longest (one at a time, jest -w 1, shared 2-core machine). */
const ESTIMATE_S = {
  'real/hostile-exec.test.ts': 200,
  'property/builders.test.ts': 120,
  'e2e/interrupt-all-commands.test.ts': 100,
  'property/e2e-api.test.ts': 45,
  'real/session.test.ts': 30,
  'e2e/cli.test.ts': 30,
  'property/e2e-cli.test.ts': 30,
  'e2e/fleet-rolling.test.ts': 25,
  'e2e/faults-lock.test.ts': 22,
  'e2e/interruptions.test.ts': 20,
  'e2e/engines-differential.test.ts': 18,
  'e2e/sim-host.test.ts': 18,
  'e2e/faults-matrix.test.ts': 15,
  'property/secrets.test.ts': 15,
};

/** Milliseconds per byte of a file with neither a time nor an estimate (about 1 s for a 10 kB test file). */
const MS_PER_BYTE = 0.1;

class LongestFirst extends Sequencer {
  estimate(test) {
    const cached = this.time(test);
    if (cached != null) return cached;
    const relative = test.path.replace(/\\/g, '/').split('/__tests__/').pop();
    if (ESTIMATE_S[relative] != null) return ESTIMATE_S[relative] * 1000;
    return (test.context.hasteFS.getSize(test.path) ?? 0) * MS_PER_BYTE;
  }

  sort(tests) {
    const key = new Map(tests.map((t) => [t, { failed: this.hasFailed(t), ms: this.estimate(t) }]));
    for (const t of tests) t.duration = this.time(t);
    return [...tests].sort((a, b) => {
      const ka = key.get(a);
      const kb = key.get(b);
      if (ka.failed !== kb.failed) return ka.failed ? -1 : 1;
      return kb.ms - ka.ms;
    });
  }
}

module.exports = LongestFirst;
