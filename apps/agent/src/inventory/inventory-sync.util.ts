import { type BackoffPolicy, fullJitterDelayMs } from '../connection/reconnect-backoff.util';
import type { InventorySyncState } from './inventory-source.port';

/**
 * The sync state of a Kubernetes inventory: one entry per watched resource (namespaces, services,
 * EndpointSlices, pods). Pure: the source feeds it list/watch outcomes and asks it what to do.
 *
 * - A resource is `synced` once a list succeeded (or a watch resumed from a known resourceVersion
 *   was accepted), `failing` after a list/watch error until the next success, `pending` before its
 *   first attempt ends.
 * - The inventory may be reported once every resource has synced at least once (`ready`); a later
 *   failure never empties a resource's cache (the informer keeps its objects until a relist
 *   succeeds), so what is reported stays the last good inventory.
 * - Retries wait a full-jitter exponential backoff per resource, reset by a success.
 * - The InventorySynced condition: True when every resource is synced, False with the first
 *   failing resource's reason while any fails, Unknown while the first sync is under way.
 */
export type SyncPhase = 'pending' | 'synced' | 'failing';

/** A list/watch error as the condition shows it: a CamelCase reason and a message. */
export interface SyncFailure {
  reason: string;
  message: string;
}

interface ResourceState {
  phase: SyncPhase;
  everSynced: boolean;
  failedAttempts: number;
  failure?: SyncFailure;
}

export const DEFAULT_SYNC_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 30_000, resetAfterMs: 0 };

export class InventorySyncTracker {
  private readonly resources = new Map<string, ResourceState>();
  private state: InventorySyncState;

  constructor(
    resourceNames: readonly string[],
    private readonly now: () => number,
    private readonly random: () => number = Math.random,
    private readonly backoff: BackoffPolicy = DEFAULT_SYNC_BACKOFF,
  ) {
    for (const name of resourceNames)
      this.resources.set(name, { phase: 'pending', everSynced: false, failedAttempts: 0 });
    this.state = this.compute(now());
  }

  /** Every resource has synced at least once: the inventory built from the caches is complete. */
  get ready(): boolean {
    return [...this.resources.values()].every((resource) => resource.everSynced);
  }

  phase(resource: string): SyncPhase {
    return this.get(resource).phase;
  }

  /** The InventorySynced condition now; lastTransitionMs moves only when the status changes. */
  get condition(): InventorySyncState {
    return this.state;
  }

  /** A list (or a resumed watch) of `resource` succeeded. Returns whether the condition changed. */
  succeeded(resource: string): boolean {
    const state = this.get(resource);
    state.phase = 'synced';
    state.everSynced = true;
    state.failedAttempts = 0;
    state.failure = undefined;
    return this.update();
  }

  /**
   * A list/watch of `resource` failed: returns how long to wait before retrying it (full jitter,
   * growing with consecutive failures, capped) and whether the condition changed.
   */
  failed(resource: string, failure: SyncFailure): { retryInMs: number; changed: boolean } {
    const state = this.get(resource);
    state.phase = 'failing';
    state.failure = failure;
    const retryInMs = fullJitterDelayMs(state.failedAttempts, this.backoff, this.random);
    state.failedAttempts += 1;
    return { retryInMs, changed: this.update() };
  }

  private get(resource: string): ResourceState {
    const state = this.resources.get(resource);
    if (!state) throw new Error(`unknown inventory resource ${resource}`);
    return state;
  }

  private update(): boolean {
    const next = this.compute(this.now());
    const previous = this.state;
    if (
      next.status === previous.status &&
      next.reason === previous.reason &&
      next.message === previous.message
    )
      return false;
    this.state =
      next.status === previous.status ? { ...next, lastTransitionMs: previous.lastTransitionMs } : next;
    return true;
  }

