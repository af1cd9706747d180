import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { Test, type TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { DomainError } from '@lattice/domain';
import { createAgentCa, createCsr, signAgentCertificate } from '@lattice/pki';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { platformModules } from '../../../../../test/support/platform-modules';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { RuntimeConfig } from '../../platform/config/runtime-config.types';
import { AgentIdentityCaService } from './agent-identity-ca.service';
import { AgentIdentityModule } from './agent-identity.module';

const peer = (certificatePem: string) =>
  ({ raw: new X509Certificate(certificatePem).raw }) as PeerCertificate;

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
}

/** The agent identity CA with its real repository on a scratch database; each module is one replica. */
describe('AgentIdentityCaService', () => {
  let database: TestDatabase;
  let config: RuntimeConfig;
  const replicas: TestingModule[] = [];
  let ca: AgentIdentityCaService;
  let csrPem: string;

  async function startReplica(replicaConfig: RuntimeConfig): Promise<AgentIdentityCaService> {
    const moduleRef = await Test.createTestingModule({
      imports: [...platformModules(replicaConfig), AgentIdentityModule],
    }).compile();
    replicas.push(moduleRef);
    await moduleRef.init();
    return moduleRef.get(AgentIdentityCaService);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    config = testRuntimeConfig(database.url);
    ca = await startReplica(config);
    csrPem = (await createCsr({ commonName: 'east', rsaBits: 2048 })).csrPem;
  });

  afterAll(async () => {
    for (const moduleRef of replicas) await moduleRef.close();
    await database?.drop();
  });

  it('is created once and shared by every replica through the database, its key sealed', async () => {
    const second = await startReplica(config);
    expect(second.caBundlePem).toBe(ca.caBundlePem);
    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    try {
      const rows = (await sql.query(`SELECT encrypted_key FROM internal_cas`)).rows as {
        encrypted_key: Record<string, unknown>;
      }[];
      expect(rows).toHaveLength(1);
      expect(rows[0]?.encrypted_key).toMatchObject({ v: 1, alg: 'AES-256-GCM' });
      expect(JSON.stringify(rows[0])).not.toContain('PRIVATE KEY');
    } finally {
      await sql.end();
    }
  });

  it('refuses to start under another master key', async () => {
    await expect(startReplica({ ...config, masterKey: randomBytes(32) })).rejects.toThrow(
      'LATTICE_MASTER_KEY differs',
    );
  });

  it('signs agent CSRs into client certificates it then recognises', () => {
    const tenantId = randomUUID();
    const clusterId = randomUUID();
    const issued = ca.signAgentCsr(tenantId, clusterId, csrPem);
    expect(issued.notAfter.getTime()).toBeGreaterThan(Date.now());
    expect(ca.verifyPeer(peer(issued.certificatePem))).toMatchObject({ tenantId, clusterId });
  });

  it('refuses a malformed CSR as a validation error', () => {
    expect(codeOf(() => ca.signAgentCsr(randomUUID(), randomUUID(), 'not a CSR'))).toBe('VALIDATION');
  });

  it('refuses peers without a certificate, with one of another CA, or outside its validity', async () => {
    expect(codeOf(() => ca.verifyPeer(undefined))).toBe('UNAUTHENTICATED');

    const foreign = await createAgentCa({ keyAlgorithm: 'RSA-2048' });
    const forged = signAgentCertificate({
      csrPem,
      caCertPem: foreign.certificatePem,
      caKeyPem: foreign.privateKeyPem,
      tenantId: randomUUID(),
      clusterId: randomUUID(),
    });
    expect(codeOf(() => ca.verifyPeer(peer(forged.certificatePem)))).toBe('UNAUTHENTICATED');

    const issued = ca.signAgentCsr(randomUUID(), randomUUID(), csrPem);
    const afterExpiry = new Date(issued.notAfter.getTime() + 60_000);
    expect(codeOf(() => ca.verifyPeer(peer(issued.certificatePem), afterExpiry))).toBe('UNAUTHENTICATED');
  });

  it('issues the gRPC serving certificate for host names and IP addresses', async () => {
    const credentials = await ca.servingCredentials(['controller.example.com', '127.0.0.1']);
    const served = new X509Certificate(credentials.certChainPem);
    expect(served.subjectAltName).toContain('DNS:controller.example.com');
    expect(served.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(served.checkIssued(new X509Certificate(ca.caBundlePem))).toBe(true);
    expect(credentials.caBundlePem).toBe(ca.caBundlePem);
  });
});
