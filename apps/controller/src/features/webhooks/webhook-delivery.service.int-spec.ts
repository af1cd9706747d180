import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestingModule } from '@nestjs/testing';
import { UnrecoverableError } from 'bullmq';
import { Client } from 'pg';
import { verifyWebhookSignature, webhookSignature, WEBHOOK_SIGNATURE_HEADER } from '@lattice/domain';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { compileFeatureModule } from '../../../../../test/support/feature-module';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import type { RuntimeConfig } from '../../platform/config/runtime-config.types';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { webhookDeliveryQueue } from './webhooks.jobs';
import { WebhooksModule } from './webhooks.module';
import { WebhooksRepository, type WebhookDeliveryRecord } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** What the local receiver was sent: the raw body exactly as received, and the headers. */
interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A receiver on 127.0.0.1: answers 200 on /ok, 503 (with a body) on /unavailable, and records every
 * request it got.
 */
async function startReceiver(): Promise<{ server: http.Server; port: number; received: ReceivedRequest[] }> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '';
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (path.startsWith('/ok')) {
        response.writeHead(200).end('thanks');
      } else {
        response.writeHead(503, { 'Content-Type': 'text/plain' }).end('receiver overloaded');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, received };
}

/** A port on 127.0.0.1 nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}

/**
 * WebhookDeliveryService on the webhooks module alone and a scratch database, driven directly (no
 * queue worker runs) against a local HTTP receiver: signing, the recorded outcome of each attempt,
 * the retry policy, the refusal of non-public receivers and tenant separation.
 */
