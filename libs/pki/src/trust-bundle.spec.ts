import { createCsr } from './csr';
import { CertificateError } from './errors';
import { createRootCa, type CreatedCertificateAuthority } from './gns-ca';
import { intermediateCommonName, signIntermediate, type SignedIntermediate } from './intermediate';
import { splitCertificatePems } from './pem';
import {
  opensslVerify,
  rsaKeyPairPem,
  signSubCa,
  signWorkloadCertificate,
  verifyChain,
} from './pki.test-util';
import { buildTrustBundle, trustBundleEntries } from './trust-bundle';

const NOW = new Date('2030-01-01T00:00:00Z');

interface ClusterCa {
  intermediate: SignedIntermediate;
  privateKeyPem: string;
}

async function rootFor(gnsId: string, trustDomain: string, now = NOW): Promise<CreatedCertificateAuthority> {
  return createRootCa({
    tenantId: 't1',
    tenantName: 'Acme',
    gnsId,
    gnsName: gnsId,
    trustDomain,
    keyAlgorithm: 'RSA-2048',
    now,
  });
}

async function clusterCa(
  root: CreatedCertificateAuthority,
  trustDomain: string,
  clusterName: string,
): Promise<ClusterCa> {
  const csr = await createCsr({ commonName: intermediateCommonName(clusterName), rsaBits: 2048 });
  const intermediate = signIntermediate({
    csrPem: csr.csrPem,
    rootCertificatePem: root.certificatePem,
    rootPrivateKeyPem: root.privateKeyPem,
    trustDomain,
    clusterName,
    now: NOW,
  });
  return { intermediate, privateKeyPem: csr.privateKeyPem };
}

function workloadOf(cluster: ClusterCa, spiffeId: string): string {
  return signWorkloadCertificate({
    intermediateCertPem: cluster.intermediate.certificatePem,
    intermediateKeyPem: cluster.privateKeyPem,
    spiffeId,
    now: NOW,
  });
}

