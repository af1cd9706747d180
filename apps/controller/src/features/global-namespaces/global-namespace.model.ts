import { Field, ID, Int, InterfaceType, ObjectType, registerEnumType } from '@nestjs/graphql';
import {
  MESH_PROTOCOL_NAMES,
  SELECTOR_TYPES,
  type MeshProtocol,
  type GnsConflict,
  type GnsWarning,
  type MtlsMode,
  type SelectorType,
} from '@lattice/domain';
import { ConnectionType } from '../../platform/graphql/connection.model';
import type { GlobalNamespaceView } from './global-namespaces.dto';
import { DateTimeScalar } from '../../platform/graphql/date-time.model';

/*
 * GraphQL types of a Global Namespace: the REST view (global-namespaces.dto.ts) with timestamps as
 * DateTime and the conflicts and warnings of its status typed per kind.
 */

const SELECTOR_TYPE_ENUM = Object.fromEntries(SELECTOR_TYPES.map((type) => [type, type])) as Record<
  SelectorType,
  SelectorType
>;
registerEnumType(SELECTOR_TYPE_ENUM, {
  name: 'SelectorType',
  description: 'How a selector matches a name.',
  valuesMap: {
    EXACT: { description: 'The name equals the value.' },
    PREFIX: { description: 'The name starts with the value.' },
    REGEX: { description: 'The value, a regular expression, matches the whole name.' },
  },
});

const MTLS_MODES = { STRICT: 'STRICT', PERMISSIVE: 'PERMISSIVE' } as const satisfies Record<
  MtlsMode,
  MtlsMode
>;
registerEnumType(MTLS_MODES, {
  name: 'MtlsMode',
  description: 'Mutual TLS between the workloads of a Global Namespace.',
  valuesMap: {
    STRICT: { description: 'Only mTLS traffic is accepted.' },
    PERMISSIVE: { description: 'mTLS and plain-text traffic are accepted.' },
  },
});

const SERVICE_PROTOCOLS = Object.fromEntries(MESH_PROTOCOL_NAMES.map((name) => [name, name])) as Record<
  MeshProtocol,
  MeshProtocol
>;
registerEnumType(SERVICE_PROTOCOLS, {
  name: 'ServiceProtocol',
  description:
    "A published port's protocol, as Istio names it: the port's appProtocol or name prefix; TCP when it names none.",
  valuesMap: {
    HTTP: { description: 'HTTP/1.1 (routes, retries and faults apply).' },
    HTTPS: { description: 'TLS-wrapped HTTP, passed through as TLS.' },
    HTTP2: { description: 'HTTP/2 (routes, retries and faults apply).' },
    GRPC: { description: 'gRPC over HTTP/2 (routes, retries and faults apply).' },
    TCP: { description: 'Opaque TCP (also any protocol the mesh does not know).' },
    TLS: { description: 'TLS, routed by SNI.' },
    MONGO: { description: 'The MongoDB wire protocol.' },
  } satisfies Record<MeshProtocol, { description: string }>,
});

type GnsIssueKindValue = GnsConflict['kind'] | GnsWarning['kind'];

/** The GraphQL type of each kind of conflict or warning (the enum's values are the domain's kinds). */
const ISSUE_TYPE_NAMES = {
  NAMESPACE_CLAIMED_BY_SEVERAL: 'NamespaceClaimConflict',
  HOST_PORTS_DIFFER: 'HostPortsConflict',
  DUPLICATE_DOMAIN: 'DuplicateDomainConflict',
  NO_EAST_WEST_GATEWAY: 'NoEastWestGatewayWarning',
  NO_ROUTABLE_PORTS: 'NoRoutablePortsWarning',
  UNUSABLE_SELECTOR: 'UnusableSelectorWarning',
} as const satisfies Record<GnsIssueKindValue, string>;

const GNS_ISSUE_KINDS = Object.fromEntries(
  Object.keys(ISSUE_TYPE_NAMES).map((kind) => [kind, kind]),
) as Record<GnsIssueKindValue, GnsIssueKindValue>;
registerEnumType(GNS_ISSUE_KINDS, {
  name: 'GnsIssueKind',
  description: 'The kind of a conflict or warning; each has its own type implementing GnsIssue.',
  valuesMap: {
    NAMESPACE_CLAIMED_BY_SEVERAL: { description: 'A conflict: see NamespaceClaimConflict.' },
    HOST_PORTS_DIFFER: { description: 'A conflict: see HostPortsConflict.' },
    DUPLICATE_DOMAIN: { description: 'A conflict: see DuplicateDomainConflict.' },
    NO_EAST_WEST_GATEWAY: { description: 'A warning: see NoEastWestGatewayWarning.' },
    NO_ROUTABLE_PORTS: { description: 'A warning: see NoRoutablePortsWarning.' },
    UNUSABLE_SELECTOR: { description: 'A warning: see UnusableSelectorWarning.' },
  },
});

