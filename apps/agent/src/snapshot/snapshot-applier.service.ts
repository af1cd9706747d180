import { createHash } from 'node:crypto';
import {
  assembleDesiredState,
  canonicalJson,
  type DesiredClusterState,
  mergeResources,
  splitDesiredState,
} from '@lattice/domain';
import type { IntermediateKeys, KubeObject } from '@lattice/istio';
import {
  type AgentMessage,
  type DeltaSnapshot__Output,
  type HeldResource,
  SNAPSHOT_FORMAT,
  type Snapshot__Output,
} from '@lattice/proto';
import { type AgentLogger, errorMessage } from '../logger';
import { IntermediateKeyring } from '../pki/intermediate-keyring.service';
import type { ApplyOptions, ApplySink } from '../sink/apply-sink.port';
import type { AgentStateStorage, PersistedSnapshot } from '../state/agent-state.store';
import { parseDesiredClusterState } from './desired-state.schema';

/** Renders a desired state into Kubernetes objects; `renderClusterState` from @lattice/istio in production. */
export type ClusterStateRenderer = (
  state: DesiredClusterState,
  intermediateKeys: IntermediateKeys,
) => KubeObject[];

export interface IncomingSnapshot {
  version: number;
  format: string;
  payload: Uint8Array;
  checksum: string;
}

export type SnapshotOutcome =
  | { result: 'applied'; version: number }
  /** Same content as the applied snapshot: acknowledged without touching the cluster. */
  | { result: 'unchanged'; version: number }
  /** `retryable`: the snapshot itself is fine but the cluster refused it; it may succeed later. */
  | { result: 'rejected'; version: number; reason: string; retryable?: boolean };

/** What the agent tells the controller about a delivered snapshot. */
export type SnapshotAnswer =
  | { ack: NonNullable<AgentMessage['ack']>; nack?: undefined }
  | { nack: NonNullable<AgentMessage['nack']>; ack?: undefined };

/** What one delivery gave: the answer for the controller, and the snapshot to retry when worth it. */
export interface SnapshotDelivery {
  answer: SnapshotAnswer;
  /** Set when the snapshot was refused for a reason that may go away (the cluster refused it). */
  retry?: IncomingSnapshot;
}

/** What the sink was last asked to hold successfully: re-applied to roll back a failed apply. */
interface SinkWrite {
  objects: KubeObject[];
  options: ApplyOptions;
}

/** One resource of the applied state: its hash, and its content parsed (what assembly wires together). */
interface AppliedResource {
  hash: string;
  content: unknown;
}

/** The applied state's resources, for the payload whose checksum they were taken from. */
interface AppliedResources {
  checksum: string;
  byName: Map<string, AppliedResource>;
}

/** Longer rejection reasons are cut: the controller stores the reason with the cluster's status. */
export const MAX_NACK_REASON_LENGTH = 2000;

export interface SnapshotApplierDependencies {
  store: AgentStateStorage;
  sink: ApplySink;
  render: ClusterStateRenderer;
  logger: AgentLogger;
  /** The cluster this agent is; a snapshot for another cluster is refused. Undefined before registration. */
  clusterId: () => string | undefined;
  /** Clock for the age of intermediate keys; default Date.now. */
  now?: () => number;
  /** Where the intermediate keys come from and are pruned; default: a keyring on `store`. */
  intermediateKeys?: IntermediateKeyring;
}

/**
 * Verifies, renders, applies and persists config snapshots, one at a time. A snapshot that fails
 * at any step is rejected with a reason and the previously applied state stays in place.
 */
export class SnapshotApplier {
  private applied: PersistedSnapshot | undefined;
  /** The desired state of the applied snapshot, parsed (what the autoscaler runs from). */
  private appliedState: DesiredClusterState | undefined;
  private appliedWrite: SinkWrite | undefined;
  /** Resources of the applied snapshot; recomputed from its payload when its checksum changed. */
  private appliedResourceSet: AppliedResources | undefined;
  /** Set when the persisted snapshot could not be re-applied at start: the next delivery must apply it. */
  private appliedStateUncertain = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly intermediateKeys: IntermediateKeyring;

  constructor(private readonly deps: SnapshotApplierDependencies) {
    this.intermediateKeys =
      deps.intermediateKeys ??
      new IntermediateKeyring({ store: deps.store, logger: deps.logger, now: deps.now });
  }

  /** The desired state last applied (or restored at start); undefined before any. */
  get state(): DesiredClusterState | undefined {
    return this.appliedState;
  }

  /** Version of the applied snapshot, 0 when none. */
  get appliedVersion(): number {
    return this.applied?.version ?? 0;
  }

  /** Re-applies the persisted snapshot (disconnected start). Returns the restored version, 0 if none. */
  restore(): Promise<number> {
    return this.serialize(() => this.restoreNow());
  }

