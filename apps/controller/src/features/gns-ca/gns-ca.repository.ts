import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { DomainError } from '@lattice/domain';
import { isEncryptedBlob, RotationStage, type EncryptedBlob, type RootRotationState } from '@lattice/pki';
import { Prisma } from '../../generated/prisma/client';
import { bytesFromBase64 } from '../../platform/database/bytea.util';
import { isUniqueViolation } from '../../platform/database/db.util';
import { PrismaService } from '../../platform/database/prisma.service';
import { dbOf, transactionClient, type Transaction } from '../../platform/database/transaction.service';
import type {
  CaCluster,
  CaClusterMembership,
  CaGns,
  NewRoot,
  StoredIntermediate,
  StoredRoot,
  StoredRotation,
} from './gns-ca.types';

/*
 * The rotation state is stored as JSON on the GNS row (`ca_rotation`) and read back through this
 * schema only; the state machine in libs/pki writes every field.
 */
const rotationProgressSchema = z.object({
  checkedAt: z.string(),
  reason: z.string(),
  waitingForClusterIds: z.array(z.string()),
  earliestAt: z.string().nullable(),
});

const storedRotationSchema = z.object({
  stage: z.enum([
    RotationStage.IDLE,
    RotationStage.TRUST_BOTH,
    RotationStage.ISSUING_NEW,
    RotationStage.DROP_OLD,
  ]),
  currentRootGeneration: z.number().int(),
  nextRootGeneration: z.number().int().nullable(),
  stageEnteredAt: z.string(),
  allClustersMovedAt: z.string().nullable(),
  maxWorkloadCertTtlSeconds: z.number(),
  progress: rotationProgressSchema.optional(),
});

function decodeRotation(gnsId: string, json: unknown): StoredRotation | null {
  if (json === null) return null;
  const parsed = storedRotationSchema.safeParse(json);
  // Written only by this repository from the state machine's output: unreadable means corrupt.
  if (!parsed.success)
    throw new Error(
      `global namespace ${gnsId}: stored CA rotation state unreadable: ${z.prettifyError(parsed.error)}`,
    );
  const { progress, ...state } = parsed.data;
  return progress ? { ...state, progress } : state;
}

function encodeRotation(state: StoredRotation): Prisma.InputJsonObject {
  const encoded: RootRotationState = {
    stage: state.stage,
    currentRootGeneration: state.currentRootGeneration,
    nextRootGeneration: state.nextRootGeneration,
    stageEnteredAt: state.stageEnteredAt,
    allClustersMovedAt: state.allClustersMovedAt,
    maxWorkloadCertTtlSeconds: state.maxWorkloadCertTtlSeconds,
  };
  return state.progress ? { ...encoded, progress: { ...state.progress } } : { ...encoded };
}

function encodeKey(blob: EncryptedBlob): Prisma.InputJsonObject {
  return { ...blob };
}

const ROOT_WITHOUT_KEY = {
  gnsId: true,
  generation: true,
  certificatePem: true,
  fingerprint: true,
  notBefore: true,
  notAfter: true,
  retiredAt: true,
} as const;

/**
 * GNS roots, cluster intermediates and the rotation state. Tenant id first everywhere; the sealed
 * root key is read by exactly one method (sealedRootKey), for signing.
 */
