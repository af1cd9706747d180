import { Field, ID, Int, InterfaceType, ObjectType, registerEnumType } from '@nestjs/graphql';
import {
  SELECTOR_TYPES,
  type GnsConflict,
  type GnsWarning,
  type MtlsMode,
  type SelectorType,
} from '@lattice/domain';
import { PageInfo } from '../../platform/graphql/page-info.model';
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
  description: 'REGEX must match the whole name.',
});

const MTLS_MODES = { STRICT: 'STRICT', PERMISSIVE: 'PERMISSIVE' } as const satisfies Record<
  MtlsMode,
  MtlsMode
>;
registerEnumType(MTLS_MODES, { name: 'MtlsMode' });

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
registerEnumType(GNS_ISSUE_KINDS, { name: 'GnsIssueKind' });

@ObjectType()
export class Selector {
  @Field(() => SELECTOR_TYPE_ENUM)
  type!: SelectorType;

  @Field()
  value!: string;
}

@ObjectType({ description: 'A (cluster, namespace) pair is a member when both selectors match.' })
export class MatchCondition {
  @Field(() => Selector)
  cluster!: Selector;

  @Field(() => Selector)
  namespace!: Selector;
}

@ObjectType({ description: 'A (cluster, namespace) pair.' })
export class MemberNamespace {
  @Field(() => ID)
  clusterId!: string;

  @Field()
  clusterName!: string;

  @Field()
  namespace!: string;
}

@ObjectType()
export class GnsRef {
  @Field(() => ID)
  gnsId!: string;

  @Field()
  gnsName!: string;
}

@ObjectType()
export class ServicePort {
  @Field()
  name!: string;

  @Field(() => Int)
  number!: number;

  @Field({ description: 'HTTP, HTTP2, GRPC, TCP or TLS' })
  protocol!: string;
}

@InterfaceType('GnsIssue', {
  description:
    'A conflict or warning of a Global Namespace: never resolved silently, each says who keeps what.',
  resolveType: (issue: { kind: GnsIssueKindValue }) => ISSUE_TYPE_NAMES[issue.kind],
})
export abstract class GnsIssue {
  @Field(() => GNS_ISSUE_KINDS)
  kind!: GnsIssueKindValue;

  @Field({ description: 'What is wrong and what Lattice does about it.' })
  reason!: string;
}

@ObjectType({
  implements: () => [GnsIssue],
  description: 'Several GNS match one (cluster, namespace); the oldest keeps it.',
})
export class NamespaceClaimConflict extends GnsIssue {
  @Field(() => ID) clusterId!: string;
  @Field() clusterName!: string;
  @Field() namespace!: string;
  @Field(() => [GnsRef], { description: 'Oldest first.' }) claimants!: GnsRef[];
  @Field(() => ID) keptBy!: string;
}

@ObjectType()
export class HostPortsVariant {
  @Field(() => [ServicePort]) ports!: ServicePort[];
  @Field(() => [MemberNamespace]) instances!: MemberNamespace[];
}

@ObjectType({
  implements: () => [GnsIssue],
  description: 'Instances of one host expose different ports; the host is published nowhere.',
})
export class HostPortsConflict extends GnsIssue {
  @Field() serviceName!: string;
  @Field() hostname!: string;
  @Field(() => [HostPortsVariant]) variants!: HostPortsVariant[];
}

@ObjectType({
  implements: () => [GnsIssue],
  description: 'Several GNS have one domain; the oldest keeps it, the others get no members.',
})
export class DuplicateDomainConflict extends GnsIssue {
  @Field() domain!: string;
  @Field(() => [GnsRef], { description: 'Oldest first.' }) claimants!: GnsRef[];
  @Field(() => ID) keptBy!: string;
}

@ObjectType({ implements: () => [GnsIssue] })
export class NoEastWestGatewayWarning extends GnsIssue {
  @Field(() => ID) clusterId!: string;
  @Field() clusterName!: string;
}

@ObjectType({ implements: () => [GnsIssue] })
export class NoRoutablePortsWarning extends GnsIssue {
  @Field() serviceName!: string;
  @Field(() => [MemberNamespace]) instances!: MemberNamespace[];
}

@ObjectType({ implements: () => [GnsIssue] })
export class UnusableSelectorWarning extends GnsIssue {
  @Field(() => Int) matchConditionIndex!: number;
}

@ObjectType({ description: 'Membership computed from the live inventory.' })
export class GlobalNamespaceStatus {
  @Field(() => [MemberNamespace], { description: 'Member (cluster, namespace) pairs after conflicts.' })
  memberNamespaces!: MemberNamespace[];

  @Field(() => Int, { description: 'Services published under the domain.' })
  serviceCount!: number;

  @Field(() => [GnsIssue])
  conflicts!: GnsConflict[];

  @Field(() => [GnsIssue])
  warnings!: GnsWarning[];
}

@ObjectType({ description: 'Where a GNS service runs: a Kubernetes service in a member namespace.' })
export class GnsServiceInstance extends MemberNamespace {
  @Field(() => Int) readyEndpoints!: number;
  @Field(() => Int) notReadyEndpoints!: number;
}

@ObjectType({ description: 'A service published under the GNS domain.' })
export class GnsService {
  @Field({ description: 'Kubernetes service name.' }) name!: string;
  @Field({ description: '<service>.<domain>' }) hostname!: string;
  @Field(() => [ServicePort]) ports!: ServicePort[];
  @Field(() => [GnsServiceInstance], { description: 'Where it runs, by cluster and namespace.' })
  instances!: GnsServiceInstance[];
}

@ObjectType()
export class GlobalNamespace {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'Services are reachable as <service>.<domain>.' })
  domain!: string;

  @Field()
  description!: string;

  @Field(() => MTLS_MODES)
  mtlsMode!: MtlsMode;

  @Field(() => [MatchCondition])
  matchConditions!: MatchCondition[];

  @Field(() => Int, { description: 'Changes with every edit (the REST ETag).' })
  version!: number;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  @Field(() => GlobalNamespaceStatus)
  status!: GlobalNamespaceStatus;

  static from(view: GlobalNamespaceView): GlobalNamespace {
    return { ...view, createdAt: new Date(view.createdAt), updatedAt: new Date(view.updatedAt) };
  }
}

@ObjectType()
export class GlobalNamespacePage {
  @Field(() => [GlobalNamespace])
  nodes!: GlobalNamespace[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
