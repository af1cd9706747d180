import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { HpaRef, WorkloadApi, WorkloadRef, WorkloadScale } from './autoscaling-cluster.port';
import { WorkloadNotFoundError } from './autoscaling-cluster.port';
import { parseCpuMillicores, parseMemoryMiB } from './quantity.util';

/** The field manager that owns `spec.replicas` of the workloads the agent scales. */
export const AUTOSCALER_FIELD_MANAGER = 'lattice-agent';

/**
 * Every API call the autoscaler makes, for the Helm chart's RBAC (deploy/tests/helm-charts.spec.ts
 * checks the chart grants exactly these, cluster-wide: workloads live in any namespace).
 */
export const AUTOSCALER_API_ACCESS = [
  { group: 'apps', resource: 'deployments/scale', verbs: ['get', 'patch'] },
  { group: 'apps', resource: 'statefulsets/scale', verbs: ['get', 'patch'] },
  { group: 'autoscaling', resource: 'horizontalpodautoscalers', verbs: ['list'] },
  { group: 'metrics.k8s.io', resource: 'pods', verbs: ['list'] },
] as const;

const REQUEST_TIMEOUT_MS = 10_000;

interface Answer {
  status: number;
  body: unknown;
}

/**
 * The autoscaler's Kubernetes calls, over the kubeconfig the inventory uses:
 * - GET and server-side apply (PATCH, application/apply-patch+yaml, fieldManager=lattice-agent,
 *   force) of the `scale` subresource of Deployments and StatefulSets. The scale subresource takes
 *   every patch type, apply included, and records `spec.replicas` in the workload's managedFields
 *   under the agent's manager, so who scaled last is visible and another applier of the field
 *   (a GitOps tool) gets a conflict instead of a silent tug of war;
 * - lists of autoscaling/v2 HorizontalPodAutoscalers (an HPA on the same workload wins: the agent stands aside);
 * - lists of metrics.k8s.io/v1beta1 PodMetrics by the workload's pod selector (CPU and memory usage).
 */
export class KubernetesAutoscalingClient implements WorkloadApi {
  private readonly server: URL;

  constructor(private readonly config: KubeConfig) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
  }

  async readScale(workload: WorkloadRef): Promise<WorkloadScale> {
    const answer = await this.request('GET', scalePath(workload));
    if (answer.status === 404)
      throw new WorkloadNotFoundError(`${workload.kind} ${workload.namespace}/${workload.name} not found`);
    const body = this.ok(answer, `reading the scale of ${describe(workload)}`) as {
      spec?: { replicas?: number };
      status?: { selector?: string };
    };
    return { replicas: body.spec?.replicas ?? 0, selector: body.status?.selector ?? '' };
  }

  async applyScale(workload: WorkloadRef, replicas: number): Promise<void> {
    const query = `?fieldManager=${AUTOSCALER_FIELD_MANAGER}&force=true`;
    const body = {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: workload.name, namespace: workload.namespace },
      spec: { replicas },
    };
    const answer = await this.request(
      'PATCH',
      `${scalePath(workload)}${query}`,
      body,
      'application/apply-patch+yaml',
    );
    if (answer.status === 404)
      throw new WorkloadNotFoundError(`${workload.kind} ${workload.namespace}/${workload.name} not found`);
    this.ok(answer, `scaling ${describe(workload)} to ${replicas}`);
  }

  async listHpas(namespace: string): Promise<HpaRef[]> {
    const answer = await this.request(
      'GET',
      `/apis/autoscaling/v2/namespaces/${encodeURIComponent(namespace)}/horizontalpodautoscalers`,
    );
    const body = this.ok(answer, `listing the HorizontalPodAutoscalers of ${namespace}`) as {
      items?: { metadata?: { name?: string }; spec?: { scaleTargetRef?: Partial<HpaRef['target']> } }[];
    };
    return (body.items ?? []).map((item) => ({
      name: item.metadata?.name ?? '',
      target: {
        apiVersion: item.spec?.scaleTargetRef?.apiVersion ?? '',
        kind: item.spec?.scaleTargetRef?.kind ?? '',
        name: item.spec?.scaleTargetRef?.name ?? '',
      },
    }));
  }

  async podUsage(
    namespace: string,
    selector: string,
  ): Promise<{ cpuMillicores: number; memoryMiB: number }[]> {
    const answer = await this.request(
      'GET',
      `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods?labelSelector=${encodeURIComponent(selector)}`,
    );
    const body = this.ok(answer, `reading PodMetrics in ${namespace}`) as {
      items?: { containers?: { usage?: { cpu?: string; memory?: string } }[] }[];
    };
    return (body.items ?? []).map((pod) => {
      let cpuMillicores = 0;
      let memoryMiB = 0;
      for (const container of pod.containers ?? []) {
        cpuMillicores += parseCpuMillicores(container.usage?.cpu ?? '0');
        memoryMiB += parseMemoryMiB(container.usage?.memory ?? '0');
      }
      return { cpuMillicores, memoryMiB };
    });
  }

  private ok(answer: Answer, what: string): unknown {
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    const message =
      typeof answer.body === 'object' && answer.body !== null && 'message' in answer.body
        ? String((answer.body as { message: unknown }).message)
        : `HTTP ${answer.status}`;
    throw new Error(`${what}: ${answer.status} ${message}`);
  }

  private async request(method: string, path: string, body?: unknown, contentType?: string): Promise<Answer> {
    const url = new URL(path, this.server);
    const options: https.RequestOptions = {
      method,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || 443,
      path: `${url.pathname}${url.search}`,
      headers: {
        accept: 'application/json',
        ...(contentType ? { 'content-type': contentType } : {}),
      },
      timeout: REQUEST_TIMEOUT_MS,
    };
    await this.config.applyToHTTPSOptions(options);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<Answer>((resolve, reject) => {
      const request = https.request(options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text === '' ? undefined : JSON.parse(text);
          } catch {
            // keep the text: it names the problem
          }
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error(`${method} ${url.pathname}: timed out`)));
      request.on('error', reject);
      if (payload !== undefined) request.write(payload);
      request.end();
    });
  }
}

function scalePath(workload: WorkloadRef): string {
  const resource = workload.kind === 'Deployment' ? 'deployments' : 'statefulsets';
  return `/apis/apps/v1/namespaces/${encodeURIComponent(workload.namespace)}/${resource}/${encodeURIComponent(workload.name)}/scale`;
}

function describe(workload: WorkloadRef): string {
  return `${workload.kind} ${workload.namespace}/${workload.name}`;
}
