import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { requireServiceName } from '@lattice/domain';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import { GlobalNamespace } from '../global-namespaces/global-namespace.model';
import type { Connection } from '../../platform/graphql/connection.model';
import {
  AFTER_ARG,
  FIRST_ARG,
  listComplexity,
  pageArgs,
  toConnection,
} from '../../platform/graphql/page.util';
import { AutoscalingEventConnection, AutoscalingPolicyModel } from './autoscaling.model';
import {
  AutoscalingService,
  type AutoscalingEventView,
  type AutoscalingPolicyView,
} from './autoscaling.service';

const gnsIdPipe = new ResourceIdPipe('global namespace');
const GNS_ID_ARG = { type: () => ID, description: 'The Global Namespace id.' };
const SERVICE_ARG = { type: () => String, description: 'The GNS service (Kubernetes service name).' };
const VERSION_ARG = {
  type: () => Int,
  nullable: true,
  description: 'The current version: required to replace, checked on delete when given.',
};

/** Autoscaling policies and decisions through GraphQL; same rules, versions and audit as REST. */
@Resolver()
export class AutoscalingResolver {
  constructor(private readonly autoscaling: AutoscalingService) {}

  @RequireRole('viewer')
  @Query(() => AutoscalingPolicyModel, {
    nullable: true,
    description: 'The autoscaling policy of one GNS service; null when it has none.',
  })
  autoscalingPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', GNS_ID_ARG, gnsIdPipe) gnsId: string,
    @Args('service', SERVICE_ARG) service: string,
  ): Promise<AutoscalingPolicyView | null> {
    return this.autoscaling.find(tenant.tenantId, gnsId, service);
  }

  @RequireRole('viewer')
  @Query(() => AutoscalingEventConnection, {
    description: 'Autoscaling decisions for a GNS service, newest first.',
    complexity: listComplexity,
  })
  async autoscalingEvents(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', GNS_ID_ARG, gnsIdPipe) gnsId: string,
    @Args('service', SERVICE_ARG) service: string,
    @Args('first', FIRST_ARG) first: number,
    @Args('after', AFTER_ARG) after: string | null,
  ): Promise<Connection<AutoscalingEventView>> {
    requireServiceName(service); // named before the cursor is read
    const request = pageArgs(first, after);
    const page = await this.autoscaling.listEvents(tenant.tenantId, gnsId, service, request);
    return toConnection(page, request, (event) => ({ createdAt: new Date(event.decidedAt), id: event.id }));
  }

  @RequireRole('editor')
  @Mutation(() => AutoscalingPolicyModel, {
    description:
      'Creates (no version) or replaces (current version required) the autoscaling policy of a GNS service.',
  })
  async setAutoscalingPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', GNS_ID_ARG, gnsIdPipe) gnsId: string,
    @Args('service', SERVICE_ARG) service: string,
    @Args('spec', {
      type: () => GraphQLJSONObject,
      description: 'The AutoscalingPolicySpec (docs/autoscaling.md).',
    })
    spec: object,
    @Args('version', VERSION_ARG) version: number | null,
  ): Promise<AutoscalingPolicyView> {
    return (await this.autoscaling.put(tenant, gnsId, service, version ?? undefined, spec)).view;
  }

  @RequireRole('editor')
  @Mutation(() => Boolean, {
    description:
      'Deletes the autoscaling policy of a GNS service; when `version` is given it must be current.',
  })
  async deleteAutoscalingPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', GNS_ID_ARG, gnsIdPipe) gnsId: string,
    @Args('service', SERVICE_ARG) service: string,
    @Args('version', VERSION_ARG) version: number | null,
  ): Promise<boolean> {
    await this.autoscaling.delete(tenant, gnsId, service, version ?? undefined);
    return true;
  }
}

/** `globalNamespace(id) { autoscalingPolicies { … } }` */
@Resolver(() => GlobalNamespace)
export class GlobalNamespaceAutoscalingResolver {
  constructor(private readonly autoscaling: AutoscalingService) {}

  @RequireRole('viewer')
  @ResolveField(() => [AutoscalingPolicyModel], {
    name: 'autoscalingPolicies',
    description: 'Autoscaling policies by service.',
    complexity: 10,
  })
  autoscalingPolicies(
    @CurrentTenant() tenant: TenantPrincipal,
    @Parent() gns: GlobalNamespace,
  ): Promise<AutoscalingPolicyView[]> {
    return this.autoscaling.list(tenant.tenantId, gns.id);
  }
}
