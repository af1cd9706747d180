import { ApiProperty } from '@nestjs/swagger';
import { FINDING_CODES, type FindingCode, type FindingSeverity } from '@lattice/domain';

/** REST views of the Istio installation an agent reports and of a GNS's preflight diagnostics. */

export class EastWestGatewayServiceView {
  @ApiProperty({ example: 'istio-system' }) namespace!: string;
  @ApiProperty({ example: 'istio-eastwestgateway' }) name!: string;
  @ApiProperty({
    type: [String],
    example: ['198.51.100.20'],
    description: 'status.loadBalancer.ingress (ip or hostname), then spec.externalIPs',
  })
  addresses!: string[];
  @ApiProperty({ type: [Number], example: [15021, 15443] }) ports!: number[];
  @ApiProperty({ example: 'istio=eastwestgateway', description: 'the label selector it was found with' })
  selector!: string;
}

export class PassthroughGatewayView {
  @ApiProperty({ example: 'istio-system' }) namespace!: string;
  @ApiProperty({ example: 'cross-network-gateway' }) name!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { istio: 'eastwestgateway' },
    description: 'spec.selector: labels of the gateway pods it applies to; {} applies to every gateway pod',
  })
  selector!: Record<string, string>;
  @ApiProperty({
    type: [String],
    example: ['*.local', '*.shop.lattice.local'],
    description: 'hosts of its AUTO_PASSTHROUGH servers on 15443, as written (namespace/ prefixes kept)',
  })
  hosts!: string[];
}

export class NodeLocalityView {
  @ApiProperty({ example: 'us-east-1', description: "topology.kubernetes.io/region; '' when unset" })
  region!: string;
  @ApiProperty({ example: 'us-east-1a', description: "topology.kubernetes.io/zone; '' when unset" })
  zone!: string;
  @ApiProperty({ description: 'nodes in this region and zone' }) nodes!: number;
}

export class MeshInstallationView {
  @ApiProperty({ description: 'false: no Istio mesh config (ConfigMap istio or istio-<revision>) was found' })
  meshConfigFound!: boolean;
  @ApiProperty({ example: 'istio', description: "the ConfigMap the mesh config came from; '' when none" })
  meshConfigName!: string;
  @ApiProperty({ example: 'cluster.local' }) trustDomain!: string;
  @ApiProperty({ type: [String], example: ['shop.lattice.local'] }) trustDomainAliases!: string[];
  @ApiProperty({ description: 'defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE is "true"' })
  dnsCapture!: boolean;
  @ApiProperty({
    description: 'ISTIO_META_DNS_AUTO_ALLOCATE is "true", or istiod runs with PILOT_ENABLE_IP_AUTOALLOCATE',
  })
  dnsAutoAllocate!: boolean;
  @ApiProperty({
    example: 'net-east',
    description: "topology.istio.io/network of istio-system; '' when unset",
  })
  network!: string;
  @ApiProperty({ type: EastWestGatewayServiceView, nullable: true, description: 'null: none found' })
  eastWestGateway!: EastWestGatewayServiceView | null;
  @ApiProperty({
    type: [PassthroughGatewayView],
    nullable: true,
    description:
      'Gateways (networking.istio.io, any namespace) with an AUTO_PASSTHROUGH server on 15443, except those Lattice renders; ' +
      'null: not read (an agent older than the field, a file inventory without them, or a failed list named in problems)',
  })
  passthroughGateways!: PassthroughGatewayView[] | null;
  @ApiProperty({ example: '1.24.2', description: "'' when unknown" }) istioVersion!: string;
  @ApiProperty({ example: 'default' }) revision!: string;
  @ApiProperty({ type: [NodeLocalityView] }) localities!: NodeLocalityView[];
  @ApiProperty({ type: [String], description: 'what the agent could not read' }) problems!: string[];
  @ApiProperty({ enum: ['kubernetes', 'file'] }) source!: string;
}

export class ClusterMeshInstallationView {
  @ApiProperty({
    type: MeshInstallationView,
    nullable: true,
    description: 'null: the agent never reported it (an agent too old to)',
  })
  installation!: MeshInstallationView | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'when it last changed' })
  reportedAt!: string | null;
}

export class DiagnosticFindingView {
  @ApiProperty({ enum: ['ERROR', 'WARNING', 'INFO'] }) severity!: FindingSeverity;
  @ApiProperty({ enum: FINDING_CODES, description: 'see docs/diagnostics.md' }) code!: FindingCode;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'null: about the whole GNS' })
  clusterId!: string | null;
  @ApiProperty({ nullable: true, type: String }) clusterName!: string | null;
  @ApiProperty({ description: 'what will not work, and why' }) message!: string;
  @ApiProperty({ description: 'how to fix it: a command or YAML snippet' }) fix!: string;
}

export class DiagnosticSummaryView {
  @ApiProperty() ERROR!: number;
  @ApiProperty() WARNING!: number;
  @ApiProperty() INFO!: number;
}

export class DiagnosedClusterView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: MeshInstallationView, nullable: true, description: 'null: never reported' })
  installation!: MeshInstallationView | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) installationReportedAt!: string | null;
}

export class GnsDiagnosticsView {
  @ApiProperty({ format: 'uuid' }) gnsId!: string;
  @ApiProperty() gnsName!: string;
  @ApiProperty() domain!: string;
  @ApiProperty({ format: 'date-time', description: 'computed on every request' }) generatedAt!: string;
  @ApiProperty({ type: DiagnosticSummaryView }) summary!: DiagnosticSummaryView;
  @ApiProperty({ type: [DiagnosedClusterView], description: 'the member clusters, by name' })
  clusters!: DiagnosedClusterView[];
  @ApiProperty({ type: [DiagnosticFindingView], description: 'errors first, then by cluster name and code' })
  findings!: DiagnosticFindingView[];
}
