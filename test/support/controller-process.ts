import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '@lattice/platform';
import { freePort } from '../../apps/controller/src/platform/bootstrap/local-resources.util';
import { TEST_REDIS_URL } from './test-env';

export interface ControllerOptions {
  databaseUrl: string;
  /** Shared by replicas of one test; unique per test file otherwise. */
  redisPrefix?: string;
  operatorToken?: string;
  masterKey?: string;
  dataDir?: string;
  env?: Record<string, string>;
}

/** The real controller, built (`npm run build`) and started as its own process. */
export class ControllerProcess {
  readonly operatorToken: string;
  readonly redisPrefix: string;
  readonly masterKey: string;
  readonly dataDir: string;
  private child?: ChildProcess;
  private output = '';
  httpPort = 0;
  grpcPort = 0;
  metricsPort = 0;

  constructor(private readonly options: ControllerOptions) {
    this.operatorToken = options.operatorToken ?? randomBytes(24).toString('base64url');
    this.redisPrefix = options.redisPrefix ?? `lattice-test-${randomBytes(4).toString('hex')}`;
    this.masterKey = options.masterKey ?? randomBytes(32).toString('base64');
    this.dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-ctl-'));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get grpcAddress(): string {
    return `127.0.0.1:${this.grpcPort}`;
  }

  get metricsUrl(): string {
    return `http://127.0.0.1:${this.metricsPort}/metrics`;
  }

  get logs(): string {
    return this.output;
  }

  async start(): Promise<void> {
    const firstStart = this.httpPort === 0 && this.grpcPort === 0 && this.metricsPort === 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOnce();
      } catch (error) {
        // Another test process may bind a chosen port first; a first start can take others.
        if (!firstStart || attempt === 3 || !this.output.includes('EADDRINUSE')) throw error;
        this.httpPort = this.grpcPort = this.metricsPort = 0;
        this.output = '';
      }
    }
  }

  private async startOnce(): Promise<void> {
    this.httpPort ||= await freePort();
    this.grpcPort ||= await freePort();
    this.metricsPort ||= await freePort();
    const child = spawn(process.execPath, [path.join(projectRoot(), 'dist/apps/controller/src/main.js')], {
      cwd: projectRoot(),
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        PORT: String(this.httpPort),
        HOST: '127.0.0.1',
        GRPC_PORT: String(this.grpcPort),
        METRICS_PORT: String(this.metricsPort),
        METRICS_HOST: '127.0.0.1',
        DATABASE_URL: this.options.databaseUrl,
        REDIS_URL: TEST_REDIS_URL,
        LATTICE_REDIS_PREFIX: this.redisPrefix,
        LATTICE_OPERATOR_TOKEN: this.operatorToken,
        LATTICE_MASTER_KEY: this.masterKey,
        LATTICE_DATA_DIR: this.dataDir,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
        // RSA-4096 roots (the default) cost seconds of CPU per GNS; tests create many.
        LATTICE_CA_ROOT_KEY_ALGORITHM: 'RSA-2048',
        // Test receivers listen on loopback; test/security/exposure.e2e-spec.ts turns this off.
        LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        ...this.options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await this.waitUntilReady(child);
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`controller exited with ${child.exitCode}:\n${this.output}`);
      try {
        const response = await fetch(`${this.baseUrl}/readyz`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`controller did not become ready within 60 s:\n${this.output}`);
  }

  /** SIGTERM and wait; returns the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    return exited;
  }

  async request(
    method: string,
    route: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const response = await fetch(`${this.baseUrl}${route}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      body:
        options.body === undefined
          ? undefined
          : typeof options.body === 'string'
            ? options.body
            : JSON.stringify(options.body),
    });
    const text = await response.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: json as Record<string, unknown> & { items?: unknown[] },
    };
  }
}
