import type { DeclarativeKind, DeclarativeSpec, FieldChange, FieldError, ResourceRef } from '@lattice/domain';

/** A resource as GET answers it: the document apply takes, plus server-set metadata and status. */
export interface DeclarativeDocument {
  apiVersion: string;
  kind: DeclarativeKind;
  metadata: {
    name: string;
    globalNamespace?: string;
    id?: string;
    version?: number;
    createdAt?: string;
    updatedAt?: string;
    /** "lattice-apply" when apply wrote it last. */
    managedBy?: string;
    /** The apply set that created it (what prune may delete). */
    applySet?: string | null;
  };
  spec: DeclarativeSpec;
  status?: unknown;
}

export interface ApplyOptions {
  dryRun: boolean;
  force: boolean;
  applySet: string;
}

export interface ApplyResult {
  ref: ResourceRef & { key: string };
  action: 'create' | 'update' | 'unchanged';
  dryRun: boolean;
  changes: FieldChange[];
  /** The version after the write (the current one when unchanged); null in a dry run of a create. */
  version: number | null;
  warnings: FieldError[];
  /** Dry runs of TrafficPolicy and SecurityPolicy: the Istio objects each member cluster would get. */
  rendered?: unknown[];
  /** A Cluster apply created: its one-time bootstrap token and install command. */
  bootstrap?: unknown;
  /** A Webhook apply created: its signing secret, shown only here. */
  secret?: string;
}

export interface DeleteResult {
  ref: ResourceRef & { key: string };
  action: 'delete';
  dryRun: boolean;
}
