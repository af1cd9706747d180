import { Injectable } from '@nestjs/common';
import { DomainError } from '@lattice/domain';
import { AuditService } from '../audit/audit.service';
import { TransactionRunner } from '../../platform/database/transaction.service';
import type { Page, PageRequest } from '../../platform/http/pagination.util';
import { TokensService } from '../auth/tokens.service';
import { toTenantView } from './tenants.dto';
import { TenantsRepository, type StoredTenant } from './tenants.repository';

/** How long a recovery admin token lives when the operator names no expiry. */
export const RECOVERY_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

@Injectable()
export class TenantsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly tenants: TenantsRepository,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
  ) {}

  /** A tenant with its first admin token (shown once), created and audited in one transaction. */
  async create(name: string) {
    if (await this.tenants.nameTaken(name)) {
      throw new DomainError('CONFLICT', `a tenant named ${name} already exists`);
    }
    return this.transactions.run(async (tx) => {
      const tenant = await this.tenants.create(name, tx);
      const adminToken = await this.tokens.issue(
        tenant.id,
        { name: 'initial-admin', role: 'admin', expiresAt: null },
        tx,
      );
      const actor = { tenantId: tenant.id, operator: true as const };
      await this.audit.record(
        actor,
        {
          action: 'tenant.create',
          resourceType: 'tenant',
          resourceId: tenant.id,
          after: toTenantView(tenant),
        },
        tx,
      );
      return { tenant: toTenantView(tenant), adminToken };
    });
  }

  /**
   * Platform operator: a new admin token for a tenant that lost every admin token (all expired, or
   * the last admin leaked and must be replaced). Shown once; audited in the tenant's log as an
   * operator action. It expires after `RECOVERY_TOKEN_TTL_MS` unless the operator names an expiry:
   * it is for issuing the tenant's own admin token, then revoking it.
   */
  async issueRecoveryToken(
    tenantId: string,
    spec: { name?: string; expiresAt?: Date },
    now = new Date(),
  ): ReturnType<TokensService['issue']> {
    await this.get(tenantId);
    return this.transactions.run(async (tx) => {
      const created = await this.tokens.issue(
        tenantId,
        {
          name: spec.name ?? 'recovery-admin',
          role: 'admin',
          expiresAt: spec.expiresAt ?? new Date(now.getTime() + RECOVERY_TOKEN_TTL_MS),
        },
        tx,
      );
      const { token: _secret, ...after } = created;
      await this.audit.record(
        { tenantId, operator: true },
        { action: 'token.recovery', resourceType: 'token', resourceId: created.id, after },
        tx,
      );
      return created;
    });
  }

  list(page: PageRequest): Promise<Page<StoredTenant>> {
    return this.tenants.list(page);
  }

  async get(tenantId: string) {
    const tenant = await this.tenants.find(tenantId);
    if (!tenant) throw DomainError.notFound('tenant', tenantId);
    return toTenantView(tenant);
  }
}
