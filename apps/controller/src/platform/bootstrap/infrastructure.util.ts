import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import { parseMasterKey } from '@lattice/pki';
import type { ControllerEnv } from '../config/controller-env.util';
import { ConfigError } from '../config/controller-env.util';
import type { RuntimeConfig } from '../config/runtime-config.types';
import { startEmbeddedPostgres } from './embedded-postgres.util';
import { randomToken, readOrCreate } from './local-resources.util';
import { startEmbeddedRedis } from './embedded-redis.util';
import { runMigrations } from './migrations.util';

export interface Infrastructure {
  config: RuntimeConfig;
  /** Stops what start-up started itself (embedded PostgreSQL, local redis-server), last. */
  stop(): Promise<void>;
}

/**
 * Resolves what the environment leaves open: an embedded PostgreSQL without DATABASE_URL, a local
 * redis-server without REDIS_URL, and generated local secrets (kept in the data folder) in
 * development; then applies database migrations.
 */
export async function prepareInfrastructure(env: ControllerEnv, logger: Logger): Promise<Infrastructure> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.reverse())
      await fn().catch((error: Error) => logger.warn(`stopping: ${error.message}`));
  };
  try {
    const dataDir = path.resolve(env.LATTICE_DATA_DIR);
    let databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      const postgres = await startEmbeddedPostgres(dataDir, logger);
      stops.push(postgres.stop);
      databaseUrl = postgres.databaseUrl;
    }
    let redisUrl = env.REDIS_URL;
    if (!redisUrl) {
      const redis = await startEmbeddedRedis(dataDir, logger);
      stops.push(redis.stop);
      redisUrl = redis.redisUrl;
    }
    const operatorToken =
      env.LATTICE_OPERATOR_TOKEN ?? localSecret(dataDir, 'operator-token', () => randomToken(32), logger);
    let masterKey: Buffer;
    try {
      masterKey = parseMasterKey(
        env.LATTICE_MASTER_KEY ??
          localSecret(dataDir, 'master.key', () => randomBytes(32).toString('base64'), logger),
      );
    } catch (error) {
      throw new ConfigError([(error as Error).message]);
    }
    if (env.LATTICE_MIGRATE_ON_START) {
      await runMigrations(databaseUrl);
      logger.info('database migrations applied');
    }
    return {
      config: { env, databaseUrl, redisUrl, redisPrefix: env.LATTICE_REDIS_PREFIX, operatorToken, masterKey },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function localSecret(dataDir: string, name: string, create: () => string, logger: Logger): string {
  const file = path.join(dataDir, name);
  const value = readOrCreate(file, create);
  logger.warn(
    { file },
    `using the local ${name} from the data folder; set it through the environment in production`,
  );
  return value;
}
