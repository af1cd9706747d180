/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** What a decision did to the replicas (or would have). */
export type AutoscalingAction =
  /** No change (blocked or failed). */
  | 'HOLD'
  /** Fewer replicas. */
  | 'SCALE_DOWN'
  /** More replicas. */
  | 'SCALE_UP';

/** What became of a decision. */
export type AutoscalingOutcome =
  /** The workload was scaled. */
  | 'APPLIED'
  /** The triggers asked for a change that `blockedBy` prevented. */
  | 'BLOCKED'
  /** The change could not be made; the rule says why. */
  | 'FAILED'
  /** Recommend-only policy: recorded, not applied. */
  | 'RECOMMENDED';

/** The window a burn rate is measured over (REST: 5m, 30m, 1h, 2h, 6h, 1d, 3d). */
export type BurnRateWindow =
  /** The last 5m. */
  | 'FIVE_MINUTES'
  /** The last 1d. */
  | 'ONE_DAY'
  /** The last 1h. */
  | 'ONE_HOUR'
  /** The last 6h. */
  | 'SIX_HOURS'
  /** The last 30m. */
  | 'THIRTY_MINUTES'
  /** The last 3d. */
  | 'THREE_DAYS'
  /** The last 2h. */
  | 'TWO_HOURS';

/** Where a root stands in the rotation. */
export type CaRootState =
  /** The one root outside a rotation. */
  | 'ACTIVE'
  /** The new root during a rotation. */
  | 'INCOMING'
  /** Out of every trust bundle; its key can be destroyed. */
  | 'RETIRED'
  /** The old root during a rotation. */
  | 'RETIRING';

/** The stage of a root rotation (docs/certificate-authority.md). */
export type CaRotationStage =
  /** The old root leaves the trust bundles. */
  | 'DROP_OLD'
  /** No rotation. */
  | 'IDLE'
  /** Clusters get intermediates signed by the new root. */
  | 'ISSUING_NEW'
  /** Every cluster is given both roots to trust. */
  | 'TRUST_BOTH';

/** Which condition of a cluster (REST: Connected, InventorySynced, ApplySucceeded, AutoscalingReady, MeshReady). */
export type ClusterConditionType =
  /** The agent applied the newest snapshot it answered (from its ACK or NACK). */
  | 'APPLY_SUCCEEDED'
  /** Every autoscaling policy can act in the cluster; False when an HPA owns a workload or it is missing. */
  | 'AUTOSCALING_READY'
  /** The agent stream is open and heartbeats arrive. */
  | 'CONNECTED'
  /** The agent read every Kubernetes resource it watches; while False the last good inventory stays in use. */
  | 'INVENTORY_SYNCED'
  /** The cluster's Istio installation has what its Global Namespaces need (preflight diagnostics; False names the errors). */
  | 'MESH_READY';

/** Whether the agent of a cluster is connected. */
export type ClusterStatus =
  /** The agent stream is open and heartbeats arrive. */
  | 'CONNECTED'
  /** The agent connected before but is not connected now. */
  | 'DISCONNECTED'
  /** No agent has connected yet. */
  | 'PENDING';

/** Kubernetes condition status (REST: True, False, Unknown). */
export type ConditionStatus =
  /** The condition does not hold; reason and message say why. */
  | 'FALSE'
  /** The condition holds. */
  | 'TRUE'
  /** Not known yet (nothing reported it). */
  | 'UNKNOWN';

/** The kind of a conflict or warning; each has its own type implementing GnsIssue. */
export type GnsIssueKind =
  /** A conflict: see DuplicateDomainConflict. */
  | 'DUPLICATE_DOMAIN'
  /** A conflict: see HostPortsConflict. */
  | 'HOST_PORTS_DIFFER'
  /** A conflict: see NamespaceClaimConflict. */
  | 'NAMESPACE_CLAIMED_BY_SEVERAL'
  /** A warning: see NoEastWestGatewayWarning. */
  | 'NO_EAST_WEST_GATEWAY'
  /** A warning: see NoRoutablePortsWarning. */
  | 'NO_ROUTABLE_PORTS'
  /** A warning: see UnusableSelectorWarning. */
  | 'UNUSABLE_SELECTOR';

