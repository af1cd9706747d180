import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { LOG_LEVELS, type LogLevel } from '@lattice/agent';

/** A bad flag or variable; the message lists every problem, one per line. */
export class SimConfigError extends Error {
  override readonly name = 'SimConfigError';
}

export interface SimConfig {
  controllerAddress: string;
  apiUrl: string;
  tenantToken: string | undefined;
  operatorToken: string | undefined;
  tenantName: string;
  agents: number;
  clusterPrefix: string;
  services: number;
  extraNamespaces: number;
  seed: number;
  telemetryIntervalSeconds: number;
  telemetryRequestsPerSecond: number;
  telemetryReplayMinutes: number;
  telemetryBackfillMinutes: number;
  heartbeatSeconds: number;
  keyPoolSize: number;
  keyCacheDirectory: string | undefined;
  connectConcurrency: number;
  globalNamespace: string | undefined;
  durationSeconds: number;
  statusIntervalSeconds: number;
  caFile: string | undefined;
  logLevel: LogLevel;
}

export const SIM_USAGE = `Usage: npm run sim -- --agents <n> [flags]

Runs <n> real agents in one process against a controller: each registers with its own bootstrap
token, key and certificate, holds its own gRPC stream, reports a bookinfo-like inventory and
synthetic telemetry, and applies snapshots to memory.

Controller (flag, environment):
  --controller <host:port>      LATTICE_CONTROLLER        agent gRPC endpoint (required)
  --api <url>                   LATTICE_API_URL           REST base URL, e.g. http://127.0.0.1:8080 (required)
  --token <token>               LATTICE_TOKEN             editor/admin token of the tenant to add the clusters to
  --operator-token <token>      LATTICE_OPERATOR_TOKEN    ... or the operator token: the simulator creates the tenant
  --tenant <name>               tenant to create with --operator-token (sim-<random>)
  --ca-file <path>              trust this controller CA (default: the one returned with each bootstrap token)
Fleet:
  --agents <n>                  number of agents, 1-20000 (required)
  --cluster-prefix <prefix>     clusters are <prefix>-00000, <prefix>-00001, ... (sim-<random>)
  --services <n>                services per cluster, 4-500 (4: productpage, details, reviews, ratings)
  --namespaces <n>              namespaces the services beyond bookinfo's spread over, 1-100 (1)
  --seed <n>                    seed of the per-cluster variation (1)
  --gns <name>                  create a Global Namespace <name> spanning every cluster's bookinfo namespace
  --heartbeat-seconds <n>       agent heartbeat interval, 1-300 (10)
  --connect-concurrency <n>     agents registering at once, 1-1000 (50)
  --key-pool <n>                distinct RSA keys (default: one per agent); agents share keys round-robin
  --key-cache <dir|none>        keep generated keys here for later runs (.data/sim-keys)
Telemetry:
  --telemetry-interval-seconds <n>  report every n s, 0 = no telemetry (15)
  --telemetry-rps <n>           mean requests per second per edge (10)
  --telemetry-replay <m>        replay m minutes of history per report instead of real time (0)
  --telemetry-backfill <m>      with --telemetry-replay, start m minutes ago, at most 7 days (60)
Run:
  --duration <s>                stop after s seconds; 0 = until Ctrl-C (0)
  --status-interval <s>         print a status line every s seconds, 0 = never (10)
  --log-level <level>           agents' log level: ${LOG_LEVELS.join(', ')} (warn)
  --help`;

const FLAG_NAMES = [
  'controller',
  'api',
  'token',
  'operator-token',
  'tenant',
  'ca-file',
  'agents',
  'cluster-prefix',
  'services',
  'namespaces',
  'seed',
  'gns',
  'heartbeat-seconds',
  'connect-concurrency',
  'key-pool',
  'key-cache',
  'telemetry-interval-seconds',
  'telemetry-rps',
  'telemetry-replay',
  'telemetry-backfill',
  'duration',
  'status-interval',
  'log-level',
] as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const MAX_BACKFILL_MINUTES = 7 * 24 * 60;

