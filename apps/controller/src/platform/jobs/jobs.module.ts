import { Global, Module } from '@nestjs/common';
import { JobRunner } from './job-runner.service';

/** BullMQ queues and workers (infrastructure, so global): features declare queues in `<feature>.jobs.ts`. */
@Global()
@Module({ providers: [JobRunner], exports: [JobRunner] })
export class JobsModule {}
