import { z } from 'zod';
import { API_VERSION, DECLARATIVE_KINDS, documentSchema, type DeclarativeKind } from './declarative-kinds';

export const SCHEMA_BASE_URL = 'https://lattice.dev/schemas/v1alpha1';

/** The file name of a kind's JSON Schema: "globalnamespace.schema.json". */
export function schemaFileName(kind: DeclarativeKind | 'all'): string {
  return `${kind.toLowerCase()}.schema.json`;
}

/** JSON Schema (draft 2020-12) of one kind's documents, generated from the schema apply checks with. */
export function declarativeJsonSchema(kind: DeclarativeKind): Record<string, unknown> {
  const schema = z.toJSONSchema(documentSchema(kind), { io: 'input', unrepresentable: 'any' });
  return { ...schema, $id: `${SCHEMA_BASE_URL}/${schemaFileName(kind)}` };
}

/** One schema that accepts a document of any kind (for editors validating a whole folder). */
export function declarativeJsonSchemaOfAll(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${SCHEMA_BASE_URL}/${schemaFileName('all')}`,
    title: `Lattice declarative resource (${API_VERSION})`,
    oneOf: DECLARATIVE_KINDS.map((kind) => ({ $ref: schemaFileName(kind) })),
  };
}
