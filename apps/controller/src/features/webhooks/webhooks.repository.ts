import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { DomainError, type WebhookEvent, type WebhookEventType } from '@lattice/domain';
import { isEncryptedBlob, type EncryptedBlob } from '@lattice/pki';
import { Prisma, type WebhookDelivery, type WebhookEndpoint } from '../../generated/prisma/client';
import { cursorWhere, pageOf, type Page, type PageRequest } from '../../platform/http/pagination.util';
import { rethrowUniqueViolation } from '../../platform/database/db.util';
import { PrismaService } from '../../platform/database/prisma.service';
import { dbOf, transactionClient, type Transaction } from '../../platform/database/transaction.service';

export interface WebhookSpec {
  name: string;
  url: string;
  eventTypes: WebhookEventType[];
  enabled: boolean;
}

/** A webhook endpoint as stored. */
export interface WebhookEndpointRecord {
  id: string;
  tenantId: string;
  name: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  /** The signing secret sealed under the master key, opened only to sign; null when the stored value is malformed. */
  encryptedSecret: EncryptedBlob | null;
  secretHint: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type WebhookDeliveryStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

/** One delivery of an event to an endpoint, as stored. */
export interface WebhookDeliveryRecord {
  id: string;
  tenantId: string;
  webhookId: string;
  /** The SLO event delivered; null for test deliveries. */
  eventId: string | null;
  eventType: string;
  /** The JSON body sent, exactly as it was built (a WebhookEvent when it was written). */
  payload: z.core.util.JSONType;
  status: WebhookDeliveryStatus;
  attempts: number;
  responseCode: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

export interface NewDelivery {
  tenantId: string;
  eventId: string;
  eventType: WebhookEventType;
  payload: WebhookEvent;
}

export interface DeliveryToSend {
  delivery: WebhookDeliveryRecord;
  endpoint: WebhookEndpointRecord;
}

export interface AttemptOutcome {
  status: WebhookDeliveryStatus;
  responseCode: number | null;
  error: string | null;
}

/**
 * webhook_deliveries.payload, decoded here only. Any JSON passes: the body is sent byte for byte as
 * it was built when the event happened (older rows predate fields added since), never reshaped.
 */
const deliveryPayloadSchema = z.json();

/** webhook_endpoints.encrypted_secret, decoded here only. */
const encryptedSecretSchema = z.custom<EncryptedBlob>((value) => isEncryptedBlob(value));

/** Webhook endpoints and deliveries; tenant id first in every tenant-facing query. */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(
    tenantId: string,
    spec: WebhookSpec,
    secret: { encrypted: EncryptedBlob; hint: string; id: string },
    tx: Transaction,
  ): Promise<WebhookEndpointRecord> {
    const row = await transactionClient(tx)
      .webhookEndpoint.create({
        data: {
          id: secret.id,
          tenantId,
          ...spec,
          encryptedSecret: { ...secret.encrypted },
          secretHint: secret.hint,
        },
      })
      .catch(rethrowUniqueViolation(() => webhookNameTaken(spec.name)));
    return endpointOf(row);
  }

  async find(tenantId: string, id: string, tx?: Transaction): Promise<WebhookEndpointRecord | null> {
    const row = await dbOf(this.prisma, tx).webhookEndpoint.findFirst({ where: { tenantId, id } });
    return row && endpointOf(row);
  }

