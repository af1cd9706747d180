import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateBy,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';
import type { ClusterStatus } from '@lattice/domain';

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Kubernetes-style labels: at most 64, keys and values as Kubernetes allows them. */
function IsLabelMap(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isLabelMap',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length <= 64 &&
          Object.entries(value).every(
            ([k, v]) => LABEL_KEY.test(k) && typeof v === 'string' && LABEL_VALUE.test(v),
          ),
        defaultMessage: () =>
          'must map at most 64 Kubernetes label keys to label values (strings of up to 63 characters)',
      },
    },
    options,
  );
}

/** Host name or IP address of the cluster's east-west gateway (without port: it is 15443). */
const ADDRESS =
  /^(([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?|\[?[0-9a-fA-F:]+\]?)$/;

const LABELS_PROPERTY = {
  type: 'object',
  additionalProperties: { type: 'string' },
  description: 'Kubernetes-style labels (at most 64)',
  example: { region: 'eu-west-1' },
} as const;

const TAKE_OVER_MESH_CA_PROPERTY = {
  example: false,
  default: false,
  description:
    'Let the agent replace an existing istio-system/cacerts that Lattice did not create (e.g. a CA installed by hand or by another tool). Without it, such a Secret is never overwritten or deleted and the agent refuses the snapshot (NACK) saying so. A Secret taken over is never deleted, even when the cluster leaves its last global namespace.',
} as const;

const LABEL_VALUE_MESSAGE = 'must be 1-63 letters, digits, "-", "_" or ".", starting and ending alphanumeric';
const NON_EMPTY_LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

const NETWORK_PROPERTY = {
  example: 'network-east',
  nullable: true,
  type: String,
  description:
    "the cluster's Istio network (the topology.istio.io/network label on istio-system); endpoints of this cluster carry it so that sidecars and gateways elsewhere route to it through its east-west gateway. Omitted or null: the network the agent reports, if any",
} as const;
const REGION_PROPERTY = {
  example: 'eu-west-1',
  nullable: true,
  type: String,
  description:
    "region of the cluster's nodes (topology.kubernetes.io/region); with zone, decides the local-first failover order. Omitted or null: as the agent reports it",
} as const;
const ZONE_PROPERTY = {
  example: 'eu-west-1a',
  nullable: true,
  type: String,
  description: "zone of the cluster's nodes (topology.kubernetes.io/zone)",
} as const;
const GATEWAY_MANAGED_PROPERTY = {
  example: true,
  default: true,
  description:
    'Lattice renders the east-west Gateway (AUTO_PASSTHROUGH on 15443 for *.<gns domain>) in istio-system; false: an existing Gateway is used and Lattice renders none',
} as const;
const GATEWAY_SELECTOR_PROPERTY = {
  type: 'object',
  additionalProperties: { type: 'string' },
  nullable: true,
  example: { istio: 'eastwestgateway' },
  description:
    'labels of the east-west gateway pods the Gateway selects (default istio: eastwestgateway, as Istio installs it)',
} as const;

/** Registration fields of the data plane (network, locality, east-west gateway), shared by create and update. */
class ClusterPlacementFields {
  @ApiPropertyOptional(NETWORK_PROPERTY)
  @IsOptional()
  @IsString()
  @Matches(NON_EMPTY_LABEL_VALUE, { message: `network ${LABEL_VALUE_MESSAGE}` })
  network?: string | null;

  @ApiPropertyOptional(REGION_PROPERTY)
  @IsOptional()
  @IsString()
  @Matches(NON_EMPTY_LABEL_VALUE, { message: `region ${LABEL_VALUE_MESSAGE}` })
  region?: string | null;

  @ApiPropertyOptional(ZONE_PROPERTY)
  @IsOptional()
  @IsString()
  @Matches(NON_EMPTY_LABEL_VALUE, { message: `zone ${LABEL_VALUE_MESSAGE}` })
  zone?: string | null;

  @ApiPropertyOptional(GATEWAY_MANAGED_PROPERTY)
  // Omitted means unchanged (true on registration); null is refused.
  @ValidateIf((_dto, value) => value !== undefined)
  @IsBoolean()
  eastWestGatewayManaged?: boolean;

  @ApiPropertyOptional(GATEWAY_SELECTOR_PROPERTY)
  @IsOptional()
  @IsObject()
  @IsLabelMap()
  @ValidateBy({
    name: 'isNonEmptyObject',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'object' && value !== null && Object.keys(value).length > 0,
      defaultMessage: () => 'must name at least one label (an empty selector would select every gateway pod)',
    },
  })
  eastWestGatewaySelector?: Record<string, string> | null;
}

export class CreateClusterDto extends ClusterPlacementFields {
  @ApiProperty({ example: 'eu-west-1', description: 'unique per tenant; DNS-label style' })
  @IsString()
  @Matches(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    message: 'must be 1-63 lowercase letters, digits or -, starting and ending alphanumeric',
  })
  name!: string;

  @ApiPropertyOptional({
    example: '203.0.113.10',
    description: 'east-west gateway address other clusters reach this one at (port 15443)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 253)
  @Matches(ADDRESS, { message: 'must be a host name or an IP address, without port' })
  eastWestAddress?: string;

  @ApiPropertyOptional(LABELS_PROPERTY)
  @IsOptional()
  @IsObject()
  @IsLabelMap()
  labels?: Record<string, string>;
  @ApiPropertyOptional(TAKE_OVER_MESH_CA_PROPERTY)
  // Omitted means unchanged (false on registration); null is refused, not passed on as "no value".
  @ValidateIf((_dto, value) => value !== undefined)
  @IsBoolean()
  takeOverMeshCa?: boolean;
}

export class UpdateClusterDto extends ClusterPlacementFields {
  @ApiPropertyOptional({ example: '203.0.113.10', description: 'east-west gateway address (port 15443)' })
  @IsOptional()
  @IsString()
  @Length(1, 253)
  @Matches(ADDRESS, { message: 'must be a host name or an IP address, without port' })
  eastWestAddress?: string;

  @ApiPropertyOptional(LABELS_PROPERTY)
  @IsOptional()
  @IsObject()
  @IsLabelMap()
  labels?: Record<string, string>;
  @ApiPropertyOptional(TAKE_OVER_MESH_CA_PROPERTY)
  // Omitted means unchanged (false on registration); null is refused, not passed on as "no value".
  @ValidateIf((_dto, value) => value !== undefined)
  @IsBoolean()
  takeOverMeshCa?: boolean;
}

export const CLUSTER_STATUSES: ClusterStatus[] = ['PENDING', 'CONNECTED', 'DISCONNECTED'];

export class ClusterNackView {
  @ApiProperty({ description: 'the snapshot version the agent refused' }) version!: number;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) at!: string | null;
}

export class ClusterInventorySummaryView {
  @ApiProperty({ description: 'namespaces the agent reported' }) namespaces!: number;
  @ApiProperty({ description: 'services the agent reported' }) services!: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) updatedAt!: string | null;
}

