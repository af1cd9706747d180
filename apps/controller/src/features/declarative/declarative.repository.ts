import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { PrismaService } from '../../platform/database/prisma.service';

/** What apply last wrote to one resource (see DeclarativeOwnership in prisma/schema.prisma). */
export interface Ownership {
  ref: string;
  kind: string;
  resourceId: string;
  applySet: string | null;
  appliedVersion: number;
  appliedFields: string[];
}

const appliedFieldsJson = z.array(z.string());

@Injectable()
export class DeclarativeRepository {
  constructor(private readonly prisma: PrismaService) {}

  async find(tenantId: string, ref: string): Promise<Ownership | null> {
    const row = await this.prisma.declarativeOwnership.findUnique({
      where: { tenantId_ref: { tenantId, ref } },
    });
    return row && ownershipOf(row);
  }

  async listAll(tenantId: string): Promise<Ownership[]> {
    const rows = await this.prisma.declarativeOwnership.findMany({
      where: { tenantId },
      orderBy: { ref: 'asc' },
    });
    return rows.map(ownershipOf);
  }

  async listApplySet(tenantId: string, applySet: string): Promise<Ownership[]> {
    const rows = await this.prisma.declarativeOwnership.findMany({
      where: { tenantId, applySet },
      orderBy: { ref: 'asc' },
    });
    return rows.map(ownershipOf);
  }

  async save(tenantId: string, ownership: Ownership): Promise<void> {
    const data = {
      kind: ownership.kind,
      resourceId: ownership.resourceId,
      applySet: ownership.applySet,
      appliedVersion: ownership.appliedVersion,
      appliedFields: ownership.appliedFields,
    };
    await this.prisma.declarativeOwnership.upsert({
      where: { tenantId_ref: { tenantId, ref: ownership.ref } },
      create: { tenantId, ref: ownership.ref, ...data },
      update: data,
    });
  }

  async forget(tenantId: string, ref: string): Promise<void> {
    await this.prisma.declarativeOwnership.deleteMany({ where: { tenantId, ref } });
  }
}

function ownershipOf(row: {
  ref: string;
  kind: string;
  resourceId: string;
  applySet: string | null;
  appliedVersion: number;
  appliedFields: unknown;
}): Ownership {
  return {
    ref: row.ref,
    kind: row.kind,
    resourceId: row.resourceId,
    applySet: row.applySet,
    appliedVersion: row.appliedVersion,
    appliedFields: appliedFieldsJson.parse(row.appliedFields),
  };
}
