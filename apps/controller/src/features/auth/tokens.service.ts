import { Injectable } from '@nestjs/common';
import { DomainError } from '@lattice/domain';
import { ApiTokensRepository } from './api-tokens.repository';
import type { Role, TenantPrincipal } from '../../platform/auth/principal.util';
import { issueToken } from './token-format.util';
import { AuditService } from '../audit/audit.service';
import type { PageRequest } from '../../platform/http/pagination.util';
import { TransactionRunner, type Transaction } from '../../platform/database/transaction.service';
import { toTokenView, type ApiTokenView, type CreatedApiTokenView } from './tokens.dto';

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

  /**
   * Revokes a token. The tenant's last active (not revoked, not expired) admin token is refused with
   * CONFLICT: without it nobody could manage the tenant's tokens any more. Revocations of admin
   * tokens take a per-tenant lock and count the other active admin tokens inside it, so two admins
   * revoking each other's tokens at once leave one of them.
   */
  async revoke(actor: TenantPrincipal, id: string) {
    const before = await this.get(actor.tenantId, id);
    if (before.revokedAt) return before;
    return this.transactions.run(async (tx) => {
      const now = new Date();
      if (before.role === 'admin' && isActiveAt(before, now)) {
        await this.tokens.lockAdminTokens(actor.tenantId, tx);
        if ((await this.tokens.countActiveAdmins(actor.tenantId, now, id, tx)) === 0) {
          throw new DomainError(
            'CONFLICT',
            `token ${before.name} (${before.prefix}) is the tenant's last active admin token and cannot be revoked: ` +
              'create another admin token first',
          );
        }
      }
      const row = await this.tokens.revoke(actor.tenantId, id, now, tx);
      // Revoked by a concurrent request in the meantime: revoking is idempotent, answer its result.
      if (!row) return this.get(actor.tenantId, id);
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

function isActiveAt(token: ApiTokenView, now: Date): boolean {
  return (
    token.revokedAt === null && (token.expiresAt === null || Date.parse(token.expiresAt) > now.getTime())
  );
}
