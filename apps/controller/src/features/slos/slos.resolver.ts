import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import {
  AFTER_ARG,
  byCreation,
  FIRST_ARG,
  listComplexity,
  pageArgs,
  seriesComplexity,
  toConnection,
} from '../../platform/graphql/page.util';
import { mapPage } from '../../platform/http/pagination.util';
import {
  SloConnection,
  SloEventConnection,
  SloEventModel,
  SloHistoryPointModel,
  SloInput,
  SloModel,
  type SloHealthValue,
} from './slo.model';
import type { SloView } from './slos.dto';
import { SlosService } from './slos.service';
import { DateTimeScalar } from '../../platform/graphql/date-time.model';

/** The parent of field resolvers keeps the tenant it was loaded for (not part of the schema). */
type LoadedSlo = SloModel & { tenantId: string };

const sloIdPipe = new ResourceIdPipe('SLO');
const SLO_ID_ARG = { type: () => ID, description: 'The SLO id.' };

@Resolver(() => SloModel)
export class SlosResolver {
  constructor(private readonly service: SlosService) {}

  @RequireRole('viewer')
  @Query(() => SloModel, {
    description: 'An SLO with its status, budget, burn rates, current SLI values and active alerts.',
  })
  async slo(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('id', SLO_ID_ARG, sloIdPipe) id: string,
  ): Promise<LoadedSlo> {
    return toModel(tenant.tenantId, await this.service.get(tenant.tenantId, id));
  }

  @RequireRole('viewer')
  @Query(() => SloConnection, {
    description: 'SLOs with their status, oldest first: all of the tenant, or those of one Global Namespace.',
    complexity: listComplexity,
  })
  async slos(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args(
      'gnsId',
      { type: () => ID, nullable: true, description: 'Only the SLOs of this Global Namespace.' },
      new ResourceIdPipe('global namespace', { optional: true }),
    )
    gnsId: string | undefined,
    @Args('first', FIRST_ARG) first: number,
    @Args('after', AFTER_ARG) after: string | null,
  ): Promise<SloConnection> {
    const request = pageArgs(first, after);
    const page = await this.service.list(tenant.tenantId, request, gnsId);
    return toConnection(
      mapPage(page, (view) => toModel(tenant.tenantId, view)),
      request,
      byCreation,
    );
  }

  @RequireRole('viewer')
  @ResolveField(() => [SloHistoryPointModel], {
    description:
      'SLI and remaining budget per step over [from, to) (whole minutes, at most 31 days and 1,440 points).',
    complexity: seriesComplexity,
  })
  history(
    @Parent() slo: LoadedSlo,
    @Args('from', { type: () => DateTimeScalar, description: 'Start of the range (a whole minute).' })
    from: Date,
    @Args('to', { type: () => DateTimeScalar, description: 'End of the range, excluded (a whole minute).' })
    to: Date,
    @Args('step', { type: () => Int, description: 'Seconds per point: a whole number of minutes.' })
    step: number,
  ): Promise<SloHistoryPointModel[]> {
    return this.service.history(slo.tenantId, slo.id, from, to, step);
  }

  @RequireRole('viewer')
  @ResolveField(() => SloEventConnection, {
    description: 'Alert firings and resolutions, newest first.',
    complexity: listComplexity,
  })
  async events(
    @Parent() slo: LoadedSlo,
    @Args('first', FIRST_ARG) first: number,
    @Args('after', AFTER_ARG) after: string | null,
  ): Promise<SloEventConnection> {
    const request = pageArgs(first, after);
    const page = await this.service.events(slo.tenantId, slo.id, request);
    return toConnection(
      mapPage(page, (event): SloEventModel => ({ ...event, at: new Date(event.at) })),
      request,
      (event) => ({ createdAt: event.at, id: event.id }),
    );
  }

  @RequireRole('editor')
  @Mutation(() => SloModel, { description: 'Creates an SLO; it is evaluated from the next minute on.' })
  async createSlo(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('input', { type: () => SloInput, description: 'The definition.' }) input: SloInput,
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
    @Args('id', SLO_ID_ARG, sloIdPipe) id: string,
    @Args('version', { type: () => Int, description: 'The current version (from `Slo.version`).' })
    version: number,
    @Args('input', { type: () => SloInput, description: 'The whole new definition.' }) input: SloInput,
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
    @Args('id', SLO_ID_ARG, sloIdPipe) id: string,
    @Args('version', {
      type: () => Int,
      nullable: true,
      description: 'The current version, checked when given.',
    })
    version?: number | null,
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
