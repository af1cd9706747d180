// `node dist/apps/controller/src/migrate.js`: applies pending database migrations and exits (0 on
// success). The Helm chart's migration Job runs it before an install or upgrade rolls pods, so
// replicas can start with LATTICE_MIGRATE_ON_START=false.
import pino from 'pino';
import { logFields } from '@lattice/platform';
import { runMigrations } from './platform/bootstrap/migrations.util';

const logger = pino({ base: logFields('lattice-migrate') });

async function migrate(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL?.trim();
  if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    logger.error('DATABASE_URL must be set to a postgresql:// URL');
    process.exit(2);
  }
  await runMigrations(databaseUrl);
  logger.info('migrations applied');
}

migrate().catch((error: unknown) => {
  logger.error({ err: error }, 'migrations failed');
  process.exit(1);
});