@ObjectType({ description: 'Selects cluster or namespace names.' })
export class Selector {
  @Field(() => SELECTOR_TYPE_ENUM, { description: 'How the value matches a name.' })
  type!: SelectorType;

  @Field({ description: 'The name, prefix or regular expression.' })
  value!: string;
}

@ObjectType({ description: 'A (cluster, namespace) pair is a member when both selectors match.' })
export class MatchCondition {
  @Field(() => Selector, { description: 'Selects clusters by name.' })
  cluster!: Selector;

  @Field(() => Selector, { description: 'Selects namespaces by name.' })
  namespace!: Selector;
}

@ObjectType({ description: 'A (cluster, namespace) pair.' })
export class MemberNamespace {
  @Field(() => ID, { description: 'The cluster id.' })
  clusterId!: string;

  @Field({ description: 'The cluster name.' })
  clusterName!: string;

  @Field({ description: 'The Kubernetes namespace.' })
  namespace!: string;
}

@ObjectType({ description: 'A Global Namespace named by an issue.' })
export class GnsRef {
  @Field(() => ID, { description: 'The Global Namespace id.' })
  gnsId!: string;

  @Field({ description: 'The Global Namespace name.' })
  gnsName!: string;
}

@ObjectType({ description: 'A port a GNS service is published on.' })
export class ServicePort {
  @Field({ description: 'The port name (generated as <protocol>-<number> for unnamed ports).' })
  name!: string;

  @Field(() => Int, { description: 'The port number (1..65535).' })
  number!: number;

  /** One of MESH_PROTOCOL_NAMES (libs/domain meshPorts normalises every published port). */
  @Field(() => SERVICE_PROTOCOLS, { description: 'The protocol the mesh speaks on it.' })
  protocol!: string;
}

@InterfaceType('GnsIssue', {
  description:
    'A conflict or warning of a Global Namespace: never resolved silently, each says who keeps what.',
  resolveType: (issue: { kind: GnsIssueKindValue }) => ISSUE_TYPE_NAMES[issue.kind],
})
export abstract class GnsIssue {
  @Field(() => GNS_ISSUE_KINDS, { description: 'Which conflict or warning this is.' })
  kind!: GnsIssueKindValue;

  @Field({ description: 'What is wrong and what Lattice does about it.' })
  reason!: string;
}

@ObjectType({
  implements: () => [GnsIssue],
  description: 'Several GNS match one (cluster, namespace); the oldest keeps it.',
})
export class NamespaceClaimConflict extends GnsIssue {
  @Field(() => ID, { description: 'The cluster of the contested namespace.' }) clusterId!: string;
  @Field({ description: 'Its name.' }) clusterName!: string;
  @Field({ description: 'The contested namespace.' }) namespace!: string;
  @Field(() => [GnsRef], { description: 'The Global Namespaces that match it, oldest first.' })
  claimants!: GnsRef[];
  @Field(() => ID, { description: 'The Global Namespace that keeps it (the oldest).' }) keptBy!: string;
}

@ObjectType({ description: 'One set of ports and the instances that expose it.' })
export class HostPortsVariant {
  @Field(() => [ServicePort], { description: 'The ports of these instances.' }) ports!: ServicePort[];
  @Field(() => [MemberNamespace], { description: 'Where the service exposes them.' })
  instances!: MemberNamespace[];
}

@ObjectType({
  implements: () => [GnsIssue],
  description:
    'Instances of one host expose different ports; the host stays published on the ports most instances expose, and instances lacking one of them are left out (docs/multi-network.md).',
})
export class HostPortsConflict extends GnsIssue {
  @Field({ description: 'The Kubernetes service name.' }) serviceName!: string;
  @Field({ description: 'The host: <service>.<domain>.' }) hostname!: string;
  @Field(() => [HostPortsVariant], { description: 'Each set of ports and where it is exposed.' })
  variants!: HostPortsVariant[];
  @Field(() => [ServicePort], { description: 'The ports the host is published on (empty: not published).' })
  publishedPorts!: ServicePort[];
  @Field(() => [MemberNamespace], {
    description: 'Instances left out of the host: they lack a published port.',
  })
  leftOut!: MemberNamespace[];
}

