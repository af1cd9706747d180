import { X509Certificate } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  createRootCa,
  gnsRootKeyAssociatedData,
  initialRotationState,
  sealPrivateKey,
  type RootRotationState,
} from '@lattice/pki';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { TransactionRunner, type Transaction } from '../../platform/database/transaction.service';
import { GnsCaRepository } from './gns-ca.repository';
import type { NewRoot } from './gns-ca.types';

/**
 * Makes GNS roots: generated, sealed under the master key bound to (tenant, GNS, generation), and
 * stored. The private key never leaves this class unsealed.
 */
@Injectable()
export class GnsRootService {
  private readonly logger = new Logger(GnsRootService.name);

  constructor(
    private readonly ca: GnsCaRepository,
    private readonly transactions: TransactionRunner,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  /**
   * A new root for a GNS, sealed, ready to insert. Key generation takes seconds for RSA-4096, so
   * callers do this before opening their transaction.
   */
  async prepareRoot(
    tenantId: string,
    gns: { id: string; name: string; domain: string },
    generation: number,
  ): Promise<NewRoot> {
    const tenantName = (await this.ca.tenantName(tenantId)) ?? tenantId;
    const created = await createRootCa({
      tenantId,
      tenantName,
      gnsId: gns.id,
      gnsName: gns.name,
      trustDomain: gns.domain,
      validityDays: this.config.env.LATTICE_CA_ROOT_VALIDITY_DAYS,
      keyAlgorithm: this.config.env.LATTICE_CA_ROOT_KEY_ALGORITHM,
    });
    const encryptedKey = sealPrivateKey(
      created.privateKeyPem,
      this.config.masterKey,
      gnsRootKeyAssociatedData({ tenantId, gnsId: gns.id, generation }),
    );
    return {
      generation,
      certificatePem: created.certificatePem,
      encryptedKey,
      fingerprint: new X509Certificate(created.certificatePem).fingerprint256,
      notBefore: created.notBefore,
      notAfter: created.notAfter,
    };
  }

  /** Stores the first root of a GNS (generation 1) and the rotation state that starts IDLE on it. */
  async storeFirstRoot(tenantId: string, gnsId: string, root: NewRoot, tx: Transaction): Promise<void> {
    await this.ca.insertRoot(tenantId, gnsId, root, tx);
    await this.ca.setRotation(tenantId, gnsId, this.initialRotation(), tx);
  }

  /** For a GNS created before the CA existed: the same root creation as a new GNS gets. */
  async ensureRoot(tenantId: string, gnsId: string): Promise<boolean> {
    const gns = await this.ca.findGns(tenantId, gnsId);
    if (!gns || (await this.ca.roots(tenantId, gnsId)).length > 0) return false;
    const root = await this.prepareRoot(tenantId, gns, 1);
    const created = await this.transactions.run(async (tx) => {
      const locked = await this.ca.lockGns(tenantId, gnsId, tx);
      if (!locked || (await this.ca.roots(tenantId, gnsId, tx)).length > 0) return false;
      await this.storeFirstRoot(tenantId, gnsId, root, tx);
      return true;
    });
    if (created) this.logger.log(`created the missing root CA of global namespace ${gnsId}`);
    return created;
  }

  private initialRotation(now: Date = new Date()): RootRotationState {
    return initialRotationState({
      rootGeneration: 1,
      now,
      maxWorkloadCertTtlSeconds: this.config.env.LATTICE_CA_MAX_WORKLOAD_CERT_TTL_SECONDS,
    });
  }
}
