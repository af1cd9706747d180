import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import {
  TelemetryQueryService,
  type TopServicesOrder as TopServicesOrderValue,
} from './telemetry-query.service';
import { checkFirst, listComplexity, seriesComplexity } from '../../platform/graphql/page.util';
import { ServiceMetricsPoint, Topology, TopService, TopServicesOrder } from './telemetry.model';
import { DateTimeScalar } from '../../platform/graphql/date-time.model';

const GNS_ID_ARG = { type: () => ID, description: 'The Global Namespace id.' };
const FROM_ARG = { type: () => DateTimeScalar, description: 'Start of the range (a whole minute).' };
const TO_ARG = { type: () => DateTimeScalar, description: 'End of the range, excluded (a whole minute).' };

/** Telemetry of a Global Namespace's services; ranges are [from, to), whole minutes, at most 31 days. */
@Resolver()
export class TelemetryResolver {
  constructor(private readonly telemetry: TelemetryQueryService) {}

  @RequireRole('viewer')
  @Query(() => [ServiceMetricsPoint], {
    description: 'Time series of a GNS service over its member clusters: one point per step (at most 1,440).',
    complexity: seriesComplexity,
  })
  serviceMetrics(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', GNS_ID_ARG, new ResourceIdPipe('global namespace')) gnsId: string,
    @Args('service', { type: () => String, description: 'The GNS service (Kubernetes service name).' })
    service: string,
    @Args('from', FROM_ARG) from: Date,
    @Args('to', TO_ARG) to: Date,
    @Args('step', {
      type: () => Int,
      description: 'Seconds per point: a whole number of minutes (60, 300, 3600, ...).',
    })
    step: number,
  ): Promise<ServiceMetricsPoint[]> {
    return this.telemetry.serviceMetrics(tenant.tenantId, gnsId, service, from, to, step);
  }

  @RequireRole('viewer')
  @Query(() => Topology, {
    description: 'Services per cluster and the calls between them over [from, to).',
    complexity: ({ childComplexity }: { childComplexity: number }) => 50 + 10 * childComplexity,
  })
  topology(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', GNS_ID_ARG, new ResourceIdPipe('global namespace')) gnsId: string,
    @Args('from', FROM_ARG) from: Date,
    @Args('to', TO_ARG) to: Date,
  ): Promise<Topology> {
    return this.telemetry.topology(tenant.tenantId, gnsId, from, to);
  }

  @RequireRole('viewer')
  @Query(() => [TopService], {
    description: 'The GNS services with the highest error rate or p99 latency.',
    complexity: listComplexity,
  })
  topServices(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', GNS_ID_ARG, new ResourceIdPipe('global namespace')) gnsId: string,
    @Args('from', FROM_ARG) from: Date,
    @Args('to', TO_ARG) to: Date,
    @Args('by', { type: () => TopServicesOrder, description: 'What to rank by.' }) by: TopServicesOrderValue,
    @Args('first', { type: () => Int, defaultValue: 10, description: 'How many services: 1..100.' })
    first: number,
  ): Promise<TopService[]> {
    checkFirst(first, 'first');
    return this.telemetry.topServices(tenant.tenantId, gnsId, from, to, by, first);
  }
}
