/** Jest runs the TypeScript sources through ts-jest; tsconfig's isolatedModules makes it transpile only (npm run typecheck type-checks once). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/test/setup-env.js'],
  // One real PostgreSQL server for the whole run (tests make their own databases on it); always stopped,
  // also when tests fail or jest is killed (test/support/postgres/keeper.js).
  globalSetup: '<rootDir>/test/support/postgres/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/postgres/global-teardown.ts',
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 60000,
  // Several tests run real second processes (tsx workers); if a test fails half-way, a worker left waiting
  // must not keep the run (and CI) alive. The workers are also killed by their helpers after each test.
  forceExit: true,
};