  private compute(now: number): InventorySyncState {
    const entries = [...this.resources.entries()];
    const failing = entries.filter(([, state]) => state.phase === 'failing');
    const first = failing[0];
    if (first) {
      const [name, state] = first;
      const others =
        failing.length > 1
          ? ` (and ${failing
              .slice(1)
              .map(([n]) => n)
              .join(', ')})`
          : '';
      const kept = this.ready
        ? 'the last good inventory is kept'
        : 'no inventory is reported until every resource was read once';
      return {
        status: 'False',
        reason: state.failure?.reason ?? 'ListWatchFailed',
        message: `${name}${others}: ${state.failure?.message ?? 'failed'}; retrying with backoff, ${kept}`,
        lastTransitionMs: now,
      };
    }
    const pending = entries.filter(([, state]) => state.phase === 'pending').map(([name]) => name);
    if (pending.length > 0)
      return {
        status: 'Unknown',
        reason: 'Syncing',
        message: `waiting for the first list of ${pending.join(', ')}`,
        lastTransitionMs: now,
      };
    return {
      status: 'True',
      reason: 'Synced',
      message: `listed and watching ${entries.map(([name]) => name).join(', ')}`,
      lastTransitionMs: now,
    };
  }
}

/**
 * A failed Kubernetes request as a condition reason and message. Reads the API's `Status` body
 * when there is one (its `message` names the resource and the refused user), the HTTP status code
 * (`code` of the client's ApiException, `statusCode` of a failed watch) and Node's network errors.
 */
export function describeKubernetesFailure(error: unknown): SyncFailure {
  const value = (error ?? {}) as {
    code?: unknown;
    statusCode?: unknown;
    body?: unknown;
    name?: unknown;
    message?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  const httpStatus =
    typeof value.statusCode === 'number' ? value.statusCode : typeof value.code === 'number' ? value.code : 0;
  const statusMessage = apiStatusMessage(value.body);
  const networkCode =
    typeof value.code === 'string'
      ? value.code
      : typeof value.cause?.code === 'string'
        ? value.cause.code
        : '';
  const text = String(value.message ?? error ?? 'unknown error').split('\n')[0] ?? '';
  // A refused watch has no body: its HTTP status line is all there is.
  const message = (statusMessage ?? (httpStatus ? `${httpStatus} ${text}` : text)).slice(0, 500);
  if (httpStatus === 401)
    return {
      reason: 'Unauthorized',
      message: statusMessage ?? 'the API server refused the credentials (401)',
    };
  if (httpStatus === 403) return { reason: 'Forbidden', message };
  if (httpStatus === 404)
    return { reason: 'NotFound', message: `the API server does not serve it (404): ${message}` };
  if (httpStatus === 410) return { reason: 'Expired', message };
  if (httpStatus === 429) return { reason: 'TooManyRequests', message };
  if (
    httpStatus === 504 ||
    value.name === 'TimeoutError' ||
    networkCode === 'ETIMEDOUT' ||
    networkCode === 'UND_ERR_HEADERS_TIMEOUT'
  )
    return {
      reason: 'Timeout',
      message: httpStatus ? message : `no answer from the API server in time: ${text}`,
    };
  if (httpStatus >= 500)
    return { reason: 'ServerError', message: statusMessage ? `${httpStatus}: ${statusMessage}` : message };
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'UND_ERR_SOCKET'].includes(
      networkCode,
    )
  )
    return {
      reason: 'Unreachable',
      message: `cannot reach the API server (${networkCode}): ${String(value.cause?.message ?? text)}`,
    };
  if (
    /certificate|self[- ]signed|TLS|SSL/i.test(`${networkCode} ${text} ${String(value.cause?.message ?? '')}`)
  )
    return { reason: 'TLSError', message: String(value.cause?.message ?? text) };
  return { reason: 'ListWatchFailed', message };
}

function apiStatusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim() ? body.slice(0, 500) : undefined;
    }
  }
  const message = (parsed as { kind?: unknown; message?: unknown } | null)?.message;
  return typeof message === 'string' && message ? message : undefined;
}
