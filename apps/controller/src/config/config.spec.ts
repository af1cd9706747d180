import { ConfigError, parseControllerEnv } from './config';

describe('parseControllerEnv', () => {
  it('applies defaults to an empty environment', () => {
    const env = parseControllerEnv({});
    expect(env.PORT).toBe(8080);
    expect(env.GRPC_PORT).toBe(50051);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.LATTICE_GRPC_HOSTNAMES).toEqual(['localhost', '127.0.0.1']);
  });

  it('names each malformed variable and what it expects', () => {
    try {
      parseControllerEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LATTICE_OPERATOR_TOKEN: 'short' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^PORT: .*got "eighty"/m);
      expect(problems).toMatch(/^DATABASE_URL: expected a URL like postgresql:/m);
      expect(problems).toMatch(/^LATTICE_OPERATOR_TOKEN: expected at least 32 characters/m);
    }
  });

  it('requires real secrets in production with an external database', () => {
    expect(() =>
      parseControllerEnv({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://db/lattice' }),
    ).toThrow(/LATTICE_OPERATOR_TOKEN: required when NODE_ENV=production[\s\S]*LATTICE_MASTER_KEY/);
  });

  it('keeps strong CA defaults and checks the CA settings', () => {
    const env = parseControllerEnv({});
    expect(env.LATTICE_CA_ROOT_KEY_ALGORITHM).toBe('RSA-4096');
    expect(env.LATTICE_CA_ROOT_VALIDITY_DAYS).toBe(3650);
    expect(env.LATTICE_CA_INTERMEDIATE_VALIDITY_DAYS).toBe(365);
    expect(() => parseControllerEnv({ LATTICE_CA_ROOT_KEY_ALGORITHM: 'RSA-1024' })).toThrow(
      /LATTICE_CA_ROOT_KEY_ALGORITHM: .*got "RSA-1024"/,
    );
    expect(() => parseControllerEnv({ LATTICE_CA_INTERMEDIATE_MIN_RSA_BITS: '1024' })).toThrow(
      /LATTICE_CA_INTERMEDIATE_MIN_RSA_BITS: expected 2048, 3072 or 4096/,
    );
    expect(() =>
      parseControllerEnv({ LATTICE_CA_ROOT_VALIDITY_DAYS: '365', LATTICE_CA_INTERMEDIATE_VALIDITY_DAYS: '365' }),
    ).toThrow(/LATTICE_CA_INTERMEDIATE_VALIDITY_DAYS: must be shorter than LATTICE_CA_ROOT_VALIDITY_DAYS/);
  });

  it('defaults and bounds the SLO evaluation and webhook settings', () => {
    const env = parseControllerEnv({});
    expect(env.LATTICE_SLO_EVALUATION_INTERVAL_SECONDS).toBe(60);
    expect(env.LATTICE_SLO_RECOMPUTE_MINUTES).toBe(5);
    expect(env.LATTICE_WEBHOOK_MAX_ATTEMPTS).toBe(8);
    expect(env.LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS).toBe(false);
    expect(() => parseControllerEnv({ LATTICE_SLO_EVALUATION_INTERVAL_SECONDS: '0' })).toThrow(/LATTICE_SLO_EVALUATION_INTERVAL_SECONDS: .*got "0"/);
    expect(() => parseControllerEnv({ LATTICE_SLO_RECOMPUTE_MINUTES: '61' })).toThrow(/LATTICE_SLO_RECOMPUTE_MINUTES: .*got "61"/);
    expect(() => parseControllerEnv({ LATTICE_WEBHOOK_TIMEOUT_MS: 'soon' })).toThrow(/LATTICE_WEBHOOK_TIMEOUT_MS: .*got "soon"/);
  });

  it('treats an empty URL as unset', () => {
    expect(parseControllerEnv({ REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });
});
