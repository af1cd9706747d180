import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { FINDING_CODES, type FindingCode, type FindingSeverity } from '@lattice/domain';
import { DateTimeScalar } from '../../platform/graphql/date-time.model';

/* GraphQL types of the Istio installation an agent reports and of a GNS's preflight diagnostics. */

const SEVERITIES = { ERROR: 'ERROR', WARNING: 'WARNING', INFO: 'INFO' } as const satisfies Record<
  FindingSeverity,
  FindingSeverity
>;
registerEnumType(SEVERITIES, {
  name: 'FindingSeverity',
  description: 'How bad a preflight finding is.',
  valuesMap: {
    ERROR: { description: 'Something will not work until it is fixed.' },
    WARNING: { description: 'Something may not work, or works only in some cases.' },
    INFO: { description: 'Worth knowing; nothing breaks.' },
  },
});

const CODES = Object.fromEntries(FINDING_CODES.map((code) => [code, code])) as Record<
  FindingCode,
  FindingCode
>;
// A Record over every code: a new code without a description does not compile.
const CODE_DESCRIPTIONS: Record<FindingCode, string> = {
  INSTALLATION_UNKNOWN: 'The agent never reported its Istio installation (an agent too old to).',
  ISTIO_NOT_FOUND: 'No Istio mesh config was found in istio-system.',
  INSTALLATION_READ_FAILED: 'The agent could not read part of the installation (e.g. RBAC).',
  TRUST_DOMAIN_ALIAS_MISSING: "The GNS domain is neither the mesh's trust domain nor one of its aliases.",
  DNS_CAPTURE_OFF: "Istio's DNS proxy capture is off: GNS names do not resolve in pods.",
  DNS_AUTO_ALLOCATE_OFF: 'Address auto-allocation is off: hosts without an address share 0.0.0.0.',
  EAST_WEST_GATEWAY_MISSING: 'No east-west gateway Service was found.',
  EAST_WEST_GATEWAY_NO_ADDRESS: 'The east-west gateway has no external address and none was registered.',
  EAST_WEST_GATEWAY_PORT_MISSING: 'The east-west gateway does not expose 15443.',
  EAST_WEST_ADDRESS_MISMATCH: "The registered east-west address is not one of the gateway Service's.",
  EAST_WEST_GATEWAY_HOSTS_MISSING:
    'No existing AUTO_PASSTHROUGH Gateway on 15443 routes *.<GNS domain> (eastWestGatewayManaged false).',
  EAST_WEST_GATEWAY_HOSTS_UNCHECKED:
    'Whether an existing east-west Gateway routes the GNS domain is unknown (Gateways not reported).',
  NETWORK_UNSET: 'The cluster has no network (topology.istio.io/network).',
  NETWORK_MISMATCH: 'The registered network differs from the one istio-system carries.',
  ISTIO_VERSION_UNKNOWN: "Istio's version could not be read.",
  ISTIO_VERSION_UNSUPPORTED: 'The Istio version is older than Lattice supports.',
  ISTIO_VERSION_SKEW: 'Member clusters run Istio versions too far apart.',
  LOCALITY_UNSET: 'Nodes carry no region/zone labels: local-first failover has no locality.',
  PORT_CONFLICT: 'Instances of a service expose different ports in different clusters.',
  NAMESPACE_CONFLICT: 'A namespace is claimed by several GNS.',
  DOMAIN_CONFLICT: 'Another GNS of the tenant has the same domain.',
  NO_ROUTABLE_PORTS: 'A service has no port the mesh can route, so it is not published.',
  UNUSABLE_SELECTOR: 'A match condition cannot be used (e.g. an invalid regex).',
  MEMBERSHIP_PROBLEM: 'Another membership problem, named in the message.',
};
registerEnumType(CODES, {
  name: 'FindingCode',
  description: 'What a preflight finding is about; docs/diagnostics.md explains each code and its fix.',
  valuesMap: Object.fromEntries(
    FINDING_CODES.map((code) => [code, { description: CODE_DESCRIPTIONS[code] }]),
  ) as Record<FindingCode, { description: string }>,
});

@ObjectType({ description: 'The east-west gateway Service the agent found.' })
export class EastWestGatewayServiceModel {
  @Field({ description: 'Namespace of the Service.' }) namespace!: string;
  @Field({ description: 'Name of the Service.' }) name!: string;
  @Field(() => [String], { description: 'External addresses (load balancer ingress, then externalIPs).' })
  addresses!: string[];
  @Field(() => [Int], { description: 'Ports the Service exposes.' }) ports!: number[];
  @Field({ description: 'The label selector it was found with.' }) selector!: string;
}

