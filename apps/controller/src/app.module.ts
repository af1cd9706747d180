import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { logFields } from '@lattice/platform';
import { AgentGatewayModule } from './features/agent-gateway/agent-gateway.module';
import { AuditModule } from './features/audit/audit.module';
import { AuthModule } from './features/auth/auth.module';
import { AllExceptionsFilter } from './platform/http/all-exceptions.filter';
import { RequestContextModule } from './platform/http/request-context.module';
import { assignRequestId } from './platform/http/request-context.util';
import { RUNTIME_CONFIG, type RuntimeConfig } from './platform/config/runtime-config.types';
import { ClustersModule } from './features/clusters/clusters.module';
import { ConfigDistributionModule } from './features/config-distribution/config-distribution.module';
import { GlobalNamespacesModule } from './features/global-namespaces/global-namespaces.module';
import { LatticeGraphQLModule } from './platform/graphql/graphql.module';
import { EventsModule } from './platform/events/events.module';
import { HealthModule } from './platform/health/health.module';
import { JobsModule } from './platform/jobs/jobs.module';
import { MetricsModule } from './platform/metrics/metrics.module';
import { AgentIdentityModule } from './features/agent-identity/agent-identity.module';
import { PoliciesModule } from './features/policies/policies.module';
import { AutoscalingModule } from './features/autoscaling/autoscaling.module';
import { PrismaModule } from './platform/database/prisma.module';
import { RateLimitModule } from './platform/rate-limit/rate-limit.module';
import { RedisModule } from './platform/redis/redis.module';
import { TenantsModule } from './features/tenants/tenants.module';
import { SlosModule } from './features/slos/slos.module';
import { TelemetryModule } from './features/telemetry/telemetry.module';
import { DeclarativeModule } from './features/declarative/declarative.module';
import { IdempotencyModule } from './platform/idempotency/idempotency.module';
import { MeshDiagnosticsModule } from './features/mesh-diagnostics/mesh-diagnostics.module';
import { ConsoleModule } from './platform/console/console.module';

@Module({})
export class AppModule {
  static forRoot(config: RuntimeConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.env.LOG_LEVEL,
            base: logFields('lattice-controller'),
            genReqId: (req, res) => assignRequestId(req, res),
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            autoLogging: { ignore: (req) => ['/healthz', '/readyz', '/metrics'].includes(req.url ?? '') },
          },
        }),
        RequestContextModule,
        PrismaModule,
        RedisModule,
        MetricsModule,
        JobsModule,
        EventsModule,
        HealthModule,
        RateLimitModule,
        IdempotencyModule,
        AuthModule,
        AuditModule,
        TenantsModule,
        TelemetryModule,
        LatticeGraphQLModule,
        AgentIdentityModule,
        ClustersModule,
        AgentGatewayModule,
        ConfigDistributionModule,
        GlobalNamespacesModule,
        PoliciesModule,
        AutoscalingModule,
        SlosModule,
        DeclarativeModule,
        MeshDiagnosticsModule,
        ConsoleModule,
      ],
      providers: [
        { provide: RUNTIME_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
      exports: [RUNTIME_CONFIG],
    };
  }
}
