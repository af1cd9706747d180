import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { DateTimeScalar } from '../../platform/graphql/date-time.model';

/* GraphQL types of autoscaling: the REST views of autoscaling.service.ts. */

@ObjectType('AutoscalingPolicy', {
  description: 'Autoscaling policy of one GNS service (same spec as REST).',
})
export class AutoscalingPolicyModel {
  @Field(() => ID, { description: 'The Global Namespace id.' }) gnsId!: string;
  @Field({ description: 'The GNS service it applies to.' }) service!: string;
  @Field(() => GraphQLJSONObject, { description: 'AutoscalingPolicySpec as stored (docs/autoscaling.md).' })
  spec!: object;
  @Field(() => Int, { description: 'Send it back as `version` to replace or delete (like If-Match).' })
  version!: number;
  @Field(() => DateTimeScalar, { description: 'When it was created.' }) createdAt!: string;
  @Field(() => DateTimeScalar, { description: 'When it was last replaced.' }) updatedAt!: string;
}

@ObjectType('AutoscalingTarget', { description: 'The workload a decision scaled (or would have).' })
export class AutoscalingTargetModel {
  @Field({ description: 'Deployment or StatefulSet.' }) kind!: string;
  @Field({ description: 'Its namespace.' }) namespace!: string;
  @Field({ description: 'Its name.' }) name!: string;
}

@ObjectType('AutoscalingWindow', { description: "A trigger's window as the decision saw it." })
export class AutoscalingWindowModel {
  @Field({ description: 'CPU, MEMORY, REQUESTS_PER_SECOND, ERROR_RATE or LATENCY p50/p90/p99.' })
  trigger!: string;
  @Field(() => Float, { description: 'The scale-up threshold.' }) scaleUp!: number;
  @Field(() => Float, { description: 'The scale-down threshold.' }) scaleDown!: number;
  @Field(() => Int, { description: 'Readable samples in the window.' }) samples!: number;
  @Field(() => Float, { nullable: true, description: 'Lowest value in the window.' }) min!: number | null;
  @Field(() => Float, { nullable: true, description: 'Highest value in the window.' }) max!: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean of the window.' }) avg!: number | null;
  @Field({ description: 'UP, DOWN, HOLD, NO_DATA or PARTIAL.' }) verdict!: string;
}

@ObjectType('AutoscalingEvent', { description: 'One autoscaling decision an agent made, explained.' })
export class AutoscalingEventModel {
  @Field(() => ID, { description: 'The event id.' }) id!: string;
  @Field({ description: "The agent's id for the decision." }) decisionId!: string;
  @Field(() => ID, { description: 'The cluster whose agent decided.' }) clusterId!: string;
  @Field({ description: 'The cluster name.' }) clusterName!: string;
  @Field({ description: 'The GNS service.' }) service!: string;
  @Field({ description: 'The policy id.' }) policyId!: string;
  @Field(() => Int, { description: 'The policy version the agent ran.' }) policyVersion!: number;
  @Field(() => AutoscalingTargetModel, { description: 'The workload.' }) target!: AutoscalingTargetModel;
  @Field(() => DateTimeScalar, { description: 'When the agent decided.' }) decidedAt!: string;
  @Field({ description: 'SCALE_UP, SCALE_DOWN or HOLD.' }) action!: string;
  @Field({ description: 'APPLIED, RECOMMENDED, BLOCKED or FAILED.' }) outcome!: string;
  @Field(() => Int, { description: 'Replicas before.' }) fromReplicas!: number;
  @Field(() => Int, { description: 'Replicas wanted.' }) toReplicas!: number;
  @Field({ description: 'The rule that fired, in words.' }) rule!: string;
  @Field(() => String, {
    nullable: true,
    description:
      'SLO, GRACE_PERIOD, PERFORMANCE_MODE, MAX_REPLICAS, MIN_REPLICAS or HPA; null when not blocked.',
  })
  blockedBy!: string | null;
  @Field(() => [AutoscalingWindowModel], { description: 'The windows of every trigger.' })
  windows!: AutoscalingWindowModel[];
}
