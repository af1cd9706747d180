import type {
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
} from '@prisma/driver-adapter-utils';

/**
 * A driver adapter for `prisma migrate diff --from-schema-datamodel ... --to-schema-datamodel ...`,
 * which compares two schema files and never touches data, yet the WebAssembly schema engine still
 * opens a connection and asks the server for its version. This adapter answers that one probe
 * (as PostgreSQL 15) and refuses everything else, so creating a migration needs no database.
 */
export function offlineSchemaDiffAdapter(): SqlMigrationAwareDriverAdapterFactory {
  const refuse = async (): Promise<never> => {
    throw new Error('offline schema diff: this command needs a real database (set DATABASE_URL)');
  };
  const versionProbe = async (query: SqlQuery): Promise<SqlResultSet> => {
    if (!/version\(\)/.test(query.sql)) return refuse();
    // ColumnTypeEnum: Boolean = 5, Text = 7, Int32 = 0.
    return {
      columnNames: ['exists', 'version', 'numeric_version'],
      columnTypes: [5, 7, 0],
      rows: [[true, 'PostgreSQL 15.0', 150000]],
    };
  };
  const adapter = {
    provider: 'postgres' as const,
    adapterName: '@prisma/adapter-pg',
    queryRaw: versionProbe,
    executeRaw: refuse,
    executeScript: refuse,
    startTransaction: refuse,
    getConnectionInfo: () => ({ schemaName: 'public', supportsRelationJoins: true }),
    dispose: async () => undefined,
  };
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: async () => adapter,
    connectToShadowDb: refuse,
  };
}