@ObjectType({
  implements: () => [GnsIssue],
  description: 'Several GNS have one domain; the oldest keeps it, the others get no members.',
})
export class DuplicateDomainConflict extends GnsIssue {
  @Field({ description: 'The shared domain.' }) domain!: string;
  @Field(() => [GnsRef], { description: 'The Global Namespaces with this domain, oldest first.' })
  claimants!: GnsRef[];
  @Field(() => ID, { description: 'The Global Namespace that keeps the domain (the oldest).' })
  keptBy!: string;
}

@ObjectType({
  implements: () => [GnsIssue],
  description: 'A member cluster has no east-west gateway address: other clusters cannot reach its services.',
})
export class NoEastWestGatewayWarning extends GnsIssue {
  @Field(() => ID, { description: 'The cluster without an address.' }) clusterId!: string;
  @Field({ description: 'Its name.' }) clusterName!: string;
}

@ObjectType({
  implements: () => [GnsIssue],
  description: 'A member service has only ports the mesh cannot carry (UDP, SCTP): it is not published.',
})
export class NoRoutablePortsWarning extends GnsIssue {
  @Field({ description: 'The Kubernetes service name.' }) serviceName!: string;
  @Field(() => [MemberNamespace], { description: 'Where the service runs.' }) instances!: MemberNamespace[];
}

@ObjectType({
  implements: () => [GnsIssue],
  description: 'A match condition can never match (for example a regular expression that is refused).',
})
export class UnusableSelectorWarning extends GnsIssue {
  @Field(() => Int, { description: 'Index of the condition in matchConditions.' })
  matchConditionIndex!: number;
}

@ObjectType({ description: 'Membership computed from the live inventory.' })
export class GlobalNamespaceStatus {
  @Field(() => [MemberNamespace], { description: 'Member (cluster, namespace) pairs after conflicts.' })
  memberNamespaces!: MemberNamespace[];

  @Field(() => Int, { description: 'Services published under the domain.' })
  serviceCount!: number;

  @Field(() => [GnsIssue], { description: 'Conflicts with other Global Namespaces or between instances.' })
  conflicts!: GnsConflict[];

  @Field(() => [GnsIssue], { description: 'Problems that do not stop membership.' })
  warnings!: GnsWarning[];
}

@ObjectType({ description: 'Where a GNS service runs: a Kubernetes service in a member namespace.' })
export class GnsServiceInstance extends MemberNamespace {
  @Field(() => Int, { description: 'Endpoints ready to serve.' }) readyEndpoints!: number;
  @Field(() => Int, { description: 'Endpoints not ready.' }) notReadyEndpoints!: number;
}

@ObjectType({ description: 'A service published under the GNS domain.' })
export class GnsService {
  @Field({ description: 'Kubernetes service name.' }) name!: string;
  @Field({ description: '<service>.<domain>' }) hostname!: string;
  @Field(() => [ServicePort], { description: 'The ports it is published on.' }) ports!: ServicePort[];
  @Field(() => [GnsServiceInstance], { description: 'Where it runs, by cluster and namespace.' })
  instances!: GnsServiceInstance[];
}

@ObjectType({
  description: 'Services of many clusters under one domain, with its own certificate authority and policies.',
})
export class GlobalNamespace {
  @Field(() => ID, { description: 'The Global Namespace id (as in /v1/global-namespaces/{id}).' })
  id!: string;

  @Field({ description: 'Unique in the tenant (DNS-1123 label).' })
  name!: string;

  @Field({ description: 'Services are reachable as <service>.<domain>.' })
  domain!: string;

  @Field({ description: 'Free text ("" when none).' })
  description!: string;

  @Field(() => MTLS_MODES, { description: 'Mutual TLS between its workloads.' })
  mtlsMode!: MtlsMode;

  @Field(() => [MatchCondition], {
    description: 'A (cluster, namespace) pair is a member when any condition matches it.',
  })
  matchConditions!: MatchCondition[];

  @Field(() => Int, { description: 'Changes with every edit (the REST ETag).' })
  version!: number;

  @Field(() => DateTimeScalar, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'When its definition last changed.' })
  updatedAt!: Date;

  @Field(() => GlobalNamespaceStatus, { description: 'Members, conflicts and warnings, computed now.' })
  status!: GlobalNamespaceStatus;

  static from(view: GlobalNamespaceView): GlobalNamespace {
    return { ...view, createdAt: new Date(view.createdAt), updatedAt: new Date(view.updatedAt) };
  }
}

@ObjectType({ description: 'A page of Global Namespaces, oldest first.' })
export class GlobalNamespaceConnection extends ConnectionType(GlobalNamespace, 'GlobalNamespace') {}
