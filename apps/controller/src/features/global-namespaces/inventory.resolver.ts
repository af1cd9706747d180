import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { DomainError } from '@lattice/domain';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import { Cluster, ClusterPage } from '../clusters/cluster.model';
import { GlobalNamespace, GlobalNamespacePage } from './global-namespace.model';
import { ClustersService } from '../clusters/clusters.service';
import { GlobalNamespacesRepository } from './global-namespaces.repository';
import { DEFAULT_PAGE_SIZE, listComplexity, pageArgs } from '../../platform/graphql/page';

/** Clusters and Global Namespaces of the caller's tenant. */
@Resolver()
export class InventoryResolver {
  constructor(
    private readonly clusterService: ClustersService,
    private readonly globalNamespaceRepository: GlobalNamespacesRepository,
  ) {}

  @RequireRole('viewer')
  @Query(() => ClusterPage, { description: 'Clusters with their connection state and config versions.', complexity: listComplexity })
  async clusters(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('first', { type: () => Int, defaultValue: DEFAULT_PAGE_SIZE, description: '1..100' }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<ClusterPage> {
    const page = await this.clusterService.list(tenant.tenantId, pageArgs(first, after));
    const now = new Date();
    return { nodes: page.items.map((row) => Cluster.from(row, now)), pageInfo: { endCursor: page.nextCursor, hasNextPage: page.nextCursor !== null } };
  }

  @RequireRole('viewer')
  @Query(() => GlobalNamespacePage, { complexity: listComplexity })
  async globalNamespaces(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('first', { type: () => Int, defaultValue: DEFAULT_PAGE_SIZE, description: '1..100' }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<GlobalNamespacePage> {
    const page = await this.globalNamespaceRepository.list(tenant.tenantId, pageArgs(first, after));
    return { nodes: page.items.map((row) => GlobalNamespace.from(row)), pageInfo: { endCursor: page.nextCursor, hasNextPage: page.nextCursor !== null } };
  }

  @RequireRole('viewer')
  @Query(() => GlobalNamespace)
  async globalNamespace(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('id', { type: () => ID }, new ResourceIdPipe('global namespace')) id: string,
  ): Promise<GlobalNamespace> {
    const row = await this.globalNamespaceRepository.find(tenant.tenantId, id);
    if (!row) throw DomainError.notFound('global namespace', id);
    return GlobalNamespace.from(row);
  }
}
