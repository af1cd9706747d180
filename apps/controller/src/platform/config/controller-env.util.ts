import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { DEFAULT_SERVICE_VIP_RANGE, parseAddressRange } from '@lattice/domain';

/**
 * A whole number from the environment. Stricter than z.coerce.number(), which reads "" and " " as 0
 * and "0x10" as 16: a blank or malformed value names the variable instead of meaning something.
 */
const integer = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`))
    .default(fallback);

const port = (fallback: number) => integer(1, 65535, fallback);

/** "true" or "false" (nothing else), as a boolean. */
const flag = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(fallback)
    .transform((v) => v === 'true');

const TRUST_PROXY_PRESETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Express `trust proxy`: "false" (default: request.ip is the socket peer), a hop count, or a
 * comma-separated list of presets (loopback, linklocal, uniquelocal) and IP addresses / CIDR ranges.
 * "true" (trust every hop, so any client can pick its own IP with X-Forwarded-For) is refused.
 */
const trustProxy = () =>
  z
    .string()
    .trim()
    .default('false')
    .transform((value, ctx): false | number | string[] => {
      if (value === 'false' || value === '') return false;
      if (/^\d{1,2}$/.test(value)) return Number(value);
      const items = value.split(',').map((item) => item.trim());
      const bad = items.filter((item) => !TRUST_PROXY_PRESETS.has(item) && !isAddressOrCidr(item));
      if (bad.length || items.length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: `expected "false", a hop count, or a comma-separated list of loopback, linklocal, uniquelocal, IP addresses or CIDR ranges (not understood: ${bad.join(', ') || '(empty)'})`,
        });
        return z.NEVER;
      }
      return items;
    });

function isAddressOrCidr(item: string): boolean {
  if (item.includes('/')) {
    try {
      ipaddr.parseCIDR(item);
      return true;
    } catch {
      return false;
    }
  }
  return ipaddr.isValid(item);
}

const optionalUrl = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .refine(
      (value) => {
        if (value === undefined) return true;
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      { message: `expected a URL like ${example}` },
    );

/**
 * What a replica does (LATTICE_ROLES; all three by default): `api` serves REST, GraphQL and the docs;
 * `agent-gateway` holds agent streams (and so stores their telemetry); `worker` runs the background
 * jobs. Every replica serves /healthz, /readyz and metrics.
 */
export const CONTROLLER_ROLES = ['api', 'agent-gateway', 'worker'] as const;
export type ControllerRole = (typeof CONTROLLER_ROLES)[number];

const csv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    );

/** Every environment variable the controller reads, with its rule. */
export const controllerEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  GRPC_PORT: port(50051),
  /** Prometheus metrics on their own management port, not on the API port. */
  METRICS_PORT: port(9464),
  METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:'], 'postgresql://user:pass@host:5432/lattice'),
  /** A read replica of DATABASE_URL for telemetry queries (docs/telemetry.md "Past one machine"). */
  DATABASE_READ_URL: optionalUrl(['postgres:', 'postgresql:'], 'postgresql://user:pass@replica:5432/lattice'),
  REDIS_URL: optionalUrl(['redis:', 'rediss:'], 'redis://host:6379'),
  LATTICE_REDIS_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9:_-]{1,64}$/, 'expected 1-64 characters of letters, digits, ":", "_" or "-"')
    .default('lattice'),
  LATTICE_DATA_DIR: z.string().min(1).default('.data'),
  /** The built web console served at /console (default dist/console of the project). */
  LATTICE_CONSOLE_DIR: z.string().min(1).optional(),
  LATTICE_DATABASE_POOL_SIZE: integer(2, 1000, 20),
  LATTICE_DATABASE_TRANSACTION_WAIT_MS: integer(100, 60_000, 10_000),
  LATTICE_SNAPSHOT_CACHE_MB: integer(0, 65_536, 128),
  /** Stable virtual addresses of TCP/TLS GNS hosts come from here (docs/multi-network.md). */
  LATTICE_SERVICE_VIP_RANGE: z
    .string()
    .default(DEFAULT_SERVICE_VIP_RANGE)
    .transform((value, ctx) => {
      const parsed = parseAddressRange(value);
      if (parsed.ok) return parsed.range;
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }),
  LATTICE_OPERATOR_TOKEN: z
    .string()
    .min(32, 'expected at least 32 characters')
    // Sent as `Authorization: Bearer <token>`, which takes one RFC 9110 token68 value only.
    .regex(/^[A-Za-z0-9._~+/-]+=*$/, 'expected letters, digits and "-._~+/" (with "=" only at the end)')
    .optional(),
  LATTICE_MASTER_KEY: z.string().optional(),
  LATTICE_GRPC_HOSTNAMES: csv('localhost,127.0.0.1'),
  LATTICE_ROLES: csv(CONTROLLER_ROLES.join(','))
    .superRefine((roles, context) => {
      const unknown = roles.filter((role) => !(CONTROLLER_ROLES as readonly string[]).includes(role));
      if (unknown.length > 0 || roles.length === 0)
        context.addIssue({
          code: 'custom',
          message: `expected a comma-separated list of ${CONTROLLER_ROLES.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`,
        });
    })
    .transform((roles) => roles as ControllerRole[]),

  LATTICE_PUBLIC_GRPC_ADDRESS: z.string().min(1).optional(),
  LATTICE_AGENT_HEARTBEAT_SECONDS: integer(1, 300, 10),
  /** Where the agent's Helm chart is published, for the install commands registration returns. */
  LATTICE_AGENT_CHART: z
    .string()
    .regex(/^[A-Za-z0-9._:/@+-]+$/, 'expected a helm chart reference (path, repo/name or oci://…)')
    .default('deploy/helm/lattice-agent'),
  LATTICE_AGENT_CHART_VERSION: z
    .string()
    .regex(/^[A-Za-z0-9.+-]+$/, 'expected a chart version such as 0.1.0')
    .optional(),
  LATTICE_MIGRATE_ON_START: flag('true'),
  LATTICE_RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000, 600),
  LATTICE_AUTH_FAILURES_PER_MINUTE: integer(1, 1_000_000, 30),
  LATTICE_AUTH_NEGATIVE_CACHE_SECONDS: integer(0, 3600, 30),
  LATTICE_REGISTER_PER_MINUTE_PER_PEER: integer(1, 1_000_000, 30),
  LATTICE_REGISTER_PER_MINUTE_PER_CLUSTER: integer(1, 1_000_000, 10),
  LATTICE_TRUST_PROXY: trustProxy(),
  LATTICE_CONNECTIONS_PER_SECOND_PER_IP: integer(0, 1_000_000, 0),
  LATTICE_GRAPHQL_INTROSPECTION: flag('true'),
  LATTICE_GRAPHQL_MAX_BYTES: integer(1_024, 1_048_576, 65_536),
  LATTICE_GRAPHQL_MAX_TOKENS: integer(100, 100_000, 5_000),
  LATTICE_TELEMETRY_MINUTE_RETENTION_DAYS: integer(1, 90, 7),
  LATTICE_TELEMETRY_HOUR_RETENTION_DAYS: integer(1, 3650, 90),
  LATTICE_TELEMETRY_INGEST_CONCURRENCY: integer(1, 100, 4),
  LATTICE_TELEMETRY_QUERY_STALENESS_MS: integer(0, 60_000, 1_000),
  LATTICE_SLO_EVALUATION_INTERVAL_SECONDS: integer(1, 3600, 60),
  LATTICE_SLO_RECOMPUTE_MINUTES: integer(1, 60, 5),
  LATTICE_WEBHOOK_TIMEOUT_MS: integer(100, 60_000, 10_000),
  LATTICE_WEBHOOK_MAX_ATTEMPTS: integer(1, 25, 8),
  LATTICE_WEBHOOK_BACKOFF_SECONDS: integer(1, 3600, 10),
  LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: flag('false'),
  LATTICE_CA_ROOT_KEY_ALGORITHM: z.enum(['RSA-4096', 'RSA-3072', 'RSA-2048']).default('RSA-4096'),
  LATTICE_CA_ROOT_VALIDITY_DAYS: integer(30, 36500, 3650),
  LATTICE_CA_INTERMEDIATE_VALIDITY_DAYS: integer(1, 3650, 365),
  LATTICE_CA_INTERMEDIATE_MIN_RSA_BITS: z
    .enum(['2048', '3072', '4096'], { error: 'expected 2048, 3072 or 4096' })
    .transform(Number)
    .default(2048),
  LATTICE_CA_MAX_WORKLOAD_CERT_TTL_SECONDS: integer(0, 31_536_000, 86_400),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: integer(0, 600_000, 10_000),
  SHUTDOWN_DRAIN_MS: integer(0, 600_000, 0),
  READINESS_DEPENDENCY_GRACE_MS: integer(0, 600_000, 30_000),
});

export type ControllerEnv = z.infer<typeof controllerEnvSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Validates the environment once, at start-up. Each problem names the variable and what is
 * expected, so an operator can fix all of them in one go.
 */
export function parseControllerEnv(env: NodeJS.ProcessEnv): ControllerEnv {
  const result = controllerEnvSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.') || '(environment)';
        const got = env[name] === undefined ? 'unset' : JSON.stringify(env[name]);
        return `${name}: ${issue.message} (got ${got})`;
      }),
    );
  }
  const parsed = result.data;
  if (parsed.LATTICE_CA_INTERMEDIATE_VALIDITY_DAYS >= parsed.LATTICE_CA_ROOT_VALIDITY_DAYS) {
    throw new ConfigError([
      `LATTICE_CA_INTERMEDIATE_VALIDITY_DAYS: must be shorter than LATTICE_CA_ROOT_VALIDITY_DAYS (${parsed.LATTICE_CA_ROOT_VALIDITY_DAYS}) (got ${parsed.LATTICE_CA_INTERMEDIATE_VALIDITY_DAYS})`,
    ]);
  }
  const taken = (['PORT', 'GRPC_PORT'] as const).find((name) => parsed[name] === parsed.METRICS_PORT);
  if (taken) {
    throw new ConfigError([
      `METRICS_PORT: must differ from ${taken} (metrics have their own management port) (got ${parsed.METRICS_PORT})`,
    ]);
  }
  // A hosted deployment (external PostgreSQL) must not fall back to generated local secrets.
  if (parsed.DATABASE_URL && parsed.NODE_ENV === 'production') {
    const missing = (['LATTICE_OPERATOR_TOKEN', 'LATTICE_MASTER_KEY'] as const).filter((k) => !parsed[k]);
    if (missing.length > 0) {
      throw new ConfigError(missing.map((k) => `${k}: required when NODE_ENV=production (got unset)`));
    }
  }
  return parsed;
}
