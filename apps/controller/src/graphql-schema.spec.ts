import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { baseSchema, printAppSchema } from './graphql-schema.util';
import { SCHEMA_FILE } from './platform/graphql/graphql.module';
import { unlistedBreakingChanges } from './platform/graphql/schema-changes.util';

const ROOT = path.resolve(__dirname, '../../..');
const CHANGELOG = 'docs/graphql-changelog.md';

/**
 * The GraphQL contract: the committed schema is the one the code builds (so every API change shows in
 * review), and every breaking change since the base revision is listed in the changelog.
 * `npm run graphql:schema` rewrites the committed file (LATTICE_WRITE_GRAPHQL_SCHEMA=1).
 */
describe('the GraphQL schema', () => {
  let built: string;

  beforeAll(async () => {
    built = await printAppSchema();
    if (process.env.LATTICE_WRITE_GRAPHQL_SCHEMA === '1') writeFileSync(path.join(ROOT, SCHEMA_FILE), built);
  });

  it(`is committed as ${SCHEMA_FILE} as the code builds it (npm run graphql:schema rewrites it)`, () => {
    const committed = readFileSync(path.join(ROOT, SCHEMA_FILE), 'utf8');
    expect(committed === built ? 'up to date' : `${SCHEMA_FILE} is stale: run npm run graphql:schema`).toBe(
      'up to date',
    );
  });

  it(`lists every breaking change since the base revision in ${CHANGELOG}`, async () => {
    const before = baseSchema(ROOT) ?? built;
    const unlisted = await unlistedBreakingChanges(
      before,
      built,
      readFileSync(path.join(ROOT, CHANGELOG), 'utf8'),
    );
    expect(unlisted).toEqual([]);
  });
});
