import { parseArgs } from 'node:util';
import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from '../logger';
import { isCertificatePem } from '../pki/agent-keys.util';

export type InventoryConfig = { kind: 'file'; path: string } | { kind: 'kubernetes' };
export type SinkConfig = { kind: 'directory'; path: string } | { kind: 'kubernetes' };

export interface AgentConfig {
  controllerAddress: string;
  bootstrapToken: string | undefined;
  clusterName: string | undefined;
  /** Controller CA for registration: PEM text from LATTICE_CA_CERT, or a path from --ca-file. */
  controllerCa: { pem: string } | { file: string } | undefined;
  stateDir: string;
  inventory: InventoryConfig;
  sink: SinkConfig;
  heartbeatSeconds: number;
  /** Kubernetes inventory: a list that has not answered after this long fails (reason Timeout). */
  kubeTimeoutSeconds: number;
  telemetry: TelemetryConfig | undefined;
  /** How often telemetry is collected and sent. */
  telemetryIntervalSeconds: number;
  /** How often the autoscaler samples metrics and decides (Kubernetes sink only). */
  autoscalingIntervalSeconds: number;
  logLevel: LogLevel;
  /** Port of /healthz, /readyz and /metrics; 0: one the OS chooses (logged). */
  httpPort: number;
  /** Kubernetes mode: label selector of the east-west gateway Service (istio=eastwestgateway). */
  eastWestGatewaySelector: string;
  /** Kubernetes mode: how often the Istio installation is re-read. */
  meshRefreshSeconds: number;
}

export type TelemetryConfig = { kind: 'synthetic'; path: string } | { kind: 'prometheus'; url: string };

/** A bad flag or variable; the message is the one line printed before exiting. */
export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';
}

export const AGENT_USAGE = `Usage: lattice-agent [flags]

  --controller <host:port>      LATTICE_CONTROLLER        controller gRPC address (required)
  --bootstrap-token <token>     LATTICE_BOOTSTRAP_TOKEN   one-time token; only used without credentials
  --cluster-name <name>         LATTICE_CLUSTER_NAME      name the cluster was registered with
  --ca-file <path>              LATTICE_CA_FILE           controller CA, needed to register
                                LATTICE_CA_CERT           ... or the CA as PEM text
  --state-dir <dir>             LATTICE_STATE_DIR         credentials and last snapshot (./.lattice-agent)
  --inventory-file <path>       LATTICE_INVENTORY_FILE    YAML inventory, watched for changes
  --inventory kubernetes        LATTICE_INVENTORY         watch the cluster's API instead
  --output-dir <dir>            LATTICE_OUTPUT_DIR        write rendered manifests to a folder
  --sink kubernetes             LATTICE_SINK              server-side apply to the cluster instead
  --heartbeat-seconds <n>       LATTICE_HEARTBEAT_SECONDS heartbeat interval (10)
  --kube-timeout-seconds <n>    LATTICE_KUBE_TIMEOUT_SECONDS  a Kubernetes list unanswered after n s fails (30)
  --telemetry-synthetic <path>  LATTICE_TELEMETRY_SYNTHETIC  YAML of synthetic traffic edges to report
  --telemetry-prometheus-url <url> LATTICE_TELEMETRY_PROMETHEUS_URL  scrape Istio metrics from this URL
  --telemetry-interval-seconds <n> LATTICE_TELEMETRY_INTERVAL_SECONDS  collect and send every n s (15)
  --autoscaling-interval-seconds <n> LATTICE_AUTOSCALING_INTERVAL_SECONDS  autoscaler sampling (15)
  --log-level <level>           LATTICE_LOG_LEVEL         ${LOG_LEVELS.join(', ')} (info)
  --http-port <port>            LATTICE_HTTP_PORT         /healthz, /readyz and /metrics (9464; 0: any free port)
  --east-west-gateway-selector <label=value> LATTICE_EAST_WEST_GATEWAY_SELECTOR  the east-west gateway Service (istio=eastwestgateway)
  --mesh-refresh-seconds <n>    LATTICE_MESH_REFRESH_SECONDS  re-read the Istio installation every n s (60)
  --help`;

