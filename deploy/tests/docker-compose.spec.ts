// Checks deploy/docker-compose.yml without Docker: services, health-gated start order, volumes, and
// the controller's environment after compose's ${VAR:?} / ${VAR:-} interpolation, fed to the
// controller's own configuration parser. (Schema validation is `docker-compose config`, which
// .ci/run runs where docker-compose is installed.)
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  controllerEnvSchema,
  parseControllerEnv,
} from '../../apps/controller/src/platform/config/controller-env.util';
import type { Loose } from './support/charts';

const ROOT = path.resolve(__dirname, '../..');
const COMPOSE_FILE = path.join(ROOT, 'deploy/docker-compose.yml');

/** Compose's interpolation of ${VAR}, ${VAR:-default} and ${VAR:?error}. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\{(\w+)(?:(:?[-?])([^}]*))?\}/g,
    (_, name: string, operator: string | undefined, arg: string) => {
      const value = env[name];
      const unset = operator?.startsWith(':') ? !value : value === undefined;
      if (operator?.endsWith('?') && unset)
        throw new Error(`required variable ${name} is missing a value: ${arg}`);
      if (operator?.endsWith('-') && unset) return arg;
      return value ?? '';
    },
  );
}

const secrets = {
  LATTICE_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
  LATTICE_OPERATOR_TOKEN: 'a'.repeat(64),
  POSTGRES_PASSWORD: 'b'.repeat(32),
};
/** Like compose: parse the YAML, then interpolate every string value (comments are not). */
function load(env: Record<string, string>) {
  const walk = (value: unknown): unknown =>
    typeof value === 'string'
      ? interpolate(value, env)
      : Array.isArray(value)
        ? value.map(walk)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item)]))
          : value;
  return walk(YAML.parse(fs.readFileSync(COMPOSE_FILE, 'utf8'))) as Loose;
}

describe('deploy/docker-compose.yml', () => {
  it('runs the controller with PostgreSQL and Redis, starting it only once both are healthy', () => {
    const compose = load(secrets);
    expect(Object.keys(compose.services).sort()).toEqual(['controller', 'postgres', 'redis']);
    for (const [name, service] of Object.entries<Loose>(compose.services)) {
      expect([name, service.healthcheck?.test?.length > 0]).toEqual([name, true]);
      if (service.image) expect(service.image).toMatch(/:[\w.-]+$/);
      expect(service.image ?? '').not.toMatch(/:latest$/);
    }
    const controller = compose.services.controller;
    expect(controller.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(controller.ports).toEqual(['8080:8080', '50051:50051']);
    expect(
      fs.existsSync(path.join(ROOT, 'deploy', controller.build.context, controller.build.dockerfile)),
    ).toBe(true);
    expect(controller.healthcheck.test.join(' ')).toContain('/readyz');
    expect(controller.read_only).toBe(true);
    // Data survives `docker compose down` (without -v).
    expect(compose.services.postgres.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
    expect(compose.services.redis.volumes).toEqual(['redis-data:/data']);
    expect(Object.keys(compose.volumes).sort()).toEqual(['postgres-data', 'redis-data']);
  });

  it('gives the controller an environment its configuration parser accepts in production', () => {
    const compose = load(secrets);
    const env: Record<string, string> = {
      ...compose.services.controller.environment,
      NODE_ENV: 'production',
    };
    const known = Object.keys(controllerEnvSchema.shape);
    expect(Object.keys(env).filter((name) => !known.includes(name))).toEqual([]);
    expect(parseControllerEnv(env)).toMatchObject({
      DATABASE_URL: `postgresql://lattice:${secrets.POSTGRES_PASSWORD}@postgres:5432/lattice`,
      REDIS_URL: 'redis://redis:6379',
      LATTICE_MASTER_KEY: secrets.LATTICE_MASTER_KEY,
      LATTICE_OPERATOR_TOKEN: secrets.LATTICE_OPERATOR_TOKEN,
    });
    // The database the controller dials is the one PostgreSQL creates.
    const postgres = compose.services.postgres.environment;
    expect(env.DATABASE_URL).toBe(
      `postgresql://${postgres.POSTGRES_USER}:${postgres.POSTGRES_PASSWORD}@postgres:5432/${postgres.POSTGRES_DB}`,
    );
  });

  it('refuses to start without each secret', () => {
    for (const name of Object.keys(secrets)) {
      const { [name as keyof typeof secrets]: _omitted, ...rest } = secrets;
      expect(() => load(rest)).toThrow(new RegExp(`required variable ${name} is missing`));
    }
  });
});
