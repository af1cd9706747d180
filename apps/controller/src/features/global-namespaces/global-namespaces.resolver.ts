import { Args, ID, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
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
import { GnsCa } from '../gns-ca/gns-ca.model';
import { GnsCaService } from '../gns-ca/gns-ca.service';
import { GlobalNamespace, GlobalNamespaceConnection, GnsService } from './global-namespace.model';
import { GlobalNamespacesService } from './global-namespaces.service';

/**
 * Global Namespaces of the caller's tenant: the same service calls and view (status included) as
 * /v1/global-namespaces. The `ca` field lives here, not in gns-ca, because this feature depends on
 * the CA feature and not the other way round.
 */
@Resolver(() => GlobalNamespace)
export class GlobalNamespacesResolver {
  constructor(
    private readonly service: GlobalNamespacesService,
    private readonly gnsCa: GnsCaService,
  ) {}

  @RequireRole('viewer')
  @Query(() => GlobalNamespaceConnection, {
    description: 'Global Namespaces with their status, oldest first.',
    complexity: listComplexity,
  })
  async globalNamespaces(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args('first', FIRST_ARG) first: number,
    @Args('after', AFTER_ARG) after: string | null,
  ): Promise<GlobalNamespaceConnection> {
    const request = pageArgs(first, after);
    const page = await this.service.list(tenant.tenantId, request);
    return toConnection(
      mapPage(page, (view) => GlobalNamespace.from(view)),
      request,
      byCreation,
    );
  }

  @RequireRole('viewer')
  @Query(() => GlobalNamespace, { description: 'One Global Namespace (GET /v1/global-namespaces/{id}).' })
  async globalNamespace(
    @CurrentTenant() tenant: TenantPrincipal,
    @Args(
      'id',
      { type: () => ID, description: 'The Global Namespace id.' },
      new ResourceIdPipe('global namespace'),
    )
    id: string,
  ): Promise<GlobalNamespace> {
    return GlobalNamespace.from(await this.service.get(tenant.tenantId, id));
  }

  @RequireRole('viewer')
  @ResolveField(() => [GnsService], {
    description:
      'Member services computed from the live inventory (GET /v1/global-namespaces/{id}/services).',
    complexity: 10,
  })
  services(@CurrentTenant() tenant: TenantPrincipal, @Parent() gns: GlobalNamespace): Promise<GnsService[]> {
    return this.service.services(tenant.tenantId, gns.id);
  }

  @RequireRole('viewer')
  @ResolveField(() => GnsCa, {
    description: 'Roots, rotation stage and per-cluster intermediates.',
    complexity: 10,
  })
  ca(@CurrentTenant() tenant: TenantPrincipal, @Parent() gns: GlobalNamespace): Promise<GnsCa> {
    return this.gnsCa.status(tenant.tenantId, gns.id);
  }
}
