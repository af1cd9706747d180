import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One Prometheus registry per controller process (not the global one, so tests can build several apps). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'lattice_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly connectedAgents = new Gauge({
    name: 'lattice_connected_agents',
    help: 'Agent streams connected to this controller process',
    registers: [this.registry],
  });

  readonly grpcMessages = new Counter({
    name: 'lattice_grpc_agent_messages_total',
    help: 'Messages received from agents by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly grpcMessagesSent = new Counter({
    name: 'lattice_grpc_agent_messages_sent_total',
    help: 'Messages sent to agents by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly httpShed = new Counter({
    name: 'lattice_http_shed_total',
    help: 'Requests refused (413, 429) and connections closed by the HTTP server before Express, by reason (credential, address, too-large, connections)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Standard names (process_*, nodejs_*), so stock Node.js dashboards and alerts work unchanged.
    collectDefaultMetrics({ register: this.registry });
  }
}
