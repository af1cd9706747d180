import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { openPrivateKey, isEncryptedBlob } from '@lattice/pki';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { RedisService } from '../../platform/redis/redis.service';
import { sendWebhook } from './webhook-sender';
import { WebhooksRepository } from './webhooks.repository';
import { webhookSecretAssociatedData } from './webhook-secret';

export const WEBHOOK_DELIVERY_QUEUE = 'webhook-delivery';

/**
 * One BullMQ job per delivery (job id = delivery id, so enqueuing twice is harmless), retried with
 * exponential backoff (LATTICE_WEBHOOK_BACKOFF_SECONDS × 2^(attempt−1)) up to
 * LATTICE_WEBHOOK_MAX_ATTEMPTS. Every attempt is recorded on the delivery row for the API.
 */
@Injectable()
export class WebhookDeliveryQueue implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDeliveryQueue.name);
  private queue?: Queue;
  private worker?: Worker;

  constructor(
    private readonly redis: RedisService,
    private readonly webhooks: WebhooksRepository,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const prefix = this.redis.prefix;
    this.queue = new Queue(WEBHOOK_DELIVERY_QUEUE, { connection: this.redis.connectionForQueue(), prefix });
    this.worker = new Worker(WEBHOOK_DELIVERY_QUEUE, (job: Job<{ deliveryId: string }>) => this.deliver(job), {
      connection: this.redis.connectionForQueue(),
      prefix,
      concurrency: 10,
    });
    this.worker.on('failed', (job, error) => this.logger.warn({ delivery: job?.id, attempt: job?.attemptsMade, err: error.message }, 'webhook delivery attempt failed'));
  }

  async enqueue(deliveryIds: readonly string[]): Promise<void> {
    if (!this.queue || deliveryIds.length === 0) return;
    const env = this.config.env;
    await this.queue.addBulk(
      deliveryIds.map((deliveryId) => ({
        name: 'deliver',
        data: { deliveryId },
        opts: {
          jobId: deliveryId,
          attempts: env.LATTICE_WEBHOOK_MAX_ATTEMPTS,
          backoff: { type: 'exponential', delay: env.LATTICE_WEBHOOK_BACKOFF_SECONDS * 1000 },
          removeOnComplete: 1000,
          removeOnFail: 1000,
        },
      })),
    );
  }

  private async deliver(job: Job<{ deliveryId: string }>): Promise<void> {
    const found = await this.webhooks.toSend(job.data.deliveryId);
    if (!found) return; // the endpoint (and its deliveries) were deleted
    const { delivery, endpoint } = found;
    if (delivery.status !== 'PENDING') return;
    if (!endpoint.enabled) {
      await this.webhooks.recordAttempt(delivery.id, { status: 'FAILED', responseCode: null, error: 'endpoint is disabled' });
      throw new UnrecoverableError('endpoint is disabled');
    }
    if (!isEncryptedBlob(endpoint.encryptedSecret)) throw new UnrecoverableError('stored webhook secret is malformed');
    const secret = openPrivateKey(endpoint.encryptedSecret, this.config.masterKey, webhookSecretAssociatedData(endpoint.tenantId, endpoint.id));
    const result = await sendWebhook({
      url: endpoint.url,
      secret,
      deliveryId: delivery.id,
      eventType: delivery.eventType,
      body: JSON.stringify(delivery.payload),
      timeoutMs: this.config.env.LATTICE_WEBHOOK_TIMEOUT_MS,
      nowSeconds: Math.floor(Date.now() / 1000),
      allowPrivateNetworks: this.config.env.LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS,
    });
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await this.webhooks.recordAttempt(delivery.id, {
      status: result.ok ? 'SUCCEEDED' : lastAttempt ? 'FAILED' : 'PENDING',
      responseCode: result.responseCode,
      error: result.error,
    });
    if (!result.ok) throw new Error(result.error ?? 'delivery failed');
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }
}
