import { isIP } from 'node:net';
import type { PeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  createAgentCa,
  createServerCertificate,
  openPrivateKey,
  parseAgentIdentity,
  sealPrivateKey,
  signAgentCertificate,
  type AgentIdentity,
} from '@lattice/pki';
import { DomainError } from '@lattice/domain';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { AgentIdentityRepository } from './agent-identity.repository';

const CA_NAME = 'agent-identity';
const ASSOCIATED_DATA = `internal-ca:${CA_NAME}`;

export interface ServingCredentials {
  caBundlePem: string;
  certChainPem: string;
  privateKeyPem: string;
}

/**
 * The controller-internal CA that signs agent client certificates and the controller's gRPC serving
 * certificate. Created once and shared by all replicas through the database; its key is stored
 * only envelope-encrypted under the master key.
 */
@Injectable()
export class AgentIdentityCaService implements OnModuleInit {
  private readonly logger = new Logger(AgentIdentityCaService.name);
  private ca?: { certificatePem: string; privateKeyPem: string; x509: X509Certificate };

  constructor(
    private readonly cas: AgentIdentityRepository,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    let stored = await this.cas.findCa(CA_NAME);
    if (!stored) {
      const created = await createAgentCa({ keyAlgorithm: 'RSA-3072' });
      // Two replicas starting together: the first insert wins, both then use the stored CA.
      await this.cas.createCaIfAbsent(CA_NAME, {
        certificatePem: created.certificatePem,
        encryptedKey: sealPrivateKey(created.privateKeyPem, this.config.masterKey, ASSOCIATED_DATA),
      });
      stored = await this.cas.findCa(CA_NAME);
      if (!stored) throw new Error('the agent identity CA vanished right after it was stored');
      this.logger.log('created the agent identity CA');
    }
    let privateKeyPem: string;
    try {
      privateKeyPem = openPrivateKey(stored.encryptedKey, this.config.masterKey, ASSOCIATED_DATA);
    } catch {
      throw new Error(
        'cannot decrypt the agent identity CA key: LATTICE_MASTER_KEY differs from the one it was created with',
      );
    }
    this.ca = {
      certificatePem: stored.certificatePem,
      privateKeyPem,
      x509: new X509Certificate(stored.certificatePem),
    };
  }

  get caBundlePem(): string {
    return this.authority().certificatePem;
  }

  signAgentCsr(tenantId: string, clusterId: string, csrPem: string) {
    const ca = this.authority();
    try {
      return signAgentCertificate({
        csrPem,
        caCertPem: ca.certificatePem,
        caKeyPem: ca.privateKeyPem,
        tenantId,
        clusterId,
      });
    } catch (error) {
      throw DomainError.validation([{ field: 'csr', message: (error as Error).message }]);
    }
  }

  async servingCredentials(names: string[]): Promise<ServingCredentials> {
    const ca = this.authority();
    const server = await createServerCertificate({
      caCertPem: ca.certificatePem,
      caKeyPem: ca.privateKeyPem,
      hostnames: names.filter((name) => isIP(name) === 0),
      ips: names.filter((name) => isIP(name) !== 0),
    });
    return {
      caBundlePem: ca.certificatePem,
      certChainPem: server.certChainPem,
      privateKeyPem: server.privateKeyPem,
    };
  }

  /**
   * Verifies a client certificate presented on the gRPC stream: issued by this CA, currently
   * valid, and carrying an agent identity. (TLS asks for the certificate but lets callers without
   * one through, because Register runs before the agent has a certificate.)
   */
  verifyPeer(peer: PeerCertificate | undefined, now = new Date()): AgentIdentity & { notBefore: Date } {
    if (!peer?.raw)
      throw new DomainError('UNAUTHENTICATED', 'a client certificate is required: register the agent first');
    const certificate = new X509Certificate(peer.raw);
    const ca = this.authority().x509;
    if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) {
      throw new DomainError('UNAUTHENTICATED', 'the client certificate was not issued by this controller');
    }
    const notBefore = new Date(certificate.validFrom);
    const notAfter = new Date(certificate.validTo);
    if (now < notBefore || now > notAfter)
      throw new DomainError('UNAUTHENTICATED', 'the client certificate has expired or is not yet valid');
    try {
      return { ...parseAgentIdentity(peer.raw), notBefore };
    } catch (error) {
      throw new DomainError('UNAUTHENTICATED', (error as Error).message);
    }
  }

  private authority() {
    if (!this.ca) throw new Error('agent identity CA is not loaded yet');
    return this.ca;
  }
}
