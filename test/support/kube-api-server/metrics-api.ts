/**
 * The resource metrics API (`metrics.k8s.io/v1beta1`, served in a real cluster by metrics-server
 * through an APIService): PodMetrics and NodeMetrics, read-only — `get` and `list` (label and
 * field selectors), every write answered 405 MethodNotAllowed. A real server computes them from
 * kubelet summaries; here tests write them into the store (`kube.store.apply(podMetrics(...))`) and
 * change them to simulate load. Objects carry the pod's labels, `timestamp`, `window` and per
 * container `usage` (`cpu` as a quantity such as `250m` or `123456789n`, `memory` such as `65536Ki`).
 */
export const METRICS_API_TYPES = [
  {
    group: 'metrics.k8s.io',
    versions: ['v1beta1'],
    resource: 'pods',
    singular: '',
    kind: 'PodMetrics',
    listKind: 'PodMetricsList',
    namespaced: true,
    subresources: [] as Array<'status' | 'scale'>,
    custom: false,
    generation: false,
    nameRule: 'subdomain' as const,
    verbs: ['get', 'list'],
  },
  {
    group: 'metrics.k8s.io',
    versions: ['v1beta1'],
    resource: 'nodes',
    singular: '',
    kind: 'NodeMetrics',
    listKind: 'NodeMetricsList',
    namespaced: false,
    subresources: [] as Array<'status' | 'scale'>,
    custom: false,
    generation: false,
    nameRule: 'subdomain' as const,
    verbs: ['get', 'list'],
  },
];

/** A PodMetrics object as metrics-server serves it, for the store. */
export function podMetrics(options: {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  containers: { name: string; cpu: string; memory: string }[];
  windowSeconds?: number;
  timestamp?: Date;
}): Record<string, unknown> {
  return {
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'PodMetrics',
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels },
    timestamp: (options.timestamp ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    window: `${options.windowSeconds ?? 15}s`,
    containers: options.containers.map((container) => ({
      name: container.name,
      usage: { cpu: container.cpu, memory: container.memory },
    })),
  };
}
