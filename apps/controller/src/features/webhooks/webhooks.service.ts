import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  DomainError,
  isDnsLabel,
  validateWebhookEventTypes,
  validateWebhookUrl,
  WEBHOOK_EVENT_TYPES,
  webhookTestEvent,
  type WebhookEventType,
} from '@lattice/domain';
import { sealPrivateKey } from '@lattice/pki';
import { AuditService } from '../audit/audit.service';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { TransactionRunner, type Transaction } from '../../platform/database/transaction.service';
import { mapPage, type Page, type PageRequest } from '../../platform/http/pagination.util';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { WebhooksJobs } from './webhooks.jobs';
import { newWebhookSecret, webhookSecretAssociatedData } from './webhook-secret.util';
import {
  toDeliveryView,
  toWebhookView,
  type CreatedWebhookView,
  type WebhookDeliveryView,
  type WebhookView,
} from './webhooks.dto';
import { WebhooksRepository, type NewDelivery, type WebhookSpec } from './webhooks.repository';
import { resolveWithTimeout, webhookTargetProblem } from './webhook-target.util';

/** How long creating or replacing a webhook waits for its host name to resolve. */
const TARGET_RESOLVE_TIMEOUT_MS = 5_000;

export interface WebhookInput {
  name: unknown;
  url: unknown;
  eventTypes?: unknown;
  enabled?: unknown;
}

const RESOURCE = 'webhook';

@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly webhooks: WebhooksRepository,
    private readonly jobs: WebhooksJobs,
    private readonly audit: AuditService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async create(actor: TenantPrincipal, input: WebhookInput): Promise<CreatedWebhookView> {
    const spec = await this.checkedSpec(input);
    const id = randomUUID();
    const { secret, hint } = newWebhookSecret();
    const encrypted = sealPrivateKey(
      secret,
      this.config.masterKey,
      webhookSecretAssociatedData(actor.tenantId, id),
    );
    const row = await this.transactions.run(async (tx) => {
      const created = await this.webhooks.create(actor.tenantId, spec, { id, encrypted, hint }, tx);
      await this.audit.record(
        actor,
        { action: 'webhook.create', resourceType: 'webhook', resourceId: id, after: toWebhookView(created) },
        tx,
      );
      return created;
    });
    return { ...toWebhookView(row), secret };
  }

  /**
   * A valid spec whose target is a public address (a literal, or every address its name resolves
   * to), unless private networks are allowed. Delivery checks again at connect time.
   */
  private async checkedSpec(input: WebhookInput): Promise<WebhookSpec> {
    const spec = validSpec(input);
    if (this.config.env.LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS) return spec;
    const timeoutMs = Math.min(TARGET_RESOLVE_TIMEOUT_MS, this.config.env.LATTICE_WEBHOOK_TIMEOUT_MS);
    const problem = await webhookTargetProblem(spec.url, resolveWithTimeout(timeoutMs));
    if (problem) throw DomainError.validation([{ field: 'url', message: problem }]);
    return spec;
  }

  /** Lookup by name within the tenant: the id, or null. */
  idByName(tenantId: string, name: string): Promise<string | null> {
    return this.webhooks.idByName(tenantId, name);
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<WebhookView>> {
    return mapPage(await this.webhooks.list(tenantId, page), toWebhookView);
  }

  async get(tenantId: string, id: string): Promise<WebhookView> {
    const row = await this.webhooks.find(tenantId, id);
    if (!row) throw DomainError.notFound(RESOURCE, id);
    return toWebhookView(row);
  }

  async replace(
    actor: TenantPrincipal,
    id: string,
    expectedVersion: number,
    input: WebhookInput,
  ): Promise<WebhookView> {
    const spec = await this.checkedSpec(input);
    const row = await this.transactions.run(async (tx) => {
      const before = await this.webhooks.find(actor.tenantId, id, tx);
      if (!before) throw DomainError.notFound(RESOURCE, id);
      if (before.version !== expectedVersion) throw stale(before.version, expectedVersion);
      const after = await this.webhooks.replaceIfVersion(actor.tenantId, id, expectedVersion, spec, tx);
      if (!after) throw stale(before.version, expectedVersion);
      await this.audit.record(
        actor,
        {
          action: 'webhook.update',
          resourceType: 'webhook',
          resourceId: id,
          before: toWebhookView(before),
          after: toWebhookView(after),
        },
        tx,
      );
      return after;
    });
    return toWebhookView(row);
  }

  async delete(actor: TenantPrincipal, id: string): Promise<void> {
    await this.transactions.run(async (tx) => {
      const before = await this.webhooks.find(actor.tenantId, id, tx);
      if (!before || !(await this.webhooks.delete(actor.tenantId, id, tx)))
        throw DomainError.notFound(RESOURCE, id);
      await this.audit.record(
        actor,
        { action: 'webhook.delete', resourceType: 'webhook', resourceId: id, before: toWebhookView(before) },
        tx,
      );
    });
  }

  async deliveries(tenantId: string, id: string, page: PageRequest): Promise<Page<WebhookDeliveryView>> {
    await this.get(tenantId, id);
    return mapPage(await this.webhooks.deliveries(tenantId, id, page), toDeliveryView);
  }

  /** Sends a `webhook.test` event now; to a disabled endpoint it fails visibly instead. */
  async test(actor: TenantPrincipal, id: string): Promise<WebhookDeliveryView> {
    const endpoint = await this.get(actor.tenantId, id);
    const delivery = await this.webhooks.createTestDelivery(
      actor.tenantId,
      id,
      webhookTestEvent(randomUUID(), endpoint, Date.now()),
    );
    await this.jobs.enqueue([delivery.id]);
    return toDeliveryView(delivery);
  }

  /** Inside the caller's transaction: deliveries for new events. Enqueue the returned ids after commit. */
  createDeliveries(tx: Transaction, deliveries: readonly NewDelivery[]): Promise<string[]> {
    return this.webhooks.createDeliveries(tx, deliveries);
  }

  /** Enqueues deliveries; if Redis refuses, they are picked up again by enqueueOrphans. */
  async enqueue(deliveryIds: readonly string[]): Promise<void> {
    await this.jobs
      .enqueue(deliveryIds)
      .catch((error: unknown) =>
        this.logger.error({ err: error, count: deliveryIds.length }, 'enqueuing webhook deliveries failed'),
      );
  }

  async enqueueOrphans(nowMs: number): Promise<void> {
    await this.enqueue(await this.webhooks.orphanedDeliveryIds(nowMs - 2 * 60_000));
  }
}

function validSpec(input: WebhookInput): WebhookSpec {
  const eventTypes = input.eventTypes ?? [...WEBHOOK_EVENT_TYPES];
  const problems = [
    ...(typeof input.name === 'string' && isDnsLabel(input.name)
      ? []
      : [
          {
            field: 'name',
            message:
              'must be 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit',
          },
        ]),
    ...validateWebhookUrl(input.url),
    ...validateWebhookEventTypes(eventTypes),
    ...(input.enabled === undefined || typeof input.enabled === 'boolean'
      ? []
      : [{ field: 'enabled', message: 'must be true or false' }]),
  ];
  if (problems.length > 0) throw DomainError.validation(problems);
  return {
    name: input.name as string,
    url: input.url as string,
    eventTypes: [...new Set(eventTypes as WebhookEventType[])],
    enabled: (input.enabled as boolean | undefined) ?? true,
  };
}

function stale(current: number, expected: number): DomainError {
  return new DomainError(
    'PRECONDITION_FAILED',
    `the webhook changed since you read it (you sent version ${expected}, it is now at ${current}): GET it again and reapply your edit`,
  );
}
