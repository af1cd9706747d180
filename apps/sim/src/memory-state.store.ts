import type {
  AgentCredentials,
  AgentStateStorage,
  PersistedSnapshot,
  StoredIntermediateKey,
} from '@lattice/agent';

export interface AppliedVersion {
  version: number;
  /** Date.now() when the agent had applied it (just before it sends the ACK). */
  atMs: number;
}

/**
 * An agent's state kept in memory (nothing on disk, so a thousand agents cost no file handles or
 * I/O) that also records every applied version with its time: the agent persists a snapshot
 * right after its sink applied it and before it ACKs.
 */
export class MemoryStateStore implements AgentStateStorage {
  readonly applied: AppliedVersion[] = [];
  private credentials: AgentCredentials | undefined;
  private snapshot: PersistedSnapshot | undefined;
  private readonly intermediateKeys = new Map<string, StoredIntermediateKey>();
  private keySequence = 0;
  private readonly listeners = new Set<(applied: AppliedVersion) => void>();

  constructor(
    readonly directory: string,
    private readonly now: () => number = Date.now,
    /** How many applied versions to remember (the oldest are dropped). */
    private readonly historyLimit = 1000,
  ) {}

  async ensureDirectory(): Promise<void> {}

  async readCredentials(): Promise<AgentCredentials | undefined> {
    return this.credentials;
  }

  async writeCredentials(credentials: AgentCredentials): Promise<void> {
    this.credentials = credentials;
  }

  async readSnapshot(): Promise<PersistedSnapshot | undefined> {
    return this.snapshot;
  }

  async writeSnapshot(snapshot: PersistedSnapshot): Promise<void> {
    const changed = this.snapshot?.version !== snapshot.version;
    this.snapshot = snapshot;
    if (!changed) return;
    const applied = { version: snapshot.version, atMs: this.now() };
    this.applied.push(applied);
    if (this.applied.length > this.historyLimit) this.applied.shift();
    for (const listener of this.listeners) listener(applied);
  }

  async writeIntermediateKey(
    gnsId: string,
    rootGeneration: number,
    keyPem: string,
    createdAtMs: number = this.now(),
  ): Promise<string> {
    this.keySequence += 1;
    const id = `${gnsId}-${rootGeneration}-${createdAtMs}-${String(this.keySequence).padStart(8, '0')}`;
    this.intermediateKeys.set(id, { gnsId, rootGeneration, keyPem, id, createdAtMs });
    return `${this.directory}/intermediates/${id}`;
  }

  async listIntermediateKeys(): Promise<StoredIntermediateKey[]> {
    return [...this.intermediateKeys.values()].sort(
      (a, b) =>
        a.gnsId.localeCompare(b.gnsId) ||
        a.rootGeneration - b.rootGeneration ||
        a.createdAtMs - b.createdAtMs ||
        a.id.localeCompare(b.id),
    );
  }

  async deleteIntermediateKey(id: string): Promise<void> {
    this.intermediateKeys.delete(id);
  }

  /** The version of the last applied snapshot (0 before any). */
  get appliedVersion(): number {
    return this.snapshot?.version ?? 0;
  }

  /** The payload of the last applied snapshot (UTF-8 JSON of the desired cluster state). */
  get appliedPayload(): string | undefined {
    return this.snapshot?.payload;
  }

  onApplied(listener: (applied: AppliedVersion) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