/** The state of a cluster's intermediate certificate. */
export type IntermediateState =
  /** The last CSR was refused (see lastError) and no certificate is usable. */
  | 'ERROR'
  /** Past notAfter. */
  | 'EXPIRED'
  /** Signed, past its renewal point; a renewal is asked for. */
  | 'EXPIRING'
  /** Asked for; no certificate from this root generation yet. */
  | 'PENDING'
  /** Signed and not due for renewal. */
  | 'SIGNED';

/** The latency percentile a LATENCY indicator judges (REST: p50, p90, p99). */
export type LatencyPercentile =
  /** The median. */
  | 'P50'
  /** The 90th percentile. */
  | 'P90'
  /** The 99th percentile. */
  | 'P99';

/** Mutual TLS between the workloads of a Global Namespace. */
export type MtlsMode =
  /** mTLS and plain-text traffic are accepted. */
  | 'PERMISSIVE'
  /** Only mTLS traffic is accepted. */
  | 'STRICT';

/** A traffic policy to preview in policyDryRun. */
export type ProposedTrafficPolicy = {
  /** The GNS service. */
  service: string;
  /** null previews removing the policy */
  spec?: Record<string, unknown> | null | undefined;
};

/** How a selector matches a name. */
export type SelectorType =
  /** The name equals the value. */
  | 'EXACT'
  /** The name starts with the value. */
  | 'PREFIX'
  /** The value, a regular expression, matches the whole name. */
  | 'REGEX';

/** A published port's protocol, as Istio names it: the port's appProtocol or name prefix; TCP when it names none. */
export type ServiceProtocol =
  /** gRPC over HTTP/2 (routes, retries and faults apply). */
  | 'GRPC'
  /** HTTP/1.1 (routes, retries and faults apply). */
  | 'HTTP'
  /** HTTP/2 (routes, retries and faults apply). */
  | 'HTTP2'
  /** TLS-wrapped HTTP, passed through as TLS. */
  | 'HTTPS'
  /** The MongoDB wire protocol. */
  | 'MONGO'
  /** Opaque TCP (also any protocol the mesh does not know). */
  | 'TCP'
  /** TLS, routed by SNI. */
  | 'TLS';

/** A multi-window burn-rate alert rule: <severity>_<long window>_<short window>. */
export type SloAlertRule =
  /** Page: 1 h and 5 min both burn 2 % of the budget in 1 h. */
  | 'PAGE_1H_5M'
  /** Page: 6 h and 30 min both burn 5 % of the budget in 6 h. */
  | 'PAGE_6H_30M'
  /** Ticket: 1 day and 2 h both burn 10 % of the budget in a day. */
  | 'TICKET_1D_2H'
  /** Ticket: 3 days and 6 h both burn 10 % of the budget in 3 days. */
  | 'TICKET_3D_6H';

/** How urgent an alert is. */
export type SloAlertSeverity =
  /** Wake someone up. */
  | 'PAGE'
  /** Handle during working hours. */
  | 'TICKET';

/** How the error budget is counted. */
export type SloBudgeting =
  /** Good requests over requests: a request is bad when it failed or was too slow. */
  | 'OCCURRENCES'
  /** Good minutes over minutes: a minute is good when every indicator holds. */
  | 'TIME_SLICES';

/** What happened to an alert. */
export type SloEventType =
  /** The alert started firing. */
  | 'FIRED'
  /** The alert stopped firing. */
  | 'RESOLVED';

/** How an SLO stands in its window. */
export type SloHealth =
  /** Within budget and burning sustainably. */
  | 'HEALTHY'
  /** The error budget is spent. */
  | 'VIOLATED'
  /** Burning faster than sustainable (3-day burn rate above 1) or an alert active. */
  | 'WARNING';

/** One indicator of an SLO definition. */
export type SloIndicatorInput = {
  /** What it measures. */
  kind: SloIndicatorKind;
  /** ERROR_RATE: percent in [0, 100) */
  maxErrorRatePercent?: number | null | undefined;
  /** LATENCY: the percentile judged. */
  percentile?: LatencyPercentile | null | undefined;
  /** LATENCY: milliseconds, > 0 */
  thresholdMs?: number | null | undefined;
};

