import type { CodegenConfig } from '@graphql-codegen/cli';

// Types for every GraphQL operation of the console, generated from the controller's committed schema
// (`npm run console:codegen`; `npm run console:codegen:check` fails when src/gql is out of date).
const config: CodegenConfig = {
  schema: 'apps/controller/schema.gql',
  documents: ['apps/console/src/**/*.{ts,tsx}', '!apps/console/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'apps/console/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSONObject: 'Record<string, unknown>' },
      },
    },
  },
};
export default config;
