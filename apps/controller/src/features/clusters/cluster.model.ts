import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import type { ClusterConditionType, ClusterStatus, ConditionStatus } from '@lattice/domain';
import { ConnectionType } from '../../platform/graphql/connection.model';
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
  description: 'Whether the agent of a cluster is connected.',
  valuesMap: {
    PENDING: { description: 'No agent has connected yet.' },
    CONNECTED: { description: 'The agent stream is open and heartbeats arrive.' },
    DISCONNECTED: { description: 'The agent connected before but is not connected now.' },
  },
});

@ObjectType({ description: 'The last snapshot version the agent refused, and why.' })
export class ClusterNack {
  @Field(() => Int, { description: 'The snapshot version refused.' })
  version!: number;

  @Field({ description: 'Why the agent refused it ("" when it gave no reason).' })
  reason!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the refusal arrived.' })
  at!: Date | null;
}

/* Condition enums: GraphQL names in UPPER_CASE, internal values the Kubernetes-style REST ones. */
export const CONDITION_STATUSES = {
  TRUE: 'True',
  FALSE: 'False',
  UNKNOWN: 'Unknown',
} as const satisfies Record<string, ConditionStatus>;
registerEnumType(CONDITION_STATUSES, {
  name: 'ConditionStatus',
  description: 'Kubernetes condition status (REST: True, False, Unknown).',
  valuesMap: {
    TRUE: { description: 'The condition holds.' },
    FALSE: { description: 'The condition does not hold; reason and message say why.' },
    UNKNOWN: { description: 'Not known yet (nothing reported it).' },
  },
});

export const CLUSTER_CONDITION_TYPES = {
  CONNECTED: 'Connected',
  INVENTORY_SYNCED: 'InventorySynced',
  APPLY_SUCCEEDED: 'ApplySucceeded',
  AUTOSCALING_READY: 'AutoscalingReady',
  MESH_READY: 'MeshReady',
} as const satisfies Record<string, ClusterConditionType>;
registerEnumType(CLUSTER_CONDITION_TYPES, {
  name: 'ClusterConditionType',
  description:
    'Which condition of a cluster (REST: Connected, InventorySynced, ApplySucceeded, AutoscalingReady, MeshReady).',
  valuesMap: {
    CONNECTED: { description: 'The agent stream is open and heartbeats arrive.' },
    INVENTORY_SYNCED: {
      description:
        'The agent read every Kubernetes resource it watches; while False the last good inventory stays in use.',
    },
    APPLY_SUCCEEDED: {
      description: 'The agent applied the newest snapshot it answered (from its ACK or NACK).',
    },
    AUTOSCALING_READY: {
      description:
        'Every autoscaling policy can act in the cluster; False when an HPA owns a workload or it is missing.',
    },
    MESH_READY: {
      description:
        "The cluster's Istio installation has what its Global Namespaces need (preflight diagnostics; False names the errors).",
    },
  },
});

@ObjectType({
  description:
    'A Kubernetes-style condition of the cluster. Types: Connected (the agent stream is open and heartbeats arrive), ' +
    'InventorySynced (the agent read every resource it watches; while False the last good inventory stays in use), ' +
    'ApplySucceeded (the agent applied the newest snapshot it answered; derived from ACK/NACK), ' +
    'AutoscalingReady (every autoscaling policy can act in the cluster; reported by the agent), ' +
    'MeshReady (the Istio installation has what its Global Namespaces need; from the preflight diagnostics).',
})
export class ClusterCondition {
  @Field(() => CLUSTER_CONDITION_TYPES, { description: 'Which condition this is.' })
  type!: ClusterConditionType;

  @Field(() => CONDITION_STATUSES, { description: 'Whether the condition holds.' })
  status!: ConditionStatus;

  @Field({ description: 'CamelCase reason of the last change, e.g. Forbidden or SnapshotRefused.' })
  reason!: string;

  @Field({
    description:
      'Human-readable details (for InventorySynced False: the failing resource and the API server message).',
  })
  message!: string;

  @Field(() => DateTimeScalar, { description: 'When status last changed.' })
  lastTransitionTime!: Date;
}

@ObjectType({ description: 'What the agent last reported of the cluster: counts only.' })
export class ClusterInventorySummary {
  @Field(() => Int, { description: 'Namespaces in the cluster.' })
  namespaces!: number;

  @Field(() => Int, { description: 'Kubernetes services in the cluster.' })
  services!: number;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Null until the first report.' })
  updatedAt!: Date | null;
}

@ObjectType({
  description: 'A Kubernetes cluster registered by the tenant, with its agent and config state.',
})
export class Cluster {
  @Field(() => ID, { description: 'The cluster id (as in /v1/clusters/{id}).' })
  id!: string;

  @Field({ description: 'Unique in the tenant (DNS-1123 label).' })
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

  @Field(() => String, {
    nullable: true,
    description:
      "Registered Istio network (topology.istio.io/network); the cluster's endpoints carry it elsewhere. Null: not registered.",
  })
  network!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Registered region of the cluster's nodes (decides the local-first failover order).",
  })
  region!: string | null;

  @Field(() => String, { nullable: true, description: "Registered zone of the cluster's nodes." })
  zone!: string | null;

  @Field({
    description:
      'Lattice renders the east-west Gateway (AUTO_PASSTHROUGH on 15443 for the GNS domains); false: an existing one is used.',
  })
  eastWestGatewayManaged!: boolean;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Labels of the east-west gateway pods; null: istio: eastwestgateway.',
  })
  eastWestGatewaySelector!: Record<string, string> | null;

  @Field(() => CLUSTER_STATUSES, { description: 'Whether an agent is connected now.' })
  status!: ClusterStatus;

  @Field(() => DateTimeScalar, { nullable: true, description: 'The last heartbeat; null before the first.' })
  lastSeenAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Version the agent last reported; null before.' })
  agentVersion!: string | null;

  @Field(() => Int, { description: 'Newest config snapshot version computed for the cluster.' })
  desiredVersion!: number;

  @Field(() => Int, { description: 'Snapshot version the agent last acknowledged.' })
  appliedVersion!: number;

  @Field(() => ClusterNack, { nullable: true, description: 'The last refused snapshot; null if none was.' })
  lastNack!: ClusterNack | null;

  @Field(() => ClusterInventorySummary, { description: 'What the agent last reported of the cluster.' })
  inventory!: ClusterInventorySummary;

  @Field(() => [ClusterCondition], { description: 'One entry per condition type, always all of them.' })
  conditions!: ClusterCondition[];

  @Field(() => DateTimeScalar, { nullable: true, description: 'Set once the agent identity is revoked.' })
  revokedAt!: Date | null;

  @Field(() => Int, { description: 'Changes with every update (the REST ETag).' })
  version!: number;

  @Field(() => DateTimeScalar, { description: 'When the cluster was registered.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'When its record last changed.' })
  updatedAt!: Date;

  static from(view: ClusterView): Cluster {
    return {
      id: view.id,
      name: view.name,
      eastWestAddress: view.eastWestAddress,
      labels: view.labels,
      takeOverMeshCa: view.takeOverMeshCa,
      network: view.network,
      region: view.region,
      zone: view.zone,
      eastWestGatewayManaged: view.eastWestGatewayManaged,
      eastWestGatewaySelector: view.eastWestGatewaySelector,
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

@ObjectType({ description: 'A page of clusters, oldest first.' })
export class ClusterConnection extends ConnectionType(Cluster, 'Cluster') {}

function dateOrNull(iso: string | null): Date | null {
  return iso === null ? null : new Date(iso);
}
