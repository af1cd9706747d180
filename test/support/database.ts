import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { projectRoot } from '@lattice/platform';
import { runMigrations } from '../../apps/controller/src/bootstrap/migrations';
import { databaseUrl, TEST_POSTGRES_URL } from './test-env';

/**
 * Every test file gets its own database, cloned from a template that has all migrations applied.
 * The template is named after a hash of the migrations, so it is built once per schema and reused
 * by later runs; the clones are dropped when the file is done, so the suite can run twice in a row.
 */
export async function ensureTemplateDatabase(): Promise<string> {
  const name = `lattice_tpl_${migrationsHash()}`;
  const admin = await adminClient();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return name;
    const building = `${name}_build_${randomBytes(3).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${building}`);
    await runMigrations(databaseUrl(building));
    // Rename makes the finished template appear atomically for concurrent runs.
    await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`).catch(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${building}`);
    });
    return name;
  } finally {
    await admin.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const template = await ensureTemplateDatabase();
  const name = `lattice_test_${randomBytes(5).toString('hex')}`;
  const admin = await adminClient();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: databaseUrl(name),
    drop: async () => {
      const client = await adminClient();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

async function adminClient(): Promise<Client> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
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
