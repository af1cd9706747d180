import { randomBytes } from 'node:crypto';
import { parseControllerEnv } from '../../apps/controller/src/platform/config/controller-env.util';
import type { RuntimeConfig } from '../../apps/controller/src/platform/config/runtime-config.types';
import { TEST_REDIS_URL } from './test-env';

/** A runtime configuration for building the app in-process (integration tier). */
export function testRuntimeConfig(
  databaseUrl: string,
  overrides: Partial<RuntimeConfig> = {},
): RuntimeConfig {
  return {
    env: parseControllerEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      LATTICE_CA_ROOT_KEY_ALGORITHM: 'RSA-2048',
    }),
    databaseUrl,
    redisUrl: TEST_REDIS_URL,
    redisPrefix: `lattice-it-${randomBytes(4).toString('hex')}`,
    operatorToken: randomBytes(24).toString('base64url'),
    masterKey: randomBytes(32),
    ...overrides,
  };
}
