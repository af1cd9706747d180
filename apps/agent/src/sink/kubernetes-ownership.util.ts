import { GNS_LABEL, ISTIO_CONFIG_NAMESPACE, MESH_CA_SECRET_NAME, type KubeObject } from '@lattice/istio';
import { CLUSTER_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from './apply-sink.port';

/**
 * Annotation on every object the agent writes: JSON naming the cluster (and GNS) it was written
 * for, and whether the agent took over an object it had not created (`istio-system/cacerts` with
 * the cluster's take-over option). Labels alone are not proof of ownership: anyone can copy them,
 * and older agents labelled a user's `cacerts` when they overwrote it.
 */
export const OWNER_ANNOTATION = 'lattice.io/owner';

export interface OwnerRecord {
  cluster: string;
  globalNamespace?: string;
  /** Existed before Lattice wrote it; never deleted by the agent. */
  takenOver?: boolean;
}

/** An object as the API server returns it (list items or GET). */
export interface ExistingObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

/** The labels and the owner annotation that mark an object as this agent's. */
export function withOwnership(object: KubeObject, clusterId: string, takenOver = false): KubeObject {
  const gns = object.metadata.labels?.[GNS_LABEL];
  const owner: OwnerRecord = {
    cluster: clusterId,
    ...(gns !== undefined ? { globalNamespace: gns } : {}),
    ...(takenOver ? { takenOver: true } : {}),
  };
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: {
        ...(object.metadata.labels ?? {}),
        [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
        [CLUSTER_LABEL]: clusterId,
      },
      annotations: { ...(object.metadata.annotations ?? {}), [OWNER_ANNOTATION]: JSON.stringify(owner) },
    },
  };
}

/** The label selector that finds this agent's candidates; ownerOf() then checks the annotation. */
export function ownershipSelector(clusterId: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${CLUSTER_LABEL}=${clusterId}`;
}

/** This cluster's owner record of an object, or undefined when the agent does not own it. */
export function ownerOf(object: ExistingObject, clusterId: string): OwnerRecord | undefined {
  const labels = object.metadata?.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE || labels[CLUSTER_LABEL] !== clusterId) return undefined;
  const raw = object.metadata?.annotations?.[OWNER_ANNOTATION];
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  if (record.cluster !== clusterId) return undefined;
  return {
    cluster: clusterId,
    ...(typeof record.globalNamespace === 'string' ? { globalNamespace: record.globalNamespace } : {}),
    ...(record.takenOver === true ? { takenOver: true } : {}),
  };
}

/** istiod's plug-in CA Secret: the one object a user may already have that Lattice also writes. */
export function isMeshCaSecret(object: {
  apiVersion?: string;
  kind?: string;
  metadata?: ExistingObject['metadata'];
}): boolean {
  return (
    object.apiVersion === 'v1' &&
    object.kind === 'Secret' &&
    object.metadata?.namespace === ISTIO_CONFIG_NAMESPACE &&
    object.metadata?.name === MESH_CA_SECRET_NAME
  );
}

export type WriteDecision =
  /** Absent, or already this agent's: apply it (keeping a take-over mark). */
  | { write: true; takenOver: boolean; /** Someone else's until this write. */ takingOver?: boolean }
  | { write: false; reason: string };

/**
 * May the agent write `desired` over what the cluster holds under its name (`existing`, undefined
 * when there is nothing)? Only objects it created, plus a foreign `istio-system/cacerts` when the
 * cluster was registered with the take-over option.
 */
export function writeDecision(
  desired: KubeObject,
  existing: ExistingObject | undefined,
  clusterId: string,
  takeOverMeshCa: boolean,
): WriteDecision {
  if (existing === undefined) return { write: true, takenOver: false };
  const owner = ownerOf(existing, clusterId);
  if (owner) return { write: true, takenOver: owner.takenOver === true };
  const where = `${desired.kind} ${desired.metadata.namespace ? `${desired.metadata.namespace}/` : ''}${desired.metadata.name}`;
  if (isMeshCaSecret(desired)) {
    if (takeOverMeshCa) return { write: true, takenOver: true, takingOver: true };
    return {
      write: false,
      reason: `${where} exists and was not created by Lattice (a CA of your own?); it is left untouched. Register the cluster with takeOverMeshCa: true to let Lattice replace it, or remove it yourself`,
    };
  }
  return {
    write: false,
    reason: `${where} exists and was not created by Lattice (no ${OWNER_ANNOTATION} annotation for this cluster); it is left untouched. Rename or remove it`,
  };
}