/** What an indicator measures. */
export type SloIndicatorKind =
  /** The error rate of each minute stays under maxErrorRatePercent. */
  | 'ERROR_RATE'
  /** A latency percentile of each minute stays under thresholdMs. */
  | 'LATENCY';

/** An SLO definition; updateSlo replaces the whole definition. */
export type SloInput = {
  /** TIME_SLICES when omitted. */
  budgeting?: SloBudgeting | null | undefined;
  /** Free text (default ""). */
  description?: string | null | undefined;
  /** The Global Namespace whose member services it covers. */
  gnsId: string | number;
  /** A minute is good when every indicator holds. */
  indicators: Array<SloIndicatorInput>;
  /** DNS-1123 label, unique in the tenant. */
  name: string;
  /** IGNORE when omitted. */
  noDataPolicy?: SloNoDataPolicy | null | undefined;
  /** GNS services (Kubernetes service names) it covers. */
  services: Array<string>;
  /** The objective in percent, strictly between 0 and 100. */
  targetPercent: number;
  /** MONITORED when omitted. */
  type?: SloType | null | undefined;
  /** "<days>d" (1 to 90) or CALENDAR_MONTH */
  window: string;
};

/** How a minute without requests counts toward compliance, budget and burn rates. */
export type SloNoDataPolicy =
  /** As a bad minute (TIME_SLICES only). */
  | 'BAD'
  /** As a good minute. */
  | 'GOOD'
  /** Not at all: the SLO is judged on minutes with traffic only (the default). */
  | 'IGNORE';

/** A label for consumers (e.g. which SLOs drive actions); both are evaluated alike. */
export type SloType =
  /** Drives actions. */
  | 'ACTIONABLE'
  /** Watched (the default). */
  | 'MONITORED';

export type OverviewQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type OverviewQuery = { globalNamespaces: { pageInfo: { endCursor: string | null, hasNextPage: boolean }, nodes: Array<{ id: string, name: string, status: { serviceCount: number, conflicts: Array<
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
        >, warnings: Array<
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
        > } }> } };

export type SlosQueryVariables = Exact<{
  gnsId?: string | number | null | undefined;
  after?: string | null | undefined;
}>;


export type SlosQuery = { slos: { pageInfo: { endCursor: string | null, hasNextPage: boolean }, nodes: Array<{ id: string, gnsId: string, name: string, services: Array<string>, targetPercent: number, window: string, type: SloType, version: number, status: { health: SloHealth, compliance: number, meetsTarget: boolean, budget: { remainingFraction: number }, burnRates: Array<{ window: BurnRateWindow, rate: number }>, activeAlerts: Array<{ rule: SloAlertRule, severity: SloAlertSeverity, firedAt: string }> } | null }> } };

export type ClustersQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type ClustersQuery = { clusters: { pageInfo: { endCursor: string | null, hasNextPage: boolean }, nodes: Array<{ id: string, name: string, status: ClusterStatus, agentVersion: string | null, appliedVersion: number, desiredVersion: number, lastSeenAt: string | null, eastWestAddress: string | null, labels: Record<string, unknown>, lastNack: { version: number, reason: string, at: string | null } | null, conditions: Array<{ type: ClusterConditionType, status: ConditionStatus, reason: string, message: string, lastTransitionTime: string }>, inventory: { namespaces: number, services: number, updatedAt: string | null } }> } };

export type ClusterStatusQueryVariables = Exact<{
  id: string | number;
}>;


export type ClusterStatusQuery = { cluster: { id: string, name: string, status: ClusterStatus, agentVersion: string | null } };

