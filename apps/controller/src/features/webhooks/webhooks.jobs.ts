import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { defineQueue } from '../../platform/jobs/jobs.types';
import { WebhookDeliveryService } from './webhook-delivery.service';

export const webhookDeliveryQueue = defineQueue({
  name: 'webhook-delivery',
  jobs: { deliver: z.object({ deliveryId: z.uuid() }) },
  concurrency: 10,
});

/**
 * One job per delivery (job id = delivery id, so enqueuing twice is harmless), retried with
 * exponential backoff (LATTICE_WEBHOOK_BACKOFF_SECONDS × 2^(attempt−1)) up to
 * LATTICE_WEBHOOK_MAX_ATTEMPTS.
 */
@Injectable()
export class WebhooksJobs {
  constructor(
    private readonly jobs: JobRunner,
    delivery: WebhookDeliveryService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {
    jobs.register(webhookDeliveryQueue, {
      handlers: { deliver: ({ deliveryId }, run) => delivery.deliver(deliveryId, run) },
    });
  }

  async enqueue(deliveryIds: readonly string[]): Promise<void> {
    const env = this.config.env;
    await this.jobs.enqueueBulk(
      webhookDeliveryQueue,
      deliveryIds.map((deliveryId) => ({
        name: 'deliver',
        payload: { deliveryId },
        options: {
          jobId: deliveryId,
          attempts: env.LATTICE_WEBHOOK_MAX_ATTEMPTS,
          backoff: { type: 'exponential', delay: env.LATTICE_WEBHOOK_BACKOFF_SECONDS * 1000 },
          removeOnComplete: 1000,
          removeOnFail: 1000,
        },
      })),
    );
  }
}
