/**
 * One Jest run over every app and package, so the run prints one summary and its workers
 * share the machine's cores. Tests import workspace packages from source (no build needed);
 * the global setup migrates one template database per run that each test file clones.
 * @type {import('jest').Config}
 */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2024',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  testMatch: [
    '<rootDir>/{apps,packages}/*/{src,test}/**/*.{spec,int-spec,e2e-spec}.ts',
    '<rootDir>/test/**/*.{spec,int-spec,e2e-spec}.ts',
    // The fault, load and fuzz suite (`npm run test:resilience`; short variant in `npm test`).
    '<rootDir>/test/resilience/**/*.resilience-spec.ts',
  ],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: {
    '^@sp/(types|db|queue|platform|testing|client)$': '<rootDir>/packages/$1/src/index.ts',
    '^@sp/platform/(core|dev|v8-flags)$': '<rootDir>/packages/platform/src/$1.ts',
  },
  globalSetup: '<rootDir>/packages/testing/src/jest-global-setup.ts',
  globalTeardown: '<rootDir>/packages/testing/src/jest-global-teardown.ts',
  testTimeout: 30_000,
  // Every test file loads Nest and its apps into a VM context of its own, and Jest keeps some of
  // each: over ~150 files one process reached its 4 GB heap and died (JavaScript heap out of
  // memory). Setting a limit makes Jest run the files in a worker process (even with one
  // worker, where it would otherwise run them in its own) and start a fresh one whenever a file
  // leaves it above the limit.
  workerIdleMemoryLimit: '1536MB',
};
