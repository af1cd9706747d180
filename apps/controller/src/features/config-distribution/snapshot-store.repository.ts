import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { createPgPool } from '../../platform/database/pg-pool.factory';
import type { StoredSnapshot } from './config-distribution.types';

/** Connections of the snapshot store's own pool (writes are one statement per chunk, reads batched). */
const SNAPSHOT_POOL_SIZE = 4;

export interface SnapshotToStore {
  clusterId: string;
  hash: string;
  payload: Uint8Array;
}

/**
 * Per-cluster desired snapshots (clusters.desired_version/desired_hash/desired_payload) through
 * plain `pg` rather than Prisma: snapshots are the controller's largest values (up to hundreds of
 * kilobytes per cluster, a change of a 100-cluster GNS writes megabytes), and Prisma's parameter
 * and result handling of them (through its WebAssembly query compiler) was the cost of a change —
 * about 1 s per 100 clusters, against ~0.1 s for the same statement sent by `pg` with the payloads
 * as a bytea[] parameter. Everything is scoped by tenant id.
 */
@Injectable()
export class SnapshotStoreRepository implements OnModuleDestroy {
  private readonly pool: Pool;

  constructor(@Inject(RUNTIME_CONFIG) config: RuntimeConfig) {
    this.pool = createPgPool(config.databaseUrl, {
      max: SNAPSHOT_POOL_SIZE,
      application_name: 'lattice-snapshot-store',
    });
    // Payloads compressed with lz4 rather than the default pglz where the server has it (built
    // --with-lz4, PostgreSQL 14+): a 1,000-cluster change writes ~90 MiB of JSON, and pglz took
    // PostgreSQL about twice as long to store it. Per session, so no DDL and no special privilege;
    // a server without lz4 (no such setting value) keeps its default. Runs before the
    // connection's first query.
    this.pool.on('connect', (client) => {
      client
        .query(
          `SELECT set_config('default_toast_compression', 'lz4', false) FROM pg_settings
            WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)`,
        )
        .catch(() => undefined);
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }

  /**
   * Stores new desired states for many clusters in one UPDATE ... FROM (VALUES ...) RETURNING (the
   * caller bounds how many). A cluster gets a new version only when its hash changed; the version
   * is incremented in the database, so it only ever goes up even with concurrent writers. Returns
   * the new version by cluster id (clusters that did not change, or are gone, are absent).
   */
  async store(tenantId: string, changes: readonly SnapshotToStore[]): Promise<Map<string, number>> {
    if (changes.length === 0) return new Map();
    // One parameter per value: pg sends Buffer parameters in binary, so payloads travel as they
    // are (a bytea[] parameter would be hex-encoded into one array literal of twice the size).
    const params: unknown[] = [tenantId];
    const rows = changes.map((change) => {
      params.push(
        change.clusterId,
        change.hash,
        Buffer.from(change.payload.buffer, change.payload.byteOffset, change.payload.byteLength),
      );
      const n = params.length;
      return `($${n - 2}::uuid, $${n - 1}::text, $${n}::bytea)`;
    });
    const result = await this.pool.query<{ id: string; desired_version: number }>(
      `UPDATE clusters AS c
          SET desired_version = c.desired_version + 1, desired_hash = v.hash,
              desired_payload = v.payload, desired_at = now(), updated_at = now()
         FROM (VALUES ${rows.join(', ')}) AS v(id, hash, payload)
        WHERE c.tenant_id = $1::uuid AND c.id = v.id AND (c.desired_hash IS NULL OR c.desired_hash <> v.hash)
    RETURNING c.id::text AS id, c.desired_version`,
      params,
    );
    return new Map(result.rows.map((row) => [row.id, Number(row.desired_version)]));
  }

  /**
   * The newest stored snapshot of each of a tenant's clusters that is newer than the version given
   * for it (one statement for many streams: agents reconnecting after a restart ask at once).
   */
  async newerThan(
    tenantId: string,
    wanted: readonly { clusterId: string; newerThan: number }[],
  ): Promise<Map<string, StoredSnapshot>> {
    if (wanted.length === 0) return new Map();
    const result = await this.pool.query<{
      id: string;
      desired_version: number;
      desired_hash: string;
      desired_payload: Buffer;
    }>(
      `SELECT c.id::text AS id, c.desired_version, c.desired_hash, c.desired_payload
         FROM clusters AS c
         JOIN unnest($2::uuid[], $3::int[]) AS w(id, newer_than) ON w.id = c.id
        WHERE c.tenant_id = $1::uuid AND c.desired_version > w.newer_than
          AND c.desired_payload IS NOT NULL AND c.desired_hash IS NOT NULL`,
      [
        tenantId,
        wanted.map((entry) => entry.clusterId),
        wanted.map((entry) => Math.max(0, Math.trunc(entry.newerThan))),
      ],
    );
    return new Map(
      result.rows.map((row) => [
        row.id,
        { version: Number(row.desired_version), hash: row.desired_hash, payload: row.desired_payload },
      ]),
    );
  }
}
