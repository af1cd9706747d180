import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { ConnectionType } from '../../platform/graphql/connection.model';
import { DateTimeScalar } from '../../platform/graphql/date-time.model';

export enum AutoscalingAction {
  SCALE_UP = 'SCALE_UP',
  SCALE_DOWN = 'SCALE_DOWN',
  HOLD = 'HOLD',
}
registerEnumType(AutoscalingAction, {
  name: 'AutoscalingAction',
  description: 'What a decision did to the replicas (or would have).',
  valuesMap: {
    SCALE_UP: { description: 'More replicas.' },
    SCALE_DOWN: { description: 'Fewer replicas.' },
    HOLD: { description: 'No change (blocked or failed).' },
  },
});

export enum AutoscalingOutcome {
  APPLIED = 'APPLIED',
  RECOMMENDED = 'RECOMMENDED',
  BLOCKED = 'BLOCKED',
  FAILED = 'FAILED',
}
registerEnumType(AutoscalingOutcome, {
  name: 'AutoscalingOutcome',
  description: 'What became of a decision.',
  valuesMap: {
    APPLIED: { description: 'The workload was scaled.' },
    RECOMMENDED: { description: 'Recommend-only policy: recorded, not applied.' },
    BLOCKED: { description: 'The triggers asked for a change that `blockedBy` prevented.' },
    FAILED: { description: 'The change could not be made; the rule says why.' },
  },
});

export enum AutoscalingBlock {
  SLO = 'SLO',
  GRACE_PERIOD = 'GRACE_PERIOD',
  PERFORMANCE_MODE = 'PERFORMANCE_MODE',
  MAX_REPLICAS = 'MAX_REPLICAS',
  MIN_REPLICAS = 'MIN_REPLICAS',
  HPA = 'HPA',
}
registerEnumType(AutoscalingBlock, {
  name: 'AutoscalingBlock',
  description: 'Why a change the triggers asked for was not made.',
  valuesMap: {
    SLO: { description: 'An actionable SLO of the service has a violated indicator (scale-down only).' },
    GRACE_PERIOD: { description: 'Within gracePeriodSeconds of the last scaling.' },
    PERFORMANCE_MODE: { description: 'PERFORMANCE mode never scales down.' },
    MAX_REPLICAS: { description: 'Already at instances.max.' },
    MIN_REPLICAS: { description: 'Already at instances.min.' },
    HPA: { description: 'A HorizontalPodAutoscaler targets the workload; Lattice stands aside.' },
  },
});

export enum AutoscalingVerdict {
  UP = 'UP',
  DOWN = 'DOWN',
  HOLD = 'HOLD',
  NO_DATA = 'NO_DATA',
  PARTIAL = 'PARTIAL',
}
registerEnumType(AutoscalingVerdict, {
  name: 'AutoscalingVerdict',
  description: "What a trigger's window said.",
  valuesMap: {
    UP: { description: 'Above scaleUp for the whole window.' },
    DOWN: { description: 'Below scaleDown for the whole window.' },
    HOLD: { description: 'Between the thresholds, or crossing them.' },
    NO_DATA: { description: 'A whole window without a readable value.' },
    PARTIAL: { description: 'The window is not covered yet (start, or a scaling within it).' },
  },
});

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
  @Field(() => AutoscalingVerdict, { description: "The window's verdict." }) verdict!: string;
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
  @Field(() => AutoscalingAction, { description: 'What it did to the replicas.' }) action!: string;
  @Field(() => AutoscalingOutcome, { description: 'What became of it.' }) outcome!: string;
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

@ObjectType({ description: 'A page of autoscaling decisions, newest first.' })
export class AutoscalingEventConnection extends ConnectionType(AutoscalingEventModel, 'AutoscalingEvent') {}
