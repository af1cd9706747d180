import Redis from 'ioredis';
import { Client } from 'pg';
import { createScratchDatabase, type ScratchDatabase } from '../../libs/platform/src/scratch-database';
import { runMigrations } from '../../apps/controller/src/platform/bootstrap/migrations.util';

/** Same services (and defaults) as the test suite: see test/support/test-env.ts. */
export const BENCH_POSTGRES_URL =
  process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const BENCH_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface BenchDatabase extends ScratchDatabase {
  query<T extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

/** A fresh database for one benchmark, cloned from the migrated template; drop() removes it. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const database = await createScratchDatabase(BENCH_POSTGRES_URL, 'lattice_bench', runMigrations);
  let client: Client | undefined;
  return {
    ...database,
    async query<T extends Record<string, unknown>>(text: string, params: unknown[] = []) {
      if (!client) {
        client = new Client({ connectionString: database.url });
        await client.connect();
      }
      return (await client.query<T>(text, params)).rows;
    },
    async drop() {
      await client?.end().catch(() => undefined);
      await database.drop();
    },
  };
}

/** Deletes every Redis key under the prefix (only this benchmark's keys; never FLUSHALL). */
export async function deleteRedisPrefix(prefix: string): Promise<number> {
  const redis = new Redis(BENCH_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
