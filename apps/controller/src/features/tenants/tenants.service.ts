import { Injectable } from '@nestjs/common';
import { DomainError } from '@lattice/domain';
import type { Tenant } from '../../generated/prisma/client';
import { AuditService } from '../audit/audit.service';
import { cursorWhere, pageOf, type PageRequest } from '../../platform/http/pagination.util';
import { PrismaService } from '../../platform/database/prisma.service';
import { TokensService } from '../auth/tokens.service';

export const toTenantView = (tenant: Tenant) => ({ id: tenant.id, name: tenant.name, createdAt: tenant.createdAt.toISOString() });

@Injectable()
export class TenantsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
  ) {}

  async create(name: string) {
    if (await this.prisma.tenant.findUnique({ where: { name } })) {
      throw new DomainError('CONFLICT', `a tenant named ${name} already exists`);
    }
    return this.prisma.$transaction(async (tx) => {
      const tenant = await tx.tenant.create({ data: { name } });
      const adminToken = await this.tokens.issue(tenant.id, { name: 'initial-admin', role: 'admin', expiresAt: null }, tx);
      const actor = { tenantId: tenant.id, operator: true as const };
      await this.audit.record(actor, { action: 'tenant.create', resourceType: 'tenant', resourceId: tenant.id, after: toTenantView(tenant) }, tx);
      return { tenant: toTenantView(tenant), adminToken };
    });
  }

  async list(page: PageRequest) {
    const rows = await this.prisma.tenant.findMany({
      where: cursorWhere(page),
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return pageOf(rows, page.limit);
  }

  async get(tenantId: string) {
    const tenant = await this.prisma.tenant.findUnique({ where: { id: tenantId } });
    if (!tenant) throw DomainError.notFound('tenant', tenantId);
    return toTenantView(tenant);
  }
}
