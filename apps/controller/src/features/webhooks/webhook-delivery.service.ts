import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { openPrivateKey, isEncryptedBlob } from '@lattice/pki';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import type { JobContext } from '../../platform/jobs/jobs.types';
import { sendWebhook } from './webhook-sender.util';
import { WebhooksMetrics } from './webhooks.metrics';
import { WebhooksRepository } from './webhooks.repository';
import { webhookSecretAssociatedData } from './webhook-secret.util';

/**
 * Sends one attempt of a webhook delivery (run by the webhook-delivery job, see webhooks.jobs.ts)
 * and records it on the delivery row for the API. Throws when the attempt failed so that the job
 * is retried; UnrecoverableError when retrying cannot help.
 */
@Injectable()
export class WebhookDeliveryService {
  constructor(
    private readonly webhooks: WebhooksRepository,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    private readonly metrics: WebhooksMetrics,
  ) {}

  async deliver(deliveryId: string, run: Pick<JobContext, 'attempt' | 'maxAttempts'>): Promise<void> {
    const found = await this.webhooks.toSend(deliveryId);
    if (!found) return; // the endpoint (and its deliveries) were deleted
    const { delivery, endpoint } = found;
    if (delivery.status !== 'PENDING') return;
    if (!endpoint.enabled) return this.failForGood(delivery.id, 'endpoint is disabled');
    if (!isEncryptedBlob(endpoint.encryptedSecret))
      return this.failForGood(delivery.id, 'the stored endpoint secret is malformed');
    let secret: string;
    try {
      secret = openPrivateKey(
        endpoint.encryptedSecret,
        this.config.masterKey,
        webhookSecretAssociatedData(endpoint.tenantId, endpoint.id),
      );
    } catch {
      // Another master key, or a secret sealed for another endpoint: no retry can sign this.
      return this.failForGood(
        delivery.id,
        'the stored endpoint secret cannot be opened with this master key',
      );
    }
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
    // A target that is not a public address (perhaps a name re-pointed since creation) stays refused.
    if (result.refused) return this.failForGood(delivery.id, result.error ?? 'refused target');
    const lastAttempt = run.attempt >= run.maxAttempts;
    const status = result.ok ? 'SUCCEEDED' : lastAttempt ? 'FAILED' : 'PENDING';
    this.metrics.deliveryAttempts.inc({
      outcome: status === 'SUCCEEDED' ? 'succeeded' : status === 'FAILED' ? 'failed' : 'retrying',
    });
    await this.webhooks.recordAttempt(delivery.id, {
      status,
      responseCode: result.responseCode,
      error: result.error,
    });
    if (!result.ok) throw new Error(result.error ?? 'delivery failed');
  }

  /** Records the delivery FAILED with its reason and stops the job's retries. */
  private async failForGood(deliveryId: string, reason: string): Promise<never> {
    this.metrics.deliveryAttempts.inc({ outcome: 'failed' });
    await this.webhooks.recordAttempt(deliveryId, { status: 'FAILED', responseCode: null, error: reason });
    throw new UnrecoverableError(reason);
  }
}
