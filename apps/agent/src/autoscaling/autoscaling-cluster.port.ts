import type { WorkloadKind } from '@lattice/domain';

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

/** The workload's `scale` subresource (autoscaling/v1 Scale). */
export interface WorkloadScale {
  /** spec.replicas: what the workload is asked to run. */
  replicas: number;
  /** status.selector: the pods' label selector in query form (`app=cart,tier=web`). */
  selector: string;
}

export interface HpaRef {
  name: string;
  target: { apiVersion: string; kind: string; name: string };
}

/** A workload or API that is not there (404), as opposed to a failed call. */
export class WorkloadNotFoundError extends Error {
  override readonly name = 'WorkloadNotFoundError';
}

/** What the autoscaler does with the Kubernetes API (kubernetes-autoscaling.client.ts). */
export interface WorkloadApi {
  /** Throws WorkloadNotFoundError when the workload does not exist. */
  readScale(workload: WorkloadRef): Promise<WorkloadScale>;
  /** Sets spec.replicas through the scale subresource (server-side apply, field manager lattice-agent). */
  applyScale(workload: WorkloadRef, replicas: number): Promise<void>;
  /** autoscaling/v2 HorizontalPodAutoscalers of the namespace. */
  listHpas(namespace: string): Promise<HpaRef[]>;
  /** metrics.k8s.io/v1beta1 PodMetrics of the pods the selector picks: usage per pod, summed over containers. */
  podUsage(namespace: string, selector: string): Promise<{ cpuMillicores: number; memoryMiB: number }[]>;
}

/** Istio's standard metrics of one service in this cluster, through Prometheus' HTTP API. */
export interface MeshMetricsApi {
  /** Inbound requests per second (reporter=destination); 0 without traffic. */
  requestsPerSecond(service: string, namespace: string, rangeSeconds: number): Promise<number>;
  /** Percent of inbound requests answered 5xx; null without traffic. */
  errorRatePercent(service: string, namespace: string, rangeSeconds: number): Promise<number | null>;
  /** Latency quantile (0.5, 0.9, 0.99) of inbound requests in ms; null without traffic. */
  latencyMs(
    service: string,
    namespace: string,
    quantile: number,
    rangeSeconds: number,
  ): Promise<number | null>;
}
