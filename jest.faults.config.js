// The fault suite (npm run test:faults): each spec starts its own private PostgreSQL, Redis and
// vault child process on spare ports, so faults never touch the machine's shared services.
module.exports = {
  displayName: 'faults',
  preset: 'ts-jest',
  testEnvironment: 'node',
  rootDir: __dirname,
  moduleNameMapper: { '^@/(.*)$': '<rootDir>/src/$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'],
  testTimeout: 240000,
  slowTestThreshold: 120,
};
