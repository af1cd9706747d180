import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentStatus } from '../agent';
import { errorMessage, type AgentLogger } from '../logger';
import type { AgentMetrics } from './agent-metrics.service';
import { agentReadiness } from './agent-readiness.util';

/**
 * The agent's HTTP endpoints for Kubernetes probes and Prometheus:
 * - `GET /healthz`: 200 while the process serves requests (liveness);
 * - `GET /readyz`: 200 when ready, 503 with the reasons otherwise (see agentReadiness);
 * - `GET /metrics`: Prometheus text exposition.
 * Answers are small JSON documents (text for /metrics); anything else is 404, other methods 405.
 */
export class AgentHttpServer {
  private readonly server: http.Server;

  constructor(
    private readonly status: () => AgentStatus,
    private readonly metrics: AgentMetrics,
    private readonly logger: AgentLogger,
  ) {
    this.server = http.createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.logger.error({ err: errorMessage(error), url: request.url }, 'health/metrics request failed');
        if (!response.headersSent) send(response, 500, { error: 'internal error' });
        else response.destroy();
      });
    });
    // Probes and scrapes are short; do not let an idle or slow client hold a socket.
    this.server.requestTimeout = 10_000;
    this.server.headersTimeout = 10_000;
  }

  /** Resolves with the bound port (useful with port 0). */
  async listen(port: number, host?: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (!['/healthz', '/readyz', '/metrics'].includes(path ?? '')) {
      send(response, 404, { error: `no such endpoint ${path}; try /healthz, /readyz or /metrics` });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      send(response, 405, { error: `${request.method} is not allowed; use GET` });
      return;
    }
    if (path === '/healthz') {
      send(response, 200, { status: 'ok' });
    } else if (path === '/readyz') {
      const status = this.status();
      const { ready, reasons } = agentReadiness(status);
      send(response, ready ? 200 : 503, {
        status: ready ? 'ready' : 'not ready',
        reasons,
        connection: status.state,
        appliedVersion: status.appliedVersion,
        inventorySynced: status.inventorySynced,
      });
    } else {
      const { contentType, body } = await this.metrics.exposition();
      response.writeHead(200, { 'content-type': contentType });
      response.end(request.method === 'HEAD' ? undefined : body);
    }
  }
}

function send(response: http.ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(`${JSON.stringify(body)}\n`);
}
