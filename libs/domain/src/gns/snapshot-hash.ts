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
export function canonicalJson(state: DesiredClusterState, memo?: CanonicalJsonMemo): string {
  return stableStringify(normalizeState(state), memo);
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
  /** The canonical JSON that was hashed, UTF-8 encoded: the payload to store, serialized and encoded once. */
  payload: Buffer;
  /** The state as `canonicalJson` encodes it (lists in canonical order): what its resources are split from. */
  canonicalState: DesiredClusterState;
}

/**
 * The clusters of `changedClusters`, in the same order, each with the canonical JSON its hash was
 * computed from. Lazy, so a caller storing chunks holds one chunk of payloads at a time. The memo
 * (one per computation, see CanonicalJsonMemo) serializes what the states share once.
 */
export function* changedClusterPayloads(
  previousHashes: ReadonlyMap<string, string>,
  nextStates: ReadonlyMap<string, DesiredClusterState>,
  memo: CanonicalJsonMemo = new CanonicalJsonMemo(),
): Generator<ClusterPayloadChange> {
  for (const clusterId of [...nextStates.keys()].sort(compareText)) {
    const canonicalState = normalizeState(nextStates.get(clusterId) as DesiredClusterState);
    const payload = Buffer.from(stableStringify(canonicalState, memo), 'utf8');
    const hash = createHash('sha256').update(payload).digest('hex');
    if (previousHashes.get(clusterId) !== hash) yield { clusterId, hash, payload, canonicalState };
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
 * Texts shorter than this are serialized again rather than remembered: remembering an object
 * (a WeakMap entry) costs more than serializing a small one.
 */
const MEMO_MIN_TEXT_LENGTH = 128;

/**
 * Canonical JSON already computed during one computation (a recomputation of a tenant's states,
 * whose states share objects such as the remote endpoints of a service), so a shared object is
 * serialized once, and content derived from one shared object alone hashed once. Only valid while
 * the objects it has seen are not mutated: make one per computation, never keep it.
 */
export class CanonicalJsonMemo {
  private readonly texts = new WeakMap<object, string>();
  private readonly hashed = new WeakMap<object, { json: string; hash: string }>();

  textOf(value: object): string | undefined {
    return this.texts.get(value);
  }

  remember(value: object, text: string): void {
    if (text.length >= MEMO_MIN_TEXT_LENGTH) this.texts.set(value, text);
  }

  /** The canonical JSON of `content()` and its hash, computed once per `key` (content must depend on key alone). */
  hashedOf(key: object, content: () => unknown): { json: string; hash: string } {
    let known = this.hashed.get(key);
    if (!known) {
      const json = stableStringify(content(), this);
      known = { json, hash: canonicalJsonHash(json) };
      this.hashed.set(key, known);
    }
    return known;
  }
}

/**
 * JSON.stringify with object keys in code-unit order; undefined fields dropped as JSON does. Lists
 * keep their order (canonicalJson sorts the meaningless ones first). With a memo, an object seen
 * before is not serialized again.
 */
export function stableStringify(value: unknown, memo?: CanonicalJsonMemo): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value);
  const known = memo?.textOf(value);
  if (known !== undefined) return known;
  // Plain loops and concatenation: this serializes every payload, and the array helpers'
  // intermediate lists were most of its time and garbage.
  let text: string;
  if (Array.isArray(value)) {
    text = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      text += (i > 0 ? ',' : '') + (item === undefined ? 'null' : stableStringify(item, memo));
    }
    text += ']';
  } else {
    const record = value as Record<string, unknown>;
    // The default sort compares strings by code units, as compareText does.
    const keys = Object.keys(record).sort();
    text = '{';
    let first = true;
    for (const key of keys) {
      const item = record[key];
      if (item === undefined) continue;
      text += (first ? '' : ',') + JSON.stringify(key) + ':' + stableStringify(item, memo);
      first = false;
    }
    text += '}';
  }
  memo?.remember(value, text);
  return text;
}
