import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { createCsr } from '@lattice/pki';
import type { RegisterRequest__Output } from '@lattice/proto';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { platformModules } from '../../../../../test/support/platform-modules';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { AgentIdentityModule } from '../agent-identity/agent-identity.module';
import { ClustersModule } from '../clusters/clusters.module';
import { ClustersService, hashBootstrapToken } from '../clusters/clusters.service';
import { DesiredStateScheduler } from '../config-distribution/desired-state-scheduler.service';
import { AgentRegistrationService } from './agent-registration.service';
import { ClusterLinkRepository } from './cluster-link.repository';
import { domainErrorOf } from '../../../../../test/support/domain-errors';

/** Registration as the agent gateway wires it, without the gRPC server, streams or other features. */
@Module({
  imports: [AgentIdentityModule, ClustersModule],
  providers: [AgentRegistrationService, ClusterLinkRepository],
})
class RegistrationTestModule {}

describe('AgentRegistrationService', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let sql: Client;
  let registration: AgentRegistrationService;
  let clusters: ClustersService;
  let links: ClusterLinkRepository;
  let actor: TenantPrincipal;
  let csrPem: string;

  /** Response fields are optional in the generated proto types; these responses carry them. */
  const pem = (value: string | undefined): string => {
    if (!value) throw new Error('expected a PEM in the response');
    return value;
  };
  const fingerprintOf = (certificatePem: string | undefined) =>
    new X509Certificate(pem(certificatePem)).fingerprint256;
  const request = (
    bootstrapToken: string,
    overrides: Partial<RegisterRequest__Output> = {},
  ): RegisterRequest__Output => ({
    bootstrapToken,
    clusterName: '',
    csrPem,
    agentVersion: 'test',
    ...overrides,
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    moduleRef = await Test.createTestingModule({
      imports: [...platformModules(testRuntimeConfig(database.url)), RegistrationTestModule],
    })
      .overrideProvider(DesiredStateScheduler)
      .useValue({ schedule: () => Promise.resolve() })
      .compile();
    await moduleRef.init();
    registration = moduleRef.get(AgentRegistrationService);
    clusters = moduleRef.get(ClustersService);
    links = moduleRef.get(ClusterLinkRepository);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    const tenantId = (
      await sql.query(`INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), 'acme') RETURNING id`)
    ).rows[0].id as string;
    actor = { kind: 'token', tenantId, tokenId: randomUUID(), tokenName: 'admin', role: 'admin' };
    csrPem = (await createCsr({ commonName: 'east', rsaBits: 2048 })).csrPem;
  });

  afterAll(async () => {
    await sql?.end();
    await moduleRef?.close();
    await database?.drop();
  });

  it('issues a certificate for the cluster of the token and keeps it on record', async () => {
    const { cluster, bootstrap } = await clusters.register(actor, {
      name: 'east',
      eastWestAddress: null,
      labels: {},
    });
    const response = await registration.register(request(bootstrap.token, { clusterName: 'east' }));
    expect(response).toMatchObject({ clusterId: cluster.id, tenantId: actor.tenantId });
    expect(response.caBundlePem).toBe(bootstrap.controllerCaPem);
    expect(
      new X509Certificate(pem(response.certificatePem)).checkIssued(
        new X509Certificate(pem(response.caBundlePem)),
      ),
    ).toBe(true);
    expect(
      await links.isCertificateActive(actor.tenantId, cluster.id, fingerprintOf(response.certificatePem)),
    ).toBe(true);
  });

  it('replaces the agent on a new bootstrap: certificates issued before are no longer accepted', async () => {
    const { cluster, bootstrap } = await clusters.register(actor, {
      name: 'west',
      eastWestAddress: null,
      labels: {},
    });
    const first = await registration.register(request(bootstrap.token));
    const again = await clusters.newBootstrapToken(actor, cluster.id);
    const second = await registration.register(request(again.token));
    expect(
      await links.isCertificateActive(actor.tenantId, cluster.id, fingerprintOf(first.certificatePem)),
    ).toBe(false);
    expect(
      await links.isCertificateActive(actor.tenantId, cluster.id, fingerprintOf(second.certificatePem)),
    ).toBe(true);
  });

  it('renews without dropping the current certificate', async () => {
    const { cluster, bootstrap } = await clusters.register(actor, {
      name: 'south',
      eastWestAddress: null,
      labels: {},
    });
    const current = await registration.register(request(bootstrap.token));
    const identity = {
      tenantId: actor.tenantId,
      clusterId: cluster.id,
      fingerprint: fingerprintOf(current.certificatePem),
    };
    const renewed = await registration.renew(identity, { csrPem });
    expect(Number(renewed.notAfterUnixMs)).toBeGreaterThanOrEqual(Number(current.notAfterUnixMs));
    expect(
      await links.isCertificateActive(actor.tenantId, cluster.id, fingerprintOf(current.certificatePem)),
    ).toBe(true);
    expect(
      await links.isCertificateActive(actor.tenantId, cluster.id, fingerprintOf(renewed.certificatePem)),
    ).toBe(true);
  });

  it('refuses what is not a bootstrap token before looking at the CSR', async () => {
    const error = await domainErrorOf(
      registration.register(request('lat_not-a-bootstrap-token', { csrPem: '' })),
    );
    expect(error.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a missing or malformed CSR, and a spent token', async () => {
    const { bootstrap } = await clusters.register(actor, {
      name: 'north',
      eastWestAddress: null,
      labels: {},
    });
    const missing = await domainErrorOf(registration.register(request(bootstrap.token, { csrPem: '' })));
    expect(missing.code).toBe('VALIDATION');
    expect(missing.fields).toEqual([expect.objectContaining({ field: 'csr_pem' })]);

    const garbled = '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n';
    const malformed = await domainErrorOf(
      registration.register(request(bootstrap.token, { csrPem: garbled })),
    );
    expect(malformed.code).toBe('VALIDATION');
    // The token was redeemed before the CSR was found malformed.
    const spent = await domainErrorOf(registration.register(request(bootstrap.token)));
    expect(spent.message).toContain('was already used');
  });

  it('refuses to renew a certificate that a new bootstrap replaced', async () => {
    const { cluster, bootstrap } = await clusters.register(actor, {
      name: 'renew-race',
      eastWestAddress: null,
      labels: {},
    });
    const old = await registration.register(request(bootstrap.token));
    const again = await clusters.newBootstrapToken(actor, cluster.id);
    await registration.register(request(again.token));
    const identity = {
      tenantId: actor.tenantId,
      clusterId: cluster.id,
      fingerprint: fingerprintOf(old.certificatePem),
    };
    const refused = await domainErrorOf(registration.renew(identity, { csrPem }));
    expect(refused.code).toBe('UNAUTHENTICATED');
    expect(refused.message).toContain('bootstrap the agent again');
  });

  it('leaves exactly one active certificate when 10 different tokens of a cluster are redeemed at once', async () => {
    const { cluster } = await clusters.register(actor, {
      name: 'stampede',
      eastWestAddress: null,
      labels: {},
    });
    for (let round = 0; round < 3; round++) {
      // Ten outstanding tokens at once (as before issuing retired older ones): inserted directly.
      const tokens = Array.from({ length: 10 }, () => `lbt_${randomBytes(32).toString('base64url')}`);
      for (const token of tokens) {
        await sql.query(
          `INSERT INTO bootstrap_tokens (id, tenant_id, cluster_id, hash, expires_at)
           VALUES (gen_random_uuid(), $1, $2, $3, now() + interval '1 hour')`,
          [actor.tenantId, cluster.id, hashBootstrapToken(token)],
        );
      }
      const outcomes = await Promise.allSettled(tokens.map((token) => registration.register(request(token))));
      const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected')
          expect(String((outcome.reason as Error).message)).toContain('replaced by a newer token');
      }
      const active = await sql.query(
        `SELECT fingerprint FROM agent_certificates WHERE cluster_id = $1 AND revoked_at IS NULL`,
        [cluster.id],
      );
      expect(active.rows).toEqual([
        {
          fingerprint: fingerprintOf(
            (winners[0] as PromiseFulfilledResult<{ certificatePem?: string }>).value.certificatePem,
          ),
        },
      ]);
      const unused = await sql.query(
        `SELECT count(*)::int AS n FROM bootstrap_tokens WHERE cluster_id = $1 AND used_at IS NULL`,
        [cluster.id],
      );
      expect(unused.rows[0]).toEqual({ n: 0 });
    }
  });
});