@ObjectType({ description: 'A Gateway with an AUTO_PASSTHROUGH server on port 15443 the agent found.' })
export class PassthroughGatewayModel {
  @Field({ description: 'Namespace of the Gateway.' }) namespace!: string;
  @Field({ description: 'Name of the Gateway.' }) name!: string;
  @Field(() => GraphQLJSONObject, {
    description: 'spec.selector: labels of the gateway pods it applies to; {} applies to every gateway pod.',
  })
  selector!: Record<string, string>;
  @Field(() => [String], {
    description: 'Hosts of its AUTO_PASSTHROUGH servers on 15443, as written (namespace/ prefixes kept).',
  })
  hosts!: string[];
}

@ObjectType({ description: 'Nodes of one region and zone.' })
export class NodeLocalityModel {
  @Field({ description: "topology.kubernetes.io/region; '' when unset." }) region!: string;
  @Field({ description: "topology.kubernetes.io/zone; '' when unset." }) zone!: string;
  @Field(() => Int, { description: 'Nodes in this region and zone.' }) nodes!: number;
}

@ObjectType({ description: "What the agent read of its cluster's Istio installation." })
export class MeshInstallationModel {
  @Field({ description: 'False: no Istio mesh config was found.' }) meshConfigFound!: boolean;
  @Field({ description: "The ConfigMap the mesh config came from; '' when none." }) meshConfigName!: string;
  @Field({ description: 'meshConfig.trustDomain.' }) trustDomain!: string;
  @Field(() => [String], { description: 'meshConfig.trustDomainAliases.' }) trustDomainAliases!: string[];
  @Field({ description: 'ISTIO_META_DNS_CAPTURE is on.' }) dnsCapture!: boolean;
  @Field({ description: 'ISTIO_META_DNS_AUTO_ALLOCATE (or PILOT_ENABLE_IP_AUTOALLOCATE) is on.' })
  dnsAutoAllocate!: boolean;
  @Field({ description: "topology.istio.io/network of istio-system; '' when unset." }) network!: string;
  @Field(() => EastWestGatewayServiceModel, { nullable: true, description: 'Null: none found.' })
  eastWestGateway!: EastWestGatewayServiceModel | null;
  @Field(() => [PassthroughGatewayModel], {
    nullable: true,
    description:
      'Gateways with an AUTO_PASSTHROUGH server on 15443 (not the ones Lattice renders); null: not read (agent too old, or the list failed: see problems).',
  })
  passthroughGateways!: PassthroughGatewayModel[] | null;
  @Field({ description: "Istio's version; '' when unknown." }) istioVersion!: string;
  @Field({ description: 'The istio.io/rev of istiod.' }) revision!: string;
  @Field(() => [NodeLocalityModel], { description: 'Node regions and zones with counts.' })
  localities!: NodeLocalityModel[];
  @Field(() => [String], { description: 'What the agent could not read.' }) problems!: string[];
  @Field({ description: 'Where the facts come from: kubernetes or file.' }) source!: string;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the agent last reported a change.' })
  reportedAt!: Date | null;
}

@ObjectType({ description: 'One preflight finding: what will not work and how to fix it.' })
export class DiagnosticFindingModel {
  @Field(() => SEVERITIES, { description: 'How bad it is.' }) severity!: FindingSeverity;
  @Field(() => CODES, { description: 'What it is about.' }) code!: FindingCode;
  @Field(() => ID, { nullable: true, description: 'The cluster; null for the whole Global Namespace.' })
  clusterId!: string | null;
  @Field(() => String, { nullable: true, description: 'The cluster name; null for the whole GNS.' })
  clusterName!: string | null;
  @Field({ description: 'What will not work, and why.' }) message!: string;
  @Field({ description: 'How to fix it: a command or YAML snippet.' }) fix!: string;
}

@ObjectType({ description: 'Preflight diagnostics of a Global Namespace across its member clusters.' })
export class GnsDiagnosticsModel {
  @Field(() => DateTimeScalar, { description: 'When they were computed (on every request).' })
  generatedAt!: Date;
  @Field(() => Int, { description: 'Findings of severity ERROR.' }) errors!: number;
  @Field(() => Int, { description: 'Findings of severity WARNING.' }) warnings!: number;
  @Field(() => [DiagnosticFindingModel], { description: 'Errors first, then by cluster name and code.' })
  findings!: DiagnosticFindingModel[];
}
