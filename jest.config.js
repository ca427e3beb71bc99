/**
 * One jest run for the whole monorepo. Tests import workspace packages by name, so they run
 * against what `turbo run build` produced (the generated models live in dist/).
 * - unit: logic tests next to the code (src/**\/*.test.ts), no network, no Docker.
 * - e2e:  tests/ folders: real SDK clients against a real gateway, real Docker where needed.
 */
const transform = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};
const common = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  maxWorkers: process.env.JEST_MAX_WORKERS || 2,
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{packages,apps}/*/src/**/*.test.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/{packages,apps}/*/test/**/*.test.ts'],
      globalSetup: '<rootDir>/jest.global-setup.js',
    },
  ],
};
