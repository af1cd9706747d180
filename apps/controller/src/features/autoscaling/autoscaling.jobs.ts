import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { defineQueue } from '../../platform/jobs/jobs.types';
import { AutoscalingService } from './autoscaling.service';

/** Decision events are kept this long. */
export const AUTOSCALING_EVENT_RETENTION_DAYS = 30;

export const autoscalingQueue = defineQueue({
  name: 'autoscaling',
  jobs: { retention: z.object({}) },
  concurrency: 1,
});

/** Hourly retention of decision events (each tick runs on one replica). */
@Injectable()
export class AutoscalingJobs {
  constructor(jobs: JobRunner, autoscaling: AutoscalingService) {
    jobs.register(autoscalingQueue, {
      handlers: { retention: () => autoscaling.applyRetention(AUTOSCALING_EVENT_RETENTION_DAYS) },
      schedules: [
        {
          id: 'autoscaling-retention',
          job: 'retention',
          pattern: '37 * * * *',
          options: { removeOnComplete: 100, removeOnFail: 100 },
        },
      ],
    });
  }
}
