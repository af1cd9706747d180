import { Injectable } from '@nestjs/common';
import { DomainError } from '@lattice/domain';
import { ApiTokensRepository } from './api-tokens.repository';
import type { Role, TenantPrincipal } from '../../platform/auth/principal.util';
import { issueToken } from './token-format.util';
import { AuditService } from '../audit/audit.service';
import type { PageRequest } from '../../platform/http/pagination.util';
import { TransactionRunner, type Transaction } from '../../platform/database/transaction.service';
import { toTokenView, type CreatedApiTokenView } from './tokens.dto';

@Injectable()
export class TokensService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly tokens: ApiTokensRepository,
    private readonly audit: AuditService,
  ) {}

  /** Issues a token; the plain token is returned here once and never stored. */
  async issue(
    tenantId: string,
    spec: { name: string; role: Role; expiresAt: Date | null },
    tx: Transaction,
  ): Promise<CreatedApiTokenView> {
    if (spec.expiresAt && spec.expiresAt.getTime() <= Date.now()) {
      throw DomainError.validation([{ field: 'expiresAt', message: 'must be in the future' }]);
    }
    const issued = issueToken();
    const row = await this.tokens.create(tenantId, { ...spec, prefix: issued.prefix, hash: issued.hash }, tx);
    return { ...toTokenView(row), token: issued.token };
  }

  create(
    actor: TenantPrincipal,
    spec: { name: string; role: Role; expiresAt: Date | null },
  ): Promise<CreatedApiTokenView> {
    return this.transactions.run(async (tx) => {
      const created = await this.issue(actor.tenantId, spec, tx);
      const { token: _secret, ...after } = created;
      await this.audit.record(
        actor,
        { action: 'token.create', resourceType: 'token', resourceId: created.id, after },
        tx,
      );
      return created;
    });
  }

  async get(tenantId: string, id: string) {
    const row = await this.tokens.find(tenantId, id);
    if (!row) throw DomainError.notFound('token', id);
    return toTokenView(row);
  }

  list(tenantId: string, page: PageRequest) {
    return this.tokens.list(tenantId, page);
  }

  async revoke(actor: TenantPrincipal, id: string) {
    const before = await this.get(actor.tenantId, id);
    if (before.revokedAt) return before;
    return this.transactions.run(async (tx) => {
      const row = await this.tokens.revoke(actor.tenantId, id, new Date(), tx);
      if (!row) throw DomainError.notFound('token', id);
      const after = toTokenView(row);
      await this.audit.record(
        actor,
        { action: 'token.revoke', resourceType: 'token', resourceId: id, before, after },
        tx,
      );
      return after;
    });
  }
}
