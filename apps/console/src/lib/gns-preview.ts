import {
  compileSelector,
  validateMatchConditions,
  type MatchCondition,
} from '@lattice/domain/gns/match-conditions';

export interface KnownNamespace {
  clusterId: string;
  clusterName: string;
  namespace: string;
}

export interface ClaimingGns {
  id: string;
  name: string;
  createdAt: string;
  members: readonly KnownNamespace[];
}

export interface GnsPreview {
  errors: { field: string; message: string }[];
  /** Clusters whose name some condition's cluster selector matches. */
  clusters: string[];
  /** Known namespaces (members of any GNS) the conditions would claim. */
  members: KnownNamespace[];
  /** Of those, the ones another, older GNS keeps (the older GNS wins a contested namespace). */
  conflicts: { member: KnownNamespace; keptBy: string }[];
}

/**
 * The live preview of a GNS being edited, computed with the controller's own selector code: which
 * clusters the conditions match, which known namespaces they would claim and which of those an older
 * GNS keeps. Namespaces no GNS holds yet are not known to the API; they appear once saved.
 */
export function previewGns(
  conditions: MatchCondition[],
  clusters: readonly { id: string; name: string }[],
  others: readonly ClaimingGns[],
  self: { id?: string; createdAt?: string },
): GnsPreview {
  const errors = validateMatchConditions(conditions);
  if (errors.length > 0) return { errors, clusters: [], members: [], conflicts: [] };
  const matchers = conditions.map((c) => ({
    cluster: compileSelector(c.cluster),
    namespace: compileSelector(c.namespace),
  }));
  const matchedClusters = clusters
    .filter((cluster) => matchers.some((m) => m.cluster(cluster.name)))
    .map((c) => c.name);
  const known = new Map<string, { member: KnownNamespace; holders: ClaimingGns[] }>();
  for (const gns of others) {
    for (const member of gns.members) {
      const key = `${member.clusterId}/${member.namespace}`;
      const entry = known.get(key) ?? { member, holders: [] };
      if (gns.id !== self.id) entry.holders.push(gns);
      known.set(key, entry);
    }
  }
  const members: KnownNamespace[] = [];
  const conflicts: { member: KnownNamespace; keptBy: string }[] = [];
  const selfCreated = self.createdAt ?? '9999-12-31T00:00:00Z';
  for (const { member, holders } of known.values()) {
    if (!matchers.some((m) => m.cluster(member.clusterName) && m.namespace(member.namespace))) continue;
    members.push(member);
    const older = holders
      .filter((g) => g.createdAt < selfCreated)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    if (older[0]) conflicts.push({ member, keptBy: older[0].name });
  }
  members.sort((a, b) => `${a.clusterName}/${a.namespace}`.localeCompare(`${b.clusterName}/${b.namespace}`));
  return { errors: [], clusters: matchedClusters, members, conflicts };
}
