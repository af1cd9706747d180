// Test doubles shared by the agent's specs.
import type { DesiredClusterState } from '@lattice/domain';
import type { IntermediateKeys, KubeObject } from '@lattice/istio';
import { SNAPSHOT_FORMAT } from '@lattice/proto';
import type {
  ClusterInventory,
  InventoryListener,
  InventorySource,
} from '../inventory/inventory-source.port';
import type { AgentLogger } from '../logger';
import type { ApplyOptions, ApplySink } from '../sink/apply-sink.port';
import { type IncomingSnapshot, sha256Hex } from '../snapshot/snapshot-applier.service';

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: object;
}

export class RecordingLogger implements AgentLogger {
  constructor(readonly records: LogRecord[] = []) {}
  debug(fields: object, message: string): void {
    this.records.push({ level: 'debug', message, fields });
  }
  info(fields: object, message: string): void {
    this.records.push({ level: 'info', message, fields });
  }
  warn(fields: object, message: string): void {
    this.records.push({ level: 'warn', message, fields });
  }
  error(fields: object, message: string): void {
    this.records.push({ level: 'error', message, fields });
  }
  child(): AgentLogger {
    return this;
  }
  messages(level: LogRecord['level']): string[] {
    return this.records.filter((record) => record.level === level).map((record) => record.message);
  }
}

/** Remembers every apply; fails the next applies when told to, or every apply while `brokenWith` is set. */
export class RecordingSink implements ApplySink {
  readonly applied: KubeObject[][] = [];
  readonly options: (ApplyOptions | undefined)[] = [];
  failuresToInject: string[] = [];
  brokenWith: string | undefined;
  attempts = 0;

  async apply(objects: KubeObject[], options?: ApplyOptions): Promise<void> {
    this.attempts += 1;
    const failure = this.failuresToInject.shift() ?? this.brokenWith;
    if (failure) throw new Error(failure);
    this.applied.push(objects);
    this.options.push(options);
  }

  get current(): KubeObject[] | undefined {
    return this.applied.at(-1);
  }
}

/** One ConfigMap per GNS; records the intermediate keys it was given. */
export function fakeRenderer(
  seenKeys: IntermediateKeys[] = [],
): (state: DesiredClusterState, keys: IntermediateKeys) => KubeObject[] {
  return (state, keys) => {
    seenKeys.push(keys);
    return state.globalNamespaces.map((gns) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `gns-${gns.name}`, namespace: 'istio-system' },
      data: { domain: gns.domain },
    }));
  };
}

export function desiredState(clusterId: string, domains: Record<string, string>): DesiredClusterState {
  return {
    clusterId,
    clusterName: 'cluster-a',
    globalNamespaces: Object.entries(domains).map(([name, domain]) => ({
      id: `gns-${name}`,
      name,
      domain,
      mtlsMode: 'STRICT',
      localNamespaces: ['shop'],
      services: [],
    })),
  };
}

export function snapshotOf(version: number, state: DesiredClusterState): IncomingSnapshot {
  const payload = Buffer.from(JSON.stringify(state), 'utf8');
  return { version, format: SNAPSHOT_FORMAT, payload, checksum: sha256Hex(payload) };
}

export class StaticInventorySource implements InventorySource {
  private readonly listeners = new Set<InventoryListener>();

  constructor(private inventory: ClusterInventory | undefined) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  current(): ClusterInventory | undefined {
    return this.inventory;
  }
  subscribe(listener: InventoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(inventory: ClusterInventory): void {
    this.inventory = inventory;
    for (const listener of this.listeners) listener(inventory);
  }
}
