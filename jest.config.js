// Two projects: fast unit specs beside the code, and integration/e2e specs in test/
// that run against the real PostgreSQL and Redis in a database made for this run.
const ESM_ONLY = '/node_modules/(age-encryption|@noble|@scure)/.+\\.js$';
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  moduleNameMapper: { '^@/(.*)$': '<rootDir>/src/$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true }],
    // age-encryption (issue #19) and its @noble/@scure dependencies ship only ES modules: Node
    // (>= 20.19) require()s them natively, jest's module system does not, so jest compiles them
    // to CommonJS like our own TypeScript
    [ESM_ONLY]: ['ts-jest', { isolatedModules: true, tsconfig: { allowJs: true, target: 'ES2022', module: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(age-encryption|@noble|@scure)/)'],
};
module.exports = {
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/setup-after-env.ts'],
    },
    {
      // the web console in Debian's Chromium (playwright-core) against the real service
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      globalSetup: '<rootDir>/test/browser/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/setup-after-env.ts'],
    },
  ],
};
