import { snapshotCaSummary } from '@lattice/domain';
import { parseControllerEnv } from '../../platform/config/controller-env.util';
import type { RuntimeConfig } from '../../platform/config/runtime-config.types';
import type { StoredSnapshot } from './config-distribution.types';
import { RecentSnapshotsCache } from './recent-snapshots.cache';

const TENANT = '00000000-0000-4000-8000-000000000001';
const OTHER_TENANT = '00000000-0000-4000-8000-000000000002';

function cacheOf(megabytes: string): RecentSnapshotsCache {
  const env = parseControllerEnv({ LATTICE_SNAPSHOT_CACHE_MB: megabytes });
  return new RecentSnapshotsCache({ env } as RuntimeConfig);
}

function snapshot(version: number, bytes = 16): StoredSnapshot {
  return { version, hash: `hash-${version}`, payload: Buffer.alloc(bytes, version) };
}

describe('RecentSnapshotsCache', () => {
  it('splits a payload into its resources once, however often it is pushed', () => {
    const cache = cacheOf('1');
    const state = { clusterId: 'c-1', clusterName: 'one', globalNamespaces: [] };
    const stored = { version: 1, hash: 'h', payload: Buffer.from(JSON.stringify(state)) };
    const resources = cache.resourcesOf(stored);
    expect(resources.map((resource) => resource.name)).toEqual(['cluster']);
    expect(JSON.parse(resources[0]!.payload.toString())).toEqual({
      clusterId: 'c-1',
      clusterName: 'one',
      globalNamespaceResources: [],
    });
    expect(cache.resourcesOf({ ...stored })).toBe(resources);
  });

  it('reads the CA part of a payload once, or takes what a recomputation derived', () => {
    const cache = cacheOf('1');
    const state = { clusterId: 'c-1', clusterName: 'one', globalNamespaces: [{ id: 'g-1' }] };
    const stored = { version: 1, hash: 'h', payload: Buffer.from(JSON.stringify(state)) };
    const summary = cache.caSummaryOf(stored);
    expect(summary).toEqual(snapshotCaSummary(stored.payload));
    expect(cache.caSummaryOf({ ...stored })).toBe(summary);
    const derived = { resources: [], caSummary: { key: 'derived', trustsSeveralRoots: false } };
    const recomputed = { version: 2, hash: 'h2', payload: Buffer.from(JSON.stringify(state)) };
    cache.remember(TENANT, 'c-1', recomputed, derived);
    expect(cache.caSummaryOf(recomputed)).toBe(derived.caSummary);
    expect(cache.resourcesOf(recomputed)).toBe(derived.resources);
  });

  it('serves exactly the version remembered for the cluster and tenant', () => {
    const cache = cacheOf('1');
    cache.remember(TENANT, 'c-1', snapshot(3));
    expect(cache.get(TENANT, 'c-1', 3)).toEqual(snapshot(3));
    expect(cache.get(TENANT, 'c-1', 4)).toBeUndefined();
    expect(cache.get(TENANT, 'c-1', 2)).toBeUndefined();
    expect(cache.get(OTHER_TENANT, 'c-1', 3)).toBeUndefined();
    expect(cache.get(TENANT, 'c-2', 3)).toBeUndefined();
  });

  it('keeps the newest version of a cluster, never an older one stored late', () => {
    const cache = cacheOf('1');
    cache.remember(TENANT, 'c-1', snapshot(5));
    cache.remember(TENANT, 'c-1', snapshot(4));
    expect(cache.get(TENANT, 'c-1', 5)).toEqual(snapshot(5));
    cache.remember(TENANT, 'c-1', snapshot(6));
    expect(cache.get(TENANT, 'c-1', 5)).toBeUndefined();
    expect(cache.get(TENANT, 'c-1', 6)).toEqual(snapshot(6));
  });

  it('evicts the least recently used payloads past its size', () => {
    const cache = cacheOf('1');
    const half = 512 * 1024;
    cache.remember(TENANT, 'c-1', snapshot(1, half));
    cache.remember(TENANT, 'c-2', snapshot(1, half));
    expect(cache.get(TENANT, 'c-1', 1)).toBeDefined();
    cache.remember(TENANT, 'c-3', snapshot(1, half));
    expect(cache.get(TENANT, 'c-2', 1)).toBeUndefined();
    expect(cache.get(TENANT, 'c-1', 1)).toBeDefined();
    expect(cache.get(TENANT, 'c-3', 1)).toBeDefined();
  });

  it('holds nothing when turned off', () => {
    const cache = cacheOf('0');
    cache.remember(TENANT, 'c-1', snapshot(1));
    expect(cache.get(TENANT, 'c-1', 1)).toBeUndefined();
  });
});
