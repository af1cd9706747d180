import {
  type DesiredClusterState,
  type DesiredStateResource,
  type CanonicalJsonMemo,
  splitDesiredState,
} from '@lattice/domain';
import type { SnapshotResource } from './config-distribution.types';

/**
 * The resources of a stored snapshot payload (the canonical JSON of its desired state), split as
 * the agent splits its applied state, so equal content gives equal hashes on both sides.
 */
export function splitSnapshotPayload(payload: Buffer): SnapshotResource[] {
  const state = JSON.parse(payload.toString('utf8')) as DesiredClusterState;
  return toSnapshotResources(splitDesiredState(state));
}

/**
 * The resources of a state in canonical form (a recomputation's `canonicalState`), with the memo
 * and the bytes of the other states it splits: the same bytes as splitting the stored payload, but
 * without parsing it back, and a resource equal in many clusters (a remote cluster's endpoints) is
 * serialized, hashed and encoded once (`payloads`: bytes by resource hash, for one computation).
 */
export function splitCanonicalState(
  canonicalState: DesiredClusterState,
  memo: CanonicalJsonMemo,
  payloads: Map<string, Buffer>,
): SnapshotResource[] {
  return toSnapshotResources(splitDesiredState(canonicalState, memo), payloads);
}

function toSnapshotResources(
  resources: readonly DesiredStateResource[],
  payloads?: Map<string, Buffer>,
): SnapshotResource[] {
  return resources.map((resource) => {
    let payload = payloads?.get(resource.hash);
    if (!payload) {
      payload = Buffer.from(resource.json, 'utf8');
      payloads?.set(resource.hash, payload);
    }
    return { name: resource.name, hash: resource.hash, payload };
  });
}
