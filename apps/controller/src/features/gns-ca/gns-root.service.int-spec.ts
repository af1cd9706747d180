import { createPrivateKey, createPublicKey, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { DecryptionError, gnsRootKeyAssociatedData, openPrivateKey, type EncryptedBlob } from '@lattice/pki';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { createFeatureModule, createTestTenant } from '../../../../../test/support/feature-module';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import type { RuntimeConfig } from '../../platform/config/runtime-config.types';
import { PrismaService } from '../../platform/database/prisma.service';
import { GnsCaModule } from './gns-ca.module';
import { GnsCaRepository } from './gns-ca.repository';
import { GnsRootService } from './gns-root.service';

/**
 * GnsRootService on the gns-ca module alone and a scratch database: roots made for a GNS, sealed
 * under the master key for (tenant, GNS, generation) and never stored in clear, and ensureRoot
 * creating the missing first root exactly once.
 */
describe('GnsRootService', () => {
  let database: TestDatabase;
  let config: RuntimeConfig;
  let moduleRef: TestingModule;
  let sql: Client;
  let roots: GnsRootService;
  let ca: GnsCaRepository;
  let actor: TenantPrincipal;
  let stranger: TenantPrincipal;

  const createGns = async (tenantId: string, name: string) => {
    const row = await moduleRef.get(PrismaService).globalNamespace.create({
      data: { tenantId, name, domain: `${name}.lattice.local`, matchConditions: [] },
    });
    return { id: row.id, name: row.name, domain: row.domain };
  };
  /** The public key a private key PEM belongs to, comparable with a certificate's. */
  const publicKeyDer = (privateKeyPem: string) =>
    createPublicKey(privateKeyPem).export({ type: 'spki', format: 'der' });
  const certificateKeyDer = (certificatePem: string) =>
    new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  /** Every stored column of a GNS's root rows, as PostgreSQL renders them. */
  const storedRootRows = async (gnsId: string): Promise<string[]> =>
    (
      await sql.query(`SELECT r::text AS row FROM gns_ca_roots r WHERE gns_id = $1 ORDER BY generation`, [
        gnsId,
      ])
    ).rows.map((row: { row: string }) => row.row);

  beforeAll(async () => {
    database = await createTestDatabase();
    config = testRuntimeConfig(database.url);
    ({ moduleRef } = await createFeatureModule(config, [GnsCaModule]));
    roots = moduleRef.get(GnsRootService);
    ca = moduleRef.get(GnsCaRepository);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    actor = await createTestTenant(moduleRef, 'roots-a');
    stranger = await createTestTenant(moduleRef, 'roots-b');
  });

  afterAll(async () => {
    await sql?.end();
    await moduleRef?.close();
    await database?.drop();
  });

  it('prepares a root CA for the GNS, its key sealed for (tenant, GNS, generation) under the master key; nothing is stored', async () => {
    const gns = await createGns(actor.tenantId, 'prepared');
    const root = await roots.prepareRoot(actor.tenantId, gns, 3);

    const certificate = new X509Certificate(root.certificatePem);
    expect(certificate.ca).toBe(true);
    expect(certificate.subject).toContain('O=roots-a');
    expect(certificate.subject).toContain('CN=Lattice GNS root prepared');
    expect(root).toMatchObject({ generation: 3, fingerprint: certificate.fingerprint256 });
    expect(root.notBefore.getTime()).toBe(new Date(certificate.validFrom).getTime());
    expect(root.notAfter.getTime()).toBe(new Date(certificate.validTo).getTime());
    const validityDays = (root.notAfter.getTime() - root.notBefore.getTime()) / 86_400_000;
    expect(Math.round(validityDays)).toBe(config.env.LATTICE_CA_ROOT_VALIDITY_DAYS);

    expect(JSON.stringify(root.encryptedKey)).not.toContain('PRIVATE KEY');
    const keyPem = openPrivateKey(
      root.encryptedKey,
      config.masterKey,
      gnsRootKeyAssociatedData({ tenantId: actor.tenantId, gnsId: gns.id, generation: 3 }),
    );
    expect(keyPem).toContain('PRIVATE KEY');
    expect(publicKeyDer(keyPem).equals(certificateKeyDer(root.certificatePem))).toBe(true);

    // Bound to its owner: another generation, GNS or tenant, or another master key, does not open it.
    for (const [masterKey, associatedData] of [
      [
        config.masterKey,
        gnsRootKeyAssociatedData({ tenantId: actor.tenantId, gnsId: gns.id, generation: 4 }),
      ],
      [
        config.masterKey,
        gnsRootKeyAssociatedData({ tenantId: actor.tenantId, gnsId: randomUUID(), generation: 3 }),
      ],
      [
        config.masterKey,
        gnsRootKeyAssociatedData({ tenantId: stranger.tenantId, gnsId: gns.id, generation: 3 }),
      ],
      [randomBytes(32), gnsRootKeyAssociatedData({ tenantId: actor.tenantId, gnsId: gns.id, generation: 3 })],
    ] as const) {
      expect(() => openPrivateKey(root.encryptedKey, masterKey, associatedData)).toThrow(DecryptionError);
    }
    expect(await ca.roots(actor.tenantId, gns.id)).toEqual([]);
  });

  it('ensureRoot creates the missing first root, sealed (no private key in clear in its row), and starts the rotation state', async () => {
    const gns = await createGns(actor.tenantId, 'legacy');
    expect(await roots.ensureRoot(actor.tenantId, gns.id)).toBe(true);

    const [stored] = await ca.roots(actor.tenantId, gns.id);
    expect(stored).toMatchObject({ gnsId: gns.id, generation: 1, retiredAt: null });
    expect(stored!.fingerprint).toBe(new X509Certificate(stored!.certificatePem).fingerprint256);
    expect((await ca.findGns(actor.tenantId, gns.id))?.caRotation).toMatchObject({
      stage: 'IDLE',
      currentRootGeneration: 1,
    });

    // The repository's one reader of the sealed key (the signer's path) opens it with the configured master key.
    const sealed = await ca.sealedRootKey(actor.tenantId, gns.id, 1);
    expect(sealed?.encryptedKey).not.toBeNull();
    const keyPem = openPrivateKey(
      sealed!.encryptedKey as EncryptedBlob,
      config.masterKey,
      gnsRootKeyAssociatedData({ tenantId: actor.tenantId, gnsId: gns.id, generation: 1 }),
    );
    expect(publicKeyDer(keyPem).equals(certificateKeyDer(stored!.certificatePem))).toBe(true);

    // Nothing of the key is stored in clear: not the PEM armour, and none of its private numbers
    // (the modulus is public: the certificate carries it) in any base64 text of the row.
    const rows = await storedRootRows(gns.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).not.toContain('PRIVATE KEY');
    const decodedRuns = (rows[0]!.replace(/\\n|\n/g, '').match(/[A-Za-z0-9+/]{44,}={0,2}/g) ?? []).map(
      (run) => Buffer.from(run, 'base64'),
    );
    expect(decodedRuns.length).toBeGreaterThan(0);
    const { d, p, q } = createPrivateKey(keyPem).export({ format: 'jwk' });
    for (const secretNumber of [d, p, q]) {
      const prefix = Buffer.from(secretNumber!, 'base64url').subarray(0, 32);
      for (const decoded of decodedRuns) expect(decoded.includes(prefix)).toBe(false);
      expect(rows[0]).not.toContain(prefix.toString('hex'));
    }
    const encryptedKeyColumn = (
      await sql.query(`SELECT encrypted_key::text AS value FROM gns_ca_roots WHERE gns_id = $1`, [gns.id])
    ).rows[0] as { value: string };
    expect(encryptedKeyColumn.value).not.toContain('PRIVATE KEY');
    expect(JSON.parse(encryptedKeyColumn.value)).toMatchObject({ v: 1, alg: 'AES-256-GCM' });
  });

  it('ensureRoot is idempotent: a GNS with a root, also under concurrent calls, keeps exactly one', async () => {
    const gns = await createGns(actor.tenantId, 'once');
    expect(await roots.ensureRoot(actor.tenantId, gns.id)).toBe(true);
    const [first] = await ca.roots(actor.tenantId, gns.id);
    expect(await roots.ensureRoot(actor.tenantId, gns.id)).toBe(false);
    expect(await ca.roots(actor.tenantId, gns.id)).toEqual([first]);

    const raced = await createGns(actor.tenantId, 'raced');
    const outcomes = await Promise.all([
      roots.ensureRoot(actor.tenantId, raced.id),
      roots.ensureRoot(actor.tenantId, raced.id),
    ]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await ca.roots(actor.tenantId, raced.id)).toHaveLength(1);
    expect(await storedRootRows(raced.id)).toHaveLength(1);
  });

  it("ensureRoot does nothing for an unknown GNS or another tenant's", async () => {
    const gns = await createGns(actor.tenantId, 'foreign');
    expect(await roots.ensureRoot(stranger.tenantId, gns.id)).toBe(false);
    expect(await roots.ensureRoot(actor.tenantId, randomUUID())).toBe(false);
    expect(await storedRootRows(gns.id)).toEqual([]);
    expect((await ca.findGns(actor.tenantId, gns.id))?.caRotation).toBeNull();
  });
});