  /** The id of the tenant's resource with this name (names are unique per tenant), or null. */
  async idByName(tenantId: string, name: string): Promise<string | null> {
    const row = await this.prisma.webhookEndpoint.findFirst({
      where: { tenantId, name },
      select: { id: true },
    });
    return row?.id ?? null;
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<WebhookEndpointRecord>> {
    const rows = await this.prisma.webhookEndpoint.findMany({
      where: { tenantId, ...cursorWhere(page) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return pageOf(rows.map(endpointOf), page.limit);
  }

  async replaceIfVersion(
    tenantId: string,
    id: string,
    expectedVersion: number,
    spec: WebhookSpec,
    tx: Transaction,
  ): Promise<WebhookEndpointRecord | null> {
    const rows = await transactionClient(tx)
      .webhookEndpoint.updateManyAndReturn({
        where: { tenantId, id, version: expectedVersion },
        data: { ...spec, version: { increment: 1 } },
      })
      .catch(rethrowUniqueViolation(() => webhookNameTaken(spec.name)));
    return rows[0] ? endpointOf(rows[0]) : null;
  }

  async delete(tenantId: string, id: string, tx: Transaction): Promise<boolean> {
    return (await transactionClient(tx).webhookEndpoint.deleteMany({ where: { tenantId, id } })).count > 0;
  }

  async deliveries(
    tenantId: string,
    webhookId: string,
    page: PageRequest,
  ): Promise<Page<WebhookDeliveryRecord>> {
    const rows = await this.prisma.webhookDelivery.findMany({
      where: { tenantId, webhookId, ...cursorWhere(page) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: page.limit + 1,
    });
    return pageOf(rows.map(deliveryOf), page.limit);
  }

  async createTestDelivery(
    tenantId: string,
    webhookId: string,
    payload: WebhookEvent,
  ): Promise<WebhookDeliveryRecord> {
    const row = await this.prisma.webhookDelivery.create({
      data: { tenantId, webhookId, eventType: payload.type, payload: jsonOf(payload) },
    });
    return deliveryOf(row);
  }

  /**
   * One delivery per new event and enabled endpoint of its tenant that subscribed to its type; an
   * event already delivered to an endpoint is skipped. Returns the ids to enqueue.
   */
  async createDeliveries(tx: Transaction, deliveries: readonly NewDelivery[]): Promise<string[]> {
    if (deliveries.length === 0) return [];
    const rows = await transactionClient(tx).$queryRaw<{ id: string }[]>(Prisma.sql`
      INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, event_type, payload)
      SELECT gen_random_uuid(), w.tenant_id, w.id, e.event_id, e.event_type, e.payload
      FROM unnest(${deliveries.map((delivery) => delivery.tenantId)}::uuid[], ${deliveries.map((delivery) => delivery.eventId)}::uuid[],
                  ${deliveries.map((delivery) => delivery.eventType)}::text[],
                  ${deliveries.map((delivery) => JSON.stringify(delivery.payload))}::jsonb[])
        AS e(tenant_id, event_id, event_type, payload)
      JOIN webhook_endpoints w ON w.tenant_id = e.tenant_id AND w.enabled AND e.event_type = ANY(w.event_types)
      ON CONFLICT (webhook_id, event_id) DO NOTHING
      RETURNING id::text AS id`);
    return rows.map((row) => row.id);
  }

  /** Deliveries never attempted although created a while ago: their job was lost (e.g. Redis refused it). */
  async orphanedDeliveryIds(createdBeforeMs: number): Promise<string[]> {
    const rows = await this.prisma.webhookDelivery.findMany({
      where: { status: 'PENDING', attempts: 0, createdAt: { lt: new Date(createdBeforeMs) } },
      select: { id: true },
      take: 1000,
    });
    return rows.map((row) => row.id);
  }

  /** The delivery job's read: a system job, by the delivery's id. */
  async toSend(deliveryId: string): Promise<DeliveryToSend | null> {
    const delivery = await this.prisma.webhookDelivery.findUnique({
      where: { id: deliveryId },
      include: { webhook: true },
    });
    if (!delivery) return null;
    const { webhook, ...rest } = delivery;
    return { delivery: deliveryOf(rest), endpoint: endpointOf(webhook) };
  }

  async recordAttempt(deliveryId: string, outcome: AttemptOutcome): Promise<void> {
    await this.prisma.webhookDelivery.updateMany({
      where: { id: deliveryId },
      data: {
        status: outcome.status,
        attempts: { increment: 1 },
        responseCode: outcome.responseCode,
        lastError: outcome.error,
        lastAttemptAt: new Date(),
        ...(outcome.status === 'SUCCEEDED' ? { deliveredAt: new Date() } : {}),
      },
    });
  }
}

export function webhookNameTaken(name: string): DomainError {
  return new DomainError('CONFLICT', `a webhook named ${name} already exists`, [
    { field: 'name', message: 'is taken' },
  ]);
}

function endpointOf(row: WebhookEndpoint): WebhookEndpointRecord {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    url: row.url,
    eventTypes: row.eventTypes,
    enabled: row.enabled,
    encryptedSecret: encryptedSecretSchema.safeParse(row.encryptedSecret).data ?? null,
    secretHint: row.secretHint,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function deliveryOf(row: WebhookDelivery): WebhookDeliveryRecord {
  return {
    id: row.id,
    tenantId: row.tenantId,
    webhookId: row.webhookId,
    eventId: row.eventId,
    eventType: row.eventType,
    payload: deliveryPayloadSchema.parse(row.payload),
    status: row.status,
    attempts: row.attempts,
    responseCode: row.responseCode,
    lastError: row.lastError,
    lastAttemptAt: row.lastAttemptAt,
    deliveredAt: row.deliveredAt,
    createdAt: row.createdAt,
  };
}

/** A built event as a JSON column value: exactly what JSON.stringify sends. */
function jsonOf(event: WebhookEvent): Prisma.InputJsonValue {
  const json: Prisma.InputJsonValue = JSON.parse(JSON.stringify(event));
  return json;
}