  apply(snapshot: IncomingSnapshot): Promise<SnapshotOutcome> {
    return this.serialize(() => this.applyNow(snapshot));
  }

  /**
   * Applies a snapshot as the controller sent it and says how it went: ACK when applied (or
   * already applied), NACK with the reason otherwise. Undefined for an empty message.
   */
  async answer(snapshot: Snapshot__Output | null | undefined): Promise<SnapshotAnswer | undefined> {
    return (await this.deliver(snapshot))?.answer;
  }

  /** answer(), plus the snapshot to retry when it was refused for a reason that may go away. */
  async deliver(snapshot: Snapshot__Output | null | undefined): Promise<SnapshotDelivery | undefined> {
    if (!snapshot) return undefined;
    const version = snapshot.version;
    if (!Number.isSafeInteger(version) || version < 0) {
      return { answer: { nack: { version: 0, reason: `invalid snapshot version ${String(version)}` } } };
    }
    const incoming: IncomingSnapshot = {
      version,
      format: snapshot.format,
      payload: snapshot.payload ?? Buffer.alloc(0),
      checksum: snapshot.checksum,
    };
    const outcome = await this.attempt(incoming);
    return {
      answer: answerFor(outcome),
      ...(outcome.result === 'rejected' && outcome.retryable ? { retry: incoming } : {}),
    };
  }

  /**
   * The resources of the applied snapshot (name and hash), for Hello: taken from the persisted
   * payload, so they are known after a restart too. Empty before any snapshot.
   */
  heldResources(): HeldResource[] {
    return [...this.appliedResources()].map(([name, { hash }]) => ({ name, hash }));
  }

  /**
   * Applies a DeltaSnapshot: its resources merged into (a copy of) the applied ones — or into
   * nothing for base version 0 —, assembled, checked against its state checksum and applied as its
   * version by the same path as a complete snapshot. ACK or NACK as for deliver(); undefined for an
   * empty message. The retry, when there is one, is the assembled snapshot.
   */
  async deliverDelta(delta: DeltaSnapshot__Output | null | undefined): Promise<SnapshotDelivery | undefined> {
    if (!delta) return undefined;
    const version = delta.version;
    if (!Number.isSafeInteger(version) || version < 0) {
      return { answer: { nack: { version: 0, reason: `invalid snapshot version ${String(version)}` } } };
    }
    let retry: IncomingSnapshot | undefined;
    const outcome = await this.serialize(async (): Promise<SnapshotOutcome> => {
      try {
        const assembled = this.assembleDelta(delta);
        if (typeof assembled === 'string') {
          this.deps.logger.warn({ version, reason: assembled }, 'delta snapshot rejected');
          return { result: 'rejected', version, reason: assembled };
        }
        retry = assembled.snapshot;
        // Its checksum was just computed from these very bytes, and they were made from this text.
        const applied = await this.applyNow(assembled.snapshot, assembled.text);
        if (applied.result !== 'rejected')
          this.appliedResourceSet = { checksum: assembled.snapshot.checksum, byName: assembled.resources };
        return applied;
      } catch (error) {
        return {
          result: 'rejected',
          version,
          reason: `unexpected error: ${errorMessage(error)}`,
          retryable: true,
        };
      }
    });
    return {
      answer: answerFor(outcome),
      ...(outcome.result === 'rejected' && outcome.retryable && retry ? { retry } : {}),
    };
  }

  /** The complete snapshot a delta describes with its resources, or the reason it is refused. */
  private assembleDelta(
    delta: DeltaSnapshot__Output,
  ): { snapshot: IncomingSnapshot; resources: Map<string, AppliedResource>; text: string } | string {
    const { version, baseVersion } = delta;
    if (delta.format !== SNAPSHOT_FORMAT)
      return `unknown snapshot format ${JSON.stringify(delta.format)} (this agent understands ${SNAPSHOT_FORMAT})`;
    if (!Number.isSafeInteger(baseVersion) || baseVersion < 0)
      return `invalid delta base version ${String(baseVersion)}`;
    if (baseVersion !== 0 && baseVersion !== this.appliedVersion)
      return `delta base ${baseVersion} does not match applied ${this.appliedVersion}`;
    const upserts: [string, AppliedResource][] = [];
    for (const resource of delta.resources ?? []) {
      const payload = resource.payload ?? Buffer.alloc(0);
      const hash = sha256Hex(payload);
      if (hash !== String(resource.hash).trim().toLowerCase())
        return `resource ${resource.name}: checksum mismatch: payload sha256 is ${hash}, resource says ${resource.hash}`;
      const text = decodeUtf8(payload);
      let content: unknown;
      try {
        content = JSON.parse(text ?? '');
      } catch {
        return `resource ${resource.name} is not valid UTF-8 JSON`;
      }
      upserts.push([resource.name, { hash, content }]);
    }
    const base = baseVersion === 0 ? new Map<string, AppliedResource>() : this.appliedResources();
    let resources: Map<string, AppliedResource>;
    let payload: string;
    try {
      resources = mergeResources(base, upserts, delta.removed ?? []);
      const state = assembleDesiredState(
        new Map([...resources].map(([name, resource]) => [name, resource.content])),
      );
      payload = canonicalJson(state);
    } catch (error) {
      return `delta ${version} cannot be assembled: ${errorMessage(error)}`;
    }
    const bytes = Buffer.from(payload, 'utf8');
    const checksum = sha256Hex(bytes);
    if (checksum !== String(delta.stateChecksum).trim().toLowerCase())
      return `assembled state checksum mismatch: sha256 is ${checksum}, delta says ${delta.stateChecksum}`;
    return {
      snapshot: { version, format: delta.format, payload: bytes, checksum },
      resources,
      text: payload,
    };
  }

