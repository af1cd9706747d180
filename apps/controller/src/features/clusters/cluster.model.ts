import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import type { ClusterStatus } from '@lattice/domain';
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

  @Field({
    description:
      'Registered with the take-over option: the agent may replace an istio-system/cacerts that Lattice did not create (and never deletes it).',
  })
  takeOverMeshCa!: boolean;

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
      takeOverMeshCa: view.takeOverMeshCa,
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
