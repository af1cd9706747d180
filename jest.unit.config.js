// Unit tier: pure logic beside the code, no I/O.
module.exports = {
  ...require('./jest.base.config'),
  displayName: 'unit',
  testMatch: ['<rootDir>/{apps,libs,deploy}/**/*.spec.ts', '<rootDir>/test/support/**/*.spec.ts'],
};
