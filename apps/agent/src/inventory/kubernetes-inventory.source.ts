import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type {
  KubeConfig,
  KubernetesListObject,
  KubernetesObject,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';
import type { BackoffPolicy } from '../connection/reconnect-backoff.util';
import { type AgentLogger, errorMessage } from '../logger';
import { canonicalJson } from './canonical-json.util';
import type {
  ClusterInventory,
  InventoryListener,
  InventorySource,
  InventorySyncListener,
  InventorySyncState,
} from './inventory-source.port';
import { describeKubernetesFailure, InventorySyncTracker } from './inventory-sync.util';
import {
  buildKubernetesInventory,
  ENDPOINT_GROUP_LABELS,
  type EndpointSliceView,
  type NamespaceView,
  type PodView,
  type ServiceView,
} from './kubernetes-inventory.mapping';

export interface KubernetesInventorySourceOptions {
  /** Coalesces bursts of watch events (a rollout touches many slices) into one inventory. */
  debounceMs?: number;
  /** A list that has not answered after this long counts as failed (reason Timeout); default 30 s. */
  listTimeoutMs?: number;
  /** Retry delays after a failed list/watch (full jitter); default 1 s doubling up to 30 s. */
  backoff?: BackoffPolicy;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  random?: () => number;
}

/** The kubeconfig cannot be used at all: the agent stops at start-up with this message. */
export class KubeConfigError extends Error {
  override readonly name = 'KubeConfigError';
}

/** What the source watches, in the order the condition names them. */
const RESOURCES = ['namespaces', 'services', 'endpointslices', 'pods'] as const;
type ResourceName = (typeof RESOURCES)[number];

type ClientModule = typeof import('@kubernetes/client-node');

/**
 * Inventory from the Kubernetes API (in-cluster config or kubeconfig): list+watch caches
 * (client-node's ListWatch) of namespaces, services, discovery.k8s.io/v1 EndpointSlices and pods
 * that carry a `version` label (the pod labels group endpoints into versions; EndpointSlices do
 * not carry them). Only pods with that label are cached, to keep memory proportional to the
 * versioned workloads. The mapping is in kubernetes-inventory.mapping.ts.
 *
 * Fail-safe: no inventory is reported before every resource was listed once, and a failed
 * list/watch (403, 5xx, timeout, unreachable server) never empties a cache — ListWatch replaces
 * its objects only with a successful list (a watch that ends with 410 Gone relists). The failed
 * resource is retried with a jittered, capped backoff, and the InventorySynced condition says what
 * fails (InventorySyncTracker).
 */
export class KubernetesInventorySource implements InventorySource {
  private readonly listeners = new Set<InventoryListener>();
  private readonly syncListeners = new Set<InventorySyncListener>();
  private readonly caches = new Map<ResourceName, ListWatch<KubernetesObject>>();
  private readonly tracker: InventorySyncTracker;
  private inventory: ClusterInventory | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private stopped = false;

  private constructor(
    private readonly k8s: ClientModule,
    private readonly config: KubeConfig,
    private readonly logger: AgentLogger,
    private readonly options: KubernetesInventorySourceOptions,
  ) {
    this.tracker = new InventorySyncTracker(
      RESOURCES,
      options.now ?? Date.now,
      options.random ?? Math.random,
      options.backoff,
    );
  }

  /** Loads the client and the kubeconfig; throws KubeConfigError when the kubeconfig is unusable. */
  static async create(
    logger: AgentLogger,
    options: KubernetesInventorySourceOptions = {},
  ): Promise<KubernetesInventorySource> {
    // Loaded here, not at the top: the client is large and only needed in this mode.
    const k8s = await import('@kubernetes/client-node');
    const config = loadKubeConfig(k8s, options.env ?? process.env);
    return new KubernetesInventorySource(k8s, config, logger, options);
  }

  /** Starts every list+watch and returns; the first inventory follows once all have synced. */
  async start(): Promise<void> {
    const { k8s, config } = this;
    const core = config.makeApiClient(k8s.CoreV1Api);
    const discovery = config.makeApiClient(k8s.DiscoveryV1Api);
    const podSelector = ENDPOINT_GROUP_LABELS[1];
    const sources: Record<
      ResourceName,
      { path: string; list: () => Promise<KubernetesListObject<KubernetesObject>>; labelSelector?: string }
    > = {
      namespaces: { path: '/api/v1/namespaces', list: () => core.listNamespace() },
      services: { path: '/api/v1/services', list: () => core.listServiceForAllNamespaces() },
      endpointslices: {
        path: '/apis/discovery.k8s.io/v1/endpointslices',
        list: () => discovery.listEndpointSliceForAllNamespaces(),
      },
      pods: {
        path: '/api/v1/pods',
        list: () => core.listPodForAllNamespaces({ labelSelector: podSelector }),
        labelSelector: podSelector,
      },
    };
    const watch = new k8s.Watch(config);
    for (const name of RESOURCES) {
      const source = sources[name];
      const cache = new k8s.ListWatch<KubernetesObject>(
        source.path,
        this.trackedWatch(name, watch),
        () => this.trackedList(name, source.list),
        false,
        source.labelSelector,
      );
      for (const event of ['add', 'update', 'delete'] as const) cache.on(event, () => this.scheduleRebuild());
      cache.on('error', (error: unknown) => this.failed(name, error));
      this.caches.set(name, cache);
    }
    this.logger.info({ server: config.getCurrentCluster()?.server }, 'watching the Kubernetes API');
    for (const name of RESOURCES) this.run(name);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.debounceTimer);
    for (const timer of this.retryTimers) clearTimeout(timer);
    await Promise.all([...this.caches.values()].map((cache) => cache.stop()));
  }

  current(): ClusterInventory | undefined {
    return this.inventory;
  }

  subscribe(listener: InventoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  syncState(): InventorySyncState {
    return this.tracker.condition;
  }

  subscribeSyncState(listener: InventorySyncListener): () => void {
    this.syncListeners.add(listener);
    return () => this.syncListeners.delete(listener);
  }

  /** (Re)starts one list+watch; a failure arrives through the cache's error event or the rejection. */
  private run(name: ResourceName): void {
    if (this.stopped) return;
    this.caches
      .get(name)
      ?.start()
      .catch((error: unknown) => this.failed(name, error));
  }

  /** A list that succeeds marks the resource synced; one that does not answer in time fails. */
  private async trackedList<T extends KubernetesObject>(
    name: ResourceName,
    list: () => Promise<KubernetesListObject<T>>,
  ): Promise<KubernetesListObject<T>> {
    const timeoutMs = this.options.listTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`the list did not answer within ${Math.round(timeoutMs / 1000)} s`);
        error.name = 'TimeoutError';
        reject(error);
      }, timeoutMs);
    });
    try {
      // A hung request is abandoned (the generated client takes no abort signal); the retry is a new one.
      const result = await Promise.race([list(), timeout]);
      this.succeeded(name);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The shared Watch, noting when a watch was accepted: a watch resumed from a known
   * resourceVersion (no list before it) is what proves a failed resource readable again. A watch
   * refused with an HTTP error calls `done` with it before `watch()` returns.
   */
  private trackedWatch(name: ResourceName, watch: Watch): Watch {
    const tracked = Object.create(watch) as Watch;
    tracked.watch = async (watchPath, query, callback, done) => {
      let refused = false;
      const controller = await watch.watch(watchPath, query, callback, (error: unknown) => {
        if (error) refused = true;
        done(error);
      });
      if (!refused && !this.stopped && this.tracker.phase(name) !== 'synced') this.succeeded(name);
      return controller;
    };
    return tracked;
  }

  private succeeded(name: ResourceName): void {
    if (this.tracker.succeeded(name)) this.syncChanged();
    if (this.tracker.ready) this.scheduleRebuild();
  }

  private failed(name: ResourceName, error: unknown): void {
    if (this.stopped) return;
    const failure = describeKubernetesFailure(error);
    const { retryInMs, changed } = this.tracker.failed(name, failure);
    this.logger.warn(
      { resource: name, reason: failure.reason, err: failure.message, retryInMs },
      'Kubernetes list/watch failed; keeping the last good inventory and retrying',
    );
    if (changed) this.syncChanged();
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.run(name);
    }, retryInMs);
    this.retryTimers.add(timer);
  }

  private syncChanged(): void {
    const state = this.tracker.condition;
    this.logger.info({ status: state.status, reason: state.reason }, `InventorySynced: ${state.message}`);
    for (const listener of this.syncListeners) listener(state);
  }

  private scheduleRebuild(): void {
    if (this.stopped) return;
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => this.rebuild(), this.options.debounceMs ?? 500);
  }

  /** Only once every resource has synced: a missing resource would read as an empty one. */
  private rebuild(): void {
    if (!this.tracker.ready) return;
    const list = <T>(name: ResourceName) => (this.caches.get(name)?.list() ?? []) as T[];
    const next = buildKubernetesInventory(
      list<NamespaceView>('namespaces'),
      list<ServiceView>('services'),
      list<EndpointSliceView>('endpointslices'),
      list<PodView>('pods'),
    );
    if (this.inventory && canonicalJson(this.inventory) === canonicalJson(next)) return;
    this.inventory = next;
    for (const listener of this.listeners) listener(next);
  }
}

