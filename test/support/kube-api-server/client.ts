/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever JSON the server sent */
/** A minimal HTTPS client for tests of the fake API server (and of anything else speaking the Kubernetes API). */
import fs from 'node:fs';
import https from 'node:https';
import { parse as parseYaml } from 'yaml';

/** Where and how to reach an API server: the fake one (`url`, `caPem`, `token`) or one from a kubeconfig. */
export interface Endpoint {
  url: string;
  caPem?: string;
  token?: string;
  /** Client certificate and key (PEM), for kubeconfigs that authenticate with them. */
  cert?: string;
  key?: string;
  insecureSkipTlsVerify?: boolean;
}

/**
 * The current context of a kubeconfig file as an Endpoint (token or client-certificate users,
 * inline `-data` fields or file paths). Exec and auth-provider plugins are not supported.
 */
export function endpointFromKubeconfig(path: string): Endpoint {
  const config = parseYaml(fs.readFileSync(path, 'utf8')) as {
    'current-context'?: string;
    contexts?: Array<{ name: string; context: { cluster: string; user: string } }>;
    clusters?: Array<{ name: string; cluster: Record<string, string | boolean> }>;
    users?: Array<{ name: string; user: Record<string, string> }>;
  };
  const context = config.contexts?.find((c) => c.name === config['current-context']) ?? config.contexts?.[0];
  if (!context) throw new Error(`${path}: no context`);
  const cluster = config.clusters?.find((c) => c.name === context.context.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context.context.user)?.user ?? {};
  if (!cluster) throw new Error(`${path}: no cluster ${context.context.cluster}`);
  const read = (data: unknown, file: unknown): string | undefined =>
    typeof data === 'string'
      ? Buffer.from(data, 'base64').toString('utf8')
      : typeof file === 'string'
        ? fs.readFileSync(file, 'utf8')
        : undefined;
  const endpoint: Endpoint = { url: String(cluster.server).replace(/\/$/, '') };
  const caPem = read(cluster['certificate-authority-data'], cluster['certificate-authority']);
  if (caPem) endpoint.caPem = caPem;
  if (cluster['insecure-skip-tls-verify'] === true) endpoint.insecureSkipTlsVerify = true;
  const token = user.token ?? (user.tokenFile ? fs.readFileSync(user.tokenFile, 'utf8').trim() : undefined);
  if (token) endpoint.token = token;
  const cert = read(user['client-certificate-data'], user['client-certificate']);
  const key = read(user['client-key-data'], user['client-key']);
  if (cert && key) Object.assign(endpoint, { cert, key });
  return endpoint;
}

export interface Response<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as-is (for YAML bodies). */
  raw?: string;
  contentType?: string;
  /** null: no Authorization header; default the server's token. */
  token?: string | null;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export function call(
  server: Endpoint,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Response> {
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const token = options.token === undefined ? (server.token ?? null) : options.token;
  return new Promise((resolve, reject) => {
    const request = https.request(
      `${server.url}${path}`,
      {
        method,
        ...tlsOptions(server),
        headers: {
          Accept: 'application/json',
          'User-Agent': 'kube-api-server-test/1.0',
          ...(token !== null ? { Authorization: `Bearer ${token}` } : {}),
          ...(payload !== undefined
            ? {
                'Content-Type': options.contentType ?? 'application/json',
                'Content-Length': Buffer.byteLength(payload),
              }
            : {}),
          ...(options.headers ?? {}),
        },
        ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // plain text
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, text });
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('client timeout')));
    request.on('error', reject);
    if (payload !== undefined) request.write(payload);
    request.end();
  });
}

function tlsOptions(endpoint: Endpoint): https.RequestOptions {
  return {
    ...(endpoint.caPem ? { ca: endpoint.caPem } : {}),
    ...(endpoint.cert && endpoint.key ? { cert: endpoint.cert, key: endpoint.key } : {}),
    ...(endpoint.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
  };
}

export interface WatchEvent {
  type: string;
  object: any;
}

export interface WatchHandle {
  status: number;
  events: WatchEvent[];
  /** Resolves once at least `count` events arrived (rejects after timeoutMs). */
  waitFor(count: number, timeoutMs?: number): Promise<WatchEvent[]>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export function watch(server: Endpoint, path: string): Promise<WatchHandle> {
  return new Promise((resolve, reject) => {
    const events: WatchEvent[] = [];
    const waiters: Array<() => void> = [];
    let buffer = '';
    let endResolve: () => void;
    const ended = new Promise<void>((r) => (endResolve = r));
    const request = https.request(
      `${server.url}${path}`,
      {
        method: 'GET',
        ...tlsOptions(server),
        headers: {
          ...(server.token ? { Authorization: `Bearer ${server.token}` } : {}),
          Accept: 'application/json',
        },
      },
      (response) => {
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let newline: number;
          while ((newline = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            if (line.trim()) events.push(JSON.parse(line) as WatchEvent);
          }
          for (const waiter of waiters.splice(0)) waiter();
        });
        response.on('end', () => endResolve());
        response.on('close', () => endResolve());
        resolve({
          status: response.statusCode ?? 0,
          events,
          ended,
          close: () => request.destroy(),
          waitFor: (count, timeoutMs = 5000) =>
            new Promise((resolveWait, rejectWait) => {
              const deadline = setTimeout(
                () =>
                  rejectWait(
                    new Error(
                      `expected ${count} watch events, got ${events.length}: ${JSON.stringify(events.map((e) => e.type))}`,
                    ),
                  ),
                timeoutMs,
              );
              const check = (): void => {
                if (events.length >= count) {
                  clearTimeout(deadline);
                  resolveWait(events);
                } else waiters.push(check);
              };
              check();
            }),
        });
      },
    );
    request.on('error', (error) => {
      endResolve?.();
      reject(error);
    });
    request.end();
  });
}
