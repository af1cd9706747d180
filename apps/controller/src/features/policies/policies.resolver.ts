import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import { GlobalNamespace } from '../global-namespaces/global-namespace.model';
import {
  PolicyDryRunModel,
  ProposedTrafficPolicyInput,
  SecurityPolicyModel,
  TrafficPolicyModel,
} from './policies.model';
import {
  PoliciesService,
  type DryRunResult,
  type SecurityPolicyView,
  type TrafficPolicyView,
} from './policies.service';

const gnsIdPipe = new ResourceIdPipe('global namespace');

const GNS_ID_ARG = { type: () => ID, description: 'The Global Namespace id.' };
const SERVICE_ARG = { type: () => String, description: 'The GNS service (Kubernetes service name).' };
const VERSION_ARG = {
  type: () => Int,
  nullable: true,
  description: 'The current version: required to replace, checked on delete when given.',
};

/** Traffic and security policies through GraphQL; same rules, versions and audit as REST. */
@Resolver()
export class PoliciesResolver {
  constructor(private readonly policies: PoliciesService) {}

  @RequireRole('viewer')
  @Query(() => [TrafficPolicyModel], { description: 'Traffic policies of a Global Namespace, by service.' })
  trafficPolicies(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', GNS_ID_ARG, gnsIdPipe) gnsId: string,
  ): Promise<TrafficPolicyView[]> {
    return this.policies.listTraffic(tenant.tenantId, gnsId);
  }

  @RequireRole('viewer')
  @Query(() => TrafficPolicyModel, {
    nullable: true,
    description: 'The traffic policy of one GNS service; null when it has none.',
  })
  trafficPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', GNS_ID_ARG, gnsIdPipe) gnsId: string,
    @Args('service', SERVICE_ARG) service: string,
  ): Promise<TrafficPolicyView | null> {
    return this.policies.findTraffic(tenant.tenantId, gnsId, service);
  }

  @RequireRole('viewer')
  @Query(() => SecurityPolicyModel, {
    nullable: true,
    description: 'The security policy of a Global Namespace; null when it has none.',
  })
  securityPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', GNS_ID_ARG, gnsIdPipe) gnsId: string,
  ): Promise<SecurityPolicyView | null> {
    return this.policies.findSecurity(tenant.tenantId, gnsId);
  }

  @RequireRole('editor')
  @Query(() => PolicyDryRunModel, {
    description: 'The objects each member cluster would receive with the proposed policies; changes nothing.',
  })
  async policyDryRun(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', GNS_ID_ARG, gnsIdPipe) gnsId: string,
    @Args('trafficPolicies', {
      type: () => [ProposedTrafficPolicyInput],
      nullable: true,
      description: 'Traffic policies to preview in place of the stored ones of their services.',
    })
    trafficPolicies: ProposedTrafficPolicyInput[] | null,
    @Args('securityPolicy', {
      type: () => GraphQLJSONObject,
      nullable: true,
      description: 'The security policy to preview; omitted keeps the stored one.',
    })
    securityPolicy: object | null,
    @Args('removeSecurityPolicy', {
      type: () => Boolean,
      defaultValue: false,
      description: 'Preview removing the security policy.',
    })
    removeSecurityPolicy: boolean,
  ): Promise<DryRunResult> {
    await this.policies.assertGnsExists(tenant.tenantId, gnsId);
    return this.policies.dryRun(tenant.tenantId, gnsId, {
      ...(trafficPolicies
        ? { trafficPolicies: trafficPolicies.map((entry) => ({ service: entry.service, spec: entry.spec })) }
        : {}),
      ...(removeSecurityPolicy ? { securityPolicy: null } : securityPolicy ? { securityPolicy } : {}),
    });
  }

  @RequireRole('editor')
  @Mutation(() => TrafficPolicyModel, {
    description: 'Creates (no version) or replaces (current version required) the policy of a GNS service.',
  })
  async setTrafficPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', GNS_ID_ARG, gnsIdPipe) gnsId: string,
    @Args('service', SERVICE_ARG) service: string,
    @Args('spec', { type: () => GraphQLJSONObject, description: 'The TrafficPolicySpec (docs/policies.md).' })
    spec: object,
    @Args('version', VERSION_ARG) version: number | null,
  ): Promise<TrafficPolicyView> {
    await this.policies.assertGnsExists(tenant.tenantId, gnsId);
    return (await this.policies.putTraffic(tenant, gnsId, service, version ?? undefined, spec)).view;
  }

  @RequireRole('editor')
  @Mutation(() => Boolean, {
    description: 'Deletes the policy of a GNS service; when `version` is given it must be current.',
  })
  async deleteTrafficPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', GNS_ID_ARG, gnsIdPipe) gnsId: string,
    @Args('service', SERVICE_ARG) service: string,
    @Args('version', VERSION_ARG) version: number | null,
  ): Promise<boolean> {
    await this.policies.assertGnsExists(tenant.tenantId, gnsId);
    await this.policies.deleteTraffic(tenant, gnsId, service, version ?? undefined);
    return true;
  }

  @RequireRole('editor')
  @Mutation(() => SecurityPolicyModel, {
    description: 'Creates (no version) or replaces (current version required) the security policy.',
  })
  async setSecurityPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', GNS_ID_ARG, gnsIdPipe) gnsId: string,
    @Args('spec', {
      type: () => GraphQLJSONObject,
      description: 'The SecurityPolicySpec (docs/policies.md).',
    })
    spec: object,
    @Args('version', VERSION_ARG) version: number | null,
  ): Promise<SecurityPolicyView> {
    await this.policies.assertGnsExists(tenant.tenantId, gnsId);
    return (await this.policies.putSecurity(tenant, gnsId, version ?? undefined, spec)).view;
  }

  @RequireRole('editor')
  @Mutation(() => Boolean, {
    description: 'Deletes the security policy; when `version` is given it must be current.',
  })
  async deleteSecurityPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', GNS_ID_ARG, gnsIdPipe) gnsId: string,
    @Args('version', VERSION_ARG) version: number | null,
  ): Promise<boolean> {
    await this.policies.assertGnsExists(tenant.tenantId, gnsId);
    await this.policies.deleteSecurity(tenant, gnsId, version ?? undefined);
    return true;
  }
}

/** `globalNamespace(id) { trafficPolicies { … } securityPolicy { … } }` */
@Resolver(() => GlobalNamespace)
export class GlobalNamespacePoliciesResolver {
  constructor(private readonly policies: PoliciesService) {}

  @RequireRole('viewer')
  @ResolveField(() => [TrafficPolicyModel], {
    name: 'trafficPolicies',
    description: 'Traffic policies by service.',
    complexity: 10,
  })
  trafficPolicies(
    @CurrentTenant() tenant: TenantPrincipal,
    @Parent() gns: GlobalNamespace,
  ): Promise<TrafficPolicyView[]> {
    return this.policies.listTraffic(tenant.tenantId, gns.id);
  }

  @RequireRole('viewer')
  @ResolveField(() => SecurityPolicyModel, {
    name: 'securityPolicy',
    nullable: true,
    description: 'The security policy; null when it has none.',
    complexity: 10,
  })
  securityPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Parent() gns: GlobalNamespace,
  ): Promise<SecurityPolicyView | null> {
    return this.policies.findSecurity(tenant.tenantId, gns.id);
  }
}
