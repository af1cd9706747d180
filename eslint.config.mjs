// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

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
      'coverage/**',
      '.data/**',
      '.cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
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
