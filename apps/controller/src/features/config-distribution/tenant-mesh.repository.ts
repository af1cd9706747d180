import { Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import {
  DEFAULT_EAST_WEST_GATEWAY_SELECTOR,
  EMPTY_INVENTORY,
  groupPoliciesByGns,
  meshInstallationSchema,
  parseAutoscalingPolicy,
  parseSecurityPolicyShape,
  parseStoredInventory,
  parseStoredMatchConditions,
  parseTrafficPolicyShape,
  reportedPlacement,
} from '@lattice/domain';
import { trustBundleOfGenerations } from '@lattice/pki';
import type {
  ActionableSloViolation,
  AutoscalingPolicyRecord,
  ClusterInventory,
  PoliciesByGns,
  CaMaterialByGns,
  ClusterIdentity,
  DesiredCaMaterial,
  GlobalNamespaceDefinition,
} from '@lattice/domain';
import { Prisma } from '../../generated/prisma/client';
import { PgPool } from '../../platform/database/pg-pool.service';
import { PrismaService } from '../../platform/database/prisma.service';
import type { MeshCluster, TenantMesh } from './config-distribution.types';

/** Stored inventory JSON kept parsed, at most (by the size of the JSON text). */
const PARSED_INVENTORY_CACHE_BYTES = 64 * 1024 * 1024;

/** The cluster columns a ClusterIdentity is made of (as plain `pg` returns them). */
interface ClusterIdentityColumns {
  id: string;
  name: string;
  east_west_address: string | null;
  take_over_mesh_ca: boolean;
  network: string | null;
  region: string | null;
  zone: string | null;
  east_west_gateway_managed: boolean;
  east_west_gateway_selector: unknown;
  mesh_installation: unknown;
}

/**
 * The one place a cluster row becomes a ClusterIdentity. Network, locality and east-west address
 * are the registered ones where set, else what the agent reports of its cluster (docs/multi-network.md).
 */
export function clusterIdentityOf(row: ClusterIdentityColumns): ClusterIdentity {
  const selector = parseStoredLabels(row.east_west_gateway_selector);
  const stored = meshInstallationSchema.safeParse(row.mesh_installation);
  const reported = reportedPlacement(stored.success ? stored.data : null);
  const registeredLocality =
    row.region === null && row.zone === null
      ? null
      : { ...(row.region ? { region: row.region } : {}), ...(row.zone ? { zone: row.zone } : {}) };
  return {
    id: row.id,
    name: row.name,
    eastWestAddress: row.east_west_address ?? reported.eastWestAddress,
    takeOverMeshCa: row.take_over_mesh_ca,
    network: row.network ?? reported.network,
    locality: registeredLocality ?? reported.locality,
    registered: { network: row.network, eastWestAddress: row.east_west_address },
    eastWestGateway: {
      managed: row.east_west_gateway_managed,
      selector: selector ?? { ...DEFAULT_EAST_WEST_GATEWAY_SELECTOR },
    },
  };
}

/** A stored label map (validated on write); anything else reads as "not set". */
function parseStoredLabels(value: unknown): Record<string, string> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const entries = Object.entries(value);
  if (entries.length === 0 || !entries.every(([, label]) => typeof label === 'string')) return null;
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * Reads what a tenant's desired state is computed from and stores the result per cluster.
 * Revoked clusters are left out: they no longer take part in the mesh.
 */
@Injectable()
export class TenantMeshRepository {
  private readonly logger = new Logger(TenantMeshRepository.name);

  /**
   * Parsed inventories by cluster id, with the digest of the stored JSON they came from; bounded
   * by that JSON's size. Shared by every computation that reads them, so never mutated.
   */
  private readonly parsedInventories = new LRUCache<
    string,
    { tenantId: string; digest: string; inventory: ClusterInventory }
  >({ maxSize: PARSED_INVENTORY_CACHE_BYTES });

  constructor(
    private readonly prisma: PrismaService,
    private readonly pg: PgPool,
  ) {}

  async loadMesh(tenantId: string): Promise<TenantMesh> {
    const [gnsRows, clusterRows] = await Promise.all([
      this.prisma.globalNamespace.findMany({
        where: { tenantId },
        select: {
          id: true,
          name: true,
          domain: true,
          mtlsMode: true,
          matchConditions: true,
          createdAt: true,
        },
      }),
      this.pg.query<ClusterIdentityColumns & { desired_hash: string | null; inventory_digest: string }>(
        `SELECT id::text AS id, name, east_west_address, take_over_mesh_ca, network, region, zone,
                east_west_gateway_managed, east_west_gateway_selector, mesh_installation, desired_hash,
                md5(inventory::text) AS inventory_digest
           FROM clusters WHERE tenant_id = $1::uuid AND revoked_at IS NULL`,
        [tenantId],
      ),
    ]);
    const globalNamespaces = gnsRows.map((row): GlobalNamespaceDefinition => {
      const conditions = parseStoredMatchConditions(row.matchConditions);
      if (!conditions.ok)
        this.logger.warn(
          `global namespace ${row.id}: stored match conditions unreadable, matching nothing: ${conditions.error}`,
        );
      return { ...row, matchConditions: conditions.ok ? conditions.value : [] };
    });
    const inventories = await this.inventoriesOf(tenantId, clusterRows);
    const clusters = clusterRows.map((row): MeshCluster => ({
      ...clusterIdentityOf(row),
      desiredHash: row.desired_hash,
      inventory: inventories.get(row.id) ?? EMPTY_INVENTORY,
    }));
    return { globalNamespaces, clusters };
  }

  /**
   * The clusters' stored inventories, parsed: taken from this replica's cache when the stored
   * JSON's digest is the one it was parsed from, else read and parsed (a recomputation of a
   * 1,000-cluster tenant read and validated every inventory each time; usually one changed).
   */
  private async inventoriesOf(
    tenantId: string,
    rows: readonly { id: string; inventory_digest: string }[],
  ): Promise<Map<string, ClusterInventory>> {
    const inventories = new Map<string, ClusterInventory>();
    const stale: string[] = [];
    for (const row of rows) {
      const cached = this.parsedInventories.get(row.id);
      if (cached?.tenantId === tenantId && cached.digest === row.inventory_digest)
        inventories.set(row.id, cached.inventory);
      else stale.push(row.id);
    }
    if (stale.length === 0) return inventories;
    const read = await this.pg.query<{ id: string; inventory_text: string; inventory_digest: string }>(
      `SELECT id::text AS id, inventory::text AS inventory_text, md5(inventory::text) AS inventory_digest
         FROM clusters WHERE tenant_id = $1::uuid AND id = ANY($2::uuid[])`,
      [tenantId, stale],
    );
    for (const row of read) {
      const parsed = parseStoredInventory(JSON.parse(row.inventory_text));
      if (!parsed.ok)
        this.logger.warn(`cluster ${row.id}: stored inventory unreadable, treated as empty: ${parsed.error}`);
      const inventory = parsed.ok ? parsed.value : EMPTY_INVENTORY;
      inventories.set(row.id, inventory);
      this.parsedInventories.set(
        row.id,
        { tenantId, digest: row.inventory_digest, inventory },
        { size: Math.max(1, row.inventory_text.length) },
      );
    }
    return inventories;
  }

  /**
   * Signed intermediates per (GNS, cluster), the newest root generation first, with the trust
   * bundle of every root of the GNS that is not retired (old and new during a rotation). A GNS
   * without such roots gets no CA material at all.
   */
  async loadCaMaterial(tenantId: string): Promise<CaMaterialByGns> {
    const [roots, intermediates] = await Promise.all([
      this.prisma.gnsCaRoot.findMany({
        where: { tenantId, retiredAt: null },
        select: { gnsId: true, generation: true, certificatePem: true },
        orderBy: [{ gnsId: 'asc' }, { generation: 'asc' }],
      }),
      this.prisma.gnsIntermediate.findMany({
        where: { tenantId, signedAt: { not: null }, certChainPem: { not: null } },
        select: { gnsId: true, clusterId: true, certChainPem: true, rootGeneration: true },
        orderBy: [{ rootGeneration: 'desc' }],
      }),
    ]);
    const rootsByGns = new Map<string, typeof roots>();
    for (const root of roots) rootsByGns.set(root.gnsId, [...(rootsByGns.get(root.gnsId) ?? []), root]);
    const bundles = new Map(
      [...rootsByGns].map(([gnsId, gnsRoots]) => [gnsId, trustBundleOfGenerations(gnsRoots)]),
    );

    const material = new Map<string, Map<string, DesiredCaMaterial>>();
    for (const intermediate of intermediates) {
      const bundle = bundles.get(intermediate.gnsId);
      if (!bundle || intermediate.certChainPem === null) continue;
      const byCluster = material.get(intermediate.gnsId) ?? new Map<string, DesiredCaMaterial>();
      // Rows come newest generation first: the first one per cluster wins.
      if (!byCluster.has(intermediate.clusterId)) {
        byCluster.set(intermediate.clusterId, {
          certChainPem: intermediate.certChainPem,
          trustBundlePem: bundle,
          rootGeneration: intermediate.rootGeneration,
        });
      }
      material.set(intermediate.gnsId, byCluster);
    }
    return material;
  }

  /**
   * Traffic and security policies of every GNS of the tenant. Stored specs were validated when
   * written; one that no longer parses is left out (logged) rather than failing the whole tenant.
   */
  /**
   * Autoscaling policies of the tenant and, when there are any, its ACTIONABLE SLOs whose latest
   * evaluation has an indicator that does not hold (they block scale-down of their services).
   */
  async loadAutoscaling(
    tenantId: string,
  ): Promise<{ policies: AutoscalingPolicyRecord[]; violations: ActionableSloViolation[] }> {
    const rows = await this.prisma.autoscalingPolicy.findMany({
      where: { tenantId },
      select: { id: true, gnsId: true, service: true, version: true, spec: true },
    });
    if (rows.length === 0) return { policies: [], violations: [] };
    const policies = rows.flatMap((row) => {
      const parsed = parseAutoscalingPolicy(row.spec);
      if (parsed.ok)
        return [
          { id: row.id, gnsId: row.gnsId, service: row.service, version: row.version, spec: parsed.value },
        ];
      this.logger.warn(`autoscaling policy of ${row.service} in GNS ${row.gnsId} unreadable, left out`);
      return [];
    });
    const violated = await this.prisma.$queryRaw<
      { id: string; name: string; gns_id: string; services: string[] }[]
    >(
      Prisma.sql`
        SELECT s.id, s.name, s.gns_id, s.services
        FROM slos s JOIN slo_states st ON st.slo_id = s.id
        WHERE s.tenant_id = ${tenantId}::uuid AND s.type = 'ACTIONABLE'
          AND jsonb_typeof(st.evaluation->'indicators') = 'array'
          AND EXISTS (SELECT 1 FROM jsonb_array_elements(st.evaluation->'indicators') i
                      WHERE i->>'holds' = 'false')`,
    );
    return {
      policies,
      violations: violated.map((row) => ({
        sloId: row.id,
        name: row.name,
        gnsId: row.gns_id,
        services: row.services,
      })),
    };
  }

  async loadPolicies(tenantId: string): Promise<PoliciesByGns> {
    const [traffic, security] = await Promise.all([
      this.prisma.trafficPolicy.findMany({
        where: { tenantId },
        select: { gnsId: true, service: true, spec: true },
      }),
      this.prisma.securityPolicy.findMany({ where: { tenantId }, select: { gnsId: true, spec: true } }),
    ]);
    const readable = <T>(
      parsed: { ok: true; value: T } | { ok: false; errors: { field: string; message: string }[] },
      what: string,
    ): T[] => {
      if (parsed.ok) return [parsed.value];
      this.logger.warn(
        `${what} unreadable, left out: ${parsed.errors[0]?.field}: ${parsed.errors[0]?.message}`,
      );
      return [];
    };
    return groupPoliciesByGns(
      traffic.flatMap((row) =>
        readable(
          parseTrafficPolicyShape(row.spec),
          `traffic policy of ${row.service} in GNS ${row.gnsId}`,
        ).map((spec) => ({ gnsId: row.gnsId, service: row.service, spec })),
      ),
      security.flatMap((row) =>
        readable(parseSecurityPolicyShape(row.spec), `security policy of GNS ${row.gnsId}`).map((spec) => ({
          gnsId: row.gnsId,
          spec,
        })),
      ),
    );
  }
}
