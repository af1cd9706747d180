import { Injectable } from '@nestjs/common';
import { DomainError, type WebhookEventType } from '@lattice/domain';
import { Prisma, type WebhookDelivery, type WebhookEndpoint } from '../../generated/prisma/client';
import { cursorWhere, pageOf, type Page, type PageRequest } from '../../platform/http/pagination.util';
import { isUniqueViolation, type Db } from '../../platform/database/db.util';
import { PrismaService } from '../../platform/database/prisma.service';

export interface WebhookSpec {
  name: string;
  url: string;
  eventTypes: WebhookEventType[];
  enabled: boolean;
}

export interface NewDelivery {
  tenantId: string;
  eventId: string;
  eventType: WebhookEventType;
  payload: unknown;
}

export interface DeliveryToSend {
  delivery: WebhookDelivery;
  endpoint: WebhookEndpoint;
}

export interface AttemptOutcome {
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  responseCode: number | null;
  error: string | null;
}

/** Webhook endpoints and deliveries; tenant id first in every tenant-facing query. */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(
    tenantId: string,
    spec: WebhookSpec,
    secret: { encrypted: unknown; hint: string; id: string },
    db: Db,
  ): Promise<WebhookEndpoint> {
    return db.webhookEndpoint
      .create({
        data: {
          id: secret.id,
          tenantId,
          ...spec,
          encryptedSecret: secret.encrypted as Prisma.InputJsonValue,
          secretHint: secret.hint,
        },
      })
      .catch(rethrowNameTaken(spec.name));
  }

  find(tenantId: string, id: string, db: Db = this.prisma): Promise<WebhookEndpoint | null> {
    return db.webhookEndpoint.findFirst({ where: { tenantId, id } });
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<WebhookEndpoint>> {
    const rows = await this.prisma.webhookEndpoint.findMany({
      where: { tenantId, ...cursorWhere(page) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return pageOf(rows, page.limit);
  }

  async replaceIfVersion(
    tenantId: string,
    id: string,
    expectedVersion: number,
    spec: WebhookSpec,
    db: Db,
  ): Promise<WebhookEndpoint | null> {
    const rows = await db.webhookEndpoint
      .updateManyAndReturn({
        where: { tenantId, id, version: expectedVersion },
        data: { ...spec, version: { increment: 1 } },
      })
      .catch(rethrowNameTaken(spec.name));
    return rows[0] ?? null;
  }

  async delete(tenantId: string, id: string, db: Db): Promise<boolean> {
    return (await db.webhookEndpoint.deleteMany({ where: { tenantId, id } })).count > 0;
  }

  async deliveries(tenantId: string, webhookId: string, page: PageRequest): Promise<Page<WebhookDelivery>> {
    const rows = await this.prisma.webhookDelivery.findMany({
      where: { tenantId, webhookId, ...cursorWhere(page) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: page.limit + 1,
    });
    return pageOf(rows, page.limit);
  }

  async createTestDelivery(tenantId: string, webhookId: string, payload: unknown): Promise<WebhookDelivery> {
    return this.prisma.webhookDelivery.create({
      data: { tenantId, webhookId, eventType: 'webhook.test', payload: payload as Prisma.InputJsonValue },
    });
  }

  /**
   * One delivery per new event and enabled endpoint of its tenant that subscribed to its type; an
   * event already delivered to an endpoint is skipped. Returns the ids to enqueue.
   */
  async createDeliveries(db: Db, deliveries: readonly NewDelivery[]): Promise<string[]> {
    if (deliveries.length === 0) return [];
    const rows = await db.$queryRawUnsafe<{ id: string }[]>(
      `INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, event_type, payload)
       SELECT gen_random_uuid(), w.tenant_id, w.id, e.event_id, e.event_type, e.payload
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[]) AS e(tenant_id, event_id, event_type, payload)
       JOIN webhook_endpoints w ON w.tenant_id = e.tenant_id AND w.enabled AND e.event_type = ANY(w.event_types)
       ON CONFLICT (webhook_id, event_id) DO NOTHING
       RETURNING id::text AS id`,
      deliveries.map((delivery) => delivery.tenantId),
      deliveries.map((delivery) => delivery.eventId),
      deliveries.map((delivery) => delivery.eventType),
      deliveries.map((delivery) => JSON.stringify(delivery.payload)),
    );
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
    return { delivery: rest, endpoint: webhook };
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

function rethrowNameTaken(name: string) {
  return (error: unknown): never => {
    if (isUniqueViolation(error)) throw webhookNameTaken(name);
    throw error;
  };
}
