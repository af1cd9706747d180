import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '@lattice/platform';
import { freePort } from '../../apps/controller/src/platform/bootstrap/local-resources.util';
import { BENCH_REDIS_URL } from './environment';
import { processBytesWritten, processCpuSeconds, processRssBytes } from './proc-stats';

export interface StartControllerOptions {
  /** Extra environment (e.g. LATTICE_AGENT_HEARTBEAT_SECONDS). */
  env?: Record<string, string>;
  /** Node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=.data/profiles']. */
  nodeFlags?: string[];
}

/** Cumulative histogram buckets: observations <= le, ascending. */
export type HistogramBuckets = { le: number; count: number }[];

/**
 * The upper bound of the bucket holding quantile `q` of the observations between two scrapes
 * (`before` may be empty); NaN without observations. An upper bound, as precise as the buckets.
 */
export function bucketQuantile(after: HistogramBuckets, before: HistogramBuckets, q: number): number {
  const earlier = new Map(before.map((bucket) => [bucket.le, bucket.count]));
  const counts = after.map((bucket) => ({
    le: bucket.le,
    count: bucket.count - (earlier.get(bucket.le) ?? 0),
  }));
  const total = counts.at(-1)?.count ?? 0;
  if (total <= 0) return Number.NaN;
  return counts.find((bucket) => bucket.count >= q * total)?.le ?? Number.NaN;
}

export interface RequestResult {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** The built controller (dist/) as its own process, on free loopback ports. */
export class BenchController {
  readonly operatorToken = randomBytes(24).toString('base64url');
  readonly masterKey = randomBytes(32).toString('base64');
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-bench-ctl-'));
  httpPort = 0;
  grpcPort = 0;
  metricsPort = 0;
  private child?: ChildProcess;
  private output = '';

  constructor(
    private readonly databaseUrl: string,
    private readonly redisPrefix: string,
    private readonly options: StartControllerOptions = {},
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get grpcAddress(): string {
    return `127.0.0.1:${this.grpcPort}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logs(): string {
    return this.output;
  }

  async start(): Promise<void> {
    this.httpPort ||= await freePort();
    this.grpcPort ||= await freePort();
    this.metricsPort ||= await freePort();
    this.output = '';
    const child = spawn(
      process.execPath,
      [...(this.options.nodeFlags ?? []), path.join(projectRoot(), 'dist/apps/controller/src/main.js')],
      {
        cwd: projectRoot(),
        env: {
          PATH: process.env.PATH ?? '',
          // production: no schema.gql written, no pretty logs.
          NODE_ENV: 'production',
          PORT: String(this.httpPort),
          HOST: '127.0.0.1',
          GRPC_PORT: String(this.grpcPort),
          // Several controllers (and other engineers' benchmarks) on one machine: never the default 9464.
          METRICS_PORT: String(this.metricsPort),
          METRICS_HOST: '127.0.0.1',
          DATABASE_URL: this.databaseUrl,
          REDIS_URL: BENCH_REDIS_URL,
          LATTICE_REDIS_PREFIX: this.redisPrefix,
          LATTICE_OPERATOR_TOKEN: this.operatorToken,
          LATTICE_MASTER_KEY: this.masterKey,
          LATTICE_DATA_DIR: this.dataDir,
          LATTICE_MIGRATE_ON_START: 'false',
          // Benchmarks drive the API far above a tenant's normal rate.
          LATTICE_RATE_LIMIT_PER_MINUTE: '1000000',
          LOG_LEVEL: process.env.BENCH_CONTROLLER_LOG_LEVEL ?? 'warn',
          ...this.options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    const keep = (chunk: Buffer): void => {
      // Keep the tail only: a long benchmark must not grow this without bound.
      this.output = (this.output + chunk.toString()).slice(-200_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // A loaded shared machine can take well over a minute to start Node and Nest.
    const startSeconds = Number(process.env.BENCH_CONTROLLER_START_SECONDS ?? 180);
    const deadline = Date.now() + startSeconds * 1000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`controller exited with ${child.exitCode}:\n${this.output}`);
      try {
        if ((await fetch(`${this.baseUrl}/readyz`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`controller did not become ready within ${startSeconds} s:\n${this.output}`);
  }

  /** SIGTERM (or the given signal) and wait for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  async restart(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.stop(signal);
    await this.start();
  }

  /** Resident memory of the controller process (bytes). */
  rssBytes(): number {
    return processRssBytes(this.child?.pid);
  }

  /** CPU seconds (user + system) the controller process has used since it started. */
  cpuSeconds(): number {
    return processCpuSeconds(this.child?.pid);
  }

  /** Bytes the controller process has written to sockets and files since it started (/proc/<pid>/io wchar). */
  bytesWritten(): number {
    return processBytesWritten(this.child?.pid);
  }

  /** The value of a counter or gauge (summed over its series) from the controller's /metrics. */
  async metric(name: string): Promise<number> {
    const response = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`);
    if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
    let total = 0;
    for (const line of (await response.text()).split('\n')) {
      if (line.startsWith('#')) continue;
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (match?.[1] === name) total += Number(match[3]);
    }
    return total;
  }

  /** A histogram's cumulative buckets (summed over its series) from the controller's /metrics. */
  async histogram(name: string): Promise<HistogramBuckets> {
    const response = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`);
    if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
    const buckets = new Map<number, number>();
    for (const line of (await response.text()).split('\n')) {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)_bucket\{([^}]*)\}\s+(\S+)/.exec(line);
      if (match?.[1] !== name) continue;
      const le = /le="([^"]+)"/.exec(match[2] ?? '')?.[1];
      if (le === undefined) continue;
      const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
      buckets.set(bound, (buckets.get(bound) ?? 0) + Number(match[3]));
    }
    return [...buckets].sort(([a], [b]) => a - b).map(([le, count]) => ({ le, count }));
  }

  async request(
    method: string,
    route: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<RequestResult> {
    const response = await fetch(`${this.baseUrl}${route}`, {
      method,
      signal: options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  /** POST /graphql; throws on transport or GraphQL errors. */
  async graphql<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const result = await this.request('POST', '/graphql', { token, body: { query, variables } });
    const body = result.json as { data?: T; errors?: { message: string }[] } | undefined;
    if (result.status !== 200 || !body?.data || body.errors?.length)
      throw new Error(`GraphQL ${result.status}: ${result.text.slice(0, 500)}`);
    return body.data;
  }

  removeDataDir(): void {
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
