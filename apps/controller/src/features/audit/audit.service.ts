import { Injectable } from '@nestjs/common';
import type { TenantPrincipal } from '../../platform/auth/principal';
import type { Db } from '../../platform/database/db';
import { asDb, type Transaction } from '../../platform/database/transaction.service';
import { AuditRepository } from './audit.repository';

export interface Change {
  action: string;
  resourceType: string;
  resourceId: string;
  before?: unknown;
  after?: unknown;
}

/** Records who changed what; called inside the transaction of the change so neither exists without the other. */
@Injectable()
export class AuditService {
  constructor(private readonly audit: AuditRepository) {}

  record(actor: TenantPrincipal | { tenantId: string; operator: true }, change: Change, db?: Db | Transaction): Promise<void> {
    const byOperator = 'operator' in actor;
    return this.audit.record(
      actor.tenantId,
      {
        actorTokenId: byOperator ? null : actor.tokenId,
        actorName: byOperator ? 'platform-operator' : actor.tokenName,
        ...change,
      },
      asDb(db),
    );
  }
}
