import type { DesiredGlobalNamespace, DesiredGnsService } from '@lattice/domain';
import { objectName } from './object-name';

/**
 * Name shared by the ServiceEntry and DestinationRule of one GNS service. Always hash-suffixed by
 * (GNS id, service): `lattice-<gns>-<service>` alone is ambiguous ("a-b" + "c" vs "a" + "b-c").
 */
export function serviceObjectName(gns: DesiredGlobalNamespace, service: DesiredGnsService): string {
  return objectName(`lattice-${gns.name}-${service.name}`, `${gns.id}/${service.name}`);
}
