import type { KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubeObject } from '@lattice/istio';
import { type AgentLogger, errorMessage } from '../logger';
import type { ApplyOptions, ApplySink } from './apply-sink.port';
import {
  chooseIstioApiVersions,
  type IstioApiVersions,
  servedApiVersion,
  withServedApiVersion,
} from './istio-api-versions.util';
import {
  type ExistingObject,
  ownershipSelector,
  withOwnership,
  writeDecision,
} from './kubernetes-ownership.util';
import {
  DEFAULT_MANAGED_KINDS,
  type KindRef,
  kindsToWatch,
  objectIdentity,
  planPrune,
} from './kubernetes-prune.util';

export const FIELD_MANAGER = 'lattice-agent';

export interface KubernetesSinkOptions {
  /** The agent's cluster id (labels its objects); undefined before registration. */
  clusterId: () => string | undefined;
  logger: AgentLogger;
  managedKinds?: readonly KindRef[];
  /** A kubeconfig file; default: the client's own lookup (KUBECONFIG, ~/.kube/config, in-cluster). */
  kubeconfigPath?: string;
}

interface KubeClients {
  objects: KubernetesObjectApi;
  /** GET /apis (APIGroupList: every group with its served and preferred versions). */
  apiGroups: () => Promise<{
    groups?: { name?: string; versions?: { version?: string }[]; preferredVersion?: { version?: string } }[];
  }>;
}

/**
 * Makes the cluster hold the rendered objects, touching only what Lattice owns:
 * 1. discovers which Istio API versions the cluster serves (GET /apis) and uses that version for
 *    every Istio object, to apply, list and delete alike;
 * 2. lists this agent's candidates per kind by label selector; a failed list (a 404 on a version
 *    discovery said is served included) fails the apply: "nothing listed" is never assumed;
 * 3. refuses, before writing anything, when a desired object's name is taken by an object Lattice
 *    does not own (labels and the owner annotation), except istiod's `cacerts` with the cluster's
 *    take-over option;
 * 4. server-side applies (field manager `lattice-agent`, forced: Lattice owns these fields);
 * 5. deletes owned objects no longer wanted (with a uid precondition), keeping taken-over ones.
 * The decisions are in the *.util.ts files next to this one; this class only talks to the API server.
 */
export class KubernetesSink implements ApplySink {
  private clients: KubeClients | undefined;

  constructor(private readonly options: KubernetesSinkOptions) {}

  async apply(objects: KubeObject[], options: ApplyOptions = {}): Promise<void> {
    const clusterId = this.options.clusterId();
    if (!clusterId) throw new Error('cluster id unknown: the agent is not registered yet');
    const { objects: api } = await this.client();
    const versions = await this.discoverIstioVersions();
    const rendered = objects.map((object) => withServedApiVersion(object, versions));

    const listed = await this.listCandidates(rendered, versions, clusterId);
    const byIdentity = new Map(listed.map((object) => [objectIdentity(object), object]));

    const refusals: string[] = [];
    const desired: KubeObject[] = [];
    for (const object of rendered) {
      const current = byIdentity.get(objectIdentity(object)) ?? (await this.read(api, object));
      const decision = writeDecision(object, current, clusterId, options.takeOverMeshCa === true);
      if (!decision.write) {
        refusals.push(decision.reason);
        continue;
      }
      if (decision.takingOver)
        this.options.logger.warn(
          { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name },
          'taking over an existing object Lattice did not create (the cluster was registered with takeOverMeshCa)',
        );
      desired.push(withOwnership(object, clusterId, decision.takenOver));
    }
    if (refusals.length > 0) {
      for (const reason of refusals)
        this.options.logger.warn({ reason }, 'not overwriting an object Lattice does not own');
      throw new Error(refusals.join('; '));
    }

    for (const object of desired) {
      try {
        await api.patch(object, undefined, undefined, FIELD_MANAGER, true, 'application/apply-patch+yaml');
      } catch (error) {
        throw new Error(`${describeObject(object)} (${object.apiVersion}): ${describeApiError(error)}`);
      }
    }

    const plan = planPrune(listed, desired, clusterId);
    for (const kept of plan.keep) {
      this.options.logger.info(
        { kind: kept.kind, namespace: kept.metadata?.namespace, name: kept.metadata?.name },
        'no longer wanted, but it existed before Lattice took it over: left in place',
      );
    }
    for (const stale of plan.remove) {
      try {
        await api.delete(
          {
            apiVersion: stale.apiVersion,
            kind: stale.kind,
            metadata: { name: stale.metadata?.name, namespace: stale.metadata?.namespace },
          },
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          // Deletes the very object that was listed as ours, not one re-created under its name since.
          stale.metadata?.uid ? { preconditions: { uid: stale.metadata.uid } } : undefined,
        );
        this.options.logger.info(
          { kind: stale.kind, namespace: stale.metadata?.namespace, name: stale.metadata?.name },
          'deleted an object no longer wanted',
        );
      } catch (error) {
        if (statusCode(error) !== 404)
          throw new Error(
            `deleting ${describeObject(stale)} (${stale.apiVersion}): ${describeApiError(error)}`,
          );
      }
    }
  }

