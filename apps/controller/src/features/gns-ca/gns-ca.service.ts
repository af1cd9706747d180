import { X509Certificate } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, memberGnsIds } from '@lattice/domain';
import {
  intermediateRenewalDueAt,
  intermediateState,
  issuingRootForStage,
  trustBundleOfGenerations,
  trustedRootsForStage,
} from '@lattice/pki';
import { GnsCaRepository } from './gns-ca.repository';
import type { GnsCaStatus, RootState, StoredRoot, StoredRotation } from './gns-ca.types';

// gns-ca.model.ts (GraphQL) still names these here; they live in gns-ca.types.ts.
export type { GnsCaStatus, RootState } from './gns-ca.types';

/**
 * The status of a GNS's certificate authority as operators see it (REST and GraphQL): roots, the
 * rotation and what it waits for, and every member cluster's intermediate. Roots are made by
 * GnsRootService, intermediates signed by IntermediateIssuanceService, rotations driven by
 * CaRotationService; the GNS feature calls GnsCaLifecycleService.
 */
@Injectable()
export class GnsCaService {
  constructor(private readonly ca: GnsCaRepository) {}

  async status(tenantId: string, gnsId: string, now: Date = new Date()): Promise<GnsCaStatus> {
    const gns = await this.ca.findGns(tenantId, gnsId);
    if (!gns) throw DomainError.notFound('global namespace', gnsId);
    const [roots, intermediates, clusters] = await Promise.all([
      this.ca.roots(tenantId, gnsId),
      this.ca.intermediatesOfGns(tenantId, gnsId),
      this.ca.clusters(tenantId),
    ]);
    const rotation = gns.caRotation;
    const trusted = rotation ? trustedRootsForStage(rotation) : [];
    const issuing = rotation ? issuingRootForStage(rotation) : null;

    const rows: GnsCaStatus['intermediates'] = intermediates.map((row) => ({
      clusterId: row.clusterId,
      clusterName: row.clusterName,
      rootGeneration: row.rootGeneration,
      state: intermediateState(row, now),
      fingerprintSha256: row.fingerprint,
      notAfter: row.notAfter,
      renewAt: row.signedAt && row.notAfter ? intermediateRenewalDueAt(row) : null,
      requestedAt: row.requestedAt,
      signedAt: row.signedAt,
      lastError: row.lastError,
    }));
    // Members not asked yet (agent never connected) are listed as pending too.
    if (issuing !== null) {
      for (const cluster of clusters) {
        if (!memberGnsIds(cluster.desiredPayload).includes(gnsId)) continue;
        if (rows.some((row) => row.clusterId === cluster.id && row.rootGeneration === issuing)) continue;
        rows.push({
          clusterId: cluster.id,
          clusterName: cluster.name,
          rootGeneration: issuing,
          state: 'PENDING',
          fingerprintSha256: null,
          notAfter: null,
          renewAt: null,
          requestedAt: null,
          signedAt: null,
          lastError: null,
        });
      }
    }

    return {
      gnsId,
      trustDomain: gns.domain,
      trustBundlePem: trustBundleOfGenerations(roots.filter((root) => trusted.includes(root.generation))),
      roots: roots.map((root) => ({
        generation: root.generation,
        fingerprintSha256: root.fingerprint,
        subject: new X509Certificate(root.certificatePem).subject.replace(/\n/g, ', '),
        notBefore: root.notBefore,
        notAfter: root.notAfter,
        state: rootState(root, rotation),
        trusted: trusted.includes(root.generation),
        issuing: issuing === root.generation,
      })),
      rotation: rotation && {
        stage: rotation.stage,
        currentRootGeneration: rotation.currentRootGeneration,
        nextRootGeneration: rotation.nextRootGeneration,
        stageEnteredAt: rotation.stageEnteredAt,
        allClustersMovedAt: rotation.allClustersMovedAt,
        maxWorkloadCertTtlSeconds: rotation.maxWorkloadCertTtlSeconds,
        waitingFor:
          rotation.stage === 'IDLE' || !rotation.progress
            ? null
            : {
                reason: rotation.progress.reason,
                clusterIds: rotation.progress.waitingForClusterIds,
                earliestAt: rotation.progress.earliestAt,
                checkedAt: rotation.progress.checkedAt,
              },
      },
      intermediates: rows.sort(
        (a, b) =>
          a.clusterName.localeCompare(b.clusterName) ||
          a.clusterId.localeCompare(b.clusterId) ||
          a.rootGeneration - b.rootGeneration,
      ),
    };
  }
}

function rootState(root: StoredRoot, rotation: StoredRotation | null): RootState {
  if (root.retiredAt) return 'RETIRED';
  if (!rotation || rotation.stage === 'IDLE') return 'ACTIVE';
  if (root.generation === rotation.nextRootGeneration) return 'INCOMING';
  return 'RETIRING';
}
