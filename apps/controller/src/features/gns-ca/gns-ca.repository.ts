import { Injectable } from '@nestjs/common';
import type { RootRotationState } from '@lattice/pki';
import type { GnsCaRoot, GnsIntermediate, Prisma } from '../../generated/prisma/client';
import { byteaAsBase64, bytesFromBase64 } from '../../platform/database/bytea.util';
import type { Db } from '../../platform/database/db.util';
import { PrismaService } from '../../platform/database/prisma.service';

/** What the rotation job last concluded, stored beside the state machine's own fields. */
export interface RotationProgress {
  checkedAt: string;
  reason: string;
  waitingForClusterIds: string[];
  earliestAt: string | null;
}

export type StoredRotation = RootRotationState & { progress?: RotationProgress };

export interface CaGns {
  id: string;
  tenantId: string;
  name: string;
  domain: string;
  caRotation: StoredRotation | null;
}

export type RootWithoutKey = Omit<GnsCaRoot, 'encryptedKey'>;

export interface NewRoot {
  generation: number;
  certificatePem: string;
  encryptedKey: object;
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
}

/** A cluster as far as the CA cares: which GNS its latest desired state has, and whether it applied it. */
export interface CaCluster {
  id: string;
  name: string;
  appliedVersion: number;
  desiredVersion: number;
  firstConnectedAt: Date | null;
  desiredPayload: Uint8Array | null;
}

/** A cluster's name and the GNS its latest desired state has (see clusterMembership). */
export interface CaClusterMembership {
  name: string;
  memberGnsIds: string[];
}

const ROOT_WITHOUT_KEY = {
  id: true,
  tenantId: true,
  gnsId: true,
  generation: true,
  certificatePem: true,
  fingerprint: true,
  notBefore: true,
  notAfter: true,
  retiredAt: true,
  createdAt: true,
} as const;

/**
 * GNS roots, cluster intermediates and the rotation state. Tenant id first everywhere; the sealed
 * root key is read by exactly one method (sealedRootKey), for signing.
 */
