import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AgentGatewayModule } from './agent-gateway/agent-gateway.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AllExceptionsFilter, requestIdFor } from './common/all-exceptions.filter';
import { RUNTIME_CONFIG, type RuntimeConfig } from './config/runtime-config';
import { ClustersModule } from './clusters/clusters.module';
import { ConfigDistributionModule } from './config-distribution/config-distribution.module';
import { GlobalNamespacesModule } from './global-namespaces/global-namespaces.module';
import { LatticeGraphQLModule } from './graphql/graphql.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { PkiModule } from './pki/pki.module';
import { PoliciesModule } from './policies/policies.module';
import { PrismaModule } from './prisma/prisma.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RedisModule } from './redis/redis.module';
import { TenantsModule } from './tenants/tenants.module';
import { SlosModule } from './slos/slos.module';
import { TelemetryModule } from './telemetry/telemetry.module';
import { TokensModule } from './tokens/tokens.module';

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
            genReqId: (req, res) => {
              const id = requestIdFor(req.headers['x-request-id']);
              res.setHeader('X-Request-Id', id);
              return id;
            },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            autoLogging: { ignore: (req) => ['/healthz', '/readyz', '/metrics'].includes(req.url ?? '') },
          },
        }),
        PrismaModule,
        RedisModule,
        MetricsModule,
        HealthModule,
        RateLimitModule,
        AuthModule,
        AuditModule,
        TokensModule,
        TenantsModule,
        TelemetryModule,
        LatticeGraphQLModule,
        PkiModule,
        ClustersModule,
        AgentGatewayModule,
        ConfigDistributionModule,
        GlobalNamespacesModule,
        PoliciesModule,
        SlosModule,
      ],
      providers: [
        { provide: RUNTIME_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
      exports: [RUNTIME_CONFIG],
    };
  }
}
