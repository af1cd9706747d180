import { X509Certificate } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@lattice/domain';
import type {
  RegisterRequest__Output,
  RegisterResponse,
  RenewCertificateRequest__Output,
  RenewCertificateResponse,
} from '@lattice/proto';
import { ClustersService, isBootstrapToken } from '../clusters/clusters.service';
import { AgentIdentityCaService } from '../agent-identity/agent-identity-ca.service';
import type { AgentIdentityOnStream } from './agent-session.grpc';
import { ClusterLinkRepository } from './cluster-link.repository';
import { CERTIFICATE_REPLACED, agentRevoked } from './grpc-status.util';

const MAX_CSR_BYTES = 16 * 1024;

/** Register (bootstrap token + CSR -> agent certificate) and certificate renewal. */
@Injectable()
export class AgentRegistrationService {
  private readonly logger = new Logger(AgentRegistrationService.name);

  constructor(
    private readonly clusters: ClustersService,
    private readonly links: ClusterLinkRepository,
    private readonly agentCa: AgentIdentityCaService,
  ) {}

  async register(request: RegisterRequest__Output, now = new Date()): Promise<RegisterResponse> {
    if (!isBootstrapToken(request.bootstrapToken)) {
      throw new DomainError(
        'UNAUTHENTICATED',
        'bootstrap_token is not a Lattice bootstrap token (expected lbt_...)',
      );
    }
    assertCsr(request.csrPem);
    // The bootstrap token's transaction also revokes earlier certificates and records this one.
    const { cluster, enrolled } = await this.clusters.redeemBootstrapToken(
      request.bootstrapToken,
      request.clusterName,
      async (cluster, tx) => {
        const issued = this.agentCa.signAgentCsr(cluster.tenantId, cluster.id, request.csrPem);
        const fingerprint = new X509Certificate(issued.certificatePem).fingerprint256;
        await this.links.recordCertificate(cluster.tenantId, cluster.id, fingerprint, issued.notAfter, tx);
        return { ...issued, fingerprint };
      },
      now,
    );
    const issued = enrolled;
    this.logger.log(`cluster ${cluster.id} (${cluster.name}) registered an agent`);
    return {
      clusterId: cluster.id,
      tenantId: cluster.tenantId,
      certificatePem: issued.certificatePem,
      caBundlePem: this.agentCa.caBundlePem,
      notAfterUnixMs: issued.notAfter.getTime(),
    };
  }

  /**
   * Renewal keeps the current certificate valid until it expires, so the running stream is not
   * dropped. The presented certificate must still be active when the new one is recorded (under
   * the cluster's row lock), so a renewal racing a re-bootstrap cannot outlive it.
   */
  async renew(
    identity: AgentIdentityOnStream,
    request: RenewCertificateRequest__Output,
  ): Promise<RenewCertificateResponse> {
    assertCsr(request.csrPem);
    const { tenantId, clusterId } = identity;
    const issued = this.agentCa.signAgentCsr(tenantId, clusterId, request.csrPem);
    const recorded = await this.links.recordRenewal(
      tenantId,
      clusterId,
      identity.fingerprint,
      new X509Certificate(issued.certificatePem).fingerprint256,
      issued.notAfter,
    );
    if (!recorded) throw agentRevoked('UNAUTHENTICATED', CERTIFICATE_REPLACED);
    return {
      certificatePem: issued.certificatePem,
      caBundlePem: this.agentCa.caBundlePem,
      notAfterUnixMs: issued.notAfter.getTime(),
    };
  }
}

function assertCsr(csrPem: string): void {
  if (
    !csrPem ||
    Buffer.byteLength(csrPem) > MAX_CSR_BYTES ||
    !csrPem.includes('-----BEGIN CERTIFICATE REQUEST-----')
  ) {
    throw DomainError.validation([
      { field: 'csr_pem', message: 'must be one PEM certificate request of at most 16 KiB' },
    ]);
  }
}
