import { createHash } from 'node:crypto';
import type {
  DesiredClusterState,
  DesiredGlobalNamespace,
  DesiredGnsService,
  ServiceEndpoint,
  ServicePortSpec,
} from '../desired-state';
import { compareText } from './compare-text';

/**
 * The canonical JSON of a desired state: object keys sorted, and the lists whose order carries no
 * meaning (GNS, namespaces, services, ports, endpoints) sorted, so that equal states give equal
 * text however they were built. Fields this version does not know are kept (key-sorted, lists in
 * their given order), so a hash still changes when an additive field does.
 */
export function canonicalJson(state: DesiredClusterState): string {
  return stableStringify(normalizeState(state));
}

/** sha256 (hex) of the canonical JSON: what decides whether a cluster needs a new version. */
export function stateHash(state: DesiredClusterState): string {
  return canonicalJsonHash(canonicalJson(state));
}

/** sha256 (hex) of a canonical JSON text already built (the payload that is stored is hashed as is). */
export function canonicalJsonHash(json: string): string {
  return createHash('sha256').update(json).digest('hex');
}

export interface ClusterStateChange {
  clusterId: string;
  hash: string;
  state: DesiredClusterState;
}

export interface ClusterStateChanges {
  /** Clusters whose state differs from the last pushed one (or that never had one), by cluster id. */
  changed: ClusterStateChange[];
  /** Clusters that had a state but are no longer among the tenant's clusters. */
  removedClusterIds: string[];
}

/** Only clusters whose desired state actually changed get a new snapshot version. */
export function changedClusters(
  previousHashes: ReadonlyMap<string, string>,
  nextStates: ReadonlyMap<string, DesiredClusterState>,
): ClusterStateChanges {
  const changed: ClusterStateChange[] = [];
  for (const { clusterId, hash } of changedClusterPayloads(previousHashes, nextStates)) {
    changed.push({ clusterId, hash, state: nextStates.get(clusterId) as DesiredClusterState });
  }
  const removedClusterIds = [...previousHashes.keys()]
    .filter((clusterId) => !nextStates.has(clusterId))
    .sort(compareText);
  return { changed, removedClusterIds };
}

export interface ClusterPayloadChange {
  clusterId: string;
  hash: string;
  /** The canonical JSON that was hashed: the payload to store, serialized once. */
  canonicalJson: string;
}

/**
 * The clusters of `changedClusters`, in the same order, each with the canonical JSON its hash was
 * computed from. Lazy, so a caller storing chunks holds one chunk of payloads at a time.
 */
export function* changedClusterPayloads(
  previousHashes: ReadonlyMap<string, string>,
  nextStates: ReadonlyMap<string, DesiredClusterState>,
): Generator<ClusterPayloadChange> {
  for (const clusterId of [...nextStates.keys()].sort(compareText)) {
    const json = canonicalJson(nextStates.get(clusterId) as DesiredClusterState);
    const hash = canonicalJsonHash(json);
    if (previousHashes.get(clusterId) !== hash) yield { clusterId, hash, canonicalJson: json };
  }
}

function normalizeState(state: DesiredClusterState): DesiredClusterState {
  return {
    ...state,
    globalNamespaces: [...state.globalNamespaces]
      .map(normalizeGlobalNamespace)
      .sort((a, b) => compareText(a.id, b.id)),
  };
}

function normalizeGlobalNamespace(gns: DesiredGlobalNamespace): DesiredGlobalNamespace {
  return {
    ...gns,
    localNamespaces: [...gns.localNamespaces].sort(compareText),
    services: gns.services
      .map(normalizeService)
      .sort((a, b) => compareText(a.hostname, b.hostname) || compareText(a.name, b.name)),
  };
}

function normalizeService(service: DesiredGnsService): DesiredGnsService {
  return {
    ...service,
    ports: [...service.ports].sort(comparePorts),
    endpoints: [...service.endpoints].sort(compareEndpoints),
  };
}

function comparePorts(a: ServicePortSpec, b: ServicePortSpec): number {
  return a.number - b.number || compareText(a.protocol, b.protocol) || compareText(a.name, b.name);
}

function compareEndpoints(a: ServiceEndpoint, b: ServiceEndpoint): number {
  return (
    compareText(a.kind, b.kind) ||
    compareText(a.clusterId, b.clusterId) ||
    compareText(a.namespace, b.namespace) ||
    compareText(a.address, b.address) ||
    (a.kind === 'REMOTE' && b.kind === 'REMOTE' ? a.port - b.port : 0)
  );
}

/**
 * JSON.stringify with object keys in code-unit order; undefined fields dropped as JSON does. Lists
 * keep their order (canonicalJson sorts the meaningless ones first).
 */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value);
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : stableStringify(item))).join(',')}]`;
  const entries = Object.keys(value)
    .sort(compareText)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}
