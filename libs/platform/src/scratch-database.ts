import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { projectRoot } from './project-root';

/**
 * Throw-away databases for tests and benchmarks: each is cloned from a template that has every
 * migration applied. The template is named after a hash of the migrations, so it is built once per
 * schema and reused by later runs (and by concurrent ones: it appears by an atomic rename).
 * Not exported from the package index: the agent imports @lattice/platform and must not load `pg`.
 */
export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export type MigrateDatabase = (databaseUrl: string) => Promise<void>;

/** `adminUrl` with its database replaced by `database`. */
export function databaseUrlOn(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function ensureTemplateDatabase(adminUrl: string, migrate: MigrateDatabase): Promise<string> {
  const name = `lattice_tpl_${migrationsHash()}`;
  return withAdmin(adminUrl, async (admin) => {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return name;
    const building = `${name}_build_${randomBytes(3).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${building}`);
    await migrate(databaseUrlOn(adminUrl, building));
    await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`).catch(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${building}`);
    });
    return name;
  });
}

/** A fresh database named `<prefix>_<random>`, cloned from the migrated template. */
export async function createScratchDatabase(
  adminUrl: string,
  prefix: string,
  migrate: MigrateDatabase,
): Promise<ScratchDatabase> {
  const template = await ensureTemplateDatabase(adminUrl, migrate);
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    name,
    url: databaseUrlOn(adminUrl, name),
    drop: () =>
      withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

async function withAdmin<T>(adminUrl: string, work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
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
