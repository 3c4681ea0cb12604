/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  // The e2e suites spawn real processes; two workers fit the 2-core CI machine.
  maxWorkers: 2,
  testTimeout: 30000,
  // IISCTL_SIM_ENGINE=interp unless set: auto would pick pwsh where it is installed.
  setupFiles: ['<rootDir>/__tests__/helpers/engine-default.js'],
  // Longest files first, also without the timings of a previous run (a fresh clone).
  testSequencer: '<rootDir>/__tests__/helpers/sequencer.js',
  // The real-PowerShell tier's counts (parsed, bound, hostile executed, session) after the run.
  reporters: ['default', '<rootDir>/__tests__/real/summary-reporter.js'],
};
