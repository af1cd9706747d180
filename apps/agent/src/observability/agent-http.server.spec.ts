import { EventEmitter } from 'node:events';
import type { AgentStatus } from '../agent';
import { logProcessWarnings } from '../logger';
import { RecordingLogger } from '../testing/agent.test-fixtures';
import { AgentHttpServer } from './agent-http.server';
import { AgentMetrics } from './agent-metrics.service';

describe('AgentHttpServer', () => {
  let status: AgentStatus;
  let metrics: AgentMetrics;
  let server: AgentHttpServer;
  let base: string;

  beforeEach(async () => {
    status = {
      state: 'registering',
      clusterId: undefined,
      appliedVersion: 0,
      inventoryRevision: 0,
      inventorySynced: false,
      telemetryBacklog: 0,
      certificateNotAfterMs: undefined,
    };
    metrics = new AgentMetrics(() => status);
    server = new AgentHttpServer(() => status, metrics, new RecordingLogger());
    base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });
  afterEach(() => server.close());

  it('answers /healthz while the process runs', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz 503 with the reasons until connected (or serving a snapshot) with an inventory', async () => {
    const before = await fetch(`${base}/readyz`);
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({
      status: 'not ready',
      reasons: [
        'not connected to the controller (registering) and no snapshot applied yet',
        'the inventory has not been read yet',
      ],
    });
    status = { ...status, state: 'connected', inventorySynced: true };
    const after = await fetch(`${base}/readyz`);
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ status: 'ready', reasons: [], connection: 'connected' });
  });

  it('serves Prometheus metrics: process metrics, the agent status and measured applies', async () => {
    status = {
      ...status,
      state: 'connected',
      appliedVersion: 12,
      inventorySynced: true,
      telemetryBacklog: 3,
    };
    const sink = metrics.measure({
      apply: async (objects) => {
        if (objects.length > 0) throw new Error('forbidden');
      },
    });
    await sink.apply([]);
    await expect(sink.apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }])).rejects.toThrow(
      'forbidden',
    );
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    for (const line of [
      'lattice_agent_applied_snapshot_version 12',
      'lattice_agent_controller_connected 1',
      'lattice_agent_connection_state{state="connected"} 1',
      'lattice_agent_connection_state{state="backing-off"} 0',
      'lattice_agent_inventory_synced 1',
      'lattice_agent_telemetry_backlog_batches 3',
      'lattice_agent_apply_errors_total 1',
      'lattice_agent_apply_duration_seconds_count{result="success"} 1',
      'lattice_agent_apply_duration_seconds_count{result="error"} 1',
    ])
      expect(text).toContain(`\n${line}\n`);
    expect(text).toMatch(/\nprocess_resident_memory_bytes \d+/);
    expect(text).toMatch(/\nlattice_agent_info\{version="[^"]+"\} 1\n/);
  });

  it('answers unknown paths 404 and other methods 405, naming what works', async () => {
    const missing = await fetch(`${base}/status`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: 'no such endpoint /status; try /healthz, /readyz or /metrics',
    });
    const post = await fetch(`${base}/readyz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses a port that is taken with the reason', async () => {
    const port = Number(new URL(base).port);
    const second = new AgentHttpServer(() => status, metrics, new RecordingLogger());
    await expect(second.listen(port, '127.0.0.1')).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('logProcessWarnings', () => {
  it('turns process warnings into log records instead of text on stderr', () => {
    const target = new EventEmitter();
    target.on('warning', () => {
      throw new Error('the default printer must be gone');
    });
    const logger = new RecordingLogger();
    logProcessWarnings(logger, target as unknown as NodeJS.Process);
    const tlsWarning = Object.assign(new Error('Setting the TLS ServerName to an IP address …'), {
      name: 'DeprecationWarning',
      code: 'DEP0123',
    });
    target.emit('warning', tlsWarning);
    target.emit(
      'warning',
      Object.assign(new Error('Buffer() is deprecated'), { name: 'DeprecationWarning', code: 'DEP0005' }),
    );
    expect(logger.records).toEqual([
      {
        level: 'debug',
        message: 'Setting the TLS ServerName to an IP address …',
        fields: { warning: 'DeprecationWarning', code: 'DEP0123' },
      },
      {
        level: 'warn',
        message: 'Buffer() is deprecated',
        fields: { warning: 'DeprecationWarning', code: 'DEP0005' },
      },
    ]);
  });
});
