import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { verifyWebhookSignature } from '@lattice/domain';
import { stringify } from 'yaml';
import { AgentProcess } from './support/agent-process';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually } from './support/grpc-agent-client';
import { createTenant, createToken, type TestTenant } from './support/tenants';

/** Half of checkout's requests fail: every minute is a bad time slice, far beyond a 1 % error-rate SLO. */
const FAILING_EDGE = {
  source: { namespace: 'shop', service: 'web' },
  destination: { namespace: 'shop', service: 'checkout' },
  requestsPerSecond: 20,
  errorRatio: 0.5,
  latency: { distribution: 'lognormal' as const, p50Ms: 20, p99Ms: 120 },
};

interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Json = Record<string, unknown>;

/**
 * Synthetic traffic from a real agent, through ingest, the real evaluation job (every 2 s here via
 * LATTICE_SLO_EVALUATION_INTERVAL_SECONDS; it still judges whole minutes) and the delivery queue, to
 * a page reaching a local receiver with a valid signature.
 */
describe('SLOs from agent telemetry to a webhook', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  let agent: AgentProcess;
  let receiver: http.Server;
  const deliveries: Delivery[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      // The receiver is on 127.0.0.1, which a shared deployment refuses by default.
      env: {
        LATTICE_SLO_EVALUATION_INTERVAL_SECONDS: '2',
        LATTICE_WEBHOOK_BACKOFF_SECONDS: '1',
        LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      },
    });
    await controller.start();
    tenant = await createTenant(controller, 'slo');
    receiver = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        deliveries.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await agent?.stop();
    await controller?.stop();
    receiver?.close();
    await database?.drop();
  });

  const graphql = async (token: string, query: string, variables: Json = {}) =>
    (await controller.request('POST', '/graphql', { token, body: { query, variables } })).json as {
      data?: Json;
      errors?: { message: string }[];
    };

  it('pages through a signed webhook when synthetic traffic burns the budget', async () => {
    const editor = await createToken(controller, tenant, 'editor');
    const viewer = await createToken(controller, tenant, 'viewer');
    const created = await controller.request('POST', '/v1/clusters', {
      token: tenant.adminToken,
      body: { name: 'east' },
    });
    const { bootstrap } = created.json as unknown as {
      bootstrap: { token: string; controllerCaPem: string };
    };
    const gns = await controller.request('POST', '/v1/global-namespaces', {
      token: tenant.adminToken,
      body: {
        name: 'shop',
        domain: 'shop.lattice.local',
        matchConditions: [
          { cluster: { type: 'EXACT', value: 'east' }, namespace: { type: 'EXACT', value: 'shop' } },
        ],
      },
    });
    const gnsId = (gns.json as { id: string }).id;
    const trafficFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'slo-traffic-')), 'traffic.yaml');
    fs.writeFileSync(trafficFile, stringify({ seed: 7, edges: [FAILING_EDGE] }));
    agent = new AgentProcess('east', {
      controllerAddress: () => controller.grpcAddress,
      caPem: bootstrap.controllerCaPem,
      bootstrapToken: bootstrap.token,
      extraArgs: ['--telemetry-synthetic', trafficFile, '--telemetry-interval-seconds', '1'],
    });
    agent.writeInventory({
      namespaces: [{ name: 'shop' }],
      services: [
        { namespace: 'shop', name: 'checkout', ports: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
        { namespace: 'shop', name: 'web', ports: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
      ],
    });
    agent.start();
    await eventually(
      async () =>
        (await controller.request('GET', `/v1/global-namespaces/${gnsId}/services`, { token: viewer.token }))
          .json as { items?: { name: string }[] },
      (body) => (body.items ?? []).some((service) => service.name === 'checkout'),
      60_000,
    );

    const hook = await controller.request('POST', '/v1/webhooks', {
      token: editor.token,
      body: { name: 'oncall', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/lattice` },
    });
    expect(hook.status).toBe(201);
    const {
      id: webhookId,
      secret,
      secretHint,
    } = hook.json as { id: string; secret: string; secretHint: string };
    expect(secretHint.endsWith(secret.slice(-4))).toBe(true);
    const shown = await controller.request('GET', `/v1/webhooks/${webhookId}`, { token: editor.token });
    expect(shown.text).not.toContain(secret);
    expect(
      (await controller.request('GET', `/v1/webhooks/${webhookId}`, { token: viewer.token })).status,
    ).toBe(403);

    // Validation names the field; a service outside the GNS is refused.
    const definition = {
      name: 'checkout-availability',
      gnsId,
      services: ['checkout'],
      indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
      targetPercent: 99.9,
      window: '30d',
      type: 'ACTIONABLE',
    };
    const invalid = await controller.request('POST', '/v1/slos', {
      token: editor.token,
      body: { ...definition, targetPercent: 100, services: ['payments'] },
    });
    expect(invalid.status).toBe(400);
    expect((invalid.json.errors as { field: string }[]).map((error) => error.field)).toEqual([
      'targetPercent',
    ]);
    const outside = await controller.request('POST', '/v1/slos', {
      token: editor.token,
      body: { ...definition, services: ['payments'] },
    });
    expect(outside.status).toBe(400);
    expect(outside.json.errors).toEqual([
      { field: 'services[0]', message: expect.stringContaining('payments is not a member service') },
    ]);
    expect(
      (await controller.request('POST', '/v1/slos', { token: viewer.token, body: definition })).status,
    ).toBe(403);

    const createdAround = Date.now();
    const creation = await graphql(
      editor.token,
      `
        mutation ($input: SloInput!) {
          createSlo(input: $input) {
            id
            version
            status {
              health
            }
          }
        }
      `,
      { input: definition },
    );
    expect(creation.errors).toBeUndefined();
    const slo = creation.data!.createSlo as { id: string; version: number; status: null };
    expect(slo.status).toBeNull();

    // The first complete minute of traffic is one bad time slice: 1h burn 16.7x and 5m burn 200x page.
    const fired = await eventually(
      async () => deliveries.filter((delivery) => delivery.headers['x-lattice-event'] === 'slo.alert.fired'),
      (found) => found.length > 0,
      180_000,
    );
    const page = fired[0]!;
    expect(
      verifyWebhookSignature(
        page.headers['x-lattice-signature'] as string,
        secret,
        page.body,
        Math.floor(Date.now() / 1000),
      ),
    ).toBe(true);
    expect(
      verifyWebhookSignature(
        page.headers['x-lattice-signature'] as string,
        secret,
        `${page.body} `,
        Math.floor(Date.now() / 1000),
      ),
    ).toBe(false);
    const payload = JSON.parse(page.body) as {
      type: string;
      alert: { rule: string; severity: string; shortWindowBurnRate: number };
      slo: { id: string; name: string };
    };
    expect(payload).toMatchObject({
      type: 'slo.alert.fired',
      alert: { rule: 'PAGE_1H_5M', severity: 'PAGE' },
      slo: { id: slo.id, name: 'checkout-availability' },
    });
    expect(payload.alert.shortWindowBurnRate).toBeGreaterThan(14.4);

    const now = Date.now();
    const to = new Date(Math.ceil(now / 60_000) * 60_000).toISOString();
    const from = new Date(Math.ceil(now / 60_000) * 60_000 - 10 * 60_000).toISOString();
    const answer = await graphql(
      viewer.token,
      `
        query ($id: ID!, $gns: ID!, $from: DateTime!, $to: DateTime!) {
          slo(id: $id) {
            name
            status {
              health
              compliance
              budget {
                consumedFraction
                remainingSeconds
                totalSeconds
              }
              burnRates {
                window
                rate
              }
              indicators {
                kind
                value
                holds
              }
              activeAlerts {
                rule
                severity
              }
              coverage {
                evaluatedFrom
                backfilling
                hourlyUntil
                catchingUpFrom
              }
            }
            history(from: $from, to: $to, step: 60) {
              timestamp
              badMinutes
              sli
              budgetRemainingFraction
            }
            events(first: 10) {
              nodes {
                type
                rule
                severity
              }
            }
          }
          slos(gnsId: $gns) {
            nodes {
              id
            }
          }
        }
      `,
      { id: slo.id, gns: gnsId, from, to },
    );
    expect(answer.errors).toBeUndefined();
    const view = answer.data!.slo as {
      status: {
        health: string;
        budget: { consumedFraction: number; totalSeconds: number };
        burnRates: { window: string; rate: number }[];
        indicators: { value: number; holds: boolean }[];
        activeAlerts: { rule: string }[];
        coverage: {
          evaluatedFrom: string;
          backfilling: boolean;
          hourlyUntil: string | null;
          catchingUpFrom: string | null;
        };
      };
      history: { badMinutes: number; sli: number | null }[];
      events: { nodes: { type: string; rule: string }[] };
    };
    expect(view.status.health).toBe('WARNING');
    expect(view.status.activeAlerts.map((alert) => alert.rule)).toContain('PAGE_1H_5M');
    expect(view.status.budget.totalSeconds).toBeCloseTo(2592, 6);
    expect(view.status.budget.consumedFraction).toBeGreaterThan(0);
    expect(view.status.burnRates.map((rate) => rate.window)).toEqual([
      'FIVE_MINUTES',
      'THIRTY_MINUTES',
      'ONE_HOUR',
      'TWO_HOURS',
      'SIX_HOURS',
      'ONE_DAY',
      'THREE_DAYS',
    ]);
    expect(view.events.nodes).toContainEqual({ type: 'FIRED', rule: 'PAGE_1H_5M', severity: 'PAGE' });
    // The series job backfilled from before the SLO existed (all of it per minute).
    expect(view.status.coverage).toMatchObject({
      backfilling: false,
      hourlyUntil: null,
      catchingUpFrom: null,
    });
    expect(Date.parse(view.status.coverage.evaluatedFrom)).toBeLessThan(createdAround);
    expect(controller.logs).not.toMatch(/SLO (series )?job failed/);
    expect(view.history.some((point) => point.badMinutes === 1 && point.sli === 0)).toBe(true);
    expect(answer.data!.slos).toEqual({ nodes: [{ id: slo.id }] });

    const delivered = await eventually(
      async () =>
        (await controller.request('GET', `/v1/webhooks/${webhookId}/deliveries`, { token: editor.token }))
          .json as { items: Json[] },
      (body) => body.items.some((item) => item.status === 'SUCCEEDED'),
      20_000,
    );
    expect(delivered.items.find((item) => item.eventType === 'slo.alert.fired')).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 1,
      responseCode: 204,
      lastError: null,
    });

    // REST: optimistic concurrency with ETag / If-Match, and every change in the audit log.
    const current = await controller.request('GET', `/v1/slos/${slo.id}`, { token: viewer.token });
    expect(current.headers.get('etag')).toMatch(/^"1-[\w-]+"$/);
    expect(current.json).toMatchObject({
      id: slo.id,
      budgeting: 'TIME_SLICES',
      status: { health: 'WARNING' },
    });
    const stricter = { ...definition, targetPercent: 99.5 };
    expect(
      (await controller.request('PUT', `/v1/slos/${slo.id}`, { token: editor.token, body: stricter })).status,
    ).toBe(428);
    const updated = await controller.request('PUT', `/v1/slos/${slo.id}`, {
      token: editor.token,
      body: stricter,
      headers: { 'if-match': '"1"' },
    });
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toMatch(/^"2-[\w-]+"$/);
    expect(
      (
        await controller.request('PUT', `/v1/slos/${slo.id}`, {
          token: editor.token,
          body: stricter,
          headers: { 'if-match': '"1"' },
        })
      ).status,
    ).toBe(412);
    const stale = await graphql(
      editor.token,
      `
        mutation ($id: ID!, $input: SloInput!) {
          updateSlo(id: $id, version: 1, input: $input) {
            id
          }
        }
      `,
      { id: slo.id, input: stricter },
    );
    expect(stale.errors?.[0]?.message).toMatch(/changed since you read it/);
    const audit = await controller.request('GET', '/v1/audit-events?limit=100', { token: tenant.adminToken });
    const actions = (audit.json.items as { action: string; resourceId: string }[])
      .filter((event) => [slo.id, webhookId].includes(event.resourceId))
      .map((event) => event.action);
    expect(actions.sort()).toEqual(['slo.create', 'slo.update', 'webhook.create']);

    // Another tenant sees neither the SLO nor the webhook.
    const other = await createTenant(controller, 'slo-other');
    expect((await controller.request('GET', `/v1/slos/${slo.id}`, { token: other.adminToken })).status).toBe(
      404,
    );
    const foreign = await graphql(
      other.adminToken,
      `
        query ($id: ID!) {
          slo(id: $id) {
            id
          }
        }
      `,
      { id: slo.id },
    );
    expect(foreign.errors?.[0]?.message).toMatch(/not found/);

    const deleted = await graphql(
      editor.token,
      `
        mutation ($id: ID!) {
          deleteSlo(id: $id, version: 2)
        }
      `,
      { id: slo.id },
    );
    expect(deleted.data).toEqual({ deleteSlo: true });
    expect((await controller.request('GET', `/v1/slos/${slo.id}`, { token: viewer.token })).status).toBe(404);
  }, 300_000);
});
