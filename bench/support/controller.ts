import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '@lattice/platform';
import { freePort } from '../../apps/controller/src/platform/bootstrap/local-resources.util';
import { BENCH_REDIS_URL } from './environment';

export interface StartControllerOptions {
  /** Extra environment (e.g. LATTICE_AGENT_HEARTBEAT_SECONDS). */
  env?: Record<string, string>;
  /** Node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=.data/profiles']. */
  nodeFlags?: string[];
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
    // Its own metrics port too: other controllers (other benchmarks, other engineers) use the default.
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
    const deadline = Date.now() + 60_000;
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
    throw new Error(`controller did not become ready within 60 s:\n${this.output}`);
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

  /** Resident memory of the controller process, from /proc (Linux). */
  rssBytes(): number {
    if (!this.child?.pid) return 0;
    const status = fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
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
