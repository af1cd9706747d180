// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import graphql from '@graphql-eslint/eslint-plugin';

const frameworkAndIo = [
  '@nestjs/*',
  '@prisma/*',
  'prisma',
  '@grpc/*',
  'node-forge',
  'bullmq',
  'ioredis',
  'pg',
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'apps/controller/src/generated/**',
      'libs/proto/src/generated/**',
      'test/support/openapi/**',
      'apps/console/src/gql/**',
      'coverage/**',
      '.data/**',
      '.cache/**',
    ],
  },
  {
    // The committed GraphQL schema (docs/graphql.md, "Conventions"): graphql-eslint's recommended
    // schema rules (naming, deprecation reasons, no unreachable types, ...), Relay connections, and a
    // description on every type, field, argument and enum value.
    files: ['apps/controller/schema.gql'],
    languageOptions: {
      parser: graphql.parser,
      parserOptions: { graphQLConfig: { schema: 'apps/controller/schema.gql' } },
    },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      ...graphql.configs['flat/schema-recommended'].rules,
      ...graphql.configs['flat/schema-relay'].rules,
      // Forward paging only (first/after); nodes need no global Node interface; value lists
      // (ports, indicators, points) stay plain lists.
      '@graphql-eslint/relay-arguments': ['error', { includeBoth: false }],
      '@graphql-eslint/relay-edge-types': [
        'error',
        { withEdgeSuffix: true, shouldImplementNode: false, listTypeCanWrapOnlyEdgeType: false },
      ],
      // Value objects (statuses, budgets, points, issues) have no identity of their own.
      '@graphql-eslint/strict-id-in-types': 'off',
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          rootField: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
          DirectiveDefinition: true,
          // Nest's code-first schema cannot describe the root types; every root field is described.
          ignoredSelectors: ['[type=ObjectTypeDefinition][name.value=/^(Query|Mutation)$/]'],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs,ts}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended, prettier],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { disallowTypeAnnotations: false, fixStyle: 'inline-type-imports' },
      ],
    },
  },
  {
    // The web console (apps/console): React in the browser, TSX included.
    files: ['apps/console/**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended, prettier],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tool configuration files are CommonJS.
    files: ['*.config.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Nest's DI reads constructor parameter types at run time; type-only imports would erase them.
    files: ['apps/controller/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    // The domain is pure: no framework, persistence, transport or crypto-library imports.
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: frameworkAndIo,
              message:
                'libs/domain is framework-free: no NestJS, Prisma, grpc-js, node-forge or I/O clients.',
            },
            {
              group: [
                'node:fs',
                'node:net',
                'node:http',
                'node:child_process',
                'fs',
                'net',
                'http',
                'child_process',
              ],
              message: 'libs/domain does no I/O.',
            },
          ],
        },
      ],
    },
  },
);
