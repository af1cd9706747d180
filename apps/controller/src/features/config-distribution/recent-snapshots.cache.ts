import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { snapshotCaSummary, type SnapshotCaSummary } from '@lattice/domain';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import type { SnapshotResource, StoredSnapshot } from './config-distribution.types';
import { splitSnapshotPayload } from './snapshot-resources.util';

interface CachedSnapshot extends StoredSnapshot {
  tenantId: string;
}

/**
 * The newest snapshot this replica stored, per cluster, so that pushing an announced version does
 * not read its payload back from PostgreSQL (one read per agent per change was the largest cost of
 * a fleet-wide change, see BENCHMARKS.md). Only an exact version is served: a version's payload
 * never changes once stored, so a hit is always what the database holds. Anything else (another
 * replica's recomputation, an agent connecting, an evicted entry) falls back to the database.
 * Bounded by payload bytes (`LATTICE_SNAPSHOT_CACHE_MB`, 0 turns it off), least recently used out.
 */
@Injectable()
export class RecentSnapshotsCache {
  private readonly entries: LRUCache<string, CachedSnapshot> | undefined;
  /**
   * Split resources by payload: a payload held here (or by a stream's pending push) is split once
   * however many times it is pushed (reconnects, a resend after a NACK); gone with its payload.
   * Not counted in the size bound: a split payload takes about as much again.
   */
  private readonly resources = new WeakMap<Buffer, SnapshotResource[]>();
  /** The CA part of a payload (for the rotation gate of each stream it is sent on), likewise. */
  private readonly caSummaries = new WeakMap<Buffer, SnapshotCaSummary>();

  constructor(@Inject(RUNTIME_CONFIG) config: RuntimeConfig) {
    const maxSize = config.env.LATTICE_SNAPSHOT_CACHE_MB * 1024 * 1024;
    this.entries =
      maxSize > 0
        ? new LRUCache<string, CachedSnapshot>({
            maxSize,
            sizeCalculation: (entry) => Math.max(1, entry.payload.length),
          })
        : undefined;
  }

  /** `derived`: what the caller already knows of the payload (a recomputation has its state). */
  remember(
    tenantId: string,
    clusterId: string,
    snapshot: StoredSnapshot,
    derived?: { resources: SnapshotResource[]; caSummary: SnapshotCaSummary },
  ): void {
    if (derived) {
      this.resources.set(snapshot.payload, derived.resources);
      this.caSummaries.set(snapshot.payload, derived.caSummary);
    }
    const cached = this.entries?.get(clusterId);
    // Stores of one tenant never overlap (the scheduler's deduplication), but never step back anyway.
    if (cached && cached.tenantId === tenantId && cached.version > snapshot.version) return;
    this.entries?.set(clusterId, { tenantId, ...snapshot });
  }

  /** The resources of a snapshot (for a DeltaSnapshot), split at most once per payload. */
  resourcesOf(snapshot: StoredSnapshot): SnapshotResource[] {
    let resources = this.resources.get(snapshot.payload);
    if (!resources) {
      resources = splitSnapshotPayload(snapshot.payload);
      this.resources.set(snapshot.payload, resources);
    }
    return resources;
  }

  /** The CA part of a snapshot (for the rotation gate), read from the payload at most once. */
  caSummaryOf(snapshot: StoredSnapshot): SnapshotCaSummary {
    let summary = this.caSummaries.get(snapshot.payload);
    if (!summary) {
      summary = snapshotCaSummary(snapshot.payload);
      this.caSummaries.set(snapshot.payload, summary);
    }
    return summary;
  }

  /** The cluster's snapshot of exactly `version`, when this replica still holds it. */
  get(tenantId: string, clusterId: string, version: number): StoredSnapshot | undefined {
    const cached = this.entries?.get(clusterId);
    if (!cached || cached.tenantId !== tenantId || cached.version !== version) return undefined;
    return { version: cached.version, payload: cached.payload, hash: cached.hash };
  }
}
