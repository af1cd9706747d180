import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { clusterStatus, type ClusterStatus } from '@lattice/domain';
import type { ClusterRecord as ClusterRow } from './clusters.types';
import { PageInfo } from '../../platform/graphql/page';

export const CLUSTER_STATUSES = { PENDING: 'PENDING', CONNECTED: 'CONNECTED', DISCONNECTED: 'DISCONNECTED' } as const satisfies Record<ClusterStatus, ClusterStatus>;
registerEnumType(CLUSTER_STATUSES, {
  name: 'ClusterStatus',
  description: 'PENDING until an agent first connects; CONNECTED while its stream is open and heartbeats arrive; DISCONNECTED otherwise.',
});

@ObjectType({ description: 'The last snapshot version the agent refused, and why.' })
export class ClusterNack {
  @Field(() => Int)
  version!: number;

  @Field()
  reason!: string;

  @Field(() => GraphQLISODateTime, { nullable: true })
  at!: Date | null;
}

@ObjectType()
export class Cluster {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => CLUSTER_STATUSES)
  status!: ClusterStatus;

  @Field(() => GraphQLISODateTime, { nullable: true })
  lastSeenAt!: Date | null;

  @Field(() => String, { nullable: true })
  agentVersion!: string | null;

  @Field(() => Int, { description: 'Newest config snapshot version computed for the cluster.' })
  desiredVersion!: number;

  @Field(() => Int, { description: 'Snapshot version the agent last acknowledged.' })
  appliedVersion!: number;

  @Field(() => ClusterNack, { nullable: true })
  lastNack!: ClusterNack | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  static from(row: ClusterRow, now: Date): Cluster {
    return {
      id: row.id,
      name: row.name,
      status: clusterStatus(row, now),
      lastSeenAt: row.lastSeenAt,
      agentVersion: row.agentVersion,
      desiredVersion: row.desiredVersion,
      appliedVersion: row.appliedVersion,
      lastNack:
        row.lastNackVersion === null ? null : { version: row.lastNackVersion, reason: row.lastNackReason ?? '', at: row.lastNackAt },
      createdAt: row.createdAt,
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