export class ClusterView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'eu-west-1' }) name!: string;
  @ApiProperty({ nullable: true, type: String, example: '203.0.113.10' }) eastWestAddress!: string | null;
  @ApiProperty(NETWORK_PROPERTY) network!: string | null;
  @ApiProperty(REGION_PROPERTY) region!: string | null;
  @ApiProperty(ZONE_PROPERTY) zone!: string | null;
  @ApiProperty(GATEWAY_MANAGED_PROPERTY) eastWestGatewayManaged!: boolean;
  @ApiProperty(GATEWAY_SELECTOR_PROPERTY) eastWestGatewaySelector!: Record<string, string> | null;
  @ApiProperty(LABELS_PROPERTY)
  labels!: Record<string, string>;
  @ApiProperty({ enum: CLUSTER_STATUSES }) status!: ClusterStatus;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastSeenAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) agentVersion!: string | null;
  @ApiProperty({ description: 'newest desired-state version computed for the cluster' })
  desiredVersion!: number;
  @ApiProperty({ description: 'version the agent last acknowledged' }) appliedVersion!: number;
  @ApiProperty({ type: ClusterNackView, nullable: true }) lastNack!: ClusterNackView | null;
  @ApiProperty({ type: ClusterInventorySummaryView }) inventory!: ClusterInventorySummaryView;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) revokedAt!: string | null;
  @ApiProperty({ description: 'also sent as the ETag; send it back in If-Match to update' }) version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ClusterPageView {
  @ApiProperty({ type: [ClusterView] }) items!: ClusterView[];
  @ApiProperty({ nullable: true, type: String, description: 'null on the last page' }) nextCursor!:
    string | null;
}

export class BootstrapTokenView {
  @ApiProperty({ description: 'one-time token for the agent (shown once); starts with lbt_' }) token!: string;
  @ApiProperty({ format: 'date-time', description: 'one hour after issue' }) expiresAt!: string;
  @ApiProperty({ example: 'lattice.example.com:50051', description: 'gRPC address the agent dials' })
  controller!: string;
  @ApiProperty({ description: 'PEM bundle the agent trusts the controller with' }) controllerCaPem!: string;
  @ApiProperty({ description: 'a command that starts the agent with this token' }) command!: string;
}

export class RegisteredClusterView {
  @ApiProperty({ type: ClusterView }) cluster!: ClusterView;
  @ApiProperty({ type: BootstrapTokenView }) bootstrap!: BootstrapTokenView;
}
