import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';

/*
 * GraphQL types of traffic and security policies: the REST views of policies.service.ts. Timestamps
 * stay String (ISO 8601) as they were first published; specs are JSON objects validated by the service.
 */

@ObjectType('PolicyWarning')
export class PolicyWarningModel {
  @Field() field!: string;
  @Field() message!: string;
}

@ObjectType('TrafficPolicy', { description: 'Traffic policy of one GNS service (same spec as REST).' })
export class TrafficPolicyModel {
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
export class SecurityPolicyModel {
  @Field(() => ID) gnsId!: string;
  @Field(() => GraphQLJSONObject) spec!: object;
  @Field(() => Int) version!: number;
  @Field() createdAt!: string;
  @Field() updatedAt!: string;
  @Field(() => [PolicyWarningModel]) warnings!: PolicyWarningModel[];
}

@ObjectType('PolicyDryRunCluster')
export class PolicyDryRunClusterModel {
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
export class PolicyDryRunModel {
  @Field(() => [PolicyWarningModel]) warnings!: PolicyWarningModel[];
  @Field(() => [PolicyDryRunClusterModel]) clusters!: PolicyDryRunClusterModel[];
}

@InputType('ProposedTrafficPolicy')
export class ProposedTrafficPolicyInput {
  @Field() service!: string;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'null previews removing the policy' })
  spec!: object | null;
}
