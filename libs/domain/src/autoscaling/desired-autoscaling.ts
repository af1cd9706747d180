import type { DesiredClusterState } from '../desired-state';
import type { AutoscalingPolicySpec } from './autoscaling-spec';
import type { DesiredAutoscalingPolicy } from './desired-autoscaling-policy';

export type { DesiredAutoscalingPolicy } from './desired-autoscaling-policy';

export interface AutoscalingPolicyRecord {
  id: string;
  gnsId: string;
  service: string;
  version: number;
  spec: AutoscalingPolicySpec;
}

/** An ACTIONABLE SLO whose latest evaluation has at least one indicator that does not hold. */
export interface ActionableSloViolation {
  sloId: string;
  name: string;
  gnsId: string;
  services: readonly string[];
}

/**
 * Adds to each cluster's state the autoscaling policies that apply there: one per policy and per
 * instance of its service running in that very cluster (a LOCAL endpoint). The workload is the
 * policy's target for that cluster (by cluster name), or else the Deployment named like the
 * service in the instance's namespace. Clusters without any keep no `autoscaling` field, so their
 * desired-state hash does not change.
 */
export function withAutoscaling(
  states: ReadonlyMap<string, DesiredClusterState>,
  policies: readonly AutoscalingPolicyRecord[],
  violations: readonly ActionableSloViolation[],
): Map<string, DesiredClusterState> {
  if (policies.length === 0) return new Map(states);
  const byGns = new Map<string, AutoscalingPolicyRecord[]>();
  for (const policy of policies) byGns.set(policy.gnsId, [...(byGns.get(policy.gnsId) ?? []), policy]);
  const result = new Map<string, DesiredClusterState>();
  for (const [clusterId, state] of states) result.set(clusterId, autoscalingOf(state));
  return result;

  function autoscalingOf(state: DesiredClusterState): DesiredClusterState {
    const entries = new Map<string, DesiredAutoscalingPolicy>();
    for (const gns of state.globalNamespaces) {
      for (const policy of byGns.get(gns.id) ?? []) {
        const service = gns.services.find((candidate) => candidate.name === policy.service);
        if (!service) continue;
        const override = policy.spec.targets.find((target) => target.cluster === state.clusterName);
        const blocking = violations
          .filter((slo) => slo.gnsId === gns.id && slo.services.includes(policy.service))
          .map((slo) => ({ id: slo.sloId, name: slo.name }))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const endpoint of service.endpoints) {
          if (endpoint.kind !== 'LOCAL' || endpoint.clusterId !== state.clusterId) continue;
          const target = override
            ? {
                kind: override.kind,
                namespace: override.namespace ?? endpoint.namespace,
                name: override.name,
              }
            : { kind: 'Deployment' as const, namespace: endpoint.namespace, name: policy.service };
          const key = `${target.kind}/${target.namespace}/${target.name}`;
          if (entries.has(key)) continue;
          const { mode, instances, triggers, windowSeconds, gracePeriodSeconds, recommendOnly } = policy.spec;
          entries.set(key, {
            policyId: policy.id,
            version: policy.version,
            gnsId: gns.id,
            service: policy.service,
            serviceNamespace: endpoint.namespace,
            target,
            mode,
            instances,
            triggers,
            windowSeconds,
            gracePeriodSeconds,
            recommendOnly,
            scaleDownBlocked: blocking.length > 0,
            blockingSlos: blocking,
          });
        }
      }
    }
    if (entries.size === 0) return state;
    const autoscaling = [...entries.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, entry]) => entry);
    return { ...state, autoscaling };
  }
}