describe('WebhookDeliveryService', () => {
  let database: TestDatabase;
  /** Private networks allowed, so the receiver on 127.0.0.1 can be reached. */
  let config: RuntimeConfig;
  let moduleRef: TestingModule;
  /** The same database and master key with the default: non-public receivers refused. */
  let strictModuleRef: TestingModule;
  let sql: Client;
  let webhooks: WebhooksService;
  let repository: WebhooksRepository;
  let delivery: WebhookDeliveryService;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let actor: TenantPrincipal;
  let stranger: TenantPrincipal;

  const receiverUrl = (path: string) => `http://127.0.0.1:${receiver.port}${path}`;
  /** The delivery as the deliveries API reads it (tenant-scoped, newest first). */
  const stored = async (tenantId: string, webhookId: string, id: string): Promise<WebhookDeliveryRecord> => {
    const found = (await repository.deliveries(tenantId, webhookId, { limit: 100 })).items.find(
      (item) => item.id === id,
    );
    if (!found) throw new Error(`delivery ${id} not found for tenant ${tenantId}`);
    return found;
  };
  /** An endpoint and a queued webhook.test delivery to it, both made through WebhooksService. */
  const endpointWithDelivery = async (owner: TenantPrincipal, name: string, path: string) => {
    const endpoint = await webhooks.create(owner, { name, url: receiverUrl(path) });
    const queued = await webhooks.test(owner, endpoint.id);
    return { endpoint, deliveryId: queued.id };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const defaults = testRuntimeConfig(database.url);
    expect(defaults.env.LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS).toBe(false);
    config = { ...defaults, env: { ...defaults.env, LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: true } };
    moduleRef = await compileFeatureModule(WebhooksModule, config);
    strictModuleRef = await compileFeatureModule(WebhooksModule, defaults);
    webhooks = moduleRef.get(WebhooksService);
    repository = moduleRef.get(WebhooksRepository);
    delivery = moduleRef.get(WebhookDeliveryService);
    receiver = await startReceiver();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    const tenant = async (name: string): Promise<TenantPrincipal> => ({
      kind: 'token',
      tenantId: (
        await sql.query(`INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), $1) RETURNING id`, [name])
      ).rows[0].id as string,
      tokenId: randomUUID(),
      tokenName: 'test-admin',
      role: 'admin',
    });
    actor = await tenant('deliveries-a');
    stranger = await tenant('deliveries-b');
  });

  afterAll(async () => {
    await moduleRef?.get(JobRunner).queue(webhookDeliveryQueue).obliterate({ force: true });
    await sql?.end();
    await new Promise<void>((resolve) => (receiver ? receiver.server.close(() => resolve()) : resolve()));
    await strictModuleRef?.close();
    await moduleRef?.close();
    await database?.drop();
  });

  beforeEach(() => {
    receiver.received.length = 0;
  });

  it('queues each delivery as a job retried per the configured policy (attempts, exponential backoff)', async () => {
    const { deliveryId } = await endpointWithDelivery(actor, 'policy', '/ok/policy');
    const job = await moduleRef.get(JobRunner).queue(webhookDeliveryQueue).getJob(deliveryId);
    expect(job?.data).toEqual({ deliveryId });
    expect(job?.opts).toMatchObject({
      jobId: deliveryId,
      attempts: config.env.LATTICE_WEBHOOK_MAX_ATTEMPTS,
      backoff: { type: 'exponential', delay: config.env.LATTICE_WEBHOOK_BACKOFF_SECONDS * 1000 },
    });
  });

  it('signs the exact body with the endpoint secret; a 2xx marks the delivery delivered, and a re-run sends nothing', async () => {
    const { endpoint, deliveryId } = await endpointWithDelivery(actor, 'oncall', '/ok/oncall');
    const before = await stored(actor.tenantId, endpoint.id, deliveryId);

    await delivery.deliver(deliveryId, { attempt: 1, maxAttempts: 3 });

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request!.path).toBe('/ok/oncall');
    expect(request!.body).toBe(JSON.stringify(before.payload));
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Lattice-Webhooks/1',
      'x-lattice-event': 'webhook.test',
      'x-lattice-delivery': deliveryId,
    });
    // docs/webhooks.md: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
    const header = request!.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string;
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    expect(match).not.toBeNull();
    const timestamp = Number(match![1]);
    expect(Math.abs(Date.now() / 1000 - timestamp)).toBeLessThanOrEqual(60);
    expect(match![2]).toBe(webhookSignature(endpoint.secret, timestamp, request!.body));
    expect(
      verifyWebhookSignature(header, endpoint.secret, request!.body, Math.floor(Date.now() / 1000)),
    ).toBe(true);
    expect(
      verifyWebhookSignature(header, endpoint.secret, `${request!.body} `, Math.floor(Date.now() / 1000)),
    ).toBe(false);

    const after = await stored(actor.tenantId, endpoint.id, deliveryId);
    expect(after).toMatchObject({ status: 'SUCCEEDED', attempts: 1, responseCode: 200, lastError: null });
    expect(after.deliveredAt).toBeInstanceOf(Date);
    expect(after.lastAttemptAt).toBeInstanceOf(Date);

    // The job may run again (e.g. after a lost acknowledgement): a settled delivery is not sent again.
    await delivery.deliver(deliveryId, { attempt: 2, maxAttempts: 3 });
    expect(receiver.received).toHaveLength(1);
    expect(await stored(actor.tenantId, endpoint.id, deliveryId)).toEqual(after);
  });

  it('records a 5xx as a failed attempt to retry (the error is thrown), and FAILED on the last attempt', async () => {
    const { endpoint, deliveryId } = await endpointWithDelivery(actor, 'flaky', '/unavailable');

    await expect(delivery.deliver(deliveryId, { attempt: 1, maxAttempts: 2 })).rejects.toThrow(
      'receiver answered 503: receiver overloaded',
    );
    expect(await stored(actor.tenantId, endpoint.id, deliveryId)).toMatchObject({
      status: 'PENDING',
      attempts: 1,
      responseCode: 503,
      lastError: 'receiver answered 503: receiver overloaded',
      deliveredAt: null,
    });

    const retry = delivery.deliver(deliveryId, { attempt: 2, maxAttempts: 2 });
    await expect(retry).rejects.toThrow('receiver answered 503');
    await expect(retry).rejects.not.toBeInstanceOf(UnrecoverableError);
    expect(await stored(actor.tenantId, endpoint.id, deliveryId)).toMatchObject({
      status: 'FAILED',
      attempts: 2,
      responseCode: 503,
      deliveredAt: null,
    });
    expect(receiver.received.map((request) => request.headers['x-lattice-delivery'])).toEqual([
      deliveryId,
      deliveryId,
    ]);

    // Once FAILED, a stray run sends nothing more.
    await delivery.deliver(deliveryId, { attempt: 2, maxAttempts: 2 });
    expect(receiver.received).toHaveLength(2);
  });

  it('records a refused connection (no response code) as an attempt to retry', async () => {
    const port = await closedPort();
    const endpoint = await webhooks.create(actor, { name: 'gone', url: `http://127.0.0.1:${port}/hook` });
    const { id: deliveryId } = await webhooks.test(actor, endpoint.id);

    await expect(delivery.deliver(deliveryId, { attempt: 1, maxAttempts: 8 })).rejects.toThrow(
      /ECONNREFUSED/,
    );
    const after = await stored(actor.tenantId, endpoint.id, deliveryId);
    expect(after).toMatchObject({ status: 'PENDING', attempts: 1, responseCode: null, deliveredAt: null });
    expect(after.lastError).toMatch(/ECONNREFUSED/);
  });

  it('refuses non-public receivers with the reason unless private networks are allowed, also for a name that resolves to one', async () => {
    const strict = strictModuleRef.get(WebhookDeliveryService);
    const byAddress = await endpointWithDelivery(actor, 'loopback', '/ok/loopback');
    const byName = await webhooks.create(actor, {
      name: 'by-name',
      url: `http://localhost:${receiver.port}/ok/by-name`,
    });
    const { id: byNameDeliveryId } = await webhooks.test(actor, byName.id);

    await expect(strict.deliver(byAddress.deliveryId, { attempt: 1, maxAttempts: 8 })).rejects.toThrow(
      'refused: 127.0.0.1 is in the loopback range, not a public address (LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true allows receivers on private networks)',
    );
    expect(await stored(actor.tenantId, byAddress.endpoint.id, byAddress.deliveryId)).toMatchObject({
      // Refused for good at the first attempt: retrying cannot make the address public.
      status: 'FAILED',
      attempts: 1,
      responseCode: null,
      lastError:
        'refused: 127.0.0.1 is in the loopback range, not a public address (LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true allows receivers on private networks)',
    });
    // A host name is checked after DNS resolution, at connect time.
    await expect(strict.deliver(byNameDeliveryId, { attempt: 1, maxAttempts: 8 })).rejects.toThrow(
      /^refused: localhost: (127\.0\.0\.1|::1) is in the loopback range, not a public address/,
    );
    expect(await stored(actor.tenantId, byName.id, byNameDeliveryId)).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      responseCode: null,
    });
    expect(receiver.received).toEqual([]);

    // No retry: the refusal is an UnrecoverableError for the job runner.
    const again = await webhooks.test(actor, byAddress.endpoint.id);
    await expect(strict.deliver(again.id, { attempt: 1, maxAttempts: 8 })).rejects.toBeInstanceOf(
      UnrecoverableError,
    );

    // The same endpoint, private networks allowed (the module under test): delivered.
    const allowed = await webhooks.test(actor, byAddress.endpoint.id);
    await delivery.deliver(allowed.id, { attempt: 1, maxAttempts: 8 });
    expect(await stored(actor.tenantId, byAddress.endpoint.id, allowed.id)).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 1,
      responseCode: 200,
      lastError: null,
    });
    expect(receiver.received.map((request) => request.path)).toEqual(['/ok/loopback']);
  });

  it('fails a delivery to a disabled endpoint for good, without sending it', async () => {
    const { endpoint, deliveryId } = await endpointWithDelivery(actor, 'paused', '/ok/paused');
    await webhooks.replace(actor, endpoint.id, 1, { name: 'paused', url: endpoint.url, enabled: false });

    await expect(delivery.deliver(deliveryId, { attempt: 1, maxAttempts: 8 })).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    expect(await stored(actor.tenantId, endpoint.id, deliveryId)).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      responseCode: null,
      lastError: 'endpoint is disabled',
    });
    expect(receiver.received).toEqual([]);
  });

  it("sends a delivery to its own tenant's endpoint only, signed with that endpoint's secret", async () => {
    // deliver() takes no tenant: the delivery row names its endpoint, and the endpoint its tenant and secret.
    const ours = await endpointWithDelivery(actor, 'tenancy', '/ok/tenant-a');
    const theirs = await endpointWithDelivery(stranger, 'tenancy', '/ok/tenant-b');

    await delivery.deliver(theirs.deliveryId, { attempt: 1, maxAttempts: 8 });
    expect(receiver.received.map((request) => request.path)).toEqual(['/ok/tenant-b']);
    const [request] = receiver.received;
    const header = request!.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string;
    const now = Math.floor(Date.now() / 1000);
    expect(verifyWebhookSignature(header, theirs.endpoint.secret, request!.body, now)).toBe(true);
    expect(verifyWebhookSignature(header, ours.endpoint.secret, request!.body, now)).toBe(false);

    expect(await stored(stranger.tenantId, theirs.endpoint.id, theirs.deliveryId)).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 1,
    });
    expect(await stored(actor.tenantId, ours.endpoint.id, ours.deliveryId)).toMatchObject({
      status: 'PENDING',
      attempts: 0,
      lastAttemptAt: null,
    });
    // Neither tenant reads the other's deliveries.
    expect((await repository.deliveries(actor.tenantId, theirs.endpoint.id, { limit: 100 })).items).toEqual(
      [],
    );
    await expect(
      webhooks.deliveries(actor.tenantId, theirs.endpoint.id, { limit: 100 }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("does not sign with a secret sealed for another tenant's endpoint (copied into this endpoint's row)", async () => {
    const ours = await endpointWithDelivery(actor, 'sealed', '/ok/sealed-a');
    const theirs = await endpointWithDelivery(stranger, 'sealed', '/ok/sealed-b');
    await sql.query(
      `UPDATE webhook_endpoints SET encrypted_secret = (SELECT encrypted_secret FROM webhook_endpoints WHERE id = $1) WHERE id = $2`,
      [ours.endpoint.id, theirs.endpoint.id],
    );

    await expect(delivery.deliver(theirs.deliveryId, { attempt: 1, maxAttempts: 8 })).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    expect(receiver.received).toEqual([]);
    // Failed for good with the reason, not left PENDING to be re-queued without one.
    expect(await stored(stranger.tenantId, theirs.endpoint.id, theirs.deliveryId)).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      lastError: 'the stored endpoint secret cannot be opened with this master key',
      deliveredAt: null,
    });
  });

  it('does nothing for a delivery that no longer exists (its endpoint was deleted)', async () => {
    const { endpoint, deliveryId } = await endpointWithDelivery(actor, 'deleted', '/ok/deleted');
    await webhooks.delete(actor, endpoint.id);
    await expect(delivery.deliver(deliveryId, { attempt: 1, maxAttempts: 8 })).resolves.toBeUndefined();
    await expect(delivery.deliver(randomUUID(), { attempt: 1, maxAttempts: 8 })).resolves.toBeUndefined();
    expect(receiver.received).toEqual([]);
  });
});