/** Parses the simulator's flags (environment variables as fallback); 'help' for --help. */
export function parseSimConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  defaults: { keyCacheDirectory: string } = { keyCacheDirectory: '.data/sim-keys' },
): SimConfig | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(FLAG_NAMES.map((name) => [name, { type: 'string' as const }]));
    values = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new SimConfigError(`${(error as Error).message}\n\n${SIM_USAGE}`);
  }
  if (values.help) return 'help';
  const problems: string[] = [];
  const text = (flag: (typeof FLAG_NAMES)[number], envName?: string): string | undefined => {
    const value = values[flag];
    if (typeof value === 'string') return value;
    return envName ? env[envName] : undefined;
  };
  const integer = (
    flag: (typeof FLAG_NAMES)[number],
    min: number,
    max: number,
    fallback: number | undefined,
  ): number => {
    const raw = text(flag);
    if (raw === undefined) {
      if (fallback === undefined) problems.push(`--${flag} is required (an integer ${min}-${max})`);
      return fallback ?? min;
    }
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`--${flag} must be an integer ${min}-${max}, got "${raw}"`);
      return fallback ?? min;
    }
    return value;
  };
  const number = (flag: (typeof FLAG_NAMES)[number], min: number, max: number, fallback: number): number => {
    const raw = text(flag);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
      problems.push(`--${flag} must be a number ${min}-${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const controllerAddress = text('controller', 'LATTICE_CONTROLLER') ?? '';
  const port = HOST_PORT.exec(controllerAddress)?.[2];
  if (!controllerAddress) problems.push('--controller is required (the agent gRPC endpoint, host:port)');
  else if (!port || Number(port) < 1 || Number(port) > 65_535)
    problems.push(`--controller must be host:port, got "${controllerAddress}"`);

  const apiUrl = (text('api', 'LATTICE_API_URL') ?? '').replace(/\/+$/, '');
  if (!apiUrl) problems.push('--api is required (the REST base URL, e.g. http://127.0.0.1:8080)');
  else if (!isHttpUrl(apiUrl)) problems.push(`--api must be an http(s) URL, got "${apiUrl}"`);

  const tenantToken = text('token', 'LATTICE_TOKEN') || undefined;
  const operatorToken = text('operator-token', 'LATTICE_OPERATOR_TOKEN') || undefined;
  if (!tenantToken && !operatorToken)
    problems.push(
      '--token (a tenant editor/admin token) or --operator-token (to create a tenant) is required',
    );
  const tenantName = text('tenant') ?? `sim-${randomBytes(3).toString('hex')}`;
  if (values.tenant !== undefined && tenantToken)
    problems.push('--tenant only applies with --operator-token (with --token the token decides the tenant)');
  else if (!DNS_LABEL.test(tenantName)) problems.push(`--tenant must be a DNS label, got "${tenantName}"`);

  const agents = integer('agents', 1, 20_000, undefined);
  const clusterPrefix = text('cluster-prefix') ?? `sim-${randomBytes(2).toString('hex')}`;
  // Cluster names are <prefix>-NNNNN and must stay DNS labels (at most 63 characters).
  if (!DNS_LABEL.test(clusterPrefix) || clusterPrefix.length > 56)
    problems.push(
      `--cluster-prefix must be lowercase letters, digits and "-", start and end alphanumeric, at most 56 characters, got "${clusterPrefix}"`,
    );
  const services = integer('services', 4, 500, 4);
  const extraNamespaces = integer('namespaces', 1, 100, 1);
  const seed = integer('seed', 0, 2 ** 31 - 1, 1);
  const globalNamespace = text('gns');
  if (globalNamespace !== undefined && !DNS_LABEL.test(globalNamespace))
    problems.push(`--gns must be a DNS label, got "${globalNamespace}"`);
  const heartbeatSeconds = integer('heartbeat-seconds', 1, 300, 10);
  const connectConcurrency = integer('connect-concurrency', 1, 1000, 50);
  const keyPoolSize = integer('key-pool', 1, 20_000, agents);
  const keyCacheRaw = text('key-cache') ?? defaults.keyCacheDirectory;
  if (keyCacheRaw.trim() === '') problems.push('--key-cache must be a directory or "none"');
  const keyCacheDirectory = keyCacheRaw === 'none' ? undefined : keyCacheRaw;
  const telemetryIntervalSeconds = number('telemetry-interval-seconds', 0, 3600, 15);
  const telemetryRequestsPerSecond = number('telemetry-rps', 0, 1_000_000, 10);
  const telemetryReplayMinutes = integer('telemetry-replay', 0, 1440, 0);
  const telemetryBackfillMinutes = integer('telemetry-backfill', 1, MAX_BACKFILL_MINUTES, 60);
  if (values['telemetry-backfill'] !== undefined && telemetryReplayMinutes === 0)
    problems.push('--telemetry-backfill only applies with --telemetry-replay');
  if (telemetryIntervalSeconds > 0 && telemetryIntervalSeconds < 0.1)
    problems.push('--telemetry-interval-seconds must be 0 (off) or at least 0.1');
  const durationSeconds = integer('duration', 0, 7 * 24 * 3600, 0);
  const statusIntervalSeconds = integer('status-interval', 0, 3600, 10);
  const logLevel = (text('log-level') ?? 'warn') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  if (problems.length > 0) throw new SimConfigError(problems.join('\n'));
  return {
    controllerAddress,
    apiUrl,
    tenantToken,
    operatorToken: tenantToken ? undefined : operatorToken,
    tenantName,
    agents,
    clusterPrefix,
    services,
    extraNamespaces,
    seed,
    telemetryIntervalSeconds,
    telemetryRequestsPerSecond,
    telemetryReplayMinutes,
    telemetryBackfillMinutes,
    heartbeatSeconds,
    keyPoolSize,
    keyCacheDirectory,
    connectConcurrency,
    globalNamespace,
    durationSeconds,
    statusIntervalSeconds,
    caFile: text('ca-file'),
    logLevel,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