/**
 * The kubeconfig the agent runs with, as kubectl and client-node find it: `KUBECONFIG`, else
 * `~/.kube/config`, else the pod's service account (in-cluster). Refuses, naming the cause, what
 * cannot work: an unreadable or unparsable file, no current context or cluster, a server that is
 * not a URL, or no credentials at all (client-node would otherwise fall back to
 * http://localhost:8080).
 */
export function loadKubeConfig(k8s: ClientModule, env: NodeJS.ProcessEnv): KubeConfig {
  const config = new k8s.KubeConfig();
  const home = env.HOME ?? homedir();
  const defaultFile = path.join(home, '.kube', 'config');
  let origin: string;
  if (env.KUBECONFIG) origin = `KUBECONFIG=${env.KUBECONFIG}`;
  else if (existsSync(defaultFile)) origin = defaultFile;
  else if (env.KUBERNETES_SERVICE_HOST) origin = 'the in-cluster service account';
  else
    throw new KubeConfigError(
      'no Kubernetes credentials: KUBECONFIG is not set, ~/.kube/config does not exist and the agent ' +
        'does not run in a pod (KUBERNETES_SERVICE_HOST is not set)',
    );
  try {
    if (origin === 'the in-cluster service account') config.loadFromCluster();
    else config.loadFromDefault();
  } catch (error) {
    throw new KubeConfigError(`cannot load the kubeconfig from ${origin}: ${errorMessage(error)}`);
  }
  const context = config.getCurrentContext();
  const cluster = config.getCurrentCluster();
  if (!cluster)
    throw new KubeConfigError(
      `the kubeconfig from ${origin} has no usable current context` +
        (context ? ` (current-context "${context}" names no cluster)` : ' (current-context is not set)'),
    );
  if (!URL.canParse(cluster.server) || !/^https?:$/.test(new URL(cluster.server).protocol))
    throw new KubeConfigError(
      `the kubeconfig from ${origin}: cluster "${cluster.name}" has server ${JSON.stringify(cluster.server)}, not an https:// URL`,
    );
  if (!config.getCurrentUser())
    throw new KubeConfigError(`the kubeconfig from ${origin}: context "${context}" names no user`);
  return config;
}
