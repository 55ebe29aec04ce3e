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
  // No forceExit: every test closes what it opens, so jest exits by itself (`npx jest --detectOpenHandles`
  // names anything left open). Workers of multi-process tests are killed by their helpers, also when a
  // test fails half-way.
};
