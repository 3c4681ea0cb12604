/**
 * jest setupFiles: the main test run is the interpreter's. An unset IISCTL_SIM_ENGINE means auto,
 * which picks real pwsh wherever it is installed (.tools/powershell after `make pwsh`), so the same
 * suite would run on another engine from one machine to the next. The pwsh engine's tier is
 * scripts/test-pwsh-engine.js, which sets IISCTL_SIM_ENGINE=pwsh; tests of the choice itself pass
 * their own environment (unit/sim/engine.test.ts).
 */
if (!process.env.IISCTL_SIM_ENGINE) process.env.IISCTL_SIM_ENGINE = 'interp';
