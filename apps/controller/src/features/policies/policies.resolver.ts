import {
  Args,
  Field,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import { GlobalNamespace } from '../global-namespaces/global-namespace.model';
import {
  PoliciesService,
  type DryRunResult,
  type SecurityPolicyView,
  type TrafficPolicyView,
} from './policies.service';

@ObjectType('PolicyWarning')
class PolicyWarningModel {
  @Field() field!: string;
  @Field() message!: string;
}

@ObjectType('TrafficPolicy', { description: 'Traffic policy of one GNS service (same spec as REST).' })
class TrafficPolicyModel {
  @Field(() => ID) gnsId!: string;
  @Field() service!: string;
  @Field(() => GraphQLJSONObject, {
    description: 'TrafficPolicySpec as stored (see the REST API and README).',
  })
  spec!: object;
  @Field(() => Int, { description: 'Send it back as `version` to replace or delete (like If-Match).' })
  version!: number;
  @Field() createdAt!: string;
  @Field() updatedAt!: string;
  @Field(() => [PolicyWarningModel]) warnings!: PolicyWarningModel[];
}

@ObjectType('SecurityPolicy', { description: 'Default action, per-service mTLS and access rules of a GNS.' })
class SecurityPolicyModel {
  @Field(() => ID) gnsId!: string;
  @Field(() => GraphQLJSONObject) spec!: object;
  @Field(() => Int) version!: number;
  @Field() createdAt!: string;
  @Field() updatedAt!: string;
  @Field(() => [PolicyWarningModel]) warnings!: PolicyWarningModel[];
}

@ObjectType('PolicyDryRunCluster')
class PolicyDryRunClusterModel {
  @Field(() => ID) clusterId!: string;
  @Field() clusterName!: string;
  @Field(() => [GraphQLJSONObject], {
    description: 'Every object of the GNS the cluster would hold, in apply order.',
  })
  objects!: object[];
  @Field(() => [String]) added!: string[];
  @Field(() => [String]) changed!: string[];
  @Field(() => [String]) removed!: string[];
  @Field(() => String, { nullable: true }) error?: string;
}

@ObjectType('PolicyDryRun')
class PolicyDryRunModel {
  @Field(() => [PolicyWarningModel]) warnings!: PolicyWarningModel[];
  @Field(() => [PolicyDryRunClusterModel]) clusters!: PolicyDryRunClusterModel[];
}

@InputType('ProposedTrafficPolicy')
class ProposedTrafficPolicyInput {
  @Field() service!: string;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'null previews removing the policy' })
  spec!: object | null;
}

const gnsIdPipe = new ResourceIdPipe('global namespace');

/** Traffic and security policies through GraphQL; same rules, versions and audit as REST. */
@Resolver()
export class PoliciesResolver {
  constructor(private readonly policies: PoliciesService) {}

  @RequireRole('viewer')
  @Query(() => [TrafficPolicyModel], { description: 'Traffic policies of a Global Namespace, by service.' })
  trafficPolicies(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', { type: () => ID }, gnsIdPipe) gnsId: string,
  ): Promise<TrafficPolicyView[]> {
    return this.policies.listTraffic(tenant.tenantId, gnsId);
  }

  @RequireRole('viewer')
  @Query(() => TrafficPolicyModel, { nullable: true })
  trafficPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', { type: () => ID }, gnsIdPipe) gnsId: string,
    @Args('service') service: string,
  ): Promise<TrafficPolicyView | null> {
    return this.policies.findTraffic(tenant.tenantId, gnsId, service);
  }

  @RequireRole('viewer')
  @Query(() => SecurityPolicyModel, { nullable: true })
  securityPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', { type: () => ID }, gnsIdPipe) gnsId: string,
  ): Promise<SecurityPolicyView | null> {
    return this.policies.findSecurity(tenant.tenantId, gnsId);
  }

  @RequireRole('editor')
  @Query(() => PolicyDryRunModel, {
    description: 'The objects each member cluster would receive with the proposed policies; changes nothing.',
  })
  async policyDryRun(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', { type: () => ID }, gnsIdPipe) gnsId: string,
    @Args('trafficPolicies', { type: () => [ProposedTrafficPolicyInput], nullable: true })
    trafficPolicies: ProposedTrafficPolicyInput[] | null,
    @Args('securityPolicy', {
      type: () => GraphQLJSONObject,
      nullable: true,
      description: 'omitted keeps the stored one',
    })
    securityPolicy: object | null,
    @Args('removeSecurityPolicy', { type: () => Boolean, defaultValue: false }) removeSecurityPolicy: boolean,
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
    @Args('gnsId', { type: () => ID }, gnsIdPipe) gnsId: string,
    @Args('service') service: string,
    @Args('spec', { type: () => GraphQLJSONObject }) spec: object,
    @Args('version', { type: () => Int, nullable: true }) version: number | null,
  ): Promise<TrafficPolicyView> {
    await this.policies.assertGnsExists(tenant.tenantId, gnsId);
    return (await this.policies.putTraffic(tenant, gnsId, service, version ?? undefined, spec)).view;
  }

  @RequireRole('editor')
  @Mutation(() => Boolean)
  async deleteTrafficPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', { type: () => ID }, gnsIdPipe) gnsId: string,
    @Args('service') service: string,
    @Args('version', { type: () => Int, nullable: true }) version: number | null,
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
    @Args('gnsId', { type: () => ID }, gnsIdPipe) gnsId: string,
    @Args('spec', { type: () => GraphQLJSONObject }) spec: object,
    @Args('version', { type: () => Int, nullable: true }) version: number | null,
  ): Promise<SecurityPolicyView> {
    await this.policies.assertGnsExists(tenant.tenantId, gnsId);
    return (await this.policies.putSecurity(tenant, gnsId, version ?? undefined, spec)).view;
  }

  @RequireRole('editor')
  @Mutation(() => Boolean)
  async deleteSecurityPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('gnsId', { type: () => ID }, gnsIdPipe) gnsId: string,
    @Args('version', { type: () => Int, nullable: true }) version: number | null,
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
  @ResolveField(() => SecurityPolicyModel, { name: 'securityPolicy', nullable: true, complexity: 10 })
  securityPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Parent() gns: GlobalNamespace,
  ): Promise<SecurityPolicyView | null> {
    return this.policies.findSecurity(tenant.tenantId, gns.id);
  }
}
