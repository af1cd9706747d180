import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { mapPage } from '../../platform/http/pagination.util';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import {
  AFTER_ARG,
  byCreation,
  FIRST_ARG,
  listComplexity,
  pageArgs,
  toConnection,
} from '../../platform/graphql/page.util';
import { Cluster, ClusterConnection } from './cluster.model';
import { ClustersService, toClusterView } from './clusters.service';

/** Clusters of the caller's tenant: the same service calls and view as GET /v1/clusters. */
@Resolver(() => Cluster)
export class ClustersResolver {
  constructor(private readonly service: ClustersService) {}

  @RequireRole('viewer')
  @Query(() => ClusterConnection, {
    description: 'Clusters with their connection state and config versions, oldest first.',
    complexity: listComplexity,
  })
  async clusters(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('first', FIRST_ARG) first: number,
    @Args('after', AFTER_ARG) after: string | null,
  ): Promise<ClusterConnection> {
    const request = pageArgs(first, after);
    const page = await this.service.list(tenant.tenantId, request);
    const now = new Date();
    return toConnection(
      mapPage(page, (cluster) => Cluster.from(toClusterView(cluster, now))),
      request,
      byCreation,
    );
  }

  @RequireRole('viewer')
  @Query(() => Cluster, { description: 'One cluster (GET /v1/clusters/{id}).' })
  async cluster(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('id', { type: () => ID, description: 'The cluster id.' }, new ResourceIdPipe('cluster')) id: string,
  ): Promise<Cluster> {
    return Cluster.from(toClusterView(await this.service.get(tenant.tenantId, id)));
  }
}