export type GlobalNamespacesQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type GlobalNamespacesQuery = { globalNamespaces: { pageInfo: { endCursor: string | null, hasNextPage: boolean }, nodes: Array<{ id: string, name: string, domain: string, description: string, mtlsMode: MtlsMode, createdAt: string, matchConditions: Array<{ cluster: { type: SelectorType, value: string }, namespace: { type: SelectorType, value: string } }>, status: { serviceCount: number, memberNamespaces: Array<{ clusterId: string, clusterName: string, namespace: string }>, conflicts: Array<
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
        >, warnings: Array<
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
          | { kind: GnsIssueKind, reason: string }
        > } }> } };

export type GlobalNamespaceQueryVariables = Exact<{
  id: string | number;
}>;


export type GlobalNamespaceQuery = { globalNamespace: { id: string, name: string, domain: string, description: string, mtlsMode: MtlsMode, version: number, matchConditions: Array<{ cluster: { type: SelectorType, value: string }, namespace: { type: SelectorType, value: string } }>, status: { serviceCount: number, memberNamespaces: Array<{ clusterId: string, clusterName: string, namespace: string }>, conflicts: Array<
        | { kind: GnsIssueKind, reason: string }
        | { kind: GnsIssueKind, reason: string }
        | { kind: GnsIssueKind, reason: string }
        | { kind: GnsIssueKind, reason: string }
        | { kind: GnsIssueKind, reason: string }
        | { kind: GnsIssueKind, reason: string }
      >, warnings: Array<
        | { kind: GnsIssueKind, reason: string }
        | { kind: GnsIssueKind, reason: string }
        | { kind: GnsIssueKind, reason: string }
        | { kind: GnsIssueKind, reason: string }
        | { kind: GnsIssueKind, reason: string }
        | { kind: GnsIssueKind, reason: string }
      > }, services: Array<{ name: string, hostname: string, ports: Array<{ name: string, number: number, protocol: ServiceProtocol }>, instances: Array<{ clusterName: string, namespace: string, readyEndpoints: number, notReadyEndpoints: number }> }> } };

export type GnsCaQueryVariables = Exact<{
  id: string | number;
}>;


export type GnsCaQuery = { globalNamespace: { id: string, ca: { trustDomain: string, roots: Array<{ generation: number, state: CaRootState, issuing: boolean, trusted: boolean, subject: string, notAfter: string, fingerprintSha256: string }>, rotation: { stage: CaRotationStage, stageEnteredAt: string, currentRootGeneration: number, nextRootGeneration: number | null, allClustersMovedAt: string | null, waitingFor: { reason: string, clusterIds: Array<string>, earliestAt: string | null } | null } | null, intermediates: Array<{ clusterId: string, clusterName: string, rootGeneration: number, state: IntermediateState, notAfter: string | null, lastError: string | null }> } } };

export type TopologyQueryVariables = Exact<{
  gnsId: string | number;
  from: string;
  to: string;
}>;


export type TopologyQuery = { topology: { nodes: Array<{ id: string, clusterId: string, clusterName: string, namespace: string, service: string, member: boolean, requestRate: number, errorRate: number | null, p50: number | null, p90: number | null, p99: number | null }>, edges: Array<{ sourceId: string, destinationId: string, clusterId: string, requestRate: number, errorRate: number | null, p50: number | null, p90: number | null, p99: number | null }> } };

export type ServiceMetricsQueryVariables = Exact<{
  gnsId: string | number;
  service: string;
  from: string;
  to: string;
  step: number;
}>;


export type ServiceMetricsQuery = { serviceMetrics: Array<{ timestamp: string, requestRate: number, errorRate: number | null, errors: number, p50: number | null, p90: number | null, p99: number | null }> };

export type SloQueryVariables = Exact<{
  id: string | number;
  from: string;
  to: string;
  step: number;
}>;


