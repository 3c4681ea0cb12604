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
  // The real-PowerShell tier's counts (parsed, bound, hostile executed, session) after the run.
  reporters: ['default', '<rootDir>/__tests__/real/summary-reporter.js'],
};
