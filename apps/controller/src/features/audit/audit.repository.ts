import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { Prisma, type AuditEvent } from '../../generated/prisma/client';
import { cursorWhere, pageOf, type Page, type PageRequest } from '../../platform/http/pagination.util';
import { PrismaService } from '../../platform/database/prisma.service';
import { transactionClient, type Transaction } from '../../platform/database/transaction.service';

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

/** A JSON value as stored in the before/after columns. */
export type AuditJson = z.infer<typeof auditJson>;

export interface AuditRecord {
  id: string;
  createdAt: Date;
  actorTokenId: string | null;
  actorName: string;
  action: string;
  resourceType: string;
  resourceId: string;
  before: AuditJson;
  after: AuditJson;
  correlationId: string | null;
}

export interface AuditFilter {
  resourceType?: string;
  resourceId?: string;
}

/** before/after hold API representations: any JSON, or SQL NULL when there is none. */
const auditJson = z.json().nullable();

@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  async record(tenantId: string, entry: AuditEntry, tx: Transaction): Promise<void> {
    await transactionClient(tx).auditEvent.create({
      data: {
        tenantId,
        actorTokenId: entry.actorTokenId,
        actorName: entry.actorName,
        action: entry.action,
        resourceType: entry.resourceType,
        resourceId: entry.resourceId,
        before: toJsonColumn(entry.before),
        after: toJsonColumn(entry.after),
        correlationId: entry.correlationId ?? null,
      },
    });
  }

  async list(tenantId: string, filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>> {
    const rows = await this.prisma.auditEvent.findMany({
      where: { tenantId, ...filter, ...cursorWhere(page) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return pageOf(rows.map(toRecord), page.limit);
  }
}

/**
 * A representation in its JSON form (dates as ISO strings, undefined fields dropped, as
 * JSON.stringify gives it); none at all is SQL NULL.
 */
function toJsonColumn(value: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  if (value === undefined || value === null) return Prisma.DbNull;
  const json = auditJson.parse(JSON.parse(JSON.stringify(value)));
  return json === null ? Prisma.DbNull : json;
}

/** The one place the before/after columns are read back. */
function toRecord(row: AuditEvent): AuditRecord {
  return {
    id: row.id,
    createdAt: row.createdAt,
    actorTokenId: row.actorTokenId,
    actorName: row.actorName,
    action: row.action,
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    before: auditJson.parse(row.before),
    after: auditJson.parse(row.after),
    correlationId: row.correlationId,
  };
}
