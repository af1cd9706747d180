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

  it('treats an empty URL as unset', () => {
    expect(parseControllerEnv({ REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });
});
