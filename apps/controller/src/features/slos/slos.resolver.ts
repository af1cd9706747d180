import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import { checkFirst, listComplexity, seriesComplexity } from '../../platform/graphql/page.util';
import { SloEventModel, SloHistoryPointModel, SloInput, SloModel, type SloHealthValue } from './slo.model';
import type { SloView } from './slos.dto';
import { SlosService } from './slos.service';
import { DateTimeScalar } from '../../platform/graphql/date-time.model';

/** The parent of field resolvers keeps the tenant it was loaded for (not part of the schema). */
type LoadedSlo = SloModel & { tenantId: string };

const sloIdPipe = new ResourceIdPipe('SLO');

@Resolver(() => SloModel)
export class SlosResolver {
  constructor(private readonly service: SlosService) {}

  @RequireRole('viewer')
  @Query(() => SloModel, {
    description: 'An SLO with its status, budget, burn rates, current SLI values and active alerts.',
  })
  async slo(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('id', { type: () => ID }, sloIdPipe) id: string,
  ): Promise<LoadedSlo> {
    return toModel(tenant.tenantId, await this.service.get(tenant.tenantId, id));
  }

  @RequireRole('viewer')
  @Query(() => [SloModel], {
    description: 'The SLOs of a Global Namespace, oldest first.',
    complexity: listComplexity,
  })
  async slos(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', { type: () => ID }, new ResourceIdPipe('global namespace')) gnsId: string,
    @Args('first', { type: () => Int, defaultValue: 20, description: '1..100' }) first: number,
  ): Promise<LoadedSlo[]> {
    checkFirst(first, 'first');
    const page = await this.service.list(tenant.tenantId, { limit: first }, gnsId);
    return page.items.map((view) => toModel(tenant.tenantId, view));
  }

  @RequireRole('viewer')
  @ResolveField(() => [SloHistoryPointModel], {
    description:
      'SLI and remaining budget per step over [from, to) (whole minutes, at most 31 days and 1,440 points).',
    complexity: seriesComplexity,
  })
  history(
    @Parent() slo: LoadedSlo,
    @Args('from', { type: () => DateTimeScalar }) from: Date,
    @Args('to', { type: () => DateTimeScalar }) to: Date,
    @Args('step', { type: () => Int, description: 'Seconds per point: a whole number of minutes.' })
    step: number,
  ): Promise<SloHistoryPointModel[]> {
    return this.service.history(slo.tenantId, slo.id, from, to, step);
  }

  @RequireRole('viewer')
  @ResolveField(() => [SloEventModel], {
    description: 'Alert firings and resolutions, newest first.',
    complexity: listComplexity,
  })
  async events(
    @Parent() slo: LoadedSlo,
    @Args('first', { type: () => Int, defaultValue: 20, description: '1..100' }) first: number,
  ): Promise<SloEventModel[]> {
    checkFirst(first, 'first');
    return (await this.service.events(slo.tenantId, slo.id, first)).map((event) => ({
      ...event,
      at: new Date(event.at),
    }));
  }

  @RequireRole('editor')
  @Mutation(() => SloModel)
  async createSlo(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('input') input: SloInput,
  ): Promise<LoadedSlo> {
    return toModel(tenant.tenantId, await this.service.create(tenant, input));
  }

  @RequireRole('editor')
  @Mutation(() => SloModel, {
    description:
      'Replaces the definition if it is still at `version` (optimistic concurrency, like If-Match).',
  })
  async updateSlo(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('id', { type: () => ID }, sloIdPipe) id: string,
    @Args('version', { type: () => Int }) version: number,
    @Args('input') input: SloInput,
  ): Promise<LoadedSlo> {
    await this.service.assertExists(tenant.tenantId, id);
    return toModel(tenant.tenantId, await this.service.replace(tenant, id, version, input));
  }

  @RequireRole('editor')
  @Mutation(() => Boolean, {
    description: 'Deletes the SLO (and its history); when `version` is given it must be current.',
  })
  async deleteSlo(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('id', { type: () => ID }, sloIdPipe) id: string,
    @Args('version', { type: () => Int, nullable: true }) version?: number | null,
  ): Promise<boolean> {
    await this.service.assertExists(tenant.tenantId, id);
    await this.service.delete(tenant, id, version ?? undefined);
    return true;
  }
}

function toModel(tenantId: string, view: SloView): LoadedSlo {
  const status = view.status;
  return {
    ...view,
    tenantId,
    createdAt: new Date(view.createdAt),
    updatedAt: new Date(view.updatedAt),
    status: status && {
      ...status,
      health: status.health as SloHealthValue,
      evaluatedAt: new Date(status.evaluatedAt),
      windowStart: new Date(status.windowStart),
      windowEnd: new Date(status.windowEnd),
      activeAlerts: status.activeAlerts.map((alert) => ({ ...alert, firedAt: new Date(alert.firedAt) })),
      coverage: {
        evaluatedFrom: new Date(status.coverage.evaluatedFrom),
        backfilling: status.coverage.backfilling,
        hourlyUntil: status.coverage.hourlyUntil === null ? null : new Date(status.coverage.hourlyUntil),
        catchingUpFrom:
          status.coverage.catchingUpFrom === null ? null : new Date(status.coverage.catchingUpFrom),
      },
    },
  };
}