@Injectable()
export class GnsCaRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work);
  }

  async findGns(tenantId: string, gnsId: string, db: Db = this.prisma): Promise<CaGns | null> {
    const row = await db.globalNamespace.findFirst({
      where: { tenantId, id: gnsId },
      select: { id: true, tenantId: true, name: true, domain: true, caRotation: true },
    });
    return row && { ...row, caRotation: row.caRotation as unknown as StoredRotation | null };
  }

  /** Row lock on the GNS: rotation steps of one GNS never interleave, across replicas. */
  async lockGns(tenantId: string, gnsId: string, db: Prisma.TransactionClient): Promise<CaGns | null> {
    await db.$queryRaw`SELECT id FROM global_namespaces WHERE tenant_id = ${tenantId}::uuid AND id = ${gnsId}::uuid FOR UPDATE`;
    return this.findGns(tenantId, gnsId, db);
  }

  async tenantName(tenantId: string): Promise<string | null> {
    const row = await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { name: true } });
    return row?.name ?? null;
  }

  async insertRoot(tenantId: string, gnsId: string, root: NewRoot, db: Db = this.prisma): Promise<void> {
    await db.gnsCaRoot.create({
      data: { tenantId, gnsId, ...root, encryptedKey: root.encryptedKey as Prisma.InputJsonValue },
    });
  }

  async setRotation(
    tenantId: string,
    gnsId: string,
    state: StoredRotation,
    db: Db = this.prisma,
  ): Promise<void> {
    await db.globalNamespace.updateMany({
      where: { tenantId, id: gnsId },
      data: { caRotation: state as unknown as Prisma.InputJsonValue },
    });
  }

  roots(tenantId: string, gnsId: string, db: Db = this.prisma): Promise<RootWithoutKey[]> {
    return db.gnsCaRoot.findMany({
      where: { tenantId, gnsId },
      select: ROOT_WITHOUT_KEY,
      orderBy: { generation: 'asc' },
    });
  }

  async sealedRootKey(
    tenantId: string,
    gnsId: string,
    generation: number,
  ): Promise<{ certificatePem: string; encryptedKey: unknown; retiredAt: Date | null } | null> {
    return this.prisma.gnsCaRoot.findFirst({
      where: { tenantId, gnsId, generation },
      select: { certificatePem: true, encryptedKey: true, retiredAt: true },
    });
  }

  async retireRoot(tenantId: string, gnsId: string, generation: number, now: Date, db: Db): Promise<void> {
    await db.gnsCaRoot.updateMany({ where: { tenantId, gnsId, generation }, data: { retiredAt: now } });
  }

  /** The old root's key is destroyed with its row, and so is every intermediate it signed. */
  async deleteGeneration(tenantId: string, gnsId: string, generation: number, db: Db): Promise<void> {
    await db.gnsIntermediate.deleteMany({ where: { tenantId, gnsId, rootGeneration: generation } });
    await db.gnsCaRoot.deleteMany({ where: { tenantId, gnsId, generation } });
  }

  intermediatesOfGns(
    tenantId: string,
    gnsId: string,
  ): Promise<(GnsIntermediate & { cluster: { name: string } })[]> {
    return this.prisma.gnsIntermediate.findMany({
      where: { tenantId, gnsId },
      include: { cluster: { select: { name: true } } },
      orderBy: [{ clusterId: 'asc' }, { rootGeneration: 'asc' }],
    });
  }

  intermediatesOfCluster(tenantId: string, clusterId: string): Promise<GnsIntermediate[]> {
    return this.prisma.gnsIntermediate.findMany({ where: { tenantId, clusterId } });
  }

  /** Records that a CSR was asked for (creating the pending row, or marking a renewal). */
  async markRequested(
    tenantId: string,
    gnsId: string,
    clusterId: string,
    rootGeneration: number,
    now: Date,
  ): Promise<void> {
    await this.prisma.gnsIntermediate.upsert({
      where: { gnsId_clusterId_rootGeneration: { gnsId, clusterId, rootGeneration }, tenantId },
      create: { tenantId, gnsId, clusterId, rootGeneration, requestedAt: now },
      update: { requestedAt: now },
    });
  }

  async storeSigned(
    tenantId: string,
    gnsId: string,
    clusterId: string,
    rootGeneration: number,
    signed: { certificatePem: string; certChainPem: string; fingerprint: string; notAfter: Date },
    now: Date,
  ): Promise<void> {
    const data = { ...signed, signedAt: now, lastError: null };
    await this.prisma.gnsIntermediate.upsert({
      where: { gnsId_clusterId_rootGeneration: { gnsId, clusterId, rootGeneration }, tenantId },
      create: { tenantId, gnsId, clusterId, rootGeneration, requestedAt: now, ...data },
      update: data,
    });
  }

  /** A refused CSR keeps the certificate the cluster already has (a refused renewal is not a revocation). */
  async storeRefused(
    tenantId: string,
    gnsId: string,
    clusterId: string,
    rootGeneration: number,
    reason: string,
    now: Date,
  ): Promise<void> {
    const lastError = reason.slice(0, 2000);
    await this.prisma.gnsIntermediate.upsert({
      where: { gnsId_clusterId_rootGeneration: { gnsId, clusterId, rootGeneration }, tenantId },
      create: { tenantId, gnsId, clusterId, rootGeneration, requestedAt: now, lastError },
      update: { lastError },
    });
  }

  /**
   * A live cluster's name and the GNS its latest desired state makes it a member of. Asked after
   * every snapshot push and every few heartbeats of every stream: PostgreSQL picks the GNS ids out
   * of the payload (parsed as `json`, not stored), so the payload of hundreds of kilobytes is
   * neither sent to nor parsed by the controller.
   */
  async clusterMembership(tenantId: string, clusterId: string): Promise<CaClusterMembership | null> {
    const rows = await this.prisma.$queryRawUnsafe<{ name: string; gns_ids: string[] | null }[]>(
      `SELECT name,
              CASE WHEN desired_payload IS NULL THEN NULL ELSE ARRAY(
                SELECT g->>'id' FROM json_array_elements(
                  CASE WHEN json_typeof(convert_from(desired_payload, 'UTF8')::json -> 'globalNamespaces') = 'array'
                       THEN convert_from(desired_payload, 'UTF8')::json -> 'globalNamespaces' ELSE '[]'::json END
                ) AS g WHERE json_typeof(g -> 'id') = 'string') END AS gns_ids
         FROM clusters WHERE tenant_id = $1::uuid AND id = $2::uuid AND revoked_at IS NULL`,
      tenantId,
      clusterId,
    );
    const row = rows[0];
    return row ? { name: row.name, memberGnsIds: row.gns_ids ?? [] } : null;
  }

  /** Every live cluster of the tenant; the payloads are read as base64 (see prisma/bytea.ts). */
  async clusters(tenantId: string, db: Db = this.prisma): Promise<CaCluster[]> {
    const rows = await db.$queryRawUnsafe<CaClusterRow[]>(
      `${SELECT_CA_CLUSTER} WHERE tenant_id = $1::uuid AND revoked_at IS NULL ORDER BY id`,
      tenantId,
    );
    return rows.map(toCaCluster);
  }

  /** GNS of the tenant in a root rotation. */
  async rotatingGnsIds(tenantId: string): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT id FROM global_namespaces
      WHERE tenant_id = ${tenantId}::uuid AND ca_rotation IS NOT NULL AND ca_rotation->>'stage' <> 'IDLE'`;
    return rows.map((row) => row.id);
  }

  /**
   * Platform-wide, for the periodic CA sweep (not a tenant request): tenants with a rotation in
   * progress, and GNS that have no root yet (created before the CA existed).
   */
  async sweepCandidates(): Promise<{
    rotatingTenantIds: string[];
    gnsWithoutRoot: { tenantId: string; id: string }[];
  }> {
    const [rotating, withoutRoot] = await Promise.all([
      this.prisma.$queryRaw<{ tenant_id: string }[]>`
        SELECT DISTINCT tenant_id FROM global_namespaces WHERE ca_rotation IS NOT NULL AND ca_rotation->>'stage' <> 'IDLE'`,
      this.prisma.$queryRaw<{ tenant_id: string; id: string }[]>`
        SELECT g.tenant_id, g.id FROM global_namespaces g
        WHERE NOT EXISTS (SELECT 1 FROM gns_ca_roots r WHERE r.gns_id = g.id) LIMIT 100`,
    ]);
    return {
      rotatingTenantIds: rotating.map((row) => row.tenant_id),
      gnsWithoutRoot: withoutRoot.map((row) => ({ tenantId: row.tenant_id, id: row.id })),
    };
  }
}

const SELECT_CA_CLUSTER = `SELECT id::text AS id, name, applied_version, desired_version, first_connected_at,
  ${byteaAsBase64('desired_payload')} AS payload FROM clusters`;

interface CaClusterRow {
  id: string;
  name: string;
  applied_version: number;
  desired_version: number;
  first_connected_at: Date | null;
  payload: string | null;
}

function toCaCluster(row: CaClusterRow): CaCluster {
  return {
    id: row.id,
    name: row.name,
    appliedVersion: Number(row.applied_version),
    desiredVersion: Number(row.desired_version),
    firstConnectedAt: row.first_connected_at,
    desiredPayload: bytesFromBase64(row.payload),
  };
}
