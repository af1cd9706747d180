// E2E tier: starts the built controller (and agents) as real processes and talks over HTTP/gRPC.
module.exports = {
  ...require('./jest.base.config'),
  displayName: 'e2e',
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  testTimeout: 120_000,
};
