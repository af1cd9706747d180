import type { ServicePortSpec } from '../desired-state';
import type { InventoryServicePort } from './inventory';

/** Protocols Istio accepts on a ServiceEntry port: every published port has one of these. */
export const MESH_PROTOCOL_NAMES = ['HTTP', 'HTTPS', 'HTTP2', 'GRPC', 'TCP', 'TLS', 'MONGO'] as const;
export type MeshProtocol = (typeof MESH_PROTOCOL_NAMES)[number];
const MESH_PROTOCOLS = new Set<string>(MESH_PROTOCOL_NAMES);
/** Not carried by the mesh or the east-west gateway: such ports are left out of the GNS. */
const UNROUTABLE_PROTOCOLS = new Set(['UDP', 'SCTP']);

/**
 * The ports a GNS publishes for one service instance: sorted by number, protocol normalised
 * (missing -> TCP, an unknown application protocol -> TCP, which the mesh always proxies), UDP and
 * SCTP dropped, and a name given to unnamed ports (ServiceEntry ports need unique names).
 */
export function meshPorts(ports: readonly InventoryServicePort[]): ServicePortSpec[] {
  const byNumber = new Map<number, ServicePortSpec>();
  for (const port of ports) {
    if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) continue;
    const reported = (port.protocol ?? '').trim().toUpperCase();
    if (UNROUTABLE_PROTOCOLS.has(reported)) continue;
    const protocol = MESH_PROTOCOLS.has(reported) ? reported : 'TCP';
    if (byNumber.has(port.port)) continue;
    byNumber.set(port.port, { name: port.name, number: port.port, protocol });
  }
  const sorted = [...byNumber.values()].sort((a, b) => a.number - b.number);
  const usedNames = new Set<string>();
  return sorted.map((port) => {
    const name =
      port.name !== '' && !usedNames.has(port.name)
        ? port.name
        : `${port.protocol.toLowerCase()}-${port.number}`;
    usedNames.add(name);
    return { ...port, name };
  });
}

/** Ports compare by number and protocol; names are labels and may differ between clusters. */
export function portSignature(ports: readonly ServicePortSpec[]): string {
  return ports.map((port) => `${port.number}/${port.protocol}`).join(', ');
}
