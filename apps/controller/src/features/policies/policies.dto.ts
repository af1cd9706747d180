import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/*
 * Policy bodies are checked by libs/domain (shape with zod, then meaning against the live GNS
 * membership), which names every bad field; these classes only document them in OpenAPI.
 */

export class PolicyWarningView {
  @ApiProperty({ example: 'subsets[1]' }) field!: string;
  @ApiProperty() message!: string;
}

export const TRAFFIC_POLICY_EXAMPLE = {
  subsets: [
    { name: 'v1', labels: { version: 'v1' } },
    { name: 'v2', labels: { version: 'v2' } },
  ],
  routes: [
    {
      name: 'beta',
      match: [{ headers: { 'x-user-group': { exact: 'beta' } } }],
      destinations: [{ subset: 'v2' }],
    },
    {
      destinations: [
        { subset: 'v1', weight: 90 },
        { subset: 'v2', weight: 10 },
      ],
    },
  ],
  timeout: '5s',
  retries: { attempts: 3, perTryTimeout: '2s', retryOn: ['5xx', 'connect-failure'] },
  connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 50 } },
  outlierDetection: {
    consecutiveErrors: 5,
    interval: '10s',
    baseEjectionTime: '30s',
    maxEjectionPercent: 50,
  },
  failover: ['east', 'west'],
};

export const SECURITY_POLICY_EXAMPLE = {
  defaultAction: 'DENY',
  services: [{ service: 'payments', mtlsMode: 'STRICT', serviceAccount: 'payments' }],
  rules: [
    {
      name: 'cart-pays',
      action: 'ALLOW',
      from: ['cart'],
      to: 'payments',
      methods: ['POST'],
      paths: ['/charge'],
    },
  ],
};

export class TrafficPolicyView {
  @ApiProperty() gnsId!: string;
  @ApiProperty({ example: 'cart' }) service!: string;
  @ApiProperty({
    type: Object,
    example: TRAFFIC_POLICY_EXAMPLE,
    description: 'as stored: durations canonical, route names and weights filled in',
  })
  spec!: object;
  @ApiProperty({ description: 'also sent as the ETag; send it back in If-Match to replace' })
  version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: [PolicyWarningView], description: 'checked against the live inventory' })
  warnings!: PolicyWarningView[];
}

export class TrafficPolicyListView {
  @ApiProperty({ type: [TrafficPolicyView] }) items!: TrafficPolicyView[];
}

export class SecurityPolicyView {
  @ApiProperty() gnsId!: string;
  @ApiProperty({ type: Object, example: SECURITY_POLICY_EXAMPLE }) spec!: object;
  @ApiProperty() version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: [PolicyWarningView] }) warnings!: PolicyWarningView[];
}

export class DryRunTrafficPolicyDto {
  @ApiProperty({ example: 'cart' }) service!: string;
  @ApiProperty({
    type: Object,
    nullable: true,
    example: TRAFFIC_POLICY_EXAMPLE,
    description: 'null previews removing the policy',
  })
  spec!: object | null;
}

export class DryRunRequestDto {
  @ApiPropertyOptional({
    type: [DryRunTrafficPolicyDto],
    description: "replace (or, with spec null, remove) these services' policies",
  })
  trafficPolicies?: DryRunTrafficPolicyDto[];
  @ApiPropertyOptional({
    type: Object,
    nullable: true,
    example: SECURITY_POLICY_EXAMPLE,
    description: 'null previews removing it; omitted keeps the stored one',
  })
  securityPolicy?: object | null;
}

export class DryRunClusterView {
  @ApiProperty() clusterId!: string;
  @ApiProperty() clusterName!: string;
  @ApiProperty({
    type: [Object],
    description: 'every object of this GNS the cluster would hold, in apply order',
  })
  objects!: object[];
  @ApiProperty({ type: [String], example: ['VirtualService/istio-system/lattice-shop-cart-1a2b3c4d'] })
  added!: string[];
  @ApiProperty({ type: [String] }) changed!: string[];
  @ApiProperty({ type: [String] }) removed!: string[];
  @ApiPropertyOptional({ description: 'the state could not be rendered; the agent would NACK it' })
  error?: string;
}

export class DryRunView {
  @ApiProperty({ type: [PolicyWarningView] }) warnings!: PolicyWarningView[];
  @ApiProperty({ type: [DryRunClusterView] }) clusters!: DryRunClusterView[];
}
