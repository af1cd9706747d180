import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { projectRoot } from '@lattice/platform';
import { runMigrations } from '../../apps/controller/src/bootstrap/migrations';

/** Same services (and defaults) as the test suite: see test/support/test-env.ts. */
export const BENCH_POSTGRES_URL =
  process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const BENCH_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(database: string): string {
  const url = new URL(BENCH_POSTGRES_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function adminClient(): Promise<Client> {
  const client = new Client({ connectionString: BENCH_POSTGRES_URL });
  await client.connect();
  return client;
}

function migrationsHash(): string {
  const dir = path.join(projectRoot(), 'prisma/migrations');
  const hash = createHash('sha256');
  for (const entry of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, entry, 'migration.sql');
    if (fs.existsSync(file)) hash.update(entry).update(fs.readFileSync(file));
  }
  return hash.digest('hex').slice(0, 12);
}

/** The migrated template database the tests also clone (built once per set of migrations). */
async function ensureTemplateDatabase(): Promise<string> {
  const name = `lattice_tpl_${migrationsHash()}`;
  const admin = await adminClient();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return name;
    const building = `${name}_build_${randomBytes(3).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${building}`);
    await runMigrations(databaseUrl(building));
    await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`).catch(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${building}`);
    });
    return name;
  } finally {
    await admin.end();
  }
}

export interface BenchDatabase {
  name: string;
  url: string;
  query<T extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A fresh database for one benchmark, cloned from the migrated template; drop() removes it. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const template = await ensureTemplateDatabase();
  const name = `lattice_bench_${randomBytes(5).toString('hex')}`;
  const admin = await adminClient();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name);
  let client: Client | undefined;
  return {
    name,
    url,
    async query<T extends Record<string, unknown>>(text: string, params: unknown[] = []) {
      if (!client) {
        client = new Client({ connectionString: url });
        await client.connect();
      }
      return (await client.query<T>(text, params)).rows;
    },
    async drop() {
      await client?.end().catch(() => undefined);
      const admin = await adminClient();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
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
