import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { platformModules } from '../../../../../test/support/platform-modules';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { DesiredStateScheduler } from '../config-distribution/desired-state-scheduler.service';
import { ClustersModule } from './clusters.module';
import { ClustersService, isBootstrapToken, toClusterView } from './clusters.service';
import { domainErrorOf } from '../../../../../test/support/domain-errors';

/** Records what would be recomputed instead of running the desired-state queue. */
class RecordingScheduler extends DesiredStateScheduler {
  readonly reasons: string[] = [];
  schedule(_tenantId: string, reason: string): Promise<void> {
    this.reasons.push(reason);
    return Promise.resolve();
  }
}

/** ClustersService with its real repository, audit and agent CA on a scratch database (no app boot). */
describe('ClustersService', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let sql: Client;
  let clusters: ClustersService;
  const scheduler = new RecordingScheduler();
  let actor: TenantPrincipal;

  beforeAll(async () => {
    database = await createTestDatabase();
    moduleRef = await Test.createTestingModule({
      imports: [...platformModules(testRuntimeConfig(database.url)), ClustersModule],
    })
      .overrideProvider(DesiredStateScheduler)
      .useValue(scheduler)
      .compile();
    await moduleRef.init();
    clusters = moduleRef.get(ClustersService);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    const tenantId = (
      await sql.query(`INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), 'acme') RETURNING id`)
    ).rows[0].id as string;
    actor = { kind: 'token', tenantId, tokenId: randomUUID(), tokenName: 'admin', role: 'admin' };
  });

  afterAll(async () => {
    await sql?.end();
    await moduleRef?.close();
    await database?.drop();
  });

  /** Redemption as Register does it, with a stand-in for the agent certificate. */
  const redeem = async (token: string, name: string, now?: Date) =>
    (await clusters.redeemBootstrapToken(token, name, () => Promise.resolve({ fingerprint: 'test' }), now))
      .cluster;

  const auditActions = async (clusterId: string) =>
    (
      await sql.query(`SELECT action FROM audit_events WHERE resource_id = $1 ORDER BY created_at, action`, [
        clusterId,
      ])
    ).rows.map((row: { action: string }) => row.action);

  it('registers a cluster with a one-time bootstrap token and the commands that install its agent', async () => {
    const { cluster, bootstrap } = await clusters.register(actor, {
      name: 'east',
      eastWestAddress: '10.0.0.1',
      labels: { region: 'eu' },
    });
    expect(cluster).toMatchObject({
      name: 'east',
      eastWestAddress: '10.0.0.1',
      labels: { region: 'eu' },
      status: 'PENDING',
      version: 1,
    });
    expect(cluster.inventory).toEqual({ namespaces: 0, services: 0, updatedAt: null });
    expect(isBootstrapToken(bootstrap.token)).toBe(true);
    expect(bootstrap.controllerCaPem).toContain('-----BEGIN CERTIFICATE-----');
    // The install commands carry this token, this CA and this cluster (their shell semantics:
    // agent-install.util.spec.ts; run against an API server: test/agent-onboarding.e2e-spec.ts).
    expect(bootstrap.install.kubectl).toContain(`--from-literal=LATTICE_BOOTSTRAP_TOKEN=${bootstrap.token}`);
    expect(bootstrap.install.kubectl).toContain(bootstrap.controllerCaPem.trimEnd());
    expect(bootstrap.install.values).toEqual({
      clusterName: 'east',
      controller: { address: bootstrap.controller },
      bootstrap: { existingSecret: 'lattice-agent-bootstrap' },
    });
    expect(bootstrap.install.helm).toContain(
      'helm upgrade --install lattice-agent deploy/helm/lattice-agent',
    );
    expect(bootstrap.command).toBe(`${bootstrap.install.kubectl}\n${bootstrap.install.helm}`);
    expect(await auditActions(cluster.id)).toEqual(['cluster.create']);
  });

  it('refuses a second cluster of the same name', async () => {
    const error = await domainErrorOf(
      clusters.register(actor, { name: 'east', eastWestAddress: null, labels: {} }),
    );
    expect(error.code).toBe('CONFLICT');
  });

  it('updates only the version it was given, and asks for a recomputation', async () => {
    const { cluster } = await clusters.register(actor, { name: 'west', eastWestAddress: null, labels: {} });
    const stale = await domainErrorOf(
      clusters.update(actor, cluster.id, cluster.version + 1, { labels: { tier: 'gold' } }),
    );
    expect(stale.code).toBe('PRECONDITION_FAILED');

    const updated = await clusters.update(actor, cluster.id, cluster.version, {
      eastWestAddress: 'west.example.com',
      labels: { tier: 'gold' },
    });
    expect(updated).toMatchObject({
      version: 2,
      eastWestAddress: 'west.example.com',
      labels: { tier: 'gold' },
    });
    expect(scheduler.reasons).toContain(`cluster ${cluster.id} updated`);
    expect(await auditActions(cluster.id)).toEqual(['cluster.create', 'cluster.update']);
  });

  it('redeems a bootstrap token once, for the cluster it was issued for', async () => {
    const { cluster, bootstrap } = await clusters.register(actor, {
      name: 'north',
      eastWestAddress: null,
      labels: {},
    });
    const mismatch = await domainErrorOf(redeem(bootstrap.token, 'south'));
    expect(mismatch.code).toBe('VALIDATION');
    // The name check comes after the redemption: a mismatched attempt spends the token.
    const again = await domainErrorOf(redeem(bootstrap.token, 'north'));
    expect(again.message).toContain('was already used');

    const fresh = await clusters.newBootstrapToken(actor, cluster.id);
    await expect(redeem(fresh.token, 'north')).resolves.toMatchObject({
      id: cluster.id,
      tenantId: actor.tenantId,
    });
    const unknown = await domainErrorOf(redeem(`lbt_${'x'.repeat(43)}`, ''));
    expect(unknown.code).toBe('UNAUTHENTICATED');
    expect(unknown.message).toContain('is unknown');
  });

  it('refuses an expired bootstrap token with a reason', async () => {
    const { bootstrap } = await clusters.register(actor, {
      name: 'expiring',
      eastWestAddress: null,
      labels: {},
    });
    const later = new Date(Date.parse(bootstrap.expiresAt) + 1000);
    const error = await domainErrorOf(redeem(bootstrap.token, '', later));
    expect(error.message).toContain('has expired');
  });

  it('revokes a cluster: its unused tokens are refused, and it gets no new ones', async () => {
    const { cluster, bootstrap } = await clusters.register(actor, {
      name: 'revoked',
      eastWestAddress: null,
      labels: {},
    });
    const revoked = await clusters.revoke(actor, cluster.id);
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(toClusterView(revoked).revokedAt).not.toBeNull();
    expect(scheduler.reasons).toContain(`cluster ${cluster.id} revoked`);

    expect((await domainErrorOf(redeem(bootstrap.token, ''))).code).toBe('FORBIDDEN');
    expect((await domainErrorOf(clusters.newBootstrapToken(actor, cluster.id))).code).toBe('CONFLICT');
  });

  it('retires older unused tokens when a new one is issued', async () => {
    const { cluster, bootstrap } = await clusters.register(actor, {
      name: 'rotating',
      eastWestAddress: null,
      labels: {},
    });
    const fresh = await clusters.newBootstrapToken(actor, cluster.id);
    const old = await domainErrorOf(redeem(bootstrap.token, ''));
    expect(old.code).toBe('UNAUTHENTICATED');
    expect(old.message).toContain('replaced by a newer token');
    await expect(redeem(fresh.token, '')).resolves.toMatchObject({ id: cluster.id });
  });

  it('re-enrols a revoked cluster with a new token (audited); 409 when it is not revoked', async () => {
    const { cluster, bootstrap } = await clusters.register(actor, {
      name: 'comeback',
      eastWestAddress: null,
      labels: {},
    });
    const notRevoked = await domainErrorOf(clusters.reenrol(actor, cluster.id));
    expect(notRevoked.code).toBe('CONFLICT');
    expect(notRevoked.message).toContain('is not revoked');

    await clusters.revoke(actor, cluster.id);
    const { cluster: reenrolled, bootstrap: fresh } = await clusters.reenrol(actor, cluster.id);
    expect(reenrolled.revokedAt).toBeNull();
    expect(isBootstrapToken(fresh.token)).toBe(true);
    expect(scheduler.reasons).toContain(`cluster ${cluster.id} re-enrolled`);
    expect(await auditActions(cluster.id)).toContain('cluster.reenrol');
    // The token issued before the revocation stays refused; the new one works.
    expect((await domainErrorOf(redeem(bootstrap.token, ''))).code).toBe('UNAUTHENTICATED');
    await expect(redeem(fresh.token, 'comeback')).resolves.toMatchObject({ id: cluster.id, revokedAt: null });
    expect((await domainErrorOf(clusters.reenrol(actor, randomUUID()))).code).toBe('NOT_FOUND');
  });

  it('deletes a cluster', async () => {
    const { cluster } = await clusters.register(actor, { name: 'gone', eastWestAddress: null, labels: {} });
    await clusters.delete(actor, cluster.id);
    expect((await domainErrorOf(clusters.get(actor.tenantId, cluster.id))).code).toBe('NOT_FOUND');
    expect(scheduler.reasons).toContain(`cluster ${cluster.id} deleted`);
    expect(await auditActions(cluster.id)).toEqual(['cluster.create', 'cluster.delete']);
  });

  it('keeps tenants apart', async () => {
    const { cluster } = await clusters.register(actor, {
      name: 'private',
      eastWestAddress: null,
      labels: {},
    });
    expect((await domainErrorOf(clusters.get(randomUUID(), cluster.id))).code).toBe('NOT_FOUND');
  });

  it('reads stored JSON through its schema: counts the inventory, and a malformed one degrades to empty', async () => {
    const { cluster } = await clusters.register(actor, {
      name: 'inventoried',
      eastWestAddress: null,
      labels: {},
    });
    await sql.query(`UPDATE clusters SET inventory = $1::jsonb WHERE id = $2`, [
      JSON.stringify({
        namespaces: [{ name: 'shop' }],
        services: [
          { namespace: 'shop', name: 'cart' },
          { namespace: 'shop', name: 'web' },
        ],
      }),
      cluster.id,
    ]);
    const stored = await clusters.get(actor.tenantId, cluster.id);
    expect(stored.inventory.services[0]).toEqual({
      namespace: 'shop',
      name: 'cart',
      labels: {},
      ports: [],
      endpointGroups: [],
      selector: {},
    });
    expect(toClusterView(stored).inventory).toMatchObject({ namespaces: 1, services: 2 });

    await sql.query(`UPDATE clusters SET inventory = '{"services": "not a list"}'::jsonb WHERE id = $1`, [
      cluster.id,
    ]);
    expect(toClusterView(await clusters.get(actor.tenantId, cluster.id)).inventory).toMatchObject({
      namespaces: 0,
      services: 0,
    });
  });

  it("pages through a tenant's clusters in creation order", async () => {
    const first = await clusters.list(actor.tenantId, { limit: 2 });
    expect(first.items.map((cluster) => cluster.name)).toEqual(['east', 'west']);
    expect(first.nextCursor).not.toBeNull();
  });
});
