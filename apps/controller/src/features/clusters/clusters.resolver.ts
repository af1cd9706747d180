import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { mapPage } from '../../platform/http/pagination.util';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import { DEFAULT_PAGE_SIZE, listComplexity, pageArgs, toConnection } from '../../platform/graphql/page.util';
import { Cluster, ClusterPage } from './cluster.model';
import { ClustersService, toClusterView } from './clusters.service';

/** Clusters of the caller's tenant: the same service calls and view as GET /v1/clusters. */
@Resolver(() => Cluster)
export class ClustersResolver {
  constructor(private readonly service: ClustersService) {}

  @RequireRole('viewer')
  @Query(() => ClusterPage, {
    description: 'Clusters with their connection state and config versions.',
    complexity: listComplexity,
  })
  async clusters(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('first', { type: () => Int, defaultValue: DEFAULT_PAGE_SIZE, description: '1..100' }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<ClusterPage> {
    const page = await this.service.list(tenant.tenantId, pageArgs(first, after));
    const now = new Date();
    return toConnection(mapPage(page, (cluster) => Cluster.from(toClusterView(cluster, now))));
  }

  @RequireRole('viewer')
  @Query(() => Cluster, { description: 'One cluster (GET /v1/clusters/{id}).' })
  async cluster(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('id', { type: () => ID }, new ResourceIdPipe('cluster')) id: string,
  ): Promise<Cluster> {
    return Cluster.from(toClusterView(await this.service.get(tenant.tenantId, id)));
  }
}
