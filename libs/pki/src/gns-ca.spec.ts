import { X509Certificate, createPrivateKey } from 'node:crypto';
import { InvalidPkiInputError } from './errors';
import { createRootCa, type CreatedCertificateAuthority } from './gns-ca';
import { opensslText, opensslVerify } from './pki.test-util';

const NOW = new Date('2030-01-01T00:00:00Z');
const BASE = {
  tenantId: 'tenant-1',
  tenantName: 'Acme Zürich AG',
  gnsId: 'gns-1',
  gnsName: 'shop',
  trustDomain: 'shop.lattice.local',
  keyAlgorithm: 'RSA-2048' as const,
};

describe('createRootCa', () => {
  let root: CreatedCertificateAuthority;
  let x509: X509Certificate;

  beforeAll(async () => {
    root = await createRootCa({ ...BASE, now: NOW });
    x509 = new X509Certificate(root.certificatePem);
  });

  it('names the tenant and the GNS in the subject (UTF-8 intact)', () => {
    expect(x509.subject.split('\n')).toEqual(['O=Acme Zürich AG', 'OU=shop', 'CN=Lattice GNS root shop']);
    expect(x509.issuer).toBe(x509.subject);
  });

  it('is a self-signed CA with the extensions a root needs', () => {
    expect(x509.ca).toBe(true);
    expect(x509.checkIssued(x509)).toBe(true);
    expect(x509.verify(x509.publicKey)).toBe(true);
    const text = opensslText(root.certificatePem);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:1/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign\n/);
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
    const ski = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(text)?.[1];
    const aki = /Authority Key Identifier:\s+(?:keyid:)?([0-9A-F:]+)/.exec(text)?.[1];
    expect(ski).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(aki).toBe(ski);
    expect(x509.subjectAltName).toBe(
      'URI:spiffe://shop.lattice.local, URI:urn:lattice:tenant:tenant-1:gns:gns-1',
    );
  });

  it('passes OpenSSL strict validation as its own trust anchor', () => {
    expect(opensslVerify(root.certificatePem, [], root.certificatePem, { at: NOW })).toMatchObject({
      ok: true,
    });
  });

  it('reports what the certificate says: fingerprint, serial and a 10-year validity by default', () => {
    expect(root.fingerprintSha256).toBe(x509.fingerprint256);
    expect(root.serialNumber).toBe(x509.serialNumber);
    expect(root.notBefore).toEqual(new Date(x509.validFrom));
    expect(root.notAfter).toEqual(new Date(x509.validTo));
    expect(root.notBefore.getTime()).toBe(NOW.getTime() - 5 * 60 * 1000);
    expect(root.notAfter.getTime()).toBe(NOW.getTime() + 3650 * 86_400_000);
  });

  it('returns a PKCS#8 private key that belongs to the certificate', () => {
    expect(root.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(x509.checkPrivateKey(createPrivateKey(root.privateKeyPem))).toBe(true);
  });

  // RSA-4096 generation is random and can take seconds; the generous timeout is not a timing assertion.
  it('defaults to RSA-4096 and honours validityDays', async () => {
    const production = await createRootCa({ ...BASE, keyAlgorithm: undefined, validityDays: 30, now: NOW });
    const parsed = new X509Certificate(production.certificatePem);
    expect(parsed.publicKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(production.notAfter.getTime()).toBe(NOW.getTime() + 30 * 86_400_000);
  }, 60_000);

  it('uses random, positive 128-bit serials without a redundant leading zero', async () => {
    const serials = [root.serialNumber];
    for (let index = 0; index < 3; index++)
      serials.push((await createRootCa({ ...BASE, now: NOW })).serialNumber);
    expect(new Set(serials).size).toBe(serials.length);
    for (const pem of [
      root.certificatePem,
      ...(await Promise.all([1, 2, 3].map(() => createRootCa(BASE)))).map((ca) => ca.certificatePem),
    ]) {
      const serialBytes = derSerialBytes(new X509Certificate(pem).raw);
      // Positive and minimal: either 16 bytes with the top bit clear and a non-zero first byte, or a
      // 0x00 sign byte in front of 16 bytes whose top bit is set.
      if (serialBytes.length === 17) {
        expect(serialBytes[0]).toBe(0);
        expect(serialBytes[1]! & 0x80).toBe(0x80);
      } else {
        expect(serialBytes).toHaveLength(16);
        expect(serialBytes[0]).toBeGreaterThan(0);
        expect(serialBytes[0]).toBeLessThan(0x80);
      }
    }
  });

  it.each([
    ['a trust domain with a path', { trustDomain: 'shop.local/evil' }],
    ['an upper-case trust domain', { trustDomain: 'Shop.local' }],
    ['a tenant id with a slash', { tenantId: 'a/b' }],
    ['an empty GNS name', { gnsName: ' ' }],
    ['a tenant name with a newline', { tenantName: 'Acme\nCN=evil' }],
    ['zero validity', { validityDays: 0 }],
  ])('refuses %s before generating a key', async (_label, override) => {
    await expect(createRootCa({ ...BASE, ...override })).rejects.toBeInstanceOf(InvalidPkiInputError);
  });
});

/** The serialNumber INTEGER's content bytes: Certificate -> TBSCertificate -> [0] version -> serial. */
function derSerialBytes(der: Buffer): Buffer {
  const versionThenSerialTag = Buffer.from('a00302010202', 'hex');
  const at = der.indexOf(versionThenSerialTag);
  const length = der[at + versionThenSerialTag.length]!;
  const start = at + versionThenSerialTag.length + 1;
  return der.subarray(start, start + length);
}
