import { Injectable } from '@nestjs/common';
import type { Tenant } from '../../generated/prisma/client';
import { PrismaService } from '../../platform/database/prisma.service';
import { dbOf, type Transaction } from '../../platform/database/transaction.service';
import { cursorWhere, pageOf, type Page, type PageRequest } from '../../platform/http/pagination.util';

export interface StoredTenant {
  id: string;
  name: string;
  createdAt: Date;
}

/** Tenants are the one table not scoped by a tenant id: the operator manages them. */
@Injectable()
export class TenantsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(name: string, tx?: Transaction): Promise<StoredTenant> {
    return toStored(await dbOf(this.prisma, tx).tenant.create({ data: { name } }));
  }

  async find(id: string): Promise<StoredTenant | null> {
    const row = await this.prisma.tenant.findUnique({ where: { id } });
    return row && toStored(row);
  }

  async nameTaken(name: string): Promise<boolean> {
    return (await this.prisma.tenant.count({ where: { name } })) > 0;
  }

  async list(page: PageRequest): Promise<Page<StoredTenant>> {
    const rows = await this.prisma.tenant.findMany({
      where: cursorWhere(page),
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return pageOf(rows.map(toStored), page.limit);
  }
}

function toStored(row: Tenant): StoredTenant {
  return { id: row.id, name: row.name, createdAt: row.createdAt };
}
