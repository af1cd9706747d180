import { randomUUID } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import Ajv2020 from 'ajv/dist/2020';
import { Client } from 'pg';
import { isEncryptedBlob, openPrivateKey } from '@lattice/pki';
import type { SloAlertWebhookEvent } from '@lattice/domain';
import schema from '../../../../../docs/schemas/webhook-event.schema.json';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { compileFeatureModule } from '../../../../../test/support/feature-module';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { RuntimeConfig } from '../../platform/config/runtime-config.types';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { TransactionRunner } from '../../platform/database/transaction.service';
import { webhookSecretAssociatedData } from './webhook-secret.util';
import { WebhooksModule } from './webhooks.module';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
const validateEvent = ajv.compile(schema);

/**
 * WebhooksService on its own module and a scratch database: validation, the secret shown once and
 * sealed for its endpoint, optimistic concurrency, audit, tenancy, test deliveries and the fan-out
 * of events to subscribed endpoints. No delivery worker runs.
 */
describe('WebhooksService', () => {
  let database: TestDatabase;
  let config: RuntimeConfig;
  let moduleRef: TestingModule;
  let strictModuleRef: TestingModule;
  let sql: Client;
  let webhooks: WebhooksService;
  let actor: TenantPrincipal;
  let stranger: TenantPrincipal;
  const url = 'https://hooks.example.test/lattice';

  const alertEvent = (id: string, type: SloAlertWebhookEvent['type']): SloAlertWebhookEvent => ({
    id,
    type,
    occurredAt: new Date().toISOString(),
    alert: {
      rule: 'PAGE_1H_5M',
      severity: 'PAGE',
      threshold: 14.4,
      longWindowBurnRate: 20,
      shortWindowBurnRate: 200,
    },
    slo: {
      id: randomUUID(),
      name: 'checkout',
      gnsId: randomUUID(),
      services: ['checkout'],
      type: 'MONITORED',
      targetPercent: 99.9,
      window: '30d',
      status: 'WARNING',
      budgetRemainingFraction: 0.9,
    },
  });
  const auditActions = async (resourceId: string) =>
    (
      await sql.query(`SELECT action FROM audit_events WHERE resource_id = $1 ORDER BY action`, [resourceId])
    ).rows.map((row: { action: string }) => row.action);

  beforeAll(async () => {
    database = await createTestDatabase();
    const defaults = testRuntimeConfig(database.url);
    // hooks.example.test does not resolve: the target check is tested on its own, with strict defaults.
    config = { ...defaults, env: { ...defaults.env, LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: true } };
    moduleRef = await compileFeatureModule(WebhooksModule, config);
    strictModuleRef = await compileFeatureModule(WebhooksModule, defaults);
    webhooks = moduleRef.get(WebhooksService);
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
    actor = await tenant('hooks-a');
    stranger = await tenant('hooks-b');
  });

  afterAll(async () => {
    await sql?.end();
    await moduleRef?.close();
    await strictModuleRef?.close();
    await database?.drop();
  });

  it('creates an endpoint subscribed to every event by default, showing its secret once and sealing it for that endpoint', async () => {
    const created = await webhooks.create(actor, { name: 'oncall', url });
    expect(created).toMatchObject({
      name: 'oncall',
      url,
      eventTypes: ['slo.alert.fired', 'slo.alert.resolved'],
      enabled: true,
      version: 1,
    });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.secretHint).toBe(`whsec_…${created.secret.slice(-4)}`);
    const shown = await webhooks.get(actor.tenantId, created.id);
    expect(shown).not.toHaveProperty('secret');
    const stored = await moduleRef.get(WebhooksRepository).find(actor.tenantId, created.id);
    expect(isEncryptedBlob(stored!.encryptedSecret)).toBe(true);
    expect(
      openPrivateKey(
        stored!.encryptedSecret!,
        config.masterKey,
        webhookSecretAssociatedData(actor.tenantId, created.id),
      ),
    ).toBe(created.secret);
    expect(await auditActions(created.id)).toEqual(['webhook.create']);
  });

  it('refuses targets that are not public addresses at creation and replacement, naming the reason', async () => {
    const strict = strictModuleRef.get(WebhooksService);
    const refused = async (url: string, message: string | RegExp) =>
      expect(strict.create(actor, { name: 'private', url })).rejects.toMatchObject({
        code: 'VALIDATION',
        fields: [{ field: 'url', message: expect.stringMatching(message) }],
      });
    await refused('http://10.0.0.1/hook', /^refused: 10\.0\.0\.1 is in the private \(RFC 1918\) range/);
    await refused('http://[::a00:1]/hook', /IPv4-compatible \(::\/96\) range embedding 10\.0\.0\.1/);
    await refused('http://[64:ff9b::7f00:1]/hook', /NAT64 .* embedding 127\.0\.0\.1 \(loopback\)/);
    await refused('http://[2002:a9fe:a9fe::]/hook', /6to4 .* embedding 169\.254\.169\.254 \(link-local\)/);
    await refused(
      'http://localhost:8080/hook',
      /^refused: localhost: (127\.0\.0\.1|::1) is in the loopback range/,
    );
    await refused(
      'https://nothing.invalid/hook',
      /^nothing\.invalid (does not resolve|did not resolve within)/,
    );
    const created = await webhooks.create(actor, { name: 'was-public', url: 'https://8.8.8.8/hook' });
    await expect(
      strict.replace(actor, created.id, 1, { name: 'was-public', url: 'http://192.168.1.1/hook' }),
    ).rejects.toMatchObject({ code: 'VALIDATION', fields: [{ field: 'url' }] });
    const allowed = await strict.create(actor, { name: 'public', url: 'https://8.8.4.4/hook' });
    expect(allowed.url).toBe('https://8.8.4.4/hook');
    // Nothing is delivered here; remove them so the fan-out test below sees its own endpoints only.
    await webhooks.delete(actor, created.id);
    await webhooks.delete(actor, allowed.id);
  });

  it('refuses invalid specs and a taken name', async () => {
    await expect(
      webhooks.create(actor, { name: 'Bad Name', url: 'ftp://x', eventTypes: ['nope'], enabled: 'yes' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: [{ field: 'name' }, { field: 'url' }, { field: 'eventTypes[0]' }, { field: 'enabled' }],
    });
    await expect(webhooks.create(actor, { name: 'oncall', url })).rejects.toMatchObject({
      code: 'CONFLICT',
      fields: [{ field: 'name', message: 'is taken' }],
    });
  });

  it('replaces at the current version only, keeping the secret, and deletes with audit records', async () => {
    const created = await webhooks.create(actor, { name: 'tickets', url });
    await expect(webhooks.replace(actor, created.id, 2, { name: 'tickets', url })).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
    });
    const replaced = await webhooks.replace(actor, created.id, 1, {
      name: 'tickets',
      url,
      eventTypes: ['slo.alert.resolved'],
      enabled: false,
    });
    expect(replaced).toMatchObject({
      version: 2,
      eventTypes: ['slo.alert.resolved'],
      enabled: false,
      secretHint: created.secretHint,
    });
    await expect(webhooks.replace(actor, created.id, 2, { name: 'oncall', url })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(webhooks.delete(stranger, created.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await webhooks.delete(actor, created.id);
    await expect(webhooks.get(actor.tenantId, created.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await auditActions(created.id)).toEqual(['webhook.create', 'webhook.delete', 'webhook.update']);
  });

  it('queues a test delivery whose payload is a webhook.test event', async () => {
    const [endpoint] = (await webhooks.list(actor.tenantId, { limit: 10 })).items;
    const delivery = await webhooks.test(actor, endpoint!.id);
    expect(delivery).toMatchObject({
      webhookId: endpoint!.id,
      eventId: null,
      eventType: 'webhook.test',
      status: 'PENDING',
      attempts: 0,
    });
    expect(delivery.payload).toEqual({
      id: expect.any(String),
      type: 'webhook.test',
      occurredAt: expect.any(String),
      webhook: { id: endpoint!.id, name: 'oncall' },
      sentAt: expect.any(String),
    });
    expect(validateEvent(delivery.payload)).toBe(true);
    expect((await webhooks.deliveries(actor.tenantId, endpoint!.id, { limit: 10 })).items).toEqual([
      delivery,
    ]);
    await expect(webhooks.deliveries(stranger.tenantId, endpoint!.id, { limit: 10 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(webhooks.test(stranger, endpoint!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('fans events out to the enabled endpoints of their tenant that subscribed to their type, once', async () => {
    const resolvedOnly = await webhooks.create(actor, {
      name: 'resolutions',
      url,
      eventTypes: ['slo.alert.resolved'],
    });
    const disabled = await webhooks.create(actor, { name: 'disabled', url, enabled: false });
    const foreign = await webhooks.create(stranger, { name: 'oncall', url });
    const [oncall] = (await webhooks.list(actor.tenantId, { limit: 1 })).items;
    const fired = { tenantId: actor.tenantId, eventId: randomUUID(), eventType: 'slo.alert.fired' as const };
    const resolved = {
      tenantId: actor.tenantId,
      eventId: randomUUID(),
      eventType: 'slo.alert.resolved' as const,
    };
    const deliveries = [
      { ...fired, payload: alertEvent(fired.eventId, fired.eventType) },
      { ...resolved, payload: alertEvent(resolved.eventId, resolved.eventType) },
    ];
    const transactions = moduleRef.get(TransactionRunner);
    const ids = await transactions.run((tx) => webhooks.createDeliveries(tx, deliveries));
    expect(ids).toHaveLength(3);
    expect(await transactions.run((tx) => webhooks.createDeliveries(tx, deliveries))).toEqual([]);

    const rows = await sql.query(
      `SELECT webhook_id, event_id, payload FROM webhook_deliveries WHERE event_id IS NOT NULL ORDER BY webhook_id, event_id`,
    );
    const received = rows.rows
      .map((row: { webhook_id: string; event_id: string }) => `${row.webhook_id}:${row.event_id}`)
      .sort();
    expect(received).toEqual(
      [
        `${oncall!.id}:${fired.eventId}`,
        `${oncall!.id}:${resolved.eventId}`,
        `${resolvedOnly.id}:${resolved.eventId}`,
      ].sort(),
    );
    for (const id of [disabled.id, foreign.id])
      expect(received.some((entry: string) => entry.startsWith(id))).toBe(false);
    for (const row of rows.rows as { payload: unknown }[]) expect(validateEvent(row.payload)).toBe(true);
  });
});
