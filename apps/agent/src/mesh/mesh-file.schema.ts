import { MESH_INSTALLATION_LIMITS, type MeshInstallation, validateMeshInstallation } from '@lattice/domain';
import { parse } from 'yaml';
import { z } from 'zod';
import { DEFAULT_EAST_WEST_SELECTOR, DEFAULT_TRUST_DOMAIN } from './mesh-installation.mapping';

// The optional `mesh:` section of the inventory file (demos, tests, clusters without Kubernetes):
// the same facts the Kubernetes mode reads from the cluster.
//   mesh:
//     meshConfigFound: true            # false: no Istio installed (default true)
//     meshConfigName: istio
//     trustDomain: cluster.local       # default cluster.local
//     trustDomainAliases: [shop.lattice.local]
//     dnsCapture: true                 # ISTIO_META_DNS_CAPTURE (default false, as in Istio)
//     dnsAutoAllocate: true            # ISTIO_META_DNS_AUTO_ALLOCATE (default false)
//     network: net-east                # topology.istio.io/network of istio-system
//     istioVersion: 1.24.2
//     revision: default
//     eastWestGateway:                 # omit or null: none
//       namespace: istio-system
//       name: istio-eastwestgateway
//       addresses: [198.51.100.20]
//       ports: [15021, 15443]
//     localities: [{ region: us-east-1, zone: us-east-1a, nodes: 3 }]
//     passthroughGateways:             # omit: not known; []: none. Gateways with an AUTO_PASSTHROUGH
//       - namespace: istio-system      # server on 15443 (checked when the cluster's east-west
//         name: cross-network-gateway  # Gateway is not Lattice's: eastWestGatewayManaged false)
//         selector: { istio: eastwestgateway }
//         hosts: ['*.local', '*.shop.lattice.local']
const name = z.string().regex(/^[A-Za-z0-9._:/=*@+-]+$/, 'must be a name without spaces');
const optionalName = z.union([name, z.literal('')]);
const L = MESH_INSTALLATION_LIMITS;

const meshSectionSchema = z
  .object({
    meshConfigFound: z.boolean().default(true),
    meshConfigName: optionalName.default('istio'),
    trustDomain: name.default(DEFAULT_TRUST_DOMAIN),
    trustDomainAliases: z.array(name).max(64).default([]),
    dnsCapture: z.boolean().default(false),
    dnsAutoAllocate: z.boolean().default(false),
    network: optionalName.default(''),
    istioVersion: optionalName.default(''),
    revision: optionalName.default('default'),
    eastWestGateway: z
      .object({
        namespace: name.default('istio-system'),
        name: name.default('istio-eastwestgateway'),
        addresses: z.array(name).max(16).default([]),
        ports: z.array(z.int().min(1).max(65_535)).max(64).default([15443]),
        selector: z.string().default(DEFAULT_EAST_WEST_SELECTOR),
      })
      .strict()
      .nullable()
      .default(null),
    localities: z
      .array(
        z
          .object({ region: optionalName.default(''), zone: optionalName.default(''), nodes: z.int().min(0) })
          .strict(),
      )
      .max(256)
      .default([]),
    passthroughGateways: z
      .array(
        z
          .object({
            namespace: name.default('istio-system'),
            name,
            selector: z.record(z.string(), z.string()).default({}),
            hosts: z.array(name.max(L.gatewayHost)).min(1).max(L.gatewayHosts),
          })
          .strict(),
      )
      .max(L.passthroughGateways)
      .nullable()
      .default(null),
  })
  .strict();

export class MeshFileError extends Error {
  override readonly name = 'MeshFileError';
}

/**
 * The installation from the inventory file's `mesh:` section; undefined when the file has none
 * (the agent then reports nothing, as an agent older than the report would). Errors name the
 * field, e.g. `mesh.eastWestGateway.ports.0`.
 */
export function parseMeshSection(text: string, source = 'inventory file'): MeshInstallation | undefined {
  let document: unknown;
  try {
    document = parse(text) ?? {};
  } catch (error) {
    throw new MeshFileError(
      `${source}: not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
  const section = (document as { mesh?: unknown }).mesh;
  if (section === undefined || section === null) return undefined;
  const result = meshSectionSchema.safeParse(section);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = ['mesh', ...(issue?.path ?? []).map(String)].join('.');
    throw new MeshFileError(`${source}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const mesh = result.data;
  const found = mesh.meshConfigFound;
  const installation: MeshInstallation = {
    meshConfigFound: found,
    meshConfigName: found ? mesh.meshConfigName : '',
    trustDomain: found ? mesh.trustDomain : '',
    trustDomainAliases: found ? mesh.trustDomainAliases : [],
    dnsCapture: found && mesh.dnsCapture,
    dnsAutoAllocate: found && mesh.dnsAutoAllocate,
    network: mesh.network,
    eastWestGateway: mesh.eastWestGateway,
    passthroughGateways: mesh.passthroughGateways,
    istioVersion: mesh.istioVersion,
    revision: mesh.revision,
    localities: mesh.localities,
    problems: [],
    source: 'file',
  };
  // What the controller would refuse (a selector that is not Kubernetes labels, …) fails here, at start.
  const [problem] = validateMeshInstallation(installation);
  if (problem) throw new MeshFileError(`${source}: ${problem.field}: ${problem.message}`);
  return installation;
}
