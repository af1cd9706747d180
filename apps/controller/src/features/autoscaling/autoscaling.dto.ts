import { ApiProperty } from '@nestjs/swagger';

/*
 * Autoscaling bodies are checked by libs/domain (validateAutoscalingPolicy), which names every bad
 * field; these classes only document them in OpenAPI.
 */

export const AUTOSCALING_POLICY_EXAMPLE = {
  mode: 'EFFICIENCY',
  instances: { min: 2, max: 10, default: 3, stepsUp: 2, stepsDown: 1 },
  triggers: [
    { metric: 'CPU', scaleUp: 800, scaleDown: 300 },
    { metric: 'LATENCY', percentile: 'p99', scaleUp: 250, scaleDown: 80 },
  ],
  windowSeconds: 120,
  gracePeriodSeconds: 300,
  recommendOnly: false,
  targets: [{ cluster: 'east', kind: 'StatefulSet', name: 'cart' }],
};

export class AutoscalingPolicyView {
  @ApiProperty() gnsId!: string;
  @ApiProperty({ example: 'cart' }) service!: string;
  @ApiProperty({
    type: Object,
    example: AUTOSCALING_POLICY_EXAMPLE,
    description: 'as stored: stepsUp, stepsDown, recommendOnly and targets filled in',
  })
  spec!: object;
  @ApiProperty({ description: 'also sent as the ETag; send it back in If-Match to replace' })
  version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class AutoscalingPolicyListView {
  @ApiProperty({ type: [AutoscalingPolicyView] }) items!: AutoscalingPolicyView[];
}

export class AutoscalingTargetView {
  @ApiProperty({ example: 'Deployment' }) kind!: string;
  @ApiProperty({ example: 'shop' }) namespace!: string;
  @ApiProperty({ example: 'cart' }) name!: string;
}

export class AutoscalingWindowView {
  @ApiProperty({ example: 'CPU' }) trigger!: string;
  @ApiProperty() scaleUp!: number;
  @ApiProperty() scaleDown!: number;
  @ApiProperty({ description: 'readable samples in the window' }) samples!: number;
  @ApiProperty({ type: Number, nullable: true }) min!: number | null;
  @ApiProperty({ type: Number, nullable: true }) max!: number | null;
  @ApiProperty({ type: Number, nullable: true }) avg!: number | null;
  @ApiProperty({ enum: ['UP', 'DOWN', 'HOLD', 'NO_DATA', 'PARTIAL'] }) verdict!: string;
}

export class AutoscalingEventView {
  @ApiProperty() id!: string;
  @ApiProperty({ description: "the agent's id for the decision" }) decisionId!: string;
  @ApiProperty() clusterId!: string;
  @ApiProperty() clusterName!: string;
  @ApiProperty() gnsId!: string;
  @ApiProperty() service!: string;
  @ApiProperty() policyId!: string;
  @ApiProperty() policyVersion!: number;
  @ApiProperty({ type: AutoscalingTargetView }) target!: AutoscalingTargetView;
  @ApiProperty() decidedAt!: string;
  @ApiProperty({ enum: ['SCALE_UP', 'SCALE_DOWN', 'HOLD'] }) action!: string;
  @ApiProperty({ enum: ['APPLIED', 'RECOMMENDED', 'BLOCKED', 'FAILED'] }) outcome!: string;
  @ApiProperty() fromReplicas!: number;
  @ApiProperty() toReplicas!: number;
  @ApiProperty({ example: 'CPU stayed above scaleUp 800 for 120s (min 912): up by 2' }) rule!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['SLO', 'GRACE_PERIOD', 'PERFORMANCE_MODE', 'MAX_REPLICAS', 'MIN_REPLICAS', 'HPA'],
  })
  blockedBy!: string | null;
  @ApiProperty({ type: [AutoscalingWindowView] }) windows!: AutoscalingWindowView[];
}

export class AutoscalingEventPageView {
  @ApiProperty({ type: [AutoscalingEventView] }) items!: AutoscalingEventView[];
  @ApiProperty({ nullable: true, type: String, description: 'null on the last page' })
  nextCursor!: string | null;
}
