import { Injectable } from '@nestjs/common';
import type { Tenant } from '../../generated/prisma/client';
import type { Db } from '../../platform/database/db.util';
import { PrismaService } from '../../platform/database/prisma.service';
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

  /** Runs `work` in one transaction; pass the handle to this and other repositories' writes. */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.prisma.$transaction((tx) => work(tx));
  }

  async create(name: string, db: Db = this.prisma): Promise<StoredTenant> {
    return toStored(await db.tenant.create({ data: { name } }));
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