  /** The applied snapshot's resources by name (split from its payload once per content). */
  private appliedResources(): Map<string, AppliedResource> {
    const applied = this.applied;
    if (!applied) return new Map();
    if (this.appliedResourceSet?.checksum !== applied.checksum) {
      let byName = new Map<string, AppliedResource>();
      try {
        const state = JSON.parse(applied.payload) as DesiredClusterState;
        byName = new Map(
          splitDesiredState(state).map((resource) => [
            resource.name,
            { hash: resource.hash, content: resource.content },
          ]),
        );
      } catch (error) {
        // Held as nothing: a delta based on it fails to assemble, and the controller resends all.
        this.deps.logger.warn(
          { err: errorMessage(error) },
          'cannot split the applied snapshot into resources',
        );
      }
      this.appliedResourceSet = { checksum: applied.checksum, byName };
    }
    return this.appliedResourceSet.byName;
  }

  /** apply(), with an unexpected error turned into a rejection. */
  async attempt(snapshot: IncomingSnapshot): Promise<SnapshotOutcome> {
    try {
      return await this.apply(snapshot);
    } catch (error) {
      const reason = `unexpected error: ${errorMessage(error)}`;
      return { result: 'rejected', version: snapshot.version, reason, retryable: true };
    }
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async restoreNow(): Promise<number> {
    const { logger } = this.deps;
    let persisted: PersistedSnapshot | undefined;
    try {
      persisted = await this.deps.store.readSnapshot();
    } catch (error) {
      logger.error(
        { err: errorMessage(error) },
        'cannot read the persisted snapshot; waiting for the controller',
      );
      return 0;
    }
    if (!persisted) {
      logger.info({}, 'no persisted snapshot; waiting for the controller');
      return 0;
    }
    const problem = verify(
      persisted.format,
      sha256Hex(Buffer.from(persisted.payload, 'utf8')),
      persisted.checksum,
    );
    if (problem) {
      logger.error(
        { version: persisted.version, reason: problem },
        'persisted snapshot is invalid; waiting for the controller',
      );
      return 0;
    }
    this.applied = persisted;
    try {
      this.appliedState = parseDesiredClusterState(persisted.payload);
    } catch {
      // renderPayload below reports it
    }
    try {
      const { state, objects } = await this.renderPayload(persisted.payload);
      const write: SinkWrite = { objects, options: applyOptionsOf(state) };
      await this.deps.sink.apply(write.objects, write.options);
      this.appliedWrite = write;
      logger.info(
        { version: persisted.version, objects: objects.length },
        're-applied the persisted snapshot',
      );
      // Keys left by a crash between persisting a snapshot and deleting what it replaced. Not the
      // keys of a GNS this old snapshot lacks: the controller may have signed one while we were down.
      await this.intermediateKeys.prune(state, 'restored');
    } catch (error) {
      // The cluster most likely still holds these objects from the last run; report the version
      // but re-apply when the controller delivers it again.
      this.appliedStateUncertain = true;
      logger.error(
        { version: persisted.version, err: errorMessage(error) },
        'could not re-apply the persisted snapshot',
      );
    }
    return persisted.version;
  }

  /** `verifiedText`: the payload as text when its checksum was verified already (an assembled delta). */
  private async applyNow(snapshot: IncomingSnapshot, verifiedText?: string): Promise<SnapshotOutcome> {
    const { logger } = this.deps;
    const version = snapshot.version;
    const reject = (reason: string, retryable = false): SnapshotOutcome => {
      logger.warn({ version, reason }, 'snapshot rejected');
      return { result: 'rejected', version, reason, ...(retryable ? { retryable } : {}) };
    };

    const checksum = verifiedText === undefined ? sha256Hex(snapshot.payload) : snapshot.checksum;
    const problem = verify(snapshot.format, checksum, snapshot.checksum);
    if (problem) return reject(problem);
    const payload = verifiedText ?? decodeUtf8(snapshot.payload);
    if (payload === undefined) return reject('payload is not valid UTF-8');

    const applied = this.applied;
    if (applied && applied.checksum === checksum && !this.appliedStateUncertain) {
      if (version > applied.version) await this.persistQuietly({ ...applied, version });
      return { result: 'unchanged', version };
    }
    if (applied && version <= applied.version) {
      // The controller is the source of truth; a version going backwards with new content means
      // its state was restored from a backup. Converge on it rather than ignoring it forever.
      logger.warn(
        { version, appliedVersion: applied.version },
        'snapshot version is not newer but its content differs; applying it',
      );
    }

    let state: DesiredClusterState;
    let objects: KubeObject[];
    try {
      ({ state, objects } = await this.renderPayload(payload));
    } catch (error) {
      return reject(errorMessage(error));
    }

    const write: SinkWrite = { objects, options: applyOptionsOf(state) };
    try {
      await this.deps.sink.apply(write.objects, write.options);
    } catch (error) {
      await this.rollBack(version);
      return reject(`apply failed: ${errorMessage(error)}`, true);
    }

    const persisted: PersistedSnapshot = { version, format: snapshot.format, checksum, payload };
    try {
      await this.deps.store.writeSnapshot(persisted);
    } catch (error) {
      // Without the local copy, a restart could not restore this state; undo and let the controller retry.
      await this.rollBack(version);
      return reject(`cannot persist the snapshot: ${errorMessage(error)}`, true);
    }
    this.applied = persisted;
    this.appliedState = state;
    this.appliedWrite = write;
    this.appliedStateUncertain = false;
    logger.info({ version, objects: objects.length }, 'snapshot applied');
    // Only now: until the new snapshot is persisted, a restart re-applies the previous one.
    await this.intermediateKeys.prune(state, 'delivered');
    return { result: 'applied', version };
  }

  /** Parses (once: the state is also what key pruning reads) and renders a payload. */
  private async renderPayload(
    payload: string,
  ): Promise<{ state: DesiredClusterState; objects: KubeObject[] }> {
    const state = parseDesiredClusterState(payload);
    const clusterId = this.deps.clusterId();
    if (clusterId !== undefined && state.clusterId !== clusterId) {
      throw new Error(`snapshot is for cluster ${state.clusterId}, this agent is cluster ${clusterId}`);
    }
    const keys = await this.intermediateKeys.keysFor(state);
    try {
      return { state, objects: this.deps.render(state, keys) };
    } catch (error) {
      throw new Error(`render failed: ${errorMessage(error)}`);
    }
  }

  private async rollBack(failedVersion: number): Promise<void> {
    if (!this.appliedWrite) return;
    try {
      await this.deps.sink.apply(this.appliedWrite.objects, this.appliedWrite.options);
    } catch (error) {
      this.appliedStateUncertain = true;
      this.deps.logger.error(
        { failedVersion, appliedVersion: this.appliedVersion, err: errorMessage(error) },
        'could not restore the previous state after a failed apply',
      );
    }
  }

  private async persistQuietly(snapshot: PersistedSnapshot): Promise<void> {
    try {
      await this.deps.store.writeSnapshot(snapshot);
      this.applied = snapshot;
    } catch (error) {
      this.deps.logger.warn(
        { version: snapshot.version, err: errorMessage(error) },
        'cannot record the new snapshot version',
      );
    }
  }
}

export function answerFor(outcome: SnapshotOutcome): SnapshotAnswer {
  if (outcome.result === 'rejected') {
    return { nack: { version: outcome.version, reason: outcome.reason.slice(0, MAX_NACK_REASON_LENGTH) } };
  }
  return { ack: { version: outcome.version } };
}

function applyOptionsOf(state: DesiredClusterState): ApplyOptions {
  return { takeOverMeshCa: state.takeOverMeshCa === true };
}

/** Format and checksum checks; returns the reason for refusing, or undefined. */
function verify(format: string, actual: string, checksum: string): string | undefined {
  if (format !== SNAPSHOT_FORMAT)
    return `unknown snapshot format ${JSON.stringify(format)} (this agent understands ${SNAPSHOT_FORMAT})`;
  if (actual !== checksum.trim().toLowerCase())
    return `checksum mismatch: payload sha256 is ${actual}, snapshot says ${checksum}`;
  return undefined;
}

export function sha256Hex(payload: Uint8Array): string {
  return createHash('sha256').update(payload).digest('hex');
}

function decodeUtf8(payload: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    return undefined;
  }
}
