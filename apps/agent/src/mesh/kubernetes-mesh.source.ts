import type { KubeConfig } from '@kubernetes/client-node';
import type { MeshInstallation } from '@lattice/domain';
import { canonicalJson } from '../inventory/canonical-json.util';
import { describeKubernetesFailure } from '../inventory/inventory-sync.util';
import { type AgentLogger, errorMessage } from '../logger';
import type { ApiGroupDiscovery } from '../sink/istio-api-versions.util';
import type { MeshInstallationListener, MeshInstallationSource } from './mesh-installation-source.port';
import {
  buildMeshInstallation,
  type ConfigMapView,
  DEFAULT_EAST_WEST_SELECTOR,
  type DeploymentView,
  GATEWAY_API_GROUP,
  gatewayApiVersion,
  type GatewayView,
  ISTIO_NAMESPACE,
  type NamespaceView,
  type NodeView,
  type ServiceView,
} from './mesh-installation.mapping';

/**
 * Every API read of this source, one line each (deploy/tests/helm-charts.spec.ts checks the agent
 * chart's RBAC against this list): namespace ('*' = cluster-wide), API group, resource, verb.
 */
export const MESH_API_READS = [
  { namespace: 'istio-system', group: '', resource: 'configmaps', verb: 'list' },
  { namespace: '*', group: '', resource: 'namespaces', verb: 'list' },
  { namespace: '*', group: '', resource: 'services', verb: 'list' },
  { namespace: 'istio-system', group: 'apps', resource: 'deployments', verb: 'list' },
  { namespace: '*', group: '', resource: 'nodes', verb: 'list' },
  { namespace: '*', group: 'networking.istio.io', resource: 'gateways', verb: 'list' },
] as const;

export interface KubernetesMeshSourceOptions {
  /** Label selector of the east-west gateway Service; default istio=eastwestgateway. */
  eastWestGatewaySelector?: string;
  /** How often the installation is re-read; default 60 s. It changes rarely; a re-read is six lists. */
  refreshMs?: number;
  /** A read that has not answered after this long counts as failed; default 30 s. */
  timeoutMs?: number;
}

type ClientModule = typeof import('@kubernetes/client-node');

/**
 * The Istio installation read from the Kubernetes API: ConfigMaps and Deployments of istio-system,
 * the istio-system Namespace, the Services the gateway selector matches, the Nodes, and the
 * Gateways (networking.istio.io, at the version the server serves) — re-read every `refreshMs` (the
 * installation changes rarely; informers on six kinds, nodes included, would cost more memory than
 * a periodic list). A read that fails is named in `problems` with
 * the API server's reason, and the fields it feeds are left empty, so the controller says what is
 * unknown rather than reporting something false.
 */
