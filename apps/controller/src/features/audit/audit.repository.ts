import { Injectable } from '@nestjs/common';
import { Prisma, type AuditEvent } from '../../generated/prisma/client';
import { cursorWhere, pageOf, type Page, type PageRequest } from '../../platform/http/pagination.util';
import type { Db } from '../../platform/database/db.util';
import { PrismaService } from '../../platform/database/prisma.service';

export interface AuditEntry {
  actorTokenId: string | null;
  actorName: string;
  action: string;
  resourceType: string;
  resourceId: string;
  before?: unknown;
  after?: unknown;
  correlationId?: string;
}

export interface AuditFilter {
  resourceType?: string;
  resourceId?: string;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  async record(tenantId: string, entry: AuditEntry, db: Db = this.prisma): Promise<void> {
    await db.auditEvent.create({
      data: {
        tenantId,
        actorTokenId: entry.actorTokenId,
        actorName: entry.actorName,
        action: entry.action,
        resourceType: entry.resourceType,
        resourceId: entry.resourceId,
        before: toJson(entry.before),
        after: toJson(entry.after),
        correlationId: entry.correlationId ?? null,
      },
    });
  }

  async list(tenantId: string, filter: AuditFilter, page: PageRequest): Promise<Page<AuditEvent>> {
    const rows = await this.prisma.auditEvent.findMany({
      where: { tenantId, ...filter, ...cursorWhere(page) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return pageOf(rows, page.limit);
  }
}

function toJson(value: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return value === undefined || value === null ? Prisma.DbNull : (JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue);
}
