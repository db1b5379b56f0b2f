import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed operations from the API's SDL (docs/schema.graphql, exported by
// `eventlens graphql-schema`). Run `npm run codegen` after changing an operation or the schema.
// CODEGEN_OUT lets scripts/test.sh generate elsewhere to check that src/gql/ is current.
const out = process.env.CODEGEN_OUT ?? './src/gql/';

const config: CodegenConfig = {
  schema: '../docs/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    [out]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
      },
    },
  },
};

export default config;
