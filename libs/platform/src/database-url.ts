import type { PoolConfig } from 'pg';

/**
 * Splits a postgres:// URL into separate pool fields. PrismaPg must get fields, not a
 * connectionString: with a connection string the shadow database that migrate creates resolves
 * back to the main database (see docs/development.md, "Prisma without a binary download").
 */
export function pgPoolConfigFromUrl(databaseUrl: string): PoolConfig {
  const url = new URL(databaseUrl);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`expected a postgres:// or postgresql:// URL, got ${url.protocol}//`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const schema = url.searchParams.get('schema') ?? undefined;
  return {
    host: url.hostname || 'localhost',
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || 'postgres',
    password: decodeURIComponent(url.password),
    database: database || 'postgres',
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  };
}
