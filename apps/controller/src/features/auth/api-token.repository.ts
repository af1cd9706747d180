import { Injectable } from '@nestjs/common';
import type { Db } from '../../platform/database/db.util';
import { PrismaService } from '../../platform/database/prisma.service';
import type { ApiToken, Role as DbRole } from '../../generated/prisma/client';
import { type Page, type PageRequest, pageOf, cursorWhere } from '../../platform/http/pagination.util';
import type { Role } from '../../platform/auth/principal';

export const toDbRole = (role: Role): DbRole => role.toUpperCase() as DbRole;
export const fromDbRole = (role: DbRole): Role => role.toLowerCase() as Role;

export interface NewApiToken {
  name: string;
  role: Role;
  prefix: string;
  hash: string;
  expiresAt: Date | null;
}

@Injectable()
export class ApiTokenRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The one query that is not tenant-scoped: finding which tenant a presented token belongs to. */
  findActiveByHash(hash: string, now: Date): Promise<ApiToken | null> {
    return this.prisma.apiToken.findFirst({
      where: { hash, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    });
  }

  /** Recorded at most once a minute per token, so authentication does not write on every request. */
  async touch(tenantId: string, id: string, now: Date): Promise<void> {
    await this.prisma.apiToken.updateMany({
      where: { tenantId, id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - 60_000) } }] },
      data: { lastUsedAt: now },
    });
  }

  create(tenantId: string, token: NewApiToken, db: Db = this.prisma): Promise<ApiToken> {
    return db.apiToken.create({
      data: { tenantId, name: token.name, role: toDbRole(token.role), prefix: token.prefix, hash: token.hash, expiresAt: token.expiresAt },
    });
  }

  find(tenantId: string, id: string): Promise<ApiToken | null> {
    return this.prisma.apiToken.findFirst({ where: { tenantId, id } });
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<ApiToken>> {
    const rows = await this.prisma.apiToken.findMany({
      where: { tenantId, ...cursorWhere(page) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return pageOf(rows, page.limit);
  }

  async revoke(tenantId: string, id: string, now: Date, db: Db = this.prisma): Promise<ApiToken | null> {
    const { count } = await db.apiToken.updateMany({ where: { tenantId, id, revokedAt: null }, data: { revokedAt: now } });
    return count === 0 ? null : db.apiToken.findFirst({ where: { tenantId, id } });
  }
}
