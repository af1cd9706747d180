import { type DesiredClusterState, splitDesiredState } from '@lattice/domain';
import type { SnapshotResource } from './config-distribution.types';

/**
 * The resources of a stored snapshot payload (the canonical JSON of its desired state), split as
 * the agent splits its applied state, so equal content gives equal hashes on both sides.
 */
export function splitSnapshotPayload(payload: Buffer): SnapshotResource[] {
  const state = JSON.parse(payload.toString('utf8')) as DesiredClusterState;
  return splitDesiredState(state).map((resource) => ({
    name: resource.name,
    hash: resource.hash,
    payload: Buffer.from(resource.json, 'utf8'),
  }));
}
