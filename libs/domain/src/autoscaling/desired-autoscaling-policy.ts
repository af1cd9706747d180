import type {
  AutoscalingInstances,
  AutoscalingMode,
  AutoscalingTrigger,
  WorkloadKind,
} from './autoscaling-spec';

/**
 * One autoscaling policy as one cluster's agent runs it: the workload to scale there, the rule,
 * and whether an actionable SLO of the service blocks scale-down right now. Part of the
 * cluster's desired state, so the agent keeps scaling from its last snapshot without the controller.
 */
export interface DesiredAutoscalingPolicy {
  policyId: string;
  /** The policy's version: decisions name it. */
  version: number;
  gnsId: string;
  service: string;
  /** Namespace of the service instance in this cluster (Istio's destination_service_namespace). */
  serviceNamespace: string;
  target: { kind: WorkloadKind; namespace: string; name: string };
  mode: AutoscalingMode;
  instances: AutoscalingInstances;
  triggers: AutoscalingTrigger[];
  windowSeconds: number;
  gracePeriodSeconds: number;
  recommendOnly: boolean;
  /** An ACTIONABLE SLO on the service has a violated indicator: no scale-down. */
  scaleDownBlocked: boolean;
  /** The SLOs that block it (empty when not blocked). */
  blockingSlos: { id: string; name: string }[];
}