  /** Which version of each Istio group to use, from the API server's discovery (fresh each apply). */
  private async discoverIstioVersions(): Promise<IstioApiVersions> {
    const { apiGroups } = await this.client();
    let groups;
    try {
      groups = (await apiGroups()).groups ?? [];
    } catch (error) {
      throw new Error(`API discovery (GET /apis) failed: ${describeApiError(error)}`);
    }
    return chooseIstioApiVersions(groups);
  }

  /**
   * Objects labelled as this agent's, per kind, at the served version. Kinds of an Istio group the
   * server does not serve are skipped (no such object can exist); every other failure throws.
   */
  private async listCandidates(
    desired: KubeObject[],
    versions: IstioApiVersions,
    clusterId: string,
  ): Promise<ExistingObject[]> {
    const { objects: api } = await this.client();
    const found: ExistingObject[] = [];
    for (const ref of kindsToWatch(desired, this.options.managedKinds ?? DEFAULT_MANAGED_KINDS)) {
      const apiVersion = servedApiVersion(ref.apiVersion, versions);
      if (apiVersion === undefined) continue;
      try {
        const list = await api.list(
          apiVersion,
          ref.kind,
          ref.namespace,
          undefined,
          undefined,
          undefined,
          undefined,
          ownershipSelector(clusterId),
        );
        // List items of built-in kinds carry no apiVersion/kind; the list request says what they are.
        found.push(...list.items.map((item) => ({ ...item, apiVersion, kind: ref.kind })));
      } catch (error) {
        throw new Error(
          `listing ${ref.kind} at ${apiVersion}${ref.namespace ? ` in ${ref.namespace}` : ''} to prune: ${describeApiError(error)}`,
        );
      }
    }
    return found;
  }

  /** The object of that name, whoever owns it; undefined when there is none. */
  private async read(api: KubernetesObjectApi, object: KubeObject): Promise<ExistingObject | undefined> {
    try {
      const current = await api.read({
        apiVersion: object.apiVersion,
        kind: object.kind,
        metadata: { name: object.metadata.name, namespace: object.metadata.namespace },
      });
      return { ...current, apiVersion: object.apiVersion, kind: object.kind };
    } catch (error) {
      if (statusCode(error) === 404 && !isDiscoveryError(error)) return undefined;
      throw new Error(`reading ${describeObject(object)} (${object.apiVersion}): ${describeApiError(error)}`);
    }
  }

  private async client(): Promise<KubeClients> {
    if (!this.clients) {
      // Loaded on first use: the client is large and only needed in this mode.
      const k8s = await import('@kubernetes/client-node');
      const config = new k8s.KubeConfig();
      if (this.options.kubeconfigPath) config.loadFromFile(this.options.kubeconfigPath);
      else config.loadFromDefault();
      const apis = config.makeApiClient(k8s.ApisApi);
      this.clients = {
        objects: k8s.KubernetesObjectApi.makeApiClient(config),
        apiGroups: () => apis.getAPIVersions(),
      };
    }
    return this.clients;
  }
}

function describeObject(object: ExistingObject): string {
  const namespace = object.metadata?.namespace;
  return `${object.kind ?? '?'} ${namespace ? `${namespace}/` : ''}${object.metadata?.name ?? '?'}`;
}

function statusCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'number' ? error.code : undefined;
}

/**
 * The client resolves a kind's resource through GET /apis/<group>/<version> first: a 404 there
 * means the version is not served, not that the object is absent.
 */
function isDiscoveryError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('Failed to fetch resource metadata');
}

function describeApiError(error: unknown): string {
  const code = statusCode(error);
  if (typeof error === 'object' && error !== null && 'body' in error) {
    const message = statusMessage(error.body);
    if (message) return `${code ?? ''} ${message}`.trim();
  }
  return errorMessage(error);
}

/** The `message` of a Kubernetes Status body (object or JSON text), else the text itself. */
function statusMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body)) ?? body;
    } catch {
      return body || undefined;
    }
  }
  if (typeof body === 'object' && body !== null && 'message' in body) return String(body.message);
  return undefined;
}
