// Integration tier: real PostgreSQL and Redis; each test file gets a fresh database (test/support).
module.exports = {
  ...require('./jest.base.config'),
  displayName: 'integration',
  testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
  testTimeout: 60_000,
  // A spec whose set-up fails can leave connections open; exit rather than hang CI until its limit.
  forceExit: true,
};
