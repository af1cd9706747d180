import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsDefined, IsIn, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import {
  SELECTOR_TYPES,
  type GnsConflict,
  type GnsMemberService,
  type GnsMembership,
  type GnsWarning,
  type MemberNamespace,
  type MtlsMode,
  type SelectorType,
} from '@lattice/domain';
import type { StoredGlobalNamespace } from './global-namespaces.repository';

export const MTLS_MODES: MtlsMode[] = ['STRICT', 'PERMISSIVE'];

/*
 * The DTOs check shape only; what a valid name, domain or selector is (and which regexes are
 * refused) is decided once, in libs/domain, by the service.
 */

export class SelectorDto {
  @ApiProperty({ enum: SELECTOR_TYPES, description: 'REGEX must match the whole name' })
  @IsIn(SELECTOR_TYPES)
  type!: SelectorType;

  @ApiProperty({ example: 'prod-' })
  @IsString()
  value!: string;
}

export class MatchConditionDto {
  @ApiProperty({ type: SelectorDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => SelectorDto)
  cluster!: SelectorDto;

  @ApiProperty({ type: SelectorDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => SelectorDto)
  namespace!: SelectorDto;
}

/** Body of POST and PUT (PUT replaces the whole definition). */
export class GlobalNamespaceSpecDto {
  @ApiProperty({ example: 'shop', description: 'DNS-1123 label, unique in the tenant' })
  @IsString()
  name!: string;

  @ApiProperty({ example: 'shop.lattice.local', description: 'services are reachable as <service>.<domain>' })
  @IsString()
  domain!: string;

  @ApiPropertyOptional({ default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({ enum: MTLS_MODES, default: 'STRICT' })
  @IsOptional()
  @IsIn(MTLS_MODES)
  mtlsMode?: MtlsMode;

  @ApiProperty({
    type: [MatchConditionDto],
    description: 'a (cluster, namespace) pair is a member when any condition matches it',
  })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => MatchConditionDto)
  matchConditions!: MatchConditionDto[];
}

export class MemberNamespaceView {
  @ApiProperty() clusterId!: string;
  @ApiProperty() clusterName!: string;
  @ApiProperty() namespace!: string;
}

export class GnsIssueView {
  @ApiProperty({
    description:
      'e.g. NAMESPACE_CLAIMED_BY_SEVERAL, HOST_PORTS_DIFFER, DUPLICATE_DOMAIN, NO_EAST_WEST_GATEWAY',
  })
  kind!: string;

  @ApiProperty({
    description: 'what is wrong and what Lattice does about it; further fields depend on the kind',
  })
  reason!: string;
}

export class GlobalNamespaceStatusView {
  @ApiProperty({
    type: [MemberNamespaceView],
    description: 'member (cluster, namespace) pairs after conflicts',
  })
  memberNamespaces!: MemberNamespace[];

  @ApiProperty({ description: 'services published under the domain' })
  serviceCount!: number;

  @ApiProperty({ type: [GnsIssueView], description: 'never resolved silently: each says who keeps what' })
  conflicts!: GnsConflict[];

  @ApiProperty({ type: [GnsIssueView] })
  warnings!: GnsWarning[];
}

export class SelectorView {
  @ApiProperty({ enum: SELECTOR_TYPES }) type!: SelectorType;
  @ApiProperty() value!: string;
}

export class MatchConditionView {
  @ApiProperty({ type: SelectorView }) cluster!: SelectorView;
  @ApiProperty({ type: SelectorView }) namespace!: SelectorView;
}

export class GlobalNamespaceView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() domain!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: MTLS_MODES }) mtlsMode!: MtlsMode;
  @ApiProperty({ type: [MatchConditionView] }) matchConditions!: MatchConditionView[];
  @ApiProperty({ description: 'also sent as the ETag; send it back in If-Match to update' }) version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: GlobalNamespaceStatusView }) status!: GlobalNamespaceStatusView;
}

export class GlobalNamespacePageView {
  @ApiProperty({ type: [GlobalNamespaceView] }) items!: GlobalNamespaceView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ServicePortView {
  @ApiProperty() name!: string;
  @ApiProperty() number!: number;
  @ApiProperty({ example: 'HTTP' }) protocol!: string;
}

export class ServiceInstanceView extends MemberNamespaceView {
  @ApiProperty() readyEndpoints!: number;
  @ApiProperty() notReadyEndpoints!: number;
}

export class GnsServiceView {
  @ApiProperty({ description: 'Kubernetes service name' }) name!: string;
  @ApiProperty({ example: 'cart.shop.lattice.local' }) hostname!: string;
  @ApiProperty({ type: [ServicePortView] }) ports!: ServicePortView[];
  @ApiProperty({ type: [ServiceInstanceView], description: 'where it runs, by cluster and namespace' })
  instances!: ServiceInstanceView[];
}

export class GnsServiceListView {
  @ApiProperty({ type: [GnsServiceView] }) items!: GnsServiceView[];
}

/** The audited and returned form of a definition, without the computed status. */
export function toDefinitionView(row: StoredGlobalNamespace): Omit<GlobalNamespaceView, 'status'> {
  return {
    id: row.id,
    name: row.name,
    domain: row.domain,
    description: row.description,
    mtlsMode: row.mtlsMode,
    matchConditions: row.matchConditions.map((condition) => ({
      cluster: { ...condition.cluster },
      namespace: { ...condition.namespace },
    })),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toStatusView(membership: GnsMembership | undefined): GlobalNamespaceStatusView {
  return {
    memberNamespaces: membership?.namespaces ?? [],
    serviceCount: membership?.services.length ?? 0,
    conflicts: membership?.conflicts ?? [],
    warnings: membership?.warnings ?? [],
  };
}

export function toServiceView(service: GnsMemberService): GnsServiceView {
  return {
    name: service.name,
    hostname: service.hostname,
    ports: service.ports,
    instances: service.instances.map(
      ({ clusterId, clusterName, namespace, readyEndpoints, notReadyEndpoints }) => ({
        clusterId,
        clusterName,
        namespace,
        readyEndpoints,
        notReadyEndpoints,
      }),
    ),
  };
}
