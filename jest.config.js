/** Type checking runs once in `npm run typecheck`; ts-jest only transpiles, which keeps the suite fast. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 20000,
  globalSetup: '<rootDir>/test/support/temp-setup.js',
  globalTeardown: '<rootDir>/test/support/temp-teardown.js',
};
