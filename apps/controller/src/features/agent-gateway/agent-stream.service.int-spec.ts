import { createHash, randomUUID } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { minuteStart, type InventoryService, type InventoryUpdate } from '@lattice/domain';
import type { TelemetryBatch__Output } from '@lattice/proto';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import {
  createFeatureModule,
  createTestTenant,
  type RecordingScheduler,
} from '../../../../../test/support/feature-module';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { MINUTE, sketchOf } from '../../../../../test/support/telemetry';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { AgentIdentityCaService } from '../agent-identity/agent-identity-ca.service';
import { ClustersService, toClusterView } from '../clusters/clusters.service';
import { DesiredStateService } from '../config-distribution/desired-state.service';
import { AgentGatewayModule } from './agent-gateway.module';
import { AgentStreamService } from './agent-stream.service';
import { ClusterLinkRepository } from './cluster-link.repository';

/**
 * AgentStreamService on the agent-gateway module (and the features it imports) alone, on a scratch
 * database: what an agent's stream records about its cluster, what it schedules and what it reads.
 * The desired-state scheduler records instead of queueing; no gRPC server or stream runs.
 */
describe('AgentStreamService', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let scheduler: RecordingScheduler;
  let sql: Client;
  let stream: AgentStreamService;
  let clusters: ClustersService;
  let actor: TenantPrincipal;
  let stranger: TenantPrincipal;

  const service = (namespace: string, name: string): InventoryService => ({
    namespace,
    name,
    labels: { app: name },
    ports: [{ name: 'http', port: 8080, protocol: 'HTTP', targetPort: 8080 }],
    endpointGroups: [{ labels: { app: name }, ready: 1, notReady: 0 }],
    selector: { app: name },
  });
  const fullInventory = (services: InventoryService[]): InventoryUpdate => ({
    full: true,
    namespaces: [...new Set(services.map((svc) => svc.namespace))].map((name) => ({ name, labels: {} })),
    services,
    removedNamespaces: [],
    removedServices: [],
  });
  const registerCluster = async (owner: TenantPrincipal, name: string): Promise<string> =>
    (await clusters.register(owner, { name, eastWestAddress: null, labels: {} })).cluster.id;
  /** The cluster's connection record as the clusters feature reads it. */
  const connectionOf = async (clusterId: string) => {
    const { connectionId, lastSeenAt, firstConnectedAt, agentVersion } = await clusters.get(
      actor.tenantId,
      clusterId,
    );
    return { connectionId, lastSeenAt, firstConnectedAt, agentVersion };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ moduleRef, scheduler } = await createFeatureModule(testRuntimeConfig(database.url), [
      AgentGatewayModule,
    ]));
    stream = moduleRef.get(AgentStreamService);
    clusters = moduleRef.get(ClustersService);
    // Lifecycle hooks do not run in a feature module (no workers start); registering a cluster needs
    // the one that loads the agent identity CA (its bootstrap instructions carry the CA bundle).
    await moduleRef.get(AgentIdentityCaService).onModuleInit();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    actor = await createTestTenant(moduleRef, 'stream-a');
    stranger = await createTestTenant(moduleRef, 'stream-b');
  });

  afterAll(async () => {
    await sql?.end();
    await moduleRef?.close();
    await database?.drop();
  });

  beforeEach(() => {
    scheduler.calls.length = 0;
  });

  it('marks the cluster connected by a stream; only the stream that holds it marks it disconnected', async () => {
    const clusterId = await registerCluster(actor, 'east');
    const first = new Date('2026-12-01T10:00:00.000Z');
    await stream.connected(actor.tenantId, clusterId, 'stream-1', 'agent/1.2.3', first);
    expect(await connectionOf(clusterId)).toEqual({
      connectionId: 'stream-1',
      lastSeenAt: first,
      firstConnectedAt: first,
      agentVersion: 'agent/1.2.3',
    });
    expect(toClusterView(await clusters.get(actor.tenantId, clusterId), first)).toMatchObject({
      status: 'CONNECTED',
      agentVersion: 'agent/1.2.3',
    });

    // A newer stream (e.g. on another replica) takes the cluster over; the first one closing changes nothing.
    const second = new Date('2026-12-01T10:05:00.000Z');
    await stream.connected(actor.tenantId, clusterId, 'stream-2', `agent/${'9'.repeat(100)}`, second);
    await stream.disconnected(actor.tenantId, clusterId, 'stream-1', new Date('2026-12-01T10:06:00.000Z'));
    await stream.seen(actor.tenantId, clusterId, 'stream-1', new Date('2026-12-01T10:07:00.000Z'));
    const taken = await connectionOf(clusterId);
    expect(taken).toEqual({
      connectionId: 'stream-2',
      lastSeenAt: second,
      firstConnectedAt: first,
      agentVersion: `agent/${'9'.repeat(58)}`,
    });

    const heartbeat = new Date('2026-12-01T10:08:00.000Z');
    await stream.seen(actor.tenantId, clusterId, 'stream-2', heartbeat);
    expect((await connectionOf(clusterId)).lastSeenAt).toEqual(heartbeat);

    // Another tenant's id for the cluster touches nothing; heartbeats of one second are written
    // together, an older one never moves last_seen_at back.
    await Promise.all([
      stream.disconnected(stranger.tenantId, clusterId, 'stream-2'),
      stream.seen(stranger.tenantId, clusterId, 'stream-2', new Date('2026-12-01T10:08:30.000Z')),
      stream.seen(actor.tenantId, clusterId, 'stream-2', new Date('2026-12-01T10:07:30.000Z')),
    ]);
    expect(await connectionOf(clusterId)).toMatchObject({ connectionId: 'stream-2', lastSeenAt: heartbeat });

    const closed = new Date('2026-12-01T10:09:00.000Z');
    await stream.disconnected(actor.tenantId, clusterId, 'stream-2', closed);
    expect(await connectionOf(clusterId)).toEqual({
      connectionId: null,
      lastSeenAt: closed,
      firstConnectedAt: first,
      agentVersion: `agent/${'9'.repeat(58)}`,
    });
    expect(toClusterView(await clusters.get(actor.tenantId, clusterId), closed).status).not.toBe('CONNECTED');
  });

  it('stores an inventory report and schedules a recompute of the tenant only when the inventory changed', async () => {
    const clusterId = await registerCluster(actor, 'west');
    scheduler.calls.length = 0;
    const reportedAt = new Date('2026-12-01T11:00:00.000Z');

    await stream.applyInventory(
      actor.tenantId,
      clusterId,
      fullInventory([service('shop', 'cart'), service('shop', 'checkout')]),
      reportedAt,
    );
    expect(scheduler.calls).toEqual([
      { tenantId: actor.tenantId, reason: `inventory of cluster ${clusterId} changed` },
    ]);
    expect(toClusterView(await clusters.get(actor.tenantId, clusterId)).inventory).toEqual({
      namespaces: 1,
      services: 2,
      updatedAt: reportedAt.toISOString(),
    });

    // The same report again: nothing changed, nothing scheduled.
    await stream.applyInventory(
      actor.tenantId,
      clusterId,
      fullInventory([service('shop', 'checkout'), service('shop', 'cart')]),
    );
    expect(scheduler.calls).toHaveLength(1);

    // An incremental update that removes a service changes it.
    await stream.applyInventory(actor.tenantId, clusterId, {
      full: false,
      namespaces: [],
      services: [],
      removedNamespaces: [],
      removedServices: [{ namespace: 'shop', name: 'cart' }],
    });
    expect(scheduler.calls).toHaveLength(2);
    const stored = (
      await sql.query(`SELECT inventory, inventory_revision FROM clusters WHERE id = $1`, [clusterId])
    ).rows[0] as {
      inventory: { services: { name: string }[] };
      inventory_revision: string;
    };
    expect(stored.inventory.services.map((svc) => svc.name)).toEqual(['checkout']);
    expect(Number(stored.inventory_revision)).toBe(2);

    // Another tenant cannot report for this cluster.
    await stream.applyInventory(stranger.tenantId, clusterId, fullInventory([]));
    expect(scheduler.calls).toHaveLength(2);
    expect((await clusters.get(actor.tenantId, clusterId)).inventory.services.map((svc) => svc.name)).toEqual(
      ['checkout'],
    );
  });

  it('records ACKs as the applied version and NACKs with version, reason (bounded) and time', async () => {
    const clusterId = await registerCluster(actor, 'north');
    await stream.acked(actor.tenantId, clusterId, 3);
    expect(await clusters.get(actor.tenantId, clusterId)).toMatchObject({
      appliedVersion: 3,
      lastNackVersion: null,
      lastNackReason: null,
      lastNackAt: null,
    });

    const nackedAt = new Date('2026-12-01T12:00:00.000Z');
    await stream.nacked(actor.tenantId, clusterId, 4, `istiod refused it: ${'x'.repeat(3000)}`, nackedAt);
    const record = await clusters.get(actor.tenantId, clusterId);
    expect(record).toMatchObject({ appliedVersion: 3, lastNackVersion: 4, lastNackAt: nackedAt });
    expect(record.lastNackReason).toHaveLength(2000);
    const view = toClusterView(record);
    expect(view.lastNack).toEqual({
      version: 4,
      reason: expect.stringMatching(/^istiod refused it: x+$/),
      at: nackedAt.toISOString(),
    });

    // A late ACK of an older version does not move the applied version back.
    await stream.acked(actor.tenantId, clusterId, 2);
    expect(await clusters.get(actor.tenantId, clusterId)).toMatchObject({ appliedVersion: 3 });

    // Another tenant's ACK/NACK for this cluster is not recorded.
    await stream.acked(stranger.tenantId, clusterId, 9);
    await stream.nacked(stranger.tenantId, clusterId, 9, 'not yours');
    expect(await clusters.get(actor.tenantId, clusterId)).toMatchObject({
      appliedVersion: 3,
      lastNackVersion: 4,
      lastNackAt: nackedAt,
    });
  });

  it('clears lastNack once the NACKed version (or a newer one) is ACKed, and shows it as ApplySucceeded', async () => {
    const clusterId = await registerCluster(actor, 'nack-recovery');
    const conditionOf = async (type: string, at: Date) =>
      toClusterView(await clusters.get(actor.tenantId, clusterId), at).conditions.find(
        (c) => c.type === type,
      );
    const t1 = new Date('2026-12-01T12:00:00.000Z');
    await stream.acked(actor.tenantId, clusterId, 3, t1);
    expect(await conditionOf('ApplySucceeded', t1)).toEqual({
      type: 'ApplySucceeded',
      status: 'True',
      reason: 'SnapshotApplied',
      message: 'snapshot version 3 applied',
      lastTransitionTime: t1.toISOString(),
    });

    const t2 = new Date('2026-12-01T12:01:00.000Z');
    await stream.nacked(actor.tenantId, clusterId, 4, 'the API server answered 503', t2);
    expect(await conditionOf('ApplySucceeded', t2)).toMatchObject({
      status: 'False',
      reason: 'SnapshotRefused',
      message: 'snapshot version 4 refused: the API server answered 503',
      lastTransitionTime: t2.toISOString(),
    });
    // An ACK of an older version (a late one) clears nothing.
    await stream.acked(actor.tenantId, clusterId, 3, t2);
    expect(await clusters.get(actor.tenantId, clusterId)).toMatchObject({ lastNackVersion: 4 });

    // The agent retried version 4 and it worked.
    const t3 = new Date('2026-12-01T12:02:00.000Z');
    await stream.acked(actor.tenantId, clusterId, 4, t3);
    const record = await clusters.get(actor.tenantId, clusterId);
    expect(record).toMatchObject({
      appliedVersion: 4,
      lastNackVersion: null,
      lastNackReason: null,
      lastNackAt: null,
    });
    expect(toClusterView(record, t3).lastNack).toBeNull();
    expect(await conditionOf('ApplySucceeded', t3)).toMatchObject({
      status: 'True',
      lastTransitionTime: t3.toISOString(),
    });
  });

  it('loses no ACK, NACK or condition written at the same time for one cluster (compare-and-set)', async () => {
    const clusterId = await registerCluster(actor, 'racing');
    const at = new Date('2026-12-01T12:30:00.000Z');
    await stream.connected(actor.tenantId, clusterId, 'stream-r', 'agent/1', at);
    await Promise.all([
      ...[3, 7, 5, 8, 4, 6].map((version) => stream.acked(actor.tenantId, clusterId, version, at)),
      stream.nacked(actor.tenantId, clusterId, 9, 'refused while others were ACKed', at),
      stream.disconnected(actor.tenantId, clusterId, 'stream-r', at),
    ]);
    const record = await clusters.get(actor.tenantId, clusterId);
    // The newest ACK wins whatever the order, the NACK of a newer version stays, and no ACK wrote
    // back conditions it read before the disconnection (Connected stays False).
    expect(record).toMatchObject({ appliedVersion: 8, lastNackVersion: 9 });
    const view = toClusterView(record, at);
    expect(view.conditions.find((c) => c.type === 'Connected')).toMatchObject({ status: 'False' });
    expect(view.conditions.find((c) => c.type === 'ApplySucceeded')).toBeDefined();
  });

  it('records the ACKs of many clusters arriving together as one by one (one read, one write)', async () => {
    const [fresh, nacked, ahead] = await Promise.all(
      ['batch-fresh', 'batch-nacked', 'batch-ahead'].map((name) => registerCluster(actor, name)),
    );
    const at = new Date('2026-12-01T12:40:00.000Z');
    await sql.query(`UPDATE clusters SET desired_version = 5, desired_at = $2 WHERE id = ANY($1::uuid[])`, [
      [fresh, nacked, ahead],
      at,
    ]);
    await stream.nacked(actor.tenantId, nacked, 5, 'refused once', at);
    await stream.acked(actor.tenantId, ahead, 6, at);
    const later = new Date('2026-12-01T12:41:00.000Z');
    const results = await moduleRef.get(ClusterLinkRepository).recordAcks(actor.tenantId, [
      { clusterId: fresh, version: 5, now: later },
      { clusterId: nacked, version: 5, now: later },
      { clusterId: ahead, version: 5, now: later }, // older than what it applied: changes nothing
      { clusterId: fresh, version: 4, now: later }, // a second ACK of one cluster in the batch
      { clusterId: randomUUID(), version: 5, now: later }, // no such cluster
    ]);
    // The desired_at of a newest version applied for the first time (for the propagation metric), else null.
    expect(results).toEqual([at, at, null, null, null]);
    const records = await Promise.all([fresh, nacked, ahead].map((id) => clusters.get(actor.tenantId, id)));
    expect(
      records.map(({ appliedVersion, lastNackVersion }) => ({ appliedVersion, lastNackVersion })),
    ).toEqual([
      { appliedVersion: 5, lastNackVersion: null },
      { appliedVersion: 5, lastNackVersion: null },
      { appliedVersion: 6, lastNackVersion: null },
    ]);
    expect(
      toClusterView(records[1]!, later).conditions.find((condition) => condition.type === 'ApplySucceeded'),
    ).toMatchObject({ status: 'True', lastTransitionTime: later.toISOString() });
    // Scoped by tenant: another tenant's batch naming these clusters records nothing.
    expect(
      await moduleRef
        .get(ClusterLinkRepository)
        .recordAcks(stranger.tenantId, [{ clusterId: fresh, version: 9, now: later }]),
    ).toEqual([null]);
    expect(await clusters.get(actor.tenantId, fresh)).toMatchObject({ appliedVersion: 5 });
  });

  it('stores agent-reported conditions without touching the inventory or scheduling a recompute', async () => {
    const clusterId = await registerCluster(actor, 'fail-safe');
    const before = new Date('2026-12-01T13:00:00.000Z');
    await stream.connected(actor.tenantId, clusterId, 'stream-f', 'agent/1', before);
    await stream.applyInventory(actor.tenantId, clusterId, fullInventory([service('shop', 'cart')]), before);
    scheduler.calls.length = 0;
    const inventoryBefore = (await clusters.get(actor.tenantId, clusterId)).inventory;

    const failing = new Date('2026-12-01T13:00:30.000Z');
    await stream.conditionsReported(
      actor.tenantId,
      clusterId,
      [
        {
          type: 'InventorySynced',
          status: 'False',
          reason: 'Forbidden',
          message: 'services: services is forbidden',
          lastTransitionUnixMs: failing.getTime() - 5_000,
        },
      ],
      failing,
    );
    const record = await clusters.get(actor.tenantId, clusterId);
    expect(record.inventory).toEqual(inventoryBefore);
    expect(scheduler.calls).toEqual([]);
    const view = toClusterView(record, failing);
    expect(view.inventory.services).toBe(1);
    expect(view.conditions).toEqual([
      {
        type: 'Connected',
        status: 'True',
        reason: 'StreamOpen',
        message: 'the agent stream is open',
        lastTransitionTime: before.toISOString(),
      },
      {
        type: 'InventorySynced',
        status: 'False',
        reason: 'Forbidden',
        message: 'services: services is forbidden',
        lastTransitionTime: new Date(failing.getTime() - 5_000).toISOString(),
      },
      expect.objectContaining({ type: 'ApplySucceeded', status: 'Unknown' }),
      expect.objectContaining({ type: 'MeshReady', status: 'Unknown', reason: 'InstallationUnknown' }),
    ]);

    // Another tenant cannot set this cluster's conditions.
    await stream.conditionsReported(stranger.tenantId, clusterId, [
      { type: 'InventorySynced', status: 'True', reason: 'Synced', message: '', lastTransitionUnixMs: 0 },
    ]);
    const closed = new Date('2026-12-01T13:02:00.000Z');
    await stream.disconnected(actor.tenantId, clusterId, 'stream-f', closed);
    const after = toClusterView(await clusters.get(actor.tenantId, clusterId), closed).conditions;
    expect(after.map((c) => `${c.type}=${c.status}:${c.reason}`)).toEqual([
      'Connected=False:StreamClosed',
      'InventorySynced=False:Forbidden',
      'ApplySucceeded=Unknown:NoSnapshotAnswered',
      'MeshReady=Unknown:InstallationUnknown',
    ]);
  });

  it('an agent that reports no conditions (older agents) gets InventorySynced from its full inventory', async () => {
    const clusterId = await registerCluster(actor, 'old-agent');
    const at = new Date('2026-12-01T14:00:00.000Z');
    await stream.applyInventory(actor.tenantId, clusterId, fullInventory([service('shop', 'a')]), at, false);
    const synced = toClusterView(await clusters.get(actor.tenantId, clusterId), at).conditions[1];
    expect(synced).toMatchObject({ type: 'InventorySynced', status: 'True', reason: 'InventoryReported' });
  });

  it('delegates telemetry to the ingest and returns its result (a resent batch is a duplicate)', async () => {
    const clusterId = await registerCluster(actor, 'south');
    const minute = minuteStart(Date.now()) - 2 * MINUTE;
    const batch: TelemetryBatch__Output = {
      batchId: `batch-${randomUUID()}`,
      items: [
        {
          minuteUnixMs: minute,
          sourceCluster: '',
          latencyPacked: Buffer.alloc(0),
          sourceNamespace: 'shop',
          sourceService: 'frontend',
          destinationNamespace: 'shop',
          destinationService: 'cart',
          requests: 10,
          errors: 1,
          latency: sketchOf([5, 10, 20]),
        },
      ],
    };
    expect(await stream.ingestTelemetry(actor.tenantId, clusterId, batch)).toEqual({
      duplicate: false,
      accepted: 1,
    });
    expect(await stream.ingestTelemetry(actor.tenantId, clusterId, batch)).toEqual({
      duplicate: true,
      accepted: 0,
    });
    const rows = await sql.query(
      `SELECT requests::int AS requests, errors::int AS errors FROM telemetry_minutes WHERE tenant_id = $1 AND cluster_id = $2`,
      [actor.tenantId, clusterId],
    );
    expect(rows.rows).toEqual([{ requests: 10, errors: 1 }]);
  });

  it('gives the stored desired snapshot newer than what the agent has, from the database or this replica', async () => {
    const clusterId = await registerCluster(stranger, 'east');
    expect(await stream.snapshotToPush(stranger.tenantId, clusterId, 0)).toBeNull();

    const recomputed = await moduleRef.get(DesiredStateService).recomputeTenant(stranger.tenantId);
    const version = recomputed.newVersions.find((entry) => entry.clusterId === clusterId)?.version;
    expect(version).toBeGreaterThan(0);
    const row = (
      await sql.query(`SELECT desired_version, desired_hash, desired_payload FROM clusters WHERE id = $1`, [
        clusterId,
      ])
    ).rows[0] as {
      desired_version: number;
      desired_hash: string;
      desired_payload: Buffer;
    };
    expect(row.desired_version).toBe(version);

    const fromDatabase = await stream.snapshotToPush(stranger.tenantId, clusterId, 0);
    expect(fromDatabase).toEqual({ version, payload: row.desired_payload, hash: row.desired_hash });
    expect(createHash('sha256').update(fromDatabase!.payload).digest('hex')).toBe(fromDatabase!.hash);

    // Announced to this replica: the same snapshot, from its recent snapshots.
    const announced = await stream.snapshotToPush(stranger.tenantId, clusterId, 0, version);
    expect(announced?.version).toBe(version);
    expect(announced?.hash).toBe(row.desired_hash);
    expect(Buffer.from(announced!.payload).equals(row.desired_payload)).toBe(true);

    // Nothing newer than what the agent applied; nothing for another tenant.
    expect(await stream.snapshotToPush(stranger.tenantId, clusterId, version!)).toBeNull();
    expect(await stream.snapshotToPush(actor.tenantId, clusterId, 0)).toBeNull();
  });
});
