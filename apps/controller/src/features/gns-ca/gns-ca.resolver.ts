import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal';
import { GlobalNamespace } from '../global-namespaces/global-namespace.model';
import { GnsCa } from './gns-ca.model';
import { GnsCaService } from './gns-ca.service';

@Resolver(() => GlobalNamespace)
export class GnsCaResolver {
  constructor(private readonly gnsCa: GnsCaService) {}

  @RequireRole('viewer')
  @ResolveField(() => GnsCa, {
    description: 'Roots, rotation stage and per-cluster intermediates.',
    complexity: 10,
  })
  ca(@CurrentTenant() tenant: TenantPrincipal, @Parent() gns: GlobalNamespace): Promise<GnsCa> {
    return this.gnsCa.status(tenant.tenantId, gns.id);
  }
}
