import { Injectable } from '@nestjs/common';
import type { Cluster, GlobalNamespace } from '../generated/prisma/client';
import { cursorWhere, pageOf, type Page, type PageRequest } from '../common/pagination';
import { PrismaService } from '../prisma/prisma.service';

/** Tenant-scoped reads behind the GraphQL API (tenant id first, always). */
@Injectable()
export class GraphReadRepository {
  constructor(private readonly prisma: PrismaService) {}

  async clusters(tenantId: string, page: PageRequest): Promise<Page<Cluster>> {
    const rows = await this.prisma.cluster.findMany({
      where: { tenantId, ...cursorWhere(page) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return pageOf(rows, page.limit);
  }

  async globalNamespaces(tenantId: string, page: PageRequest): Promise<Page<GlobalNamespace>> {
    const rows = await this.prisma.globalNamespace.findMany({
      where: { tenantId, ...cursorWhere(page) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return pageOf(rows, page.limit);
  }

  globalNamespace(tenantId: string, id: string): Promise<GlobalNamespace | null> {
    return this.prisma.globalNamespace.findFirst({ where: { tenantId, id } });
  }
}