export class KubernetesMeshSource implements MeshInstallationSource {
  private readonly listeners = new Set<MeshInstallationListener>();
  private installation: MeshInstallation | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly k8s: ClientModule,
    private readonly config: KubeConfig,
    private readonly logger: AgentLogger,
    private readonly options: KubernetesMeshSourceOptions = {},
  ) {}

  static async create(
    config: KubeConfig,
    logger: AgentLogger,
    options: KubernetesMeshSourceOptions = {},
  ): Promise<KubernetesMeshSource> {
    const k8s = await import('@kubernetes/client-node');
    return new KubernetesMeshSource(k8s, config, logger, options);
  }

  /** Reads once in the background, then every refreshMs. */
  async start(): Promise<void> {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.reading;
  }

  current(): MeshInstallation | undefined {
    return this.installation;
  }

  subscribe(listener: MeshInstallationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One read of everything; emits when the installation changed. */
  async refresh(): Promise<MeshInstallation> {
    const selector = this.options.eastWestGatewaySelector ?? DEFAULT_EAST_WEST_SELECTOR;
    const core = this.config.makeApiClient(this.k8s.CoreV1Api);
    const apps = this.config.makeApiClient(this.k8s.AppsV1Api);
    const problems: string[] = [];
    const attempt = async <T>(
      what: string,
      list: () => Promise<{ items: unknown[] }>,
    ): Promise<T[] | null> => {
      try {
        return (await this.withTimeout(list())).items as T[];
      } catch (error) {
        const failure = describeKubernetesFailure(error);
        problems.push(`${what}: ${failure.reason}: ${failure.message}`.slice(0, 500));
        return null;
      }
    };
    const read = async <T>(what: string, list: () => Promise<{ items: unknown[] }>): Promise<T[]> =>
      (await attempt<T>(what, list)) ?? [];
    const [configMaps, namespaces, gatewayServices, deployments, nodes, gateways] = await Promise.all([
      read<ConfigMapView>(`configmaps in ${ISTIO_NAMESPACE}`, () =>
        core.listNamespacedConfigMap({ namespace: ISTIO_NAMESPACE }),
      ),
      read<NamespaceView>('namespaces', () =>
        core.listNamespace({ fieldSelector: `metadata.name=${ISTIO_NAMESPACE}` }),
      ),
      read<ServiceView>(`services (${selector})`, () =>
        core.listServiceForAllNamespaces({ labelSelector: selector }),
      ),
      read<DeploymentView>(`deployments in ${ISTIO_NAMESPACE}`, () =>
        apps.listNamespacedDeployment({ namespace: ISTIO_NAMESPACE }),
      ),
      read<NodeView>('nodes', () => core.listNode()),
      this.readGateways(attempt),
    ]);
    const next = buildMeshInstallation(
      {
        configMaps,
        istioNamespace: namespaces.find((namespace) => namespace.metadata?.name === ISTIO_NAMESPACE),
        gatewayServices,
        deployments,
        nodes,
        gateways,
        problems,
      },
      selector,
    );
    if (!this.installation || canonicalJson(this.installation) !== canonicalJson(next)) {
      this.installation = next;
      this.logger.info(
        {
          meshConfig: next.meshConfigName || null,
          istioVersion: next.istioVersion || null,
          network: next.network || null,
          eastWestGateway: next.eastWestGateway
            ? `${next.eastWestGateway.namespace}/${next.eastWestGateway.name}`
            : null,
          passthroughGateways: next.passthroughGateways?.length ?? null,
          problems: next.problems.length,
        },
        'Istio installation read',
      );
      for (const listener of this.listeners) listener(next);
    }
    return next;
  }

  /**
   * Every Gateway (all namespaces) at the networking.istio.io version the server serves (GET /apis,
   * as the sink does); [] when the group is not served (no Istio CRDs, so no Gateway); null when
   * discovery or the list failed, named in problems by `attempt`.
   */
  private async readGateways(
    attempt: <T>(what: string, list: () => Promise<{ items: unknown[] }>) => Promise<T[] | null>,
  ): Promise<GatewayView[] | null> {
    const apis = this.config.makeApiClient(this.k8s.ApisApi);
    const groups = await attempt<ApiGroupDiscovery>('gateways (API discovery, GET /apis)', async () => ({
      items: (await apis.getAPIVersions()).groups ?? [],
    }));
    if (groups === null) return null;
    const version = gatewayApiVersion(groups);
    if (version === null) return [];
    const custom = this.config.makeApiClient(this.k8s.CustomObjectsApi);
    return attempt<GatewayView>(`gateways (${GATEWAY_API_GROUP}/${version})`, async () => {
      const list = (await custom.listClusterCustomObject({
        group: GATEWAY_API_GROUP,
        version,
        plural: 'gateways',
      })) as { items?: unknown[] };
      return { items: list.items ?? [] };
    });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.reading = this.refresh()
        .then(() => undefined)
        .catch((error: unknown) =>
          this.logger.warn({ err: errorMessage(error) }, 'reading the Istio installation failed; retrying'),
        )
        .finally(() => this.schedule(this.options.refreshMs ?? 60_000));
    }, delayMs);
  }

  private async withTimeout<T>(promise: Promise<T>): Promise<T> {
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`);
        error.name = 'TimeoutError';
        reject(error);
      }, timeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
