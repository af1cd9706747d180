import type { ControllerEnv } from './controller-env.util';

/** The configuration after start-up resolved what the environment left open (embedded services, local secrets). */
export interface RuntimeConfig {
  env: ControllerEnv;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  operatorToken: string;
  /** 32 bytes; wraps the data keys that encrypt CA private keys. */
  masterKey: Buffer;
}

export const RUNTIME_CONFIG = Symbol('RUNTIME_CONFIG');