export type SloQuery = { slo: { id: string, gnsId: string, name: string, description: string, services: Array<string>, targetPercent: number, window: string, type: SloType, budgeting: SloBudgeting, noDataPolicy: SloNoDataPolicy, version: number, indicators: Array<{ kind: SloIndicatorKind, percentile: LatencyPercentile | null, thresholdMs: number | null, maxErrorRatePercent: number | null }>, status: { health: SloHealth, compliance: number, meetsTarget: boolean, evaluatedAt: string, budget: { remainingFraction: number, consumedFraction: number }, burnRates: Array<{ window: BurnRateWindow, rate: number }>, activeAlerts: Array<{ rule: SloAlertRule, severity: SloAlertSeverity, firedAt: string }>, indicators: Array<{ kind: SloIndicatorKind, percentile: LatencyPercentile | null, thresholdMs: number | null, maxErrorRatePercent: number | null, value: number | null, holds: boolean }> } | null, history: Array<{ timestamp: string, sli: number | null, budgetRemainingFraction: number | null, requests: number, badRequests: number }>, events: { nodes: Array<{ id: string, at: string, type: SloEventType, rule: SloAlertRule, severity: SloAlertSeverity, longWindowBurnRate: number | null, shortWindowBurnRate: number | null, threshold: number | null }> } } };

export type CreateSloMutationVariables = Exact<{
  input: SloInput;
}>;


export type CreateSloMutation = { createSlo: { id: string } };

export type UpdateSloMutationVariables = Exact<{
  id: string | number;
  version: number;
  input: SloInput;
}>;


export type UpdateSloMutation = { updateSlo: { id: string } };

export type TrafficPoliciesQueryVariables = Exact<{
  gnsId: string | number;
}>;


export type TrafficPoliciesQuery = { globalNamespace: { id: string, name: string, services: Array<{ name: string, hostname: string }> }, trafficPolicies: Array<{ service: string, spec: Record<string, unknown>, version: number, updatedAt: string, warnings: Array<{ field: string, message: string }> }>, securityPolicy: { spec: Record<string, unknown>, version: number, warnings: Array<{ field: string, message: string }> } | null };

export type PolicyDryRunQueryVariables = Exact<{
  gnsId: string | number;
  trafficPolicies?: Array<ProposedTrafficPolicy> | ProposedTrafficPolicy | null | undefined;
  securityPolicy?: Record<string, unknown> | null | undefined;
}>;


export type PolicyDryRunQuery = { policyDryRun: { warnings: Array<{ field: string, message: string }>, clusters: Array<{ clusterId: string, clusterName: string, added: Array<string>, changed: Array<string>, removed: Array<string>, error: string | null, objects: Array<Record<string, unknown>> }> } };

export type SetTrafficPolicyMutationVariables = Exact<{
  gnsId: string | number;
  service: string;
  spec: Record<string, unknown>;
  version?: number | null | undefined;
}>;


export type SetTrafficPolicyMutation = { setTrafficPolicy: { service: string, version: number } };

export type SetSecurityPolicyMutationVariables = Exact<{
  gnsId: string | number;
  spec: Record<string, unknown>;
  version?: number | null | undefined;
}>;


export type SetSecurityPolicyMutation = { setSecurityPolicy: { version: number } };

export type GnsAutoscalingQueryVariables = Exact<{
  id: string | number;
}>;


export type GnsAutoscalingQuery = { globalNamespace: { id: string, autoscalingPolicies: Array<{ service: string, version: number, spec: Record<string, unknown>, updatedAt: string }> } };

export type AutoscalingEventsQueryVariables = Exact<{
  gnsId: string | number;
  service: string;
}>;


export type AutoscalingEventsQuery = { autoscalingEvents: { nodes: Array<{ id: string, decidedAt: string, clusterName: string, action: AutoscalingAction, outcome: AutoscalingOutcome, fromReplicas: number, toReplicas: number, rule: string, blockedBy: string | null, target: { kind: string, namespace: string, name: string } }> } };


