import { Injectable } from '@nestjs/common';
import { PgPool } from '../../platform/database/pg-pool.service';
import { PrismaService } from '../../platform/database/prisma.service';
import { dbOf, transactionClient, type Transaction } from '../../platform/database/transaction.service';
import { Prisma, type ApiToken, type Role as DbRole } from '../../generated/prisma/client';
import { type Page, type PageRequest, pageOf, cursorWhere } from '../../platform/http/pagination.util';
import type { Role } from '../../platform/auth/principal.util';

/** An API token as stored, without its hash (only looked up by, never read back). */
export interface StoredApiToken {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  role: Role;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

export interface NewApiToken {
  name: string;
  role: Role;
  prefix: string;
  hash: string;
  expiresAt: Date | null;
}

const DB_ROLES: Record<Role, DbRole> = { admin: 'ADMIN', editor: 'EDITOR', viewer: 'VIEWER' };
const ROLES: Record<DbRole, Role> = { ADMIN: 'admin', EDITOR: 'editor', VIEWER: 'viewer' };

@Injectable()
export class ApiTokensRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly pg: PgPool,
  ) {}

  /** The one query that is not tenant-scoped: finding which tenant a presented token belongs to. */
  async findActiveByHash(hash: string, now: Date): Promise<StoredApiToken | null> {
    // Plain pg: every API request runs it (see PgPool).
    const [row] = await this.pg.query<TokenRow>(
      `SELECT id, tenant_id, name, prefix, role, expires_at, last_used_at, revoked_at, created_at
       FROM api_tokens WHERE hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
      [hash, now],
    );
    return row
      ? toStored({
          id: row.id,
          tenantId: row.tenant_id,
          name: row.name,
          prefix: row.prefix,
          hash,
          role: row.role,
          expiresAt: row.expires_at,
          lastUsedAt: row.last_used_at,
          revokedAt: row.revoked_at,
          createdAt: row.created_at,
        })
      : null;
  }

  /** Recorded at most once a minute per token, so authentication does not write on every request. */
  async touch(tenantId: string, id: string, now: Date): Promise<void> {
    await this.prisma.apiToken.updateMany({
      where: {
        tenantId,
        id,
        OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - 60_000) } }],
      },
      data: { lastUsedAt: now },
    });
  }

  async create(tenantId: string, token: NewApiToken, tx?: Transaction): Promise<StoredApiToken> {
    const row = await dbOf(this.prisma, tx).apiToken.create({
      data: {
        tenantId,
        name: token.name,
        role: DB_ROLES[token.role],
        prefix: token.prefix,
        hash: token.hash,
        expiresAt: token.expiresAt,
      },
    });
    return toStored(row);
  }

  async find(tenantId: string, id: string): Promise<StoredApiToken | null> {
    const row = await this.prisma.apiToken.findFirst({ where: { tenantId, id } });
    return row && toStored(row);
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<StoredApiToken>> {
    const rows = await this.prisma.apiToken.findMany({
      where: { tenantId, ...cursorWhere(page) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return pageOf(rows.map(toStored), page.limit);
  }

  /**
   * Serialises the changes to one tenant's admin tokens until `tx` ends (an advisory lock keyed by
   * the tenant), so two admins revoking each other's tokens at once are decided one after the other.
   */
  async lockAdminTokens(tenantId: string, tx: Transaction): Promise<void> {
    await transactionClient(tx).$executeRaw(
      Prisma.sql`SELECT pg_advisory_xact_lock(hashtextextended(${`lattice:admin-tokens:${tenantId}`}, 0))`,
    );
  }

  /** Admin tokens of the tenant that authenticate at `now` (not revoked, not expired), but `exceptId`. */
  async countActiveAdmins(tenantId: string, now: Date, exceptId: string, tx: Transaction): Promise<number> {
    return dbOf(this.prisma, tx).apiToken.count({
      where: {
        tenantId,
        id: { not: exceptId },
        role: 'ADMIN',
        revokedAt: null,
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      },
    });
  }

  async revoke(tenantId: string, id: string, now: Date, tx?: Transaction): Promise<StoredApiToken | null> {
    const db = dbOf(this.prisma, tx);
    const { count } = await db.apiToken.updateMany({
      where: { tenantId, id, revokedAt: null },
      data: { revokedAt: now },
    });
    if (count === 0) return null;
    const row = await db.apiToken.findFirst({ where: { tenantId, id } });
    return row && toStored(row);
  }
}

interface TokenRow {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  role: DbRole;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
}

function toStored(row: ApiToken): StoredApiToken {
  const { id, tenantId, name, prefix, expiresAt, lastUsedAt, revokedAt, createdAt } = row;
  return { id, tenantId, name, prefix, role: ROLES[row.role], expiresAt, lastUsedAt, revokedAt, createdAt };
}