@Injectable()
export class GnsCaRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The soonest expiry among active roots and among the intermediates signed by them, every tenant
   * (for operators' metrics); null where there is none.
   */
  async soonestExpiries(): Promise<{ root: Date | null; intermediate: Date | null }> {
    const [row] = await this.prisma.$queryRaw<{ root: Date | null; intermediate: Date | null }[]>(Prisma.sql`
      SELECT (SELECT min(not_after) FROM gns_ca_roots WHERE retired_at IS NULL) AS root,
             (SELECT min(i.not_after)
                FROM gns_intermediates i
                JOIN gns_ca_roots r
                  ON r.gns_id = i.gns_id AND r.generation = i.root_generation AND r.retired_at IS NULL
               WHERE i.not_after IS NOT NULL) AS intermediate`);
    return { root: row?.root ?? null, intermediate: row?.intermediate ?? null };
  }

  async findGns(tenantId: string, gnsId: string, tx?: Transaction): Promise<CaGns | null> {
    const row = await dbOf(this.prisma, tx).globalNamespace.findFirst({
      where: { tenantId, id: gnsId },
      select: { id: true, tenantId: true, name: true, domain: true, caRotation: true },
    });
    return row && { ...row, caRotation: decodeRotation(row.id, row.caRotation) };
  }

  /** Row lock on the GNS: rotation steps of one GNS never interleave, across replicas. */
  async lockGns(tenantId: string, gnsId: string, tx: Transaction): Promise<CaGns | null> {
    await transactionClient(tx).$queryRaw(
      Prisma.sql`SELECT id FROM global_namespaces WHERE tenant_id = ${tenantId}::uuid AND id = ${gnsId}::uuid FOR UPDATE`,
    );
    return this.findGns(tenantId, gnsId, tx);
  }

  async tenantName(tenantId: string): Promise<string | null> {
    const row = await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { name: true } });
    return row?.name ?? null;
  }

  async insertRoot(tenantId: string, gnsId: string, root: NewRoot, tx?: Transaction): Promise<void> {
    await dbOf(this.prisma, tx).gnsCaRoot.create({
      data: { tenantId, gnsId, ...root, encryptedKey: encodeKey(root.encryptedKey) },
    });
  }

  /**
   * The root a rotation starts with. Two rotations racing for the same generation: the unique
   * (GNS, generation) key decides, and the loser gets a 409.
   */
  async insertNextRoot(tenantId: string, gnsId: string, root: NewRoot, tx: Transaction): Promise<void> {
    await this.insertRoot(tenantId, gnsId, root, tx).catch((error: unknown) => {
      if (isUniqueViolation(error)) throw rotationAlreadyInProgress();
      throw error;
    });
  }

  async setRotation(tenantId: string, gnsId: string, state: StoredRotation, tx?: Transaction): Promise<void> {
    await dbOf(this.prisma, tx).globalNamespace.updateMany({
      where: { tenantId, id: gnsId },
      data: { caRotation: encodeRotation(state) },
    });
  }

  roots(tenantId: string, gnsId: string, tx?: Transaction): Promise<StoredRoot[]> {
    return dbOf(this.prisma, tx).gnsCaRoot.findMany({
      where: { tenantId, gnsId },
      select: ROOT_WITHOUT_KEY,
      orderBy: { generation: 'asc' },
    });
  }

  /** The root of `generation` with its sealed key (null when the stored key is not a readable envelope). */
  async sealedRootKey(
    tenantId: string,
    gnsId: string,
    generation: number,
  ): Promise<{ certificatePem: string; encryptedKey: EncryptedBlob | null; retiredAt: Date | null } | null> {
    const row = await this.prisma.gnsCaRoot.findFirst({
      where: { tenantId, gnsId, generation },
      select: { certificatePem: true, encryptedKey: true, retiredAt: true },
    });
    return (
      row && {
        certificatePem: row.certificatePem,
        encryptedKey: isEncryptedBlob(row.encryptedKey) ? row.encryptedKey : null,
        retiredAt: row.retiredAt,
      }
    );
  }

  async retireRoot(
    tenantId: string,
    gnsId: string,
    generation: number,
    now: Date,
    tx: Transaction,
  ): Promise<void> {
    await transactionClient(tx).gnsCaRoot.updateMany({
      where: { tenantId, gnsId, generation },
      data: { retiredAt: now },
    });
  }

  /** The old root's key is destroyed with its row, and so is every intermediate it signed. */
  async deleteGeneration(
    tenantId: string,
    gnsId: string,
    generation: number,
    tx: Transaction,
  ): Promise<void> {
    const db = transactionClient(tx);
    await db.gnsIntermediate.deleteMany({ where: { tenantId, gnsId, rootGeneration: generation } });
    await db.gnsCaRoot.deleteMany({ where: { tenantId, gnsId, generation } });
  }

  async intermediatesOfGns(
    tenantId: string,
    gnsId: string,
  ): Promise<(StoredIntermediate & { clusterName: string })[]> {
    const rows = await this.prisma.gnsIntermediate.findMany({
      where: { tenantId, gnsId },
      select: { ...INTERMEDIATE, cluster: { select: { name: true } } },
      orderBy: [{ clusterId: 'asc' }, { rootGeneration: 'asc' }],
    });
    return rows.map(({ cluster, ...row }) => ({ ...toStoredIntermediate(row), clusterName: cluster.name }));
  }

  async intermediatesOfCluster(tenantId: string, clusterId: string): Promise<StoredIntermediate[]> {
    const rows = await this.prisma.gnsIntermediate.findMany({
      where: { tenantId, clusterId },
      select: INTERMEDIATE,
    });
    return rows.map(toStoredIntermediate);
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
    const rows = await this.prisma.$queryRaw<{ name: string; gns_ids: string[] | null }[]>(Prisma.sql`
      SELECT name,
              CASE WHEN desired_payload IS NULL THEN NULL ELSE ARRAY(
                SELECT g->>'id' FROM json_array_elements(
                  CASE WHEN json_typeof(convert_from(desired_payload, 'UTF8')::json -> 'globalNamespaces') = 'array'
                       THEN convert_from(desired_payload, 'UTF8')::json -> 'globalNamespaces' ELSE '[]'::json END
                ) AS g WHERE json_typeof(g -> 'id') = 'string') END AS gns_ids
         FROM clusters WHERE tenant_id = ${tenantId}::uuid AND id = ${clusterId}::uuid AND revoked_at IS NULL`);
    const row = rows[0];
    return row ? { name: row.name, memberGnsIds: row.gns_ids ?? [] } : null;
  }

  /**
   * Every live cluster of the tenant; the payloads are read as base64 text and decoded natively
   * (see platform/database/bytea.ts for why).
   */
  async clusters(tenantId: string, tx?: Transaction): Promise<CaCluster[]> {
    const rows = await dbOf(this.prisma, tx).$queryRaw<CaClusterRow[]>(Prisma.sql`
      SELECT id::text AS id, name, applied_version, desired_version, first_connected_at,
             encode(desired_payload, 'base64') AS payload
        FROM clusters WHERE tenant_id = ${tenantId}::uuid AND revoked_at IS NULL ORDER BY id`);
    return rows.map(toCaCluster);
  }

  /** GNS of the tenant in a root rotation. */
  async rotatingGnsIds(tenantId: string): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>(Prisma.sql`
      SELECT id FROM global_namespaces
      WHERE tenant_id = ${tenantId}::uuid AND ca_rotation IS NOT NULL AND ca_rotation->>'stage' <> 'IDLE'`);
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
      this.prisma.$queryRaw<{ tenant_id: string }[]>(Prisma.sql`
        SELECT DISTINCT tenant_id FROM global_namespaces WHERE ca_rotation IS NOT NULL AND ca_rotation->>'stage' <> 'IDLE'`),
      this.prisma.$queryRaw<{ tenant_id: string; id: string }[]>(Prisma.sql`
        SELECT g.tenant_id, g.id FROM global_namespaces g
        WHERE NOT EXISTS (SELECT 1 FROM gns_ca_roots r WHERE r.gns_id = g.id) LIMIT 100`),
    ]);
    return {
      rotatingTenantIds: rotating.map((row) => row.tenant_id),
      gnsWithoutRoot: withoutRoot.map((row) => ({ tenantId: row.tenant_id, id: row.id })),
    };
  }
}

function rotationAlreadyInProgress(): DomainError {
  return new DomainError('CONFLICT', 'a root rotation of this global namespace is already in progress');
}

const INTERMEDIATE = {
  gnsId: true,
  clusterId: true,
  rootGeneration: true,
  fingerprint: true,
  notAfter: true,
  requestedAt: true,
  signedAt: true,
  lastError: true,
} as const;

function toStoredIntermediate(row: Omit<StoredIntermediate, 'notBefore'>): StoredIntermediate {
  return { ...row, notBefore: row.signedAt };
}

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
