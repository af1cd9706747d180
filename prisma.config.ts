// Prisma CLI configuration: WebAssembly engines with the pg driver adapter, so no native engine is
// ever downloaded (see docs/development.md, "Prisma without a binary download").
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { pgPoolConfigFromUrl } from './libs/platform/src/database-url';
import { offlineSchemaDiffAdapter } from './prisma/offline-schema-diff-adapter';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  adapter: async () => {
    // `npm run migration:create` diffs two schema files; it needs no database at all.
    if (process.env.LATTICE_PRISMA_OFFLINE === '1') return offlineSchemaDiffAdapter();
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL must be set for Prisma CLI commands');
    // allowExitOnIdle: otherwise idle pooled connections keep the CLI alive for 10 s after it is done.
    return new PrismaPg({ ...pgPoolConfigFromUrl(url), allowExitOnIdle: true, idleTimeoutMillis: 50 });
  },
});
