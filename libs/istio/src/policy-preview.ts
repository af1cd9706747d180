import {
  buildDesiredStates,
  compareText,
  withPolicies,
  type ClusterWithInventory,
  type DesiredClusterState,
  type GnsPolicies,
  type MembershipResult,
  type PoliciesByGns,
} from '@lattice/domain';
import type { KubeObject } from './kube-object';
import { objectKey } from './manifest';
import { GNS_LABEL } from './ownership';
import { renderClusterState } from './render-cluster-state';

/** What one member cluster of a GNS would hold with proposed policies, compared with now. */
export interface ClusterPolicyPreview {
  clusterId: string;
  clusterName: string;
  /** Every object of this GNS the cluster would hold, in apply order (CA Secrets are not shown). */
  objects: KubeObject[];
  /** Object keys (`Kind/namespace/name`) compared with what the stored policies give now. */
  added: string[];
  changed: string[];
  removed: string[];
  /** Set when the cluster could not render the state (its agent would NACK it). */
  error?: string;
}

export interface PolicyPreviewInput {
  gnsId: string;
  membership: MembershipResult;
  clusters: readonly ClusterWithInventory[];
  /** The tenant's stored policies, by GNS id. */
  stored: PoliciesByGns;
  /** The GNS's policies with the proposal applied. */
  proposed: GnsPolicies;
}

/**
 * Renders the GNS's objects for each of its member clusters (by name) exactly as the agents
 * render them, once with the stored policies and once with the proposed ones, and diffs the two.
 */
export function previewPolicies(input: PolicyPreviewInput): ClusterPolicyPreview[] {
  const { gnsId, membership, clusters, stored } = input;
  const base = buildDesiredStates(membership, clusters);
  const render = (policies: PoliciesByGns) => withPolicies(base, membership, clusters, policies);
  const before = render(stored);
  const after = render(new Map([...stored, [gnsId, input.proposed]]));
  const gns = membership.globalNamespaces.find((entry) => entry.gns.id === gnsId);
  const members = new Set(gns?.namespaces.map((member) => member.clusterId));
  return [...clusters]
    .sort((a, b) => compareText(a.name, b.name))
    .filter((cluster) => members.has(cluster.id))
    .map((cluster) => {
      const preview: ClusterPolicyPreview = {
        clusterId: cluster.id,
        clusterName: cluster.name,
        objects: [],
        added: [],
        changed: [],
        removed: [],
      };
      try {
        const now = gnsObjects(stateOf(before, cluster.id), gnsId);
        const next = gnsObjects(stateOf(after, cluster.id), gnsId);
        return { ...preview, objects: next, ...diffObjects(now, next) };
      } catch (error) {
        return { ...preview, error: error instanceof Error ? error.message : String(error) };
      }
    });
}

/** Keys of objects only in `next` (added), in both but different (changed), only in `now` (removed). */
export function diffObjects(
  now: readonly KubeObject[],
  next: readonly KubeObject[],
): { added: string[]; changed: string[]; removed: string[] } {
  const nowByKey = new Map(now.map((object) => [objectKey(object), JSON.stringify(object)]));
  const nextByKey = new Map(next.map((object) => [objectKey(object), JSON.stringify(object)]));
  return {
    added: [...nextByKey.keys()].filter((key) => !nowByKey.has(key)),
    changed: [...nextByKey.keys()].filter(
      (key) => nowByKey.has(key) && nowByKey.get(key) !== nextByKey.get(key),
    ),
    removed: [...nowByKey.keys()].filter((key) => !nextByKey.has(key)),
  };
}

function stateOf(states: ReadonlyMap<string, DesiredClusterState>, clusterId: string): DesiredClusterState {
  const state = states.get(clusterId);
  if (!state) throw new Error(`no desired state was built for cluster ${clusterId}`);
  return state;
}

/** The GNS's objects of a cluster without CA Secrets (no intermediate keys here: none are rendered). */
function gnsObjects(state: DesiredClusterState, gnsId: string): KubeObject[] {
  return renderClusterState(state, new Map()).filter(
    (object) => object.metadata.labels?.[GNS_LABEL] === gnsId && object.kind !== 'Secret',
  );
}
