import { createScratchDatabase, type ScratchDatabase } from '../../libs/platform/src/scratch-database';
import { runMigrations } from '../../apps/controller/src/platform/bootstrap/migrations.util';
import { TEST_POSTGRES_URL } from './test-env';

/**
 * Every test file gets its own database, cloned from a template that has all migrations applied
 * (libs/platform scratch-database); the clones are dropped when the file is done, so the suite can
 * run twice in a row.
 */
export type TestDatabase = ScratchDatabase;

export function createTestDatabase(): Promise<TestDatabase> {
  return createScratchDatabase(TEST_POSTGRES_URL, 'lattice_test', runMigrations);
}
