import type { EncryptedBlob, IntermediateState, RootRotationState } from '@lattice/pki';

/** What the rotation job last concluded, stored beside the state machine's own fields. */
export interface RotationProgress {
  checkedAt: string;
  reason: string;
  waitingForClusterIds: string[];
  earliestAt: string | null;
}

export type StoredRotation = RootRotationState & { progress?: RotationProgress };

/** A GNS as far as its CA cares. */
export interface CaGns {
  id: string;
  tenantId: string;
  name: string;
  domain: string;
  /** Null until the root exists (GNS created before the CA; the sweep creates it). */
  caRotation: StoredRotation | null;
}

/** A stored root without its sealed key. */
export interface StoredRoot {
  gnsId: string;
  generation: number;
  certificatePem: string;
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
  retiredAt: Date | null;
}

/** A root made and sealed, ready to store (see GnsCaLifecycleService). */
export interface NewRoot {
  generation: number;
  certificatePem: string;
  encryptedKey: EncryptedBlob;
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
}

/** An intermediate of one (GNS, cluster, root generation): asked for, signed, or refused. */
export interface StoredIntermediate {
  gnsId: string;
  clusterId: string;
  rootGeneration: number;
  fingerprint: string | null;
  /** The certificate's notBefore: its signing time (give or take the clock-skew allowance). */
  notBefore: Date | null;
  notAfter: Date | null;
  requestedAt: Date;
  signedAt: Date | null;
  lastError: string | null;
}

/** A cluster as far as the CA cares: which GNS its latest desired state has, and whether it applied it. */
export interface CaCluster {
  id: string;
  name: string;
  appliedVersion: number;
  desiredVersion: number;
  firstConnectedAt: Date | null;
  desiredPayload: Uint8Array | null;
}

/** A cluster's name and the GNS its latest desired state has (see GnsCaRepository.clusterMembership). */
export interface CaClusterMembership {
  name: string;
  memberGnsIds: string[];
}

/** Asked of a connected cluster's agent: a CSR for an intermediate of a GNS. */
export interface IntermediateRequestMessage {
  gnsId: string;
  subjectCommonName: string;
  rootGeneration: number;
}

export interface IncomingCsr {
  gnsId: string;
  csrPem: string;
  rootGeneration: number;
}

export type CsrOutcome =
  | {
      signed: true;
      gnsId: string;
      certChainPem: string;
      trustBundlePem: string;
      rootGeneration: number;
    }
  | { signed: false; reason: string };

export type RootState = 'ACTIVE' | 'INCOMING' | 'RETIRING' | 'RETIRED';

export interface GnsCaStatus {
  gnsId: string;
  trustDomain: string;
  /** PEM of every root the GNS trusts now (certificates only). */
  trustBundlePem: string;
  roots: {
    generation: number;
    fingerprintSha256: string;
    subject: string;
    notBefore: Date;
    notAfter: Date;
    state: RootState;
    trusted: boolean;
    issuing: boolean;
  }[];
  rotation:
    | (RootRotationState & {
        waitingFor: {
          reason: string;
          clusterIds: string[];
          earliestAt: string | null;
          checkedAt: string;
        } | null;
      })
    | null;
  intermediates: {
    clusterId: string;
    clusterName: string;
    rootGeneration: number;
    state: IntermediateState;
    fingerprintSha256: string | null;
    notAfter: Date | null;
    renewAt: Date | null;
    requestedAt: Date | null;
    signedAt: Date | null;
    lastError: string | null;
  }[];
}
