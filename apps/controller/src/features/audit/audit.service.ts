import { Injectable } from '@nestjs/common';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import type { Transaction } from '../../platform/database/transaction.service';
import type { Page, PageRequest } from '../../platform/http/pagination.util';
import { currentRequestId } from '../../platform/http/request-context.util';
import { AuditRepository, type AuditFilter, type AuditRecord } from './audit.repository';

export interface Change {
  action: string;
  resourceType: string;
  resourceId: string;
  before?: unknown;
  after?: unknown;
}

/** Records who changed what, and in which request; called inside the transaction of the change so neither exists without the other. */
@Injectable()
export class AuditService {
  constructor(private readonly audit: AuditRepository) {}

  record(
    actor: TenantPrincipal | { tenantId: string; operator: true },
    change: Change,
    tx: Transaction,
  ): Promise<void> {
    const byOperator = 'operator' in actor;
    return this.audit.record(
      actor.tenantId,
      {
        actorTokenId: byOperator ? null : actor.tokenId,
        actorName: byOperator ? 'platform-operator' : actor.tokenName,
        ...change,
        // The HTTP/GraphQL request that made the change (none for jobs), as in its X-Request-Id.
        correlationId: currentRequestId(),
      },
      tx,
    );
  }

  /** The tenant's audit events, oldest first. */
  list(tenantId: string, filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>> {
    return this.audit.list(tenantId, filter, page);
  }
}
