/**
 * Storage with etcd's observable semantics ("Resource versions", "Efficient detection of changes"
 * in the API concepts): one global, monotonically increasing revision; every write gets the next
 * one; a bounded window of past changes serves watches and exact-revision lists, and anything older
 * than the window is "compacted" (410 Gone).
 */
import { errors } from './errors';
import { clone, type KubeObject } from './util';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  rv: number;
  type: EventType;
  gr: string;
  key: string;
  object: KubeObject;
  prev?: KubeObject;
}

export interface Watcher {
  gr: string;
  namespace?: string;
  /** Whether an object passes the watcher's label and field selectors. */
  matches: (object: KubeObject) => boolean;
  send: (type: EventType, object: KubeObject) => void;
  /** Closes the stream; with `expired`, after an ERROR event carrying 410 Gone. */
  close: (expired?: boolean) => void;
  bookmark: (rv: number) => void;
  /** Stops all output on the stream for good, without ending it. */
  stall: () => void;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class Store {
  private revision: number;
  private readonly data = new Map<string, Map<string, KubeObject>>();
  private history: StoredEvent[] = [];
  /** Every change with rv <= compactedRv is gone from the window. */
  private compactedRv: number;
  readonly watchers = new Set<Watcher>();

  constructor(
    private readonly historyLimit: number,
    initialRevision = 1000,
  ) {
    this.revision = initialRevision;
    this.compactedRv = initialRevision;
  }

  get currentRv(): number {
    return this.revision;
  }

  get oldestRv(): number {
    return this.compactedRv;
  }

  private bucket(gr: string): Map<string, KubeObject> {
    let bucket = this.data.get(gr);
    if (!bucket) this.data.set(gr, (bucket = new Map()));
    return bucket;
  }

  get(gr: string, key: string): KubeObject | undefined {
    const object = this.data.get(gr)?.get(key);
    return object ? clone(object) : undefined;
  }

  /** Current objects of a resource (optionally one namespace), sorted by namespace/name like etcd keys. */
  list(gr: string, namespace?: string): Array<{ key: string; object: KubeObject }> {
    return [...this.bucket(gr).entries()]
      .filter(([key]) => namespace === undefined || key.startsWith(`${namespace}/`))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, object]) => ({ key, object: clone(object) }));
  }

  /** The objects as they were at revision `rv`, rebuilt by undoing the newer changes of the window. */
  listAt(gr: string, namespace: string | undefined, rv: number): Array<{ key: string; object: KubeObject }> {
    if (rv < this.compactedRv) throw errors.gone(`The resourceVersion for the provided list is too old.`);
    const state = new Map(this.list(gr).map(({ key, object }) => [key, object]));
    for (let i = this.history.length - 1; i >= 0 && this.history[i]!.rv > rv; i--) {
      const event = this.history[i]!;
      if (event.gr !== gr) continue;
      if (event.type === 'ADDED') state.delete(event.key);
      else state.set(event.key, clone(event.prev!));
    }
    return [...state.entries()]
      .filter(([key]) => namespace === undefined || key.startsWith(`${namespace}/`))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, object]) => ({ key, object }));
  }

  /** Writes (or deletes) an object at the next revision and notifies watchers. Returns the stored object. */
  commit(gr: string, type: EventType, key: string, object: KubeObject): KubeObject {
    const bucket = this.bucket(gr);
    const prev = bucket.get(key);
    const rv = ++this.revision;
    const stored = clone(object);
    stored.metadata = { ...(stored.metadata ?? {}), resourceVersion: String(rv) };
    if (type === 'DELETED') bucket.delete(key);
    else bucket.set(key, stored);
    const event: StoredEvent = { rv, type, gr, key, object: stored, ...(prev ? { prev } : {}) };
    this.history.push(event);
    while (this.history.length > this.historyLimit) this.compactedRv = this.history.shift()!.rv;
    for (const watcher of [...this.watchers]) this.deliver(watcher, event);
    return clone(stored);
  }

  /**
   * What one watcher sees of a change, after its selectors ("Watch" in the API concepts; an object
   * that stops matching is reported DELETED, one that starts matching ADDED).
   */
  private deliver(watcher: Watcher, event: StoredEvent): void {
    if (watcher.gr !== event.gr) return;
    if (watcher.namespace !== undefined && !event.key.startsWith(`${watcher.namespace}/`)) return;
    const now = event.type !== 'DELETED' && watcher.matches(event.object);
    const before = event.prev !== undefined && watcher.matches(event.prev);
    if (event.type === 'DELETED') {
      if (before) watcher.send('DELETED', clone(event.object));
    } else if (now && before) watcher.send('MODIFIED', clone(event.object));
    else if (now) watcher.send('ADDED', clone(event.object));
    else if (before) {
      const gone = clone(event.prev!);
      gone.metadata = { ...(gone.metadata ?? {}), resourceVersion: String(event.rv) };
      watcher.send('DELETED', gone);
    }
  }

  /**
   * Starts a watch after revision `fromRv` (replaying the window) or, with `fromRv` undefined,
   * from now. Throws 410 Gone when the window no longer reaches back to `fromRv`.
   */
  watch(watcher: Watcher, fromRv: number | undefined): void {
    if (fromRv !== undefined) {
      if (fromRv < this.compactedRv) {
        throw errors.gone(`too old resource version: ${fromRv} (${this.compactedRv + 1})`);
      }
      for (const event of this.history) if (event.rv > fromRv) this.deliver(watcher, event);
    }
    this.watchers.add(watcher);
  }

  unwatch(watcher: Watcher): void {
    this.watchers.delete(watcher);
  }

  /** Drops the whole change window, like an etcd compaction at the current revision. */
  compact(): void {
    this.history = [];
    this.compactedRv = this.revision;
  }
}
