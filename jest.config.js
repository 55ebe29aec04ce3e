/** Jest runs the TypeScript sources through ts-jest; tsconfig's isolatedModules makes it transpile only (npm run typecheck type-checks once). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/test/setup-env.js'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 60000,
};