describe('trust bundles', () => {
  let shopRoot: CreatedCertificateAuthority;
  let shopRootLater: CreatedCertificateAuthority;
  let paymentsRoot: CreatedCertificateAuthority;
  let east: ClusterCa;
  let west: ClusterCa;
  let paymentsEast: ClusterCa;

  beforeAll(async () => {
    [shopRoot, shopRootLater, paymentsRoot] = await Promise.all([
      rootFor('shop', 'shop.lattice.local'),
      rootFor('shop', 'shop.lattice.local', new Date(NOW.getTime() + 1000_000)),
      rootFor('payments', 'payments.lattice.local'),
    ]);
    [east, west, paymentsEast] = await Promise.all([
      clusterCa(shopRoot, 'shop.lattice.local', 'east'),
      clusterCa(shopRoot, 'shop.lattice.local', 'west'),
      clusterCa(paymentsRoot, 'payments.lattice.local', 'east'),
    ]);
  });

  describe('buildTrustBundle', () => {
    it('drops duplicates and orders roots the same whatever the input order', () => {
      const forward = buildTrustBundle([
        shopRoot.certificatePem,
        shopRootLater.certificatePem,
        shopRoot.certificatePem,
      ]);
      const backward = buildTrustBundle([shopRootLater.certificatePem + shopRoot.certificatePem]);
      expect(forward).toBe(backward);
      expect(splitCertificatePems(forward)).toEqual([shopRoot.certificatePem, shopRootLater.certificatePem]);
      expect(trustBundleEntries([forward]).map((entry) => entry.fingerprintSha256)).toEqual([
        shopRoot.fingerprintSha256,
        shopRootLater.fingerprintSha256,
      ]);
    });

    it('normalises line endings and surrounding text', () => {
      const messy = `subject=whatever\r\n${shopRoot.certificatePem.replace(/\n/g, '\r\n')}`;
      expect(buildTrustBundle([messy])).toBe(shopRoot.certificatePem);
    });

    it('is empty for no roots and refuses non-CA certificates', () => {
      expect(buildTrustBundle([])).toBe('');
      const leaf = workloadOf(east, 'spiffe://shop.lattice.local/ns/default/sa/web');
      expect(() => buildTrustBundle([shopRoot.certificatePem, leaf])).toThrow(CertificateError);
      expect(() =>
        buildTrustBundle(['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n']),
      ).toThrow(CertificateError);
    });
  });

  describe('cross-cluster trust inside a GNS, and isolation between GNS', () => {
    const web = 'spiffe://shop.lattice.local/ns/default/sa/web';

    it("verifies a workload of cluster A against cluster B's trust bundle in the same GNS", () => {
      const leafFromEast = workloadOf(east, web);
      const westBundle = buildTrustBundle([shopRoot.certificatePem]);
      expect(verifyChain(leafFromEast, [east.intermediate.certChainPem], westBundle, NOW)).toMatchObject({
        valid: true,
      });
      expect(
        opensslVerify(leafFromEast, [east.intermediate.certificatePem], westBundle, {
          at: NOW,
          purpose: 'sslclient',
        }),
      ).toMatchObject({ ok: true });
      // And the other way round.
      const leafFromWest = workloadOf(west, web);
      expect(verifyChain(leafFromWest, [west.intermediate.certChainPem], westBundle, NOW)).toMatchObject({
        valid: true,
      });
      expect(
        opensslVerify(leafFromWest, [west.intermediate.certificatePem], westBundle, { at: NOW }),
      ).toMatchObject({
        ok: true,
      });
    });

    it("fails against another GNS's trust bundle, even when the chain carries its own root", () => {
      const leafFromEast = workloadOf(east, web);
      const paymentsBundle = buildTrustBundle([paymentsRoot.certificatePem]);
      expect(verifyChain(leafFromEast, [east.intermediate.certChainPem], paymentsBundle, NOW)).toMatchObject({
        valid: false,
      });
      expect(
        opensslVerify(leafFromEast, [east.intermediate.certChainPem], paymentsBundle, { at: NOW }),
      ).toMatchObject({ ok: false });
      const paymentsLeaf = workloadOf(paymentsEast, 'spiffe://payments.lattice.local/ns/default/sa/api');
      const shopBundle = buildTrustBundle([shopRoot.certificatePem]);
      expect(
        verifyChain(paymentsLeaf, [paymentsEast.intermediate.certChainPem], shopBundle, NOW),
      ).toMatchObject({
        valid: false,
      });
    });

    it('fails without the intermediate, and once the workload certificate has expired', () => {
      const leaf = workloadOf(east, web);
      const bundle = buildTrustBundle([shopRoot.certificatePem]);
      expect(verifyChain(leaf, [], bundle, NOW)).toMatchObject({ valid: false });
      const later = new Date(NOW.getTime() + 2 * 86_400_000);
      expect(verifyChain(leaf, [east.intermediate.certChainPem], bundle, later)).toMatchObject({
        valid: false,
      });
    });

    it('makes pathLen 0 bite: OpenSSL refuses anything a cluster intermediate signs as a CA', () => {
      const rogue = rsaKeyPairPem(2048);
      const subCa = signSubCa({
        issuerCertPem: east.intermediate.certificatePem,
        issuerKeyPem: east.privateKeyPem,
        publicKeyPem: rogue.publicKeyPem,
        now: NOW,
      });
      const leaf = signWorkloadCertificate({
        intermediateCertPem: subCa,
        intermediateKeyPem: rogue.privateKeyPem,
        spiffeId: web,
        now: NOW,
      });
      const bundle = buildTrustBundle([shopRoot.certificatePem]);
      const result = opensslVerify(leaf, [subCa, east.intermediate.certificatePem], bundle, { at: NOW });
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(/path length/i);
    });
  });
});
