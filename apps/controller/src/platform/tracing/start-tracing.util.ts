// Imported first by main.ts: instrumentation patches libraries as they are loaded, so the SDK
// must start before anything imports http, express, graphql, grpc, pg, ioredis or Prisma.
import { startTracing } from './tracing.util';

export const tracing = startTracing();
