import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { DateTimeScalar } from '../../platform/graphql/date-time.model';

/*
 * GraphQL types of traffic and security policies: the REST views of policies.service.ts. Timestamps
 * are ISO strings there and DateTime here (the scalar serialises an RFC 3339 string as it is); specs
 * are JSON objects validated by the service.
 */

@ObjectType('PolicyWarning', { description: 'A problem with a policy, named by the field it concerns.' })
export class PolicyWarningModel {
  @Field({ description: 'The path of the field, e.g. routes[0].destinations[1].subset.' }) field!: string;
  @Field({ description: 'What is wrong.' }) message!: string;
}

@ObjectType('TrafficPolicy', { description: 'Traffic policy of one GNS service (same spec as REST).' })
export class TrafficPolicyModel {
  @Field(() => ID, { description: 'The Global Namespace id.' }) gnsId!: string;
  @Field({ description: 'The GNS service it applies to.' }) service!: string;
  @Field(() => GraphQLJSONObject, {
    description: 'TrafficPolicySpec as stored (docs/policies.md).',
  })
  spec!: object;
  @Field(() => Int, { description: 'Send it back as `version` to replace or delete (like If-Match).' })
  version!: number;
  @Field(() => DateTimeScalar, { description: 'When it was created.' }) createdAt!: string;
  @Field(() => DateTimeScalar, { description: 'When it was last replaced.' }) updatedAt!: string;
  @Field(() => [PolicyWarningModel], {
    description: 'Checked against the live inventory now (e.g. a subset no pod carries).',
  })
  warnings!: PolicyWarningModel[];
}

@ObjectType('SecurityPolicy', { description: 'Default action, per-service mTLS and access rules of a GNS.' })
export class SecurityPolicyModel {
  @Field(() => ID, { description: 'The Global Namespace id.' }) gnsId!: string;
  @Field(() => GraphQLJSONObject, { description: 'SecurityPolicySpec as stored (docs/policies.md).' })
  spec!: object;
  @Field(() => Int, { description: 'Send it back as `version` to replace or delete (like If-Match).' })
  version!: number;
  @Field(() => DateTimeScalar, { description: 'When it was created.' }) createdAt!: string;
  @Field(() => DateTimeScalar, { description: 'When it was last replaced.' }) updatedAt!: string;
  @Field(() => [PolicyWarningModel], { description: 'Checked against the live inventory now.' })
  warnings!: PolicyWarningModel[];
}

@ObjectType('PolicyDryRunCluster', { description: 'What one member cluster would receive.' })
export class PolicyDryRunClusterModel {
  @Field(() => ID, { description: 'The cluster id.' }) clusterId!: string;
  @Field({ description: 'The cluster name.' }) clusterName!: string;
  @Field(() => [GraphQLJSONObject], {
    description: 'Every object of the GNS the cluster would hold, in apply order.',
  })
  objects!: object[];
  @Field(() => [String], { description: 'Objects it would gain, as <Kind>/<namespace>/<name>.' })
  added!: string[];
  @Field(() => [String], { description: 'Objects that would change.' }) changed!: string[];
  @Field(() => [String], { description: 'Objects it would lose.' }) removed!: string[];
  @Field(() => String, {
    nullable: true,
    description: 'Why its objects could not be computed; null when they were.',
  })
  error?: string;
}

@ObjectType('PolicyDryRun', { description: 'The outcome of proposed policies; nothing is stored.' })
export class PolicyDryRunModel {
  @Field(() => [PolicyWarningModel], { description: 'Warnings of the proposed policies.' })
  warnings!: PolicyWarningModel[];
  @Field(() => [PolicyDryRunClusterModel], { description: 'Each member cluster.' })
  clusters!: PolicyDryRunClusterModel[];
}

@InputType('ProposedTrafficPolicy', { description: 'A traffic policy to preview in policyDryRun.' })
export class ProposedTrafficPolicyInput {
  @Field({ description: 'The GNS service.' }) service!: string;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'null previews removing the policy' })
  spec!: object | null;
}
