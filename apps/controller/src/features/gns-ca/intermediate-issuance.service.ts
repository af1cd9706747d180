import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  PkiError,
  gnsRootKeyAssociatedData,
  intermediateCommonName,
  issuingRootForStage,
  openPrivateKey,
  planIntermediateRequest,
  signIntermediate,
  trustBundleOfGenerations,
  trustedRootsForStage,
} from '@lattice/pki';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { UUID } from '../../platform/http/uuid-param.pipe';
import {
  DesiredStateScheduler,
  scheduleAfterCommit,
} from '../config-distribution/desired-state-scheduler.service';
import { GnsCaRepository } from './gns-ca.repository';
import type { CsrOutcome, IncomingCsr, IntermediateRequestMessage } from './gns-ca.types';

/**
 * Intermediates for member clusters, from CSRs made inside them (the key never leaves the
 * cluster): what to ask a connected cluster for, and checking and signing what it sends. Root keys
 * are only ever held envelope-encrypted under the master key, bound to (tenant, GNS, generation),
 * and opened for the moment of signing. Called by the agent gateway for each agent stream.
 */
@Injectable()
export class IntermediateIssuanceService {
  private readonly logger = new Logger(IntermediateIssuanceService.name);

  constructor(
    private readonly ca: GnsCaRepository,
    private readonly scheduler: DesiredStateScheduler,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  /**
   * What to ask a connected cluster for now: one request per member GNS whose issuing root has
   * not signed a current intermediate for it (new member, renewal due, rotation moved on). Each
   * request is recorded, so the next check waits for the answer instead of asking again.
   */
  async intermediateRequestsFor(
    tenantId: string,
    clusterId: string,
    now: Date = new Date(),
  ): Promise<IntermediateRequestMessage[]> {
    const cluster = await this.ca.clusterMembership(tenantId, clusterId);
    if (!cluster) return [];
    const gnsIds = cluster.memberGnsIds;
    if (gnsIds.length === 0) return [];
    const records = await this.ca.intermediatesOfCluster(tenantId, clusterId);
    const requests: IntermediateRequestMessage[] = [];
    for (const gnsId of gnsIds) {
      const gns = await this.ca.findGns(tenantId, gnsId);
      if (!gns?.caRotation) continue; // deleted meanwhile, or its root is still being created
      const issuing = issuingRootForStage(gns.caRotation);
      const decision = planIntermediateRequest(
        records.filter((record) => record.gnsId === gnsId),
        issuing,
        now,
      );
      if (!decision.request) continue;
      await this.ca.markRequested(tenantId, gnsId, clusterId, issuing, now);
      this.logger.log(`asking cluster ${clusterId} for an intermediate of GNS ${gnsId} (${decision.reason})`);
      requests.push({
        gnsId,
        subjectCommonName: intermediateCommonName(cluster.name),
        rootGeneration: issuing,
      });
    }
    return requests;
  }

  /**
   * Checks and signs an intermediate CSR from a cluster's agent. A refusal is recorded on the
   * (GNS, cluster) intermediate as lastError, visible in the CA status, and never ends the stream.
   */
  async handleCsr(
    tenantId: string,
    clusterId: string,
    csr: IncomingCsr,
    now: Date = new Date(),
  ): Promise<CsrOutcome> {
    if (!UUID.test(csr.gnsId))
      return { signed: false, reason: `"${csr.gnsId.slice(0, 64)}" is not a GNS id` };
    const [gns, cluster] = await Promise.all([
      this.ca.findGns(tenantId, csr.gnsId),
      this.ca.clusterMembership(tenantId, clusterId),
    ]);
    if (!gns || !cluster) return { signed: false, reason: `global namespace ${csr.gnsId} not found` };
    if (!gns.caRotation) return { signed: false, reason: `global namespace ${gns.name} has no root CA yet` };
    const issuing = issuingRootForStage(gns.caRotation);
    const refuse = async (reason: string): Promise<CsrOutcome> => {
      this.logger.warn(
        `refused the intermediate CSR of cluster ${cluster.name} for GNS ${gns.name}: ${reason}`,
      );
      await this.ca.storeRefused(tenantId, gns.id, clusterId, issuing, reason, now);
      return { signed: false, reason };
    };

    if (!cluster.memberGnsIds.includes(gns.id)) {
      return refuse(`cluster ${cluster.name} is not a member of global namespace ${gns.name}`);
    }
    if (csr.rootGeneration !== issuing) {
      return refuse(
        `the CSR is for root generation ${csr.rootGeneration}, but generation ${issuing} issues intermediates now`,
      );
    }
    const root = await this.ca.sealedRootKey(tenantId, gns.id, issuing);
    if (!root || root.retiredAt || !root.encryptedKey) {
      this.logger.error(`root generation ${issuing} of global namespace ${gns.id} is missing or unreadable`);
      return refuse(
        `the controller cannot sign with root generation ${issuing} (missing or unreadable); operators were alerted in the log`,
      );
    }
    let signed;
    try {
      const rootKeyPem = openPrivateKey(
        root.encryptedKey,
        this.config.masterKey,
        gnsRootKeyAssociatedData({ tenantId, gnsId: gns.id, generation: issuing }),
      );
      signed = signIntermediate({
        csrPem: csr.csrPem,
        rootCertificatePem: root.certificatePem,
        rootPrivateKeyPem: rootKeyPem,
        trustDomain: gns.domain,
        clusterName: cluster.name,
        validityDays: this.config.env.LATTICE_CA_INTERMEDIATE_VALIDITY_DAYS,
        minRsaBits: this.config.env.LATTICE_CA_INTERMEDIATE_MIN_RSA_BITS,
        now,
      });
    } catch (error) {
      if (error instanceof PkiError && (error.code === 'CSR_REJECTED' || error.code === 'INVALID_INPUT')) {
        return refuse(error.message);
      }
      if (error instanceof PkiError) {
        // Our side (wrong master key, expired root): the agent cannot fix it, the stream stays up.
        this.logger.error(`cannot sign for global namespace ${gns.id}: ${error.message}`);
        return refuse(`the controller could not sign: ${error.message}`);
      }
      throw error;
    }
    await this.ca.storeSigned(
      tenantId,
      gns.id,
      clusterId,
      issuing,
      {
        certificatePem: signed.certificatePem,
        certChainPem: signed.certChainPem,
        fingerprint: signed.fingerprintSha256,
        notAfter: signed.notAfter,
      },
      now,
    );
    this.logger.log(
      `signed the intermediate of cluster ${cluster.name} for GNS ${gns.name} (root generation ${issuing})`,
    );
    // The snapshot carries the chain to the cluster (and survives restarts of either side).
    await scheduleAfterCommit(
      this.scheduler,
      this.logger,
      tenantId,
      `intermediate of cluster ${clusterId} signed`,
    );
    const trusted = trustedRootsForStage(gns.caRotation);
    const roots = await this.ca.roots(tenantId, gns.id);
    return {
      signed: true,
      gnsId: gns.id,
      certChainPem: signed.certChainPem,
      trustBundlePem: trustBundleOfGenerations(
        roots.filter((candidate) => trusted.includes(candidate.generation)),
      ),
      rootGeneration: issuing,
    };
  }
}