const FLAGS = {
  controller: { type: 'string', env: 'LATTICE_CONTROLLER' },
  'bootstrap-token': { type: 'string', env: 'LATTICE_BOOTSTRAP_TOKEN' },
  'cluster-name': { type: 'string', env: 'LATTICE_CLUSTER_NAME' },
  'ca-file': { type: 'string', env: 'LATTICE_CA_FILE' },
  'state-dir': { type: 'string', env: 'LATTICE_STATE_DIR' },
  'inventory-file': { type: 'string', env: 'LATTICE_INVENTORY_FILE' },
  inventory: { type: 'string', env: 'LATTICE_INVENTORY' },
  'output-dir': { type: 'string', env: 'LATTICE_OUTPUT_DIR' },
  sink: { type: 'string', env: 'LATTICE_SINK' },
  'heartbeat-seconds': { type: 'string', env: 'LATTICE_HEARTBEAT_SECONDS' },
  'kube-timeout-seconds': { type: 'string', env: 'LATTICE_KUBE_TIMEOUT_SECONDS' },
  'telemetry-synthetic': { type: 'string', env: 'LATTICE_TELEMETRY_SYNTHETIC' },
  'telemetry-prometheus-url': { type: 'string', env: 'LATTICE_TELEMETRY_PROMETHEUS_URL' },
  'telemetry-interval-seconds': { type: 'string', env: 'LATTICE_TELEMETRY_INTERVAL_SECONDS' },
  'autoscaling-interval-seconds': { type: 'string', env: 'LATTICE_AUTOSCALING_INTERVAL_SECONDS' },
  'log-level': { type: 'string', env: 'LATTICE_LOG_LEVEL' },
  'http-port': { type: 'string', env: 'LATTICE_HTTP_PORT' },
  'east-west-gateway-selector': { type: 'string', env: 'LATTICE_EAST_WEST_GATEWAY_SELECTOR' },
  'mesh-refresh-seconds': { type: 'string', env: 'LATTICE_MESH_REFRESH_SECONDS' },
} as const;
type FlagName = keyof typeof FLAGS;

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port')
  .refine((value) => {
    const port = Number(value.slice(value.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65_535;
  }, 'port must be 1-65535');
const nonEmpty = z.string().trim().min(1, 'must not be empty');
const clusterName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label (lowercase letters, digits, "-")');
const heartbeatSeconds = z
  .string()
  .regex(/^\d+$/, 'must be a whole number of seconds')
  .transform(Number)
  .pipe(z.number().min(1, 'must be at least 1').max(300, 'must be at most 300'));
const logLevel = z.enum(LOG_LEVELS);
const labelSelector = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9./_-]+=[A-Za-z0-9._-]*(,[A-Za-z0-9./_-]+=[A-Za-z0-9._-]*)*$/,
    'must be an equality label selector, e.g. istio=eastwestgateway',
  );
const refreshSeconds = z
  .string()
  .regex(/^\d+$/, 'must be a whole number of seconds')
  .transform(Number)
  .pipe(z.number().min(1, 'must be at least 1').max(3600, 'must be at most 3600'));
const listenPort = z
  .string()
  .regex(/^\d+$/, 'must be a port number')
  .transform(Number)
  .pipe(z.number().max(65_535, 'must be at most 65535'));
export const DEFAULT_HTTP_PORT = 9464;
const httpUrl = z
  .string()
  .trim()
  .refine((value) => /^https?:\/\/[^\s/]+/.test(value) && URL.canParse(value), 'must be an http(s) URL');