export const OverviewDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Overview"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"globalNamespaces"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"serviceCount"}},{"kind":"Field","name":{"kind":"Name","value":"conflicts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"warnings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<OverviewQuery, OverviewQueryVariables>;
export const SlosDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Slos"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"slos"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"gnsId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"gnsId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"services"}},{"kind":"Field","name":{"kind":"Name","value":"targetPercent"}},{"kind":"Field","name":{"kind":"Name","value":"window"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"health"}},{"kind":"Field","name":{"kind":"Name","value":"compliance"}},{"kind":"Field","name":{"kind":"Name","value":"meetsTarget"}},{"kind":"Field","name":{"kind":"Name","value":"budget"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"remainingFraction"}}]}},{"kind":"Field","name":{"kind":"Name","value":"burnRates"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"window"}},{"kind":"Field","name":{"kind":"Name","value":"rate"}}]}},{"kind":"Field","name":{"kind":"Name","value":"activeAlerts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rule"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"firedAt"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<SlosQuery, SlosQueryVariables>;
export const ClustersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Clusters"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clusters"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"agentVersion"}},{"kind":"Field","name":{"kind":"Name","value":"appliedVersion"}},{"kind":"Field","name":{"kind":"Name","value":"desiredVersion"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"eastWestAddress"}},{"kind":"Field","name":{"kind":"Name","value":"labels"}},{"kind":"Field","name":{"kind":"Name","value":"lastNack"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}},{"kind":"Field","name":{"kind":"Name","value":"conditions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"lastTransitionTime"}}]}},{"kind":"Field","name":{"kind":"Name","value":"inventory"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"namespaces"}},{"kind":"Field","name":{"kind":"Name","value":"services"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ClustersQuery, ClustersQueryVariables>;
export const ClusterStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ClusterStatus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cluster"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"agentVersion"}}]}}]}}]} as unknown as DocumentNode<ClusterStatusQuery, ClusterStatusQueryVariables>;
export const GlobalNamespacesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"GlobalNamespaces"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"globalNamespaces"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"mtlsMode"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"matchConditions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cluster"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"namespace"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"serviceCount"}},{"kind":"Field","name":{"kind":"Name","value":"memberNamespaces"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clusterId"}},{"kind":"Field","name":{"kind":"Name","value":"clusterName"}},{"kind":"Field","name":{"kind":"Name","value":"namespace"}}]}},{"kind":"Field","name":{"kind":"Name","value":"conflicts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"warnings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<GlobalNamespacesQuery, GlobalNamespacesQueryVariables>;
export const GlobalNamespaceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"GlobalNamespace"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"globalNamespace"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"mtlsMode"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"matchConditions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cluster"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"namespace"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"serviceCount"}},{"kind":"Field","name":{"kind":"Name","value":"memberNamespaces"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clusterId"}},{"kind":"Field","name":{"kind":"Name","value":"clusterName"}},{"kind":"Field","name":{"kind":"Name","value":"namespace"}}]}},{"kind":"Field","name":{"kind":"Name","value":"conflicts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"warnings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"services"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"hostname"}},{"kind":"Field","name":{"kind":"Name","value":"ports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"protocol"}}]}},{"kind":"Field","name":{"kind":"Name","value":"instances"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clusterName"}},{"kind":"Field","name":{"kind":"Name","value":"namespace"}},{"kind":"Field","name":{"kind":"Name","value":"readyEndpoints"}},{"kind":"Field","name":{"kind":"Name","value":"notReadyEndpoints"}}]}}]}}]}}]}}]} as unknown as DocumentNode<GlobalNamespaceQuery, GlobalNamespaceQueryVariables>;
export const GnsCaDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"GnsCa"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"globalNamespace"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"ca"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"trustDomain"}},{"kind":"Field","name":{"kind":"Name","value":"roots"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"generation"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"issuing"}},{"kind":"Field","name":{"kind":"Name","value":"trusted"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"notAfter"}},{"kind":"Field","name":{"kind":"Name","value":"fingerprintSha256"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rotation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stage"}},{"kind":"Field","name":{"kind":"Name","value":"stageEnteredAt"}},{"kind":"Field","name":{"kind":"Name","value":"currentRootGeneration"}},{"kind":"Field","name":{"kind":"Name","value":"nextRootGeneration"}},{"kind":"Field","name":{"kind":"Name","value":"allClustersMovedAt"}},{"kind":"Field","name":{"kind":"Name","value":"waitingFor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"clusterIds"}},{"kind":"Field","name":{"kind":"Name","value":"earliestAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"intermediates"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clusterId"}},{"kind":"Field","name":{"kind":"Name","value":"clusterName"}},{"kind":"Field","name":{"kind":"Name","value":"rootGeneration"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"notAfter"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"}}]}}]}}]}}]}}]} as unknown as DocumentNode<GnsCaQuery, GnsCaQueryVariables>;
export const TopologyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Topology"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"topology"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"gnsId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}}},{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"clusterId"}},{"kind":"Field","name":{"kind":"Name","value":"clusterName"}},{"kind":"Field","name":{"kind":"Name","value":"namespace"}},{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"member"}},{"kind":"Field","name":{"kind":"Name","value":"requestRate"}},{"kind":"Field","name":{"kind":"Name","value":"errorRate"}},{"kind":"Field","name":{"kind":"Name","value":"p50"}},{"kind":"Field","name":{"kind":"Name","value":"p90"}},{"kind":"Field","name":{"kind":"Name","value":"p99"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sourceId"}},{"kind":"Field","name":{"kind":"Name","value":"destinationId"}},{"kind":"Field","name":{"kind":"Name","value":"clusterId"}},{"kind":"Field","name":{"kind":"Name","value":"requestRate"}},{"kind":"Field","name":{"kind":"Name","value":"errorRate"}},{"kind":"Field","name":{"kind":"Name","value":"p50"}},{"kind":"Field","name":{"kind":"Name","value":"p90"}},{"kind":"Field","name":{"kind":"Name","value":"p99"}}]}}]}}]}}]} as unknown as DocumentNode<TopologyQuery, TopologyQueryVariables>;
export const ServiceMetricsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ServiceMetrics"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"service"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"step"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"serviceMetrics"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"gnsId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}}},{"kind":"Argument","name":{"kind":"Name","value":"service"},"value":{"kind":"Variable","name":{"kind":"Name","value":"service"}}},{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}},{"kind":"Argument","name":{"kind":"Name","value":"step"},"value":{"kind":"Variable","name":{"kind":"Name","value":"step"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"requestRate"}},{"kind":"Field","name":{"kind":"Name","value":"errorRate"}},{"kind":"Field","name":{"kind":"Name","value":"errors"}},{"kind":"Field","name":{"kind":"Name","value":"p50"}},{"kind":"Field","name":{"kind":"Name","value":"p90"}},{"kind":"Field","name":{"kind":"Name","value":"p99"}}]}}]}}]} as unknown as DocumentNode<ServiceMetricsQuery, ServiceMetricsQueryVariables>;
export const SloDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Slo"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"step"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"slo"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"gnsId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"services"}},{"kind":"Field","name":{"kind":"Name","value":"targetPercent"}},{"kind":"Field","name":{"kind":"Name","value":"window"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"budgeting"}},{"kind":"Field","name":{"kind":"Name","value":"noDataPolicy"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"indicators"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"percentile"}},{"kind":"Field","name":{"kind":"Name","value":"thresholdMs"}},{"kind":"Field","name":{"kind":"Name","value":"maxErrorRatePercent"}}]}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"health"}},{"kind":"Field","name":{"kind":"Name","value":"compliance"}},{"kind":"Field","name":{"kind":"Name","value":"meetsTarget"}},{"kind":"Field","name":{"kind":"Name","value":"evaluatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"budget"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"remainingFraction"}},{"kind":"Field","name":{"kind":"Name","value":"consumedFraction"}}]}},{"kind":"Field","name":{"kind":"Name","value":"burnRates"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"window"}},{"kind":"Field","name":{"kind":"Name","value":"rate"}}]}},{"kind":"Field","name":{"kind":"Name","value":"activeAlerts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rule"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"firedAt"}}]}},{"kind":"Field","name":{"kind":"Name","value":"indicators"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"percentile"}},{"kind":"Field","name":{"kind":"Name","value":"thresholdMs"}},{"kind":"Field","name":{"kind":"Name","value":"maxErrorRatePercent"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"holds"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"history"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}},{"kind":"Argument","name":{"kind":"Name","value":"step"},"value":{"kind":"Variable","name":{"kind":"Name","value":"step"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"sli"}},{"kind":"Field","name":{"kind":"Name","value":"budgetRemainingFraction"}},{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"badRequests"}}]}},{"kind":"Field","name":{"kind":"Name","value":"events"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"rule"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"longWindowBurnRate"}},{"kind":"Field","name":{"kind":"Name","value":"shortWindowBurnRate"}},{"kind":"Field","name":{"kind":"Name","value":"threshold"}}]}}]}}]}}]}}]} as unknown as DocumentNode<SloQuery, SloQueryVariables>;
export const CreateSloDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateSlo"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SloInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createSlo"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<CreateSloMutation, CreateSloMutationVariables>;
export const UpdateSloDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateSlo"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"version"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SloInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateSlo"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"version"},"value":{"kind":"Variable","name":{"kind":"Name","value":"version"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<UpdateSloMutation, UpdateSloMutationVariables>;
export const TrafficPoliciesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TrafficPolicies"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"globalNamespace"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"services"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"hostname"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"trafficPolicies"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"gnsId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"spec"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"warnings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"securityPolicy"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"gnsId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"spec"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"warnings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<TrafficPoliciesQuery, TrafficPoliciesQueryVariables>;
export const PolicyDryRunDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PolicyDryRun"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"trafficPolicies"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ProposedTrafficPolicy"}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"securityPolicy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"JSONObject"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"policyDryRun"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"gnsId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}}},{"kind":"Argument","name":{"kind":"Name","value":"trafficPolicies"},"value":{"kind":"Variable","name":{"kind":"Name","value":"trafficPolicies"}}},{"kind":"Argument","name":{"kind":"Name","value":"securityPolicy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"securityPolicy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"warnings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"Field","name":{"kind":"Name","value":"clusters"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clusterId"}},{"kind":"Field","name":{"kind":"Name","value":"clusterName"}},{"kind":"Field","name":{"kind":"Name","value":"added"}},{"kind":"Field","name":{"kind":"Name","value":"changed"}},{"kind":"Field","name":{"kind":"Name","value":"removed"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"objects"}}]}}]}}]}}]} as unknown as DocumentNode<PolicyDryRunQuery, PolicyDryRunQueryVariables>;
export const SetTrafficPolicyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetTrafficPolicy"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"service"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"spec"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"JSONObject"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"version"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setTrafficPolicy"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"gnsId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}}},{"kind":"Argument","name":{"kind":"Name","value":"service"},"value":{"kind":"Variable","name":{"kind":"Name","value":"service"}}},{"kind":"Argument","name":{"kind":"Name","value":"spec"},"value":{"kind":"Variable","name":{"kind":"Name","value":"spec"}}},{"kind":"Argument","name":{"kind":"Name","value":"version"},"value":{"kind":"Variable","name":{"kind":"Name","value":"version"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<SetTrafficPolicyMutation, SetTrafficPolicyMutationVariables>;
export const SetSecurityPolicyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetSecurityPolicy"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"spec"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"JSONObject"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"version"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setSecurityPolicy"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"gnsId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}}},{"kind":"Argument","name":{"kind":"Name","value":"spec"},"value":{"kind":"Variable","name":{"kind":"Name","value":"spec"}}},{"kind":"Argument","name":{"kind":"Name","value":"version"},"value":{"kind":"Variable","name":{"kind":"Name","value":"version"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<SetSecurityPolicyMutation, SetSecurityPolicyMutationVariables>;
export const GnsAutoscalingDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"GnsAutoscaling"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"globalNamespace"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"autoscalingPolicies"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"spec"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]}}]} as unknown as DocumentNode<GnsAutoscalingQuery, GnsAutoscalingQueryVariables>;
export const AutoscalingEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AutoscalingEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"service"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"autoscalingEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"gnsId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"gnsId"}}},{"kind":"Argument","name":{"kind":"Name","value":"service"},"value":{"kind":"Variable","name":{"kind":"Name","value":"service"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"clusterName"}},{"kind":"Field","name":{"kind":"Name","value":"target"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"namespace"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"fromReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"toReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"rule"}},{"kind":"Field","name":{"kind":"Name","value":"blockedBy"}}]}}]}}]}}]} as unknown as DocumentNode<AutoscalingEventsQuery, AutoscalingEventsQueryVariables>;