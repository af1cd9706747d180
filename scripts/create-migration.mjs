#!/usr/bin/env node
// Creates prisma/migrations/<timestamp>_<name>/migration.sql from the difference between the schema
// as of the last migration (its schema.prisma snapshot, kept beside each migration.sql) and
// prisma/schema.prisma. Needs no database: `prisma migrate dev` is unreliable on Prisma's
// WebAssembly engines (see docs/development.md). Review the SQL before committing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]{1,60}$/.test(name)) {
  console.error('usage: npm run migration:create -- <name>   (name: lowercase letters, digits, underscores)');
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '..');
const migrationsDir = path.join(root, 'prisma/migrations');
const schema = path.join(root, 'prisma/schema.prisma');
fs.mkdirSync(migrationsDir, { recursive: true });
const previous = fs
  .readdirSync(migrationsDir)
  .filter((d) => fs.existsSync(path.join(migrationsDir, d, 'schema.prisma')))
  .sort()
  .at(-1);
const from = previous
  ? ['--from-schema-datamodel', path.join(migrationsDir, previous, 'schema.prisma')]
  : ['--from-empty'];
const env = {
  ...process.env,
  LATTICE_PRISMA_OFFLINE: '1',
  PRISMA_SCHEMA_ENGINE_BINARY: path.join(root, 'package.json'),
  PRISMA_QUERY_ENGINE_LIBRARY: path.join(root, 'package.json'),
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
};
const sql = execFileSync(
  process.execPath,
  [
    path.join(root, 'node_modules/prisma/build/index.js'),
    'migrate',
    'diff',
    ...from,
    '--to-schema-datamodel',
    schema,
    '--script',
  ],
  { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
)
  // The offline adapter cannot tell that `public` exists; the statement is redundant there.
  .replace(/-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/, '');
if (!/\S/.test(sql.replace(/^--.*$/gm, ''))) {
  console.log('schema.prisma has no changes since the last migration; nothing created');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
const dir = path.join(migrationsDir, `${stamp}_${name}`);
fs.mkdirSync(dir);
fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
fs.copyFileSync(schema, path.join(dir, 'schema.prisma'));
console.log(`created ${path.relative(root, dir)}/migration.sql — review it before committing`);