/** Flags win over environment variables. Throws AgentConfigError naming the flag or variable. */
export function parseAgentConfig(
  argv: string[],
  env: Record<string, string | undefined>,
): AgentConfig | 'help' {
  let values: Partial<Record<FlagName | 'help', string | boolean>>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(Object.keys(FLAGS).map((name) => [name, { type: 'string' as const }])),
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new AgentConfigError(`${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
  if (values.help) return 'help';

  /** The raw value and where it came from, for error messages. */
  const lookup = (name: FlagName): { value: string; origin: string } | undefined => {
    const flag = values[name];
    if (typeof flag === 'string') return { value: flag, origin: `--${name}` };
    const fromEnv = env[FLAGS[name].env];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, origin: FLAGS[name].env };
    return undefined;
  };
  const read = <T>(name: FlagName, schema: z.ZodType<T>, fallback?: T): T | undefined => {
    const raw = lookup(name);
    if (!raw) return fallback;
    const result = schema.safeParse(raw.value);
    if (!result.success) {
      throw new AgentConfigError(
        `${raw.origin}: ${result.error.issues[0]?.message ?? 'invalid'} (got ${JSON.stringify(raw.value)})`,
      );
    }
    return result.data;
  };

  const controllerAddress = read('controller', hostPort);
  if (!controllerAddress)
    throw new AgentConfigError('--controller / LATTICE_CONTROLLER is required (host:port of the controller)');

  let controllerCa: AgentConfig['controllerCa'];
  const caFile = read('ca-file', nonEmpty);
  const caPem = env.LATTICE_CA_CERT;
  if (caFile !== undefined) controllerCa = { file: caFile };
  else if (caPem !== undefined && caPem.trim() !== '') {
    if (!isCertificatePem(caPem))
      throw new AgentConfigError('LATTICE_CA_CERT: must be a PEM certificate (-----BEGIN CERTIFICATE-----)');
    controllerCa = { pem: caPem };
  }

  return {
    controllerAddress,
    bootstrapToken: read('bootstrap-token', nonEmpty),
    clusterName: read('cluster-name', clusterName),
    controllerCa,
    stateDir: read('state-dir', nonEmpty, './.lattice-agent') as string,
    inventory: chooseInventory(
      read('inventory-file', nonEmpty),
      read('inventory', z.enum(['kubernetes', 'file'])),
    ),
    sink: chooseSink(read('output-dir', nonEmpty), read('sink', z.enum(['kubernetes', 'directory']))),
    heartbeatSeconds: read('heartbeat-seconds', heartbeatSeconds, 10) as number,
    kubeTimeoutSeconds: read('kube-timeout-seconds', heartbeatSeconds, 30) as number,
    telemetry: chooseTelemetry(
      read('telemetry-synthetic', nonEmpty),
      read('telemetry-prometheus-url', httpUrl),
    ),
    telemetryIntervalSeconds: read('telemetry-interval-seconds', heartbeatSeconds, 15) as number,
    autoscalingIntervalSeconds: read('autoscaling-interval-seconds', heartbeatSeconds, 15) as number,
    logLevel: read('log-level', logLevel, 'info') as LogLevel,
    httpPort: read('http-port', listenPort, DEFAULT_HTTP_PORT) as number,
    eastWestGatewaySelector: read(
      'east-west-gateway-selector',
      labelSelector,
      'istio=eastwestgateway',
    ) as string,
    meshRefreshSeconds: read('mesh-refresh-seconds', refreshSeconds, 60) as number,
  };
}

function chooseTelemetry(
  syntheticPath: string | undefined,
  prometheusUrl: string | undefined,
): TelemetryConfig | undefined {
  if (syntheticPath !== undefined && prometheusUrl !== undefined) {
    throw new AgentConfigError('--telemetry-synthetic and --telemetry-prometheus-url exclude each other');
  }
  if (syntheticPath !== undefined) return { kind: 'synthetic', path: syntheticPath };
  if (prometheusUrl !== undefined) return { kind: 'prometheus', url: prometheusUrl };
  return undefined;
}

function chooseInventory(file: string | undefined, mode: 'kubernetes' | 'file' | undefined): InventoryConfig {
  if (mode === 'kubernetes') {
    if (file !== undefined)
      throw new AgentConfigError('--inventory-file and --inventory=kubernetes exclude each other');
    return { kind: 'kubernetes' };
  }
  if (file === undefined) {
    throw new AgentConfigError(
      'an inventory source is required: --inventory-file <path> or --inventory=kubernetes',
    );
  }
  return { kind: 'file', path: file };
}

function chooseSink(directory: string | undefined, mode: 'kubernetes' | 'directory' | undefined): SinkConfig {
  if (mode === 'kubernetes') {
    if (directory !== undefined)
      throw new AgentConfigError('--output-dir and --sink=kubernetes exclude each other');
    return { kind: 'kubernetes' };
  }
  if (directory === undefined)
    throw new AgentConfigError('an apply sink is required: --output-dir <dir> or --sink=kubernetes');
  return { kind: 'directory', path: directory };
}

/** The controller CA PEM, read from --ca-file when given that way. */
export async function resolveControllerCa(
  config: AgentConfig,
  readFile: (path: string) => Promise<string>,
): Promise<string | undefined> {
  const ca = config.controllerCa;
  if (!ca) return undefined;
  if ('pem' in ca) return ca.pem;
  let text: string;
  try {
    text = await readFile(ca.file);
  } catch (error) {
    throw new AgentConfigError(
      `--ca-file: cannot read ${ca.file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!isCertificatePem(text)) throw new AgentConfigError(`--ca-file: ${ca.file} holds no PEM certificate`);
  return text;
}
