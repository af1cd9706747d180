import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import type { ClusterConditionType, ClusterStatus, ConditionStatus } from '@lattice/domain';
import { PageInfo } from '../../platform/graphql/page-info.model';
import type { toClusterView } from './clusters.service';
import { DateTimeScalar } from '../../platform/graphql/date-time.model';

/** What REST answers for a cluster; GraphQL shows the same view with timestamps as DateTime. */
type ClusterView = ReturnType<typeof toClusterView>;

export const CLUSTER_STATUSES = {
  PENDING: 'PENDING',
  CONNECTED: 'CONNECTED',
  DISCONNECTED: 'DISCONNECTED',
} as const satisfies Record<ClusterStatus, ClusterStatus>;
registerEnumType(CLUSTER_STATUSES, {
  name: 'ClusterStatus',
  description:
    'PENDING until an agent first connects; CONNECTED while its stream is open and heartbeats arrive; DISCONNECTED otherwise.',
});

@ObjectType({ description: 'The last snapshot version the agent refused, and why.' })
export class ClusterNack {
  @Field(() => Int)
  version!: number;

  @Field()
  reason!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  at!: Date | null;
}

export const CONDITION_STATUSES = {
  True: 'True',
  False: 'False',
  Unknown: 'Unknown',
} as const satisfies Record<ConditionStatus, ConditionStatus>;
registerEnumType(CONDITION_STATUSES, { name: 'ConditionStatus' });

@ObjectType({
  description:
    'A Kubernetes-style condition of the cluster. Types: Connected (the agent stream is open and heartbeats arrive), ' +
    'InventorySynced (the agent read every resource it watches; while False the last good inventory stays in use), ' +
    'ApplySucceeded (the agent applied the newest snapshot it answered; derived from ACK/NACK).',
})
export class ClusterCondition {
  @Field(() => String, { description: 'Connected, InventorySynced or ApplySucceeded.' })
  type!: ClusterConditionType;

  @Field(() => CONDITION_STATUSES)
  status!: ConditionStatus;

  @Field({ description: 'CamelCase reason of the last change, e.g. Forbidden or SnapshotRefused.' })
  reason!: string;

  @Field()
  message!: string;

  @Field(() => DateTimeScalar, { description: 'When status last changed.' })
  lastTransitionTime!: Date;
}

@ObjectType({ description: 'What the agent last reported of the cluster: counts only.' })
export class ClusterInventorySummary {
  @Field(() => Int)
  namespaces!: number;

  @Field(() => Int)
  services!: number;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Null until the first report.' })
  updatedAt!: Date | null;
}

@ObjectType()
export class Cluster {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: 'East-west gateway address other clusters reach this one at (port 15443).',
  })
  eastWestAddress!: string | null;

  @Field(() => GraphQLJSONObject, { description: 'Kubernetes-style labels: key to value.' })
  labels!: Record<string, string>;

  @Field(() => CLUSTER_STATUSES)
  status!: ClusterStatus;

  @Field(() => DateTimeScalar, { nullable: true })
  lastSeenAt!: Date | null;

  @Field(() => String, { nullable: true })
  agentVersion!: string | null;

  @Field(() => Int, { description: 'Newest config snapshot version computed for the cluster.' })
  desiredVersion!: number;

  @Field(() => Int, { description: 'Snapshot version the agent last acknowledged.' })
  appliedVersion!: number;

  @Field(() => ClusterNack, { nullable: true })
  lastNack!: ClusterNack | null;

  @Field(() => ClusterInventorySummary)
  inventory!: ClusterInventorySummary;

  @Field(() => [ClusterCondition], { description: 'One entry per condition type, always all of them.' })
  conditions!: ClusterCondition[];

  @Field(() => DateTimeScalar, { nullable: true, description: 'Set once the agent identity is revoked.' })
  revokedAt!: Date | null;

  @Field(() => Int, { description: 'Changes with every update (the REST ETag).' })
  version!: number;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  static from(view: ClusterView): Cluster {
    return {
      id: view.id,
      name: view.name,
      eastWestAddress: view.eastWestAddress,
      labels: view.labels,
      status: view.status,
      lastSeenAt: dateOrNull(view.lastSeenAt),
      agentVersion: view.agentVersion,
      desiredVersion: view.desiredVersion,
      appliedVersion: view.appliedVersion,
      lastNack:
        view.lastNack === null
          ? null
          : {
              version: view.lastNack.version,
              reason: view.lastNack.reason ?? '',
              at: dateOrNull(view.lastNack.at),
            },
      inventory: { ...view.inventory, updatedAt: dateOrNull(view.inventory.updatedAt) },
      conditions: view.conditions.map((condition) => ({
        ...condition,
        lastTransitionTime: new Date(condition.lastTransitionTime),
      })),
      revokedAt: dateOrNull(view.revokedAt),
      version: view.version,
      createdAt: new Date(view.createdAt),
      updatedAt: new Date(view.updatedAt),
    };
  }
}

@ObjectType()
export class ClusterPage {
  @Field(() => [Cluster])
  nodes!: Cluster[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

function dateOrNull(iso: string | null): Date | null {
  return iso === null ? null : new Date(iso);
}
