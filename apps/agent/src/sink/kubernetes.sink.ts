import type { KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubeObject } from '@lattice/istio';
import { type AgentLogger, errorMessage } from '../logger';
import type { ApplySink } from './apply-sink.port';
import {
  DEFAULT_MANAGED_KINDS,
  type ExistingObject,
  type KindRef,
  kindsToWatch,
  objectsToPrune,
  ownershipSelector,
  withOwnershipLabels,
} from './kubernetes-prune.util';

export const FIELD_MANAGER = 'lattice-agent';

export interface KubernetesSinkOptions {
  /** The agent's cluster id (labels its objects); undefined before registration. */
  clusterId: () => string | undefined;
  logger: AgentLogger;
  managedKinds?: readonly KindRef[];
}

/**
 * Server-side apply of the rendered objects (field manager `lattice-agent`, forced: Lattice owns
 * these fields), then deletes objects labelled as this agent's that are no longer wanted. The
 * decisions are in kubernetes-prune.util.ts; this class only talks to the API server.
 */
export class KubernetesSink implements ApplySink {
  private api: KubernetesObjectApi | undefined;

  constructor(private readonly options: KubernetesSinkOptions) {}

  async apply(objects: KubeObject[]): Promise<void> {
    const clusterId = this.options.clusterId();
    if (!clusterId) throw new Error('cluster id unknown: the agent is not registered yet');
    const api = await this.client();
    const desired = objects.map((object) => withOwnershipLabels(object, clusterId));

    for (const object of desired) {
      try {
        await api.patch(object, undefined, undefined, FIELD_MANAGER, true, 'application/apply-patch+yaml');
      } catch (error) {
        throw new Error(
          `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}: ${describeApiError(error)}`,
        );
      }
    }

    const existing: ExistingObject[] = [];
    for (const kind of kindsToWatch(desired, this.options.managedKinds ?? DEFAULT_MANAGED_KINDS)) {
      try {
        const list = await api.list(
          kind.apiVersion,
          kind.kind,
          kind.namespace,
          undefined,
          undefined,
          undefined,
          undefined,
          ownershipSelector(clusterId),
        );
        // List items carry no apiVersion/kind; the list request says what they are.
        existing.push(
          ...list.items.map((item) => ({ ...item, apiVersion: kind.apiVersion, kind: kind.kind })),
        );
      } catch (error) {
        // A kind whose CRD is not installed has nothing to prune.
        if (statusCode(error) === 404) continue;
        throw new Error(`listing ${kind.kind}: ${describeApiError(error)}`);
      }
    }
    for (const stale of objectsToPrune(existing, desired, clusterId)) {
      try {
        await api.delete({
          apiVersion: stale.apiVersion,
          kind: stale.kind,
          metadata: { name: stale.metadata?.name, namespace: stale.metadata?.namespace },
        });
        this.options.logger.info(
          { kind: stale.kind, namespace: stale.metadata?.namespace, name: stale.metadata?.name },
          'deleted an object no longer wanted',
        );
      } catch (error) {
        if (statusCode(error) !== 404)
          throw new Error(`deleting ${stale.kind} ${stale.metadata?.name}: ${describeApiError(error)}`);
      }
    }
  }

  private async client(): Promise<KubernetesObjectApi> {
    if (!this.api) {
      // Loaded on first use: the client is large and only needed in this mode.
      const k8s = await import('@kubernetes/client-node');
      const config = new k8s.KubeConfig();
      config.loadFromDefault();
      this.api = k8s.KubernetesObjectApi.makeApiClient(config);
    }
    return this.api;
  }
}

function statusCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'number' ? error.code : undefined;
}

function describeApiError(error: unknown): string {
  const code = statusCode(error);
  if (typeof error === 'object' && error !== null && 'body' in error) {
    const body = error.body;
    const message =
      typeof body === 'string'
        ? body
        : typeof body === 'object' && body !== null && 'message' in body
          ? String(body.message)
          : undefined;
    if (message) return `${code ?? ''} ${message}`.trim();
  }
  return errorMessage(error);
}
