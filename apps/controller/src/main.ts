import { tracing } from './platform/tracing/start-tracing.util';
import 'reflect-metadata';
import fs from 'node:fs';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import pino from 'pino';
import { logFields, logProcessWarnings } from '@lattice/platform';
import { AppModule } from './app.module';
import { prepareInfrastructure } from './platform/bootstrap/infrastructure.util';
import { apiRoleOff } from './platform/http/api-role.middleware';
import { refuseNonJsonBodies, refusePrototypeKeys } from './platform/http/json-only.middleware';
import { createValidationPipe } from './platform/http/validation.pipe';
import { ConfigError, parseControllerEnv } from './platform/config/controller-env.util';
import { ShutdownState } from './platform/health/shutdown-state.service';
import { setUpOpenApi } from './platform/http/openapi.util';
import { graphqlEdge, graphqlTooLargeMessage } from './platform/graphql/graphql-edge.middleware';
import { EdgeBlocklist, expressClientAddress, shieldHttpServer } from './platform/http/edge-shield.util';
import { RedisThrottlerStorage } from './platform/rate-limit/redis-throttler.store';
import { RedisService } from './platform/redis/redis.service';
import { AuthService } from './features/auth/auth.service';
import { MetricsService } from './platform/metrics/metrics.service';
import { startMetricsServer } from './platform/metrics/metrics-server.util';

async function main(): Promise<void> {
  let env;
  try {
    env = parseControllerEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems)
        process.stderr.write(`lattice: configuration error: ${problem}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: env.LOG_LEVEL, base: logFields('lattice-controller') });
  logProcessWarnings(logger);
  fs.mkdirSync(env.LATTICE_DATA_DIR, { recursive: true });

  const infrastructure = await prepareInfrastructure(env, logger);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(infrastructure.config), {
    bufferLogs: true,
    // JSON only (below): no urlencoded parser, so a form post cannot stand in for a JSON body.
    bodyParser: false,
  });
  app.useLogger(app.get(PinoNestLogger));
  app.useGlobalPipes(createValidationPipe());
  if (!env.LATTICE_ROLES.includes('api')) app.use(apiRoleOff(env.LATTICE_ROLES));
  app.use(refuseNonJsonBodies);
  // Callers found over budget are remembered here (until their block ends) and shed by the HTTP
  // server itself before Express, without reading their bodies (edge-shield.util.ts).
  const blocklist = new EdgeBlocklist();
  const metrics = app.get(MetricsService);
  shieldHttpServer(app.getHttpServer(), {
    blocklist,
    paths: ['/graphql'],
    maxBodyBytes: env.LATTICE_GRAPHQL_MAX_BYTES,
    tooLargeMessage: graphqlTooLargeMessage(env.LATTICE_GRAPHQL_MAX_BYTES),
    clientAddress: expressClientAddress(app.getHttpAdapter().getInstance()),
    connectionsPerSecond: env.LATTICE_CONNECTIONS_PER_SECOND_PER_IP,
    onShed: (reason) => metrics.httpShed.inc({ reason }),
  });
  // Before the JSON parser and Apollo: authenticate, rate-limit and bound GraphQL documents first.
  app.use(
    '/graphql',
    graphqlEdge(
      app.get(AuthService, { strict: false }),
      new RedisThrottlerStorage(app.get(RedisService, { strict: false })),
      {
        maxBytes: env.LATTICE_GRAPHQL_MAX_BYTES,
        maxTokens: env.LATTICE_GRAPHQL_MAX_TOKENS,
        requestsPerMinute: env.LATTICE_RATE_LIMIT_PER_MINUTE,
        failedAuthenticationsPerMinute: env.LATTICE_AUTH_FAILURES_PER_MINUTE,
      },
      blocklist,
    ),
  );
  app.useBodyParser('json', { limit: '1mb' });
  app.use(refusePrototypeKeys);
  // Which proxies may set X-Forwarded-For (request.ip, the key of per-IP rate limits); none by default.
  app.set('trust proxy', env.LATTICE_TRUST_PROXY);
  setUpOpenApi(app);
  await app.listen(env.PORT, env.HOST);
  const metricsServer = await startMetricsServer(metrics.registry, env.METRICS_HOST, env.METRICS_PORT);
  logger.info(
    {
      roles: env.LATTICE_ROLES,
      http: `http://localhost:${env.PORT}`,
      docs: `http://localhost:${env.PORT}/docs`,
      metrics: `http://${env.METRICS_HOST}:${metricsServer.port}/metrics`,
    },
    'Lattice controller is listening',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Readiness fails first; serving goes on for SHUTDOWN_DRAIN_MS so load balancers and the
    // Kubernetes endpoints controller stop sending traffic before the listeners close.
    logger.info({ signal, drainMs: env.SHUTDOWN_DRAIN_MS }, 'shutting down: readiness fails, draining');
    app.get(ShutdownState).draining = true;
    const force = setTimeout(
      () => {
        logger.error('graceful shutdown took too long; exiting');
        process.exit(1);
      },
      env.SHUTDOWN_DRAIN_MS + env.SHUTDOWN_GRACE_MS + 5_000,
    );
    force.unref();
    try {
      await new Promise((resolve) => setTimeout(resolve, env.SHUTDOWN_DRAIN_MS));
      logger.info('shutting down: closing listeners and agent streams');
      await metricsServer.close();
      await app.close(); // stops accepting, waits for in-flight requests, closes DB/Redis via module hooks
      await infrastructure.stop();
      await tracing?.shutdown(); // flushes the spans still buffered
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError
      ? error.problems.join('; ')
      : error instanceof Error
        ? error.message
        : String(error);
  process.stderr.write(`lattice: start-up failed: ${message}\n`);
  process.exit(1);
});
