import { Injectable, Logger } from '@nestjs/common';
import { DomainError, parseStoredMatchConditions, type MatchCondition, type MtlsMode } from '@lattice/domain';
import { Prisma, type GlobalNamespace } from '../../generated/prisma/client';
import { cursorWhere, pageOf, type Page, type PageRequest } from '../../platform/http/pagination.util';
import { isUniqueViolation } from '../../platform/database/db.util';
import { PrismaService } from '../../platform/database/prisma.service';
import { dbOf, type Transaction } from '../../platform/database/transaction.service';

/** What an editor defines; validated by the service before it gets here. */
export interface GlobalNamespaceSpec {
  name: string;
  domain: string;
  description: string;
  mtlsMode: MtlsMode;
  matchConditions: readonly MatchCondition[];
}

export interface StoredGlobalNamespace extends GlobalNamespaceSpec {
  id: string;
  tenantId: string;
  matchConditions: MatchCondition[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

@Injectable()
export class GlobalNamespacesRepository {
  private readonly logger = new Logger(GlobalNamespacesRepository.name);

  constructor(private readonly prisma: PrismaService) {}

  /** `id` is chosen by the caller when something bound to it (the GNS root CA) is made first. */
  async create(
    tenantId: string,
    spec: GlobalNamespaceSpec,
    tx?: Transaction,
    id?: string,
  ): Promise<StoredGlobalNamespace> {
    const row = await dbOf(this.prisma, tx)
      .globalNamespace.create({
        data: { id, tenantId, ...spec, matchConditions: toJson(spec.matchConditions) },
      })
      .catch(rethrowNameTaken(spec.name));
    return this.toStored(row);
  }

  async find(tenantId: string, id: string, tx?: Transaction): Promise<StoredGlobalNamespace | null> {
    const row = await dbOf(this.prisma, tx).globalNamespace.findFirst({ where: { tenantId, id } });
    return row && this.toStored(row);
  }

  /** The id of the tenant's resource with this name (names are unique per tenant), or null. */
  async idByName(tenantId: string, name: string): Promise<string | null> {
    const row = await this.prisma.globalNamespace.findFirst({
      where: { tenantId, name },
      select: { id: true },
    });
    return row?.id ?? null;
  }

  async exists(tenantId: string, id: string): Promise<boolean> {
    return (await this.prisma.globalNamespace.count({ where: { tenantId, id } })) > 0;
  }

  async nameTaken(tenantId: string, name: string, tx?: Transaction): Promise<boolean> {
    return (await dbOf(this.prisma, tx).globalNamespace.count({ where: { tenantId, name } })) > 0;
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<StoredGlobalNamespace>> {
    const rows = await this.prisma.globalNamespace.findMany({
      where: { tenantId, ...cursorWhere(page) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return pageOf(
      rows.map((row) => this.toStored(row)),
      page.limit,
    );
  }

  /** Replaces the definition only if it is still at `expectedVersion`; null otherwise. */
  async replaceIfVersion(
    tenantId: string,
    id: string,
    expectedVersion: number,
    spec: GlobalNamespaceSpec,
    tx?: Transaction,
  ): Promise<StoredGlobalNamespace | null> {
    const rows = await dbOf(this.prisma, tx)
      .globalNamespace.updateManyAndReturn({
        where: { tenantId, id, version: expectedVersion },
        data: { ...spec, matchConditions: toJson(spec.matchConditions), version: { increment: 1 } },
      })
      .catch(rethrowNameTaken(spec.name));
    return rows[0] ? this.toStored(rows[0]) : null;
  }

  /** Deletes; its CA roots and intermediates go with it (ON DELETE CASCADE). */
  async delete(tenantId: string, id: string, tx?: Transaction): Promise<boolean> {
    const { count } = await dbOf(this.prisma, tx).globalNamespace.deleteMany({ where: { tenantId, id } });
    return count > 0;
  }

  private toStored(row: GlobalNamespace): StoredGlobalNamespace {
    const conditions = parseStoredMatchConditions(row.matchConditions);
    if (!conditions.ok)
      this.logger.warn(`global namespace ${row.id}: stored match conditions unreadable: ${conditions.error}`);
    return {
      id: row.id,
      tenantId: row.tenantId,
      name: row.name,
      domain: row.domain,
      description: row.description,
      mtlsMode: row.mtlsMode,
      matchConditions: conditions.ok ? conditions.value : [],
      version: row.version,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}

function toJson(conditions: readonly MatchCondition[]): Prisma.InputJsonValue {
  return conditions.map((condition) => ({
    cluster: { type: condition.cluster.type, value: condition.cluster.value },
    namespace: { type: condition.namespace.type, value: condition.namespace.value },
  }));
}

/** The unique (tenant, name) index decides races that the service's pre-check cannot. */
function rethrowNameTaken(name: string): (error: unknown) => never {
  return (error) => {
    if (isUniqueViolation(error)) throw nameTaken(name);
    throw error;
  };
}

export function nameTaken(name: string): DomainError {
  return new DomainError('CONFLICT', `a global namespace named "${name}" already exists in this tenant`, [
    { field: 'name', message: 'is already used by another global namespace' },
  ]);
}
