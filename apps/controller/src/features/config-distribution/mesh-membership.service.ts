import { Injectable } from '@nestjs/common';
import { computeMembership, DomainError, type GnsMembership, type MembershipResult } from '@lattice/domain';
import type { TenantMesh } from './config-distribution.types';
import { TenantMeshRepository } from './tenant-mesh.repository';

/** A tenant's mesh as read, and the membership computed from it. */
export interface TenantMembership {
  mesh: TenantMesh;
  membership: MembershipResult;
}

/** One GNS's membership, with the whole mesh it was computed from (conflicts depend on every GNS). */
export interface GnsMembershipView extends TenantMembership {
  gns: GnsMembership;
}

/**
 * The one place that loads a tenant's mesh and computes Global Namespace membership from it.
 * Membership depends on every GNS of the tenant (conflicts) and every cluster's live inventory,
 * so it is always computed for the whole tenant.
 */
@Injectable()
export class MeshMembershipService {
  constructor(private readonly mesh: TenantMeshRepository) {}

  async load(tenantId: string): Promise<TenantMembership> {
    const mesh = await this.mesh.loadMesh(tenantId);
    return { mesh, membership: computeMembership(mesh.globalNamespaces, mesh.clusters) };
  }

  /** Membership of every GNS of the tenant, by GNS id. */
  async byGns(tenantId: string): Promise<Map<string, GnsMembership>> {
    const { membership } = await this.load(tenantId);
    return new Map(membership.globalNamespaces.map((entry) => [entry.gns.id, entry]));
  }

  /** One GNS's membership; NOT_FOUND when the tenant has no such GNS. */
  async ofGns(tenantId: string, gnsId: string): Promise<GnsMembershipView> {
    const loaded = await this.load(tenantId);
    const gns = loaded.membership.globalNamespaces.find((entry) => entry.gns.id === gnsId);
    if (!gns) throw DomainError.notFound('global namespace', gnsId);
    return { ...loaded, gns };
  }
}
