import { Injectable, Logger } from '@nestjs/common';
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
  PoliciesByGns,
  CaMaterialByGns,
  ClusterIdentity,
  DesiredCaMaterial,
  GlobalNamespaceDefinition,
} from '@lattice/domain';
import { Prisma } from '../../generated/prisma/client';
import { PrismaService } from '../../platform/database/prisma.service';
import type { MeshCluster, TenantMesh } from './config-distribution.types';

/** The cluster columns desired state reads. */
interface ClusterIdentityRow {
  id: string;
  name: string;
  eastWestAddress: string | null;
  takeOverMeshCa: boolean;
  network: string | null;
  region: string | null;
  zone: string | null;
  eastWestGatewayManaged: boolean;
  eastWestGatewaySelector: unknown;
  meshInstallation: unknown;
}

/**
 * The one place a cluster row becomes a ClusterIdentity. Network, locality and east-west address
 * are the registered ones where set, else what the agent reports of its cluster (docs/multi-network.md).
 */
export function clusterIdentityOf(row: ClusterIdentityRow): ClusterIdentity {
  const selector = parseStoredLabels(row.eastWestGatewaySelector);
  const stored = meshInstallationSchema.safeParse(row.meshInstallation);
  const reported = reportedPlacement(stored.success ? stored.data : null);
  const registeredLocality =
    row.region === null && row.zone === null
      ? null
      : { ...(row.region ? { region: row.region } : {}), ...(row.zone ? { zone: row.zone } : {}) };
  return {
    id: row.id,
    name: row.name,
    eastWestAddress: row.eastWestAddress ?? reported.eastWestAddress,
    takeOverMeshCa: row.takeOverMeshCa,
    network: row.network ?? reported.network,
    locality: registeredLocality ?? reported.locality,
    registered: { network: row.network, eastWestAddress: row.eastWestAddress },
    eastWestGateway: {
      managed: row.eastWestGatewayManaged,
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

  constructor(private readonly prisma: PrismaService) {}

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
      this.prisma.cluster.findMany({
        where: { tenantId, revokedAt: null },
        select: {
          id: true,
          name: true,
          eastWestAddress: true,
          takeOverMeshCa: true,
          network: true,
          region: true,
          zone: true,
          eastWestGatewayManaged: true,
          eastWestGatewaySelector: true,
          meshInstallation: true,
          inventory: true,
          desiredHash: true,
        },
      }),
    ]);
    const globalNamespaces = gnsRows.map((row): GlobalNamespaceDefinition => {
      const conditions = parseStoredMatchConditions(row.matchConditions);
      if (!conditions.ok)
        this.logger.warn(
          `global namespace ${row.id}: stored match conditions unreadable, matching nothing: ${conditions.error}`,
        );
      return { ...row, matchConditions: conditions.ok ? conditions.value : [] };
    });
    const clusters = clusterRows.map((row): MeshCluster => {
      const inventory = parseStoredInventory(row.inventory);
      if (!inventory.ok)
        this.logger.warn(
          `cluster ${row.id}: stored inventory unreadable, treated as empty: ${inventory.error}`,
        );
      return {
        ...clusterIdentityOf(row),
        desiredHash: row.desiredHash,
        inventory: inventory.ok ? inventory.value : EMPTY_INVENTORY,
      };
    });
    return { globalNamespaces, clusters };
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
