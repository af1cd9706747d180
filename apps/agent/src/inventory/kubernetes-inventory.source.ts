import type {
  Informer,
  KubernetesObject,
  ObjectCache,
  V1EndpointSlice,
  V1Namespace,
  V1Pod,
  V1Service,
} from '@kubernetes/client-node';
import { type AgentLogger, errorMessage } from '../logger';
import { canonicalJson } from './canonical-json.util';
import type { ClusterInventory, InventoryListener, InventorySource } from './inventory-source.port';
import { buildKubernetesInventory, ENDPOINT_GROUP_LABELS } from './kubernetes-inventory.mapping';

export interface KubernetesInventorySourceOptions {
  /** Coalesces bursts of watch events (a rollout touches many slices) into one inventory. */
  debounceMs?: number;
  /** Wait before restarting an informer whose watch failed. */
  restartDelayMs?: number;
}

type WatchedInformer<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

/**
 * Inventory from the Kubernetes API (in-cluster config or kubeconfig): informers on namespaces,
 * services, discovery.k8s.io/v1 EndpointSlices and on pods that carry a `version` label (the pod
 * labels group endpoints into versions; EndpointSlices do not carry them). Only pods with that
 * label are cached, to keep memory proportional to the versioned workloads. The mapping itself is
 * in kubernetes-inventory.mapping.ts; this class only wires watches to it.
 */
export class KubernetesInventorySource implements InventorySource {
  private readonly listeners = new Set<InventoryListener>();
  private inventory: ClusterInventory | undefined;
  private informers: Array<WatchedInformer<KubernetesObject>> = [];
  private namespaces: WatchedInformer<V1Namespace> | undefined;
  private services: WatchedInformer<V1Service> | undefined;
  private slices: WatchedInformer<V1EndpointSlice> | undefined;
  private pods: WatchedInformer<V1Pod> | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly logger: AgentLogger,
    private readonly options: KubernetesInventorySourceOptions = {},
  ) {}

  async start(): Promise<void> {
    // Loaded here, not at the top: the client is large and only needed in this mode.
    const k8s = await import('@kubernetes/client-node');
    const config = new k8s.KubeConfig();
    config.loadFromDefault();
    const core = config.makeApiClient(k8s.CoreV1Api);
    const discovery = config.makeApiClient(k8s.DiscoveryV1Api);
    const podSelector = ENDPOINT_GROUP_LABELS[1];

    this.namespaces = k8s.makeInformer(config, '/api/v1/namespaces', () => core.listNamespace());
    this.services = k8s.makeInformer(config, '/api/v1/services', () => core.listServiceForAllNamespaces());
    this.slices = k8s.makeInformer(config, '/apis/discovery.k8s.io/v1/endpointslices', () =>
      discovery.listEndpointSliceForAllNamespaces(),
    );
    this.pods = k8s.makeInformer(
      config,
      '/api/v1/pods',
      () => core.listPodForAllNamespaces({ labelSelector: podSelector }),
      podSelector,
    );
    this.informers = [this.namespaces, this.services, this.slices, this.pods] as Array<
      WatchedInformer<KubernetesObject>
    >;

    for (const [index, informer] of this.informers.entries()) {
      for (const event of ['add', 'update', 'delete'] as const)
        informer.on(event, () => this.scheduleRebuild());
      informer.on('error', (error: unknown) => {
        if (this.stopped) return;
        this.logger.warn(
          { informer: index, err: errorMessage(error) },
          'Kubernetes watch failed; restarting it',
        );
        const timer = setTimeout(() => {
          this.restartTimers.delete(timer);
          if (!this.stopped)
            informer
              .start()
              .catch((restartError: unknown) =>
                this.logger.error({ err: errorMessage(restartError) }, 'watch restart failed'),
              );
        }, this.options.restartDelayMs ?? 5000);
        this.restartTimers.add(timer);
      });
    }
    await Promise.all(this.informers.map((informer) => informer.start()));
    this.rebuild();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.debounceTimer);
    for (const timer of this.restartTimers) clearTimeout(timer);
    await Promise.all(this.informers.map((informer) => informer.stop()));
  }

  current(): ClusterInventory | undefined {
    return this.inventory;
  }

  subscribe(listener: InventoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private scheduleRebuild(): void {
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => this.rebuild(), this.options.debounceMs ?? 500);
  }

  private rebuild(): void {
    const next = buildKubernetesInventory(
      this.namespaces?.list() ?? [],
      this.services?.list() ?? [],
      this.slices?.list() ?? [],
      this.pods?.list() ?? [],
    );
    if (this.inventory && canonicalJson(this.inventory) === canonicalJson(next)) return;
    this.inventory = next;
    for (const listener of this.listeners) listener(next);
  }
}
