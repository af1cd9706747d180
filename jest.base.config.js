// Shared jest settings: SWC transpiles TypeScript (with decorator metadata for Nest) in milliseconds;
// type errors are caught by `npm run typecheck`, not by the test runner.
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper: {
    '^@lattice/domain$': '<rootDir>/libs/domain/src',
    '^@lattice/domain/(.*)$': '<rootDir>/libs/domain/src/$1',
    '^@lattice/pki$': '<rootDir>/libs/pki/src',
    '^@lattice/proto$': '<rootDir>/libs/proto/src',
    '^@lattice/istio$': '<rootDir>/libs/istio/src',
    '^@lattice/platform$': '<rootDir>/libs/platform/src',
    '^@lattice/agent$': '<rootDir>/apps/agent/src',
  },
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  // NestJS 12 and a few of its dependencies ship only ES modules, which jest's CommonJS module
  // system cannot require; SWC turns them into CommonJS (cached after the first run). So do
  // openapi-typescript's (parse-json and its dependencies, nested under it), which the OpenAPI check uses.
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|file-type|strtok3|token-types|uint8array-extras|@tokenizer|load-esm|@borewit|openapi-typescript|parse-json|index-to-position|supports-color|change-case)/)',
  ],
};
