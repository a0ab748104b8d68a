/** Type checking runs once in `npm run typecheck`; ts-jest only transpiles, which keeps the suite fast. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }],
    // preact 11 and d3 ship only ES modules: jest's CommonJS loader needs them in CommonJS (esbuild does it)
    '^.+/node_modules/(preact|preact-render-to-string|d3-[a-z-]+|internmap)/.+\\.m?js$': '<rootDir>/test/support/esm-to-cjs.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!(preact|preact-render-to-string|d3-[a-z-]+|internmap)/)'],
  testTimeout: 20000,
  globalSetup: '<rootDir>/test/support/temp-setup.js',
  globalTeardown: '<rootDir>/test/support/temp-teardown.js',
};
