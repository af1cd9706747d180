import { X509Certificate } from 'node:crypto';
import { createCsr } from './csr';
import { CertificateError, CsrRejectedError, CsrRejectionReason, InvalidPkiInputError } from './errors';
import { createRootCa, type CreatedCertificateAuthority } from './gns-ca';
import {
  intermediateCommonName,
  needsRenewal,
  renewalDueAt,
  signIntermediate,
  validateIntermediateCsr,
  type SignIntermediateInput,
} from './intermediate';
import {
  craftCsr,
  ecCsr,
  opensslText,
  opensslVerify,
  rsaKeyPairPem,
  signWorkloadCertificate,
} from './pki.test-util';

const NOW = new Date('2030-01-01T00:00:00Z');
const DAY_MS = 86_400_000;
const CN = intermediateCommonName('east-1');

function rejection(run: () => unknown): CsrRejectedError {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof CsrRejectedError) return error;
    throw error;
  }
  throw new Error('expected the CSR to be rejected');
}

describe('intermediate CA', () => {
  let root: CreatedCertificateAuthority;
  let otherRoot: CreatedCertificateAuthority;
  let csr: { csrPem: string; privateKeyPem: string };
  let keyPair2048: { privateKeyPem: string; publicKeyPem: string };

  beforeAll(async () => {
    [root, otherRoot, csr] = await Promise.all([
      createRootCa({
        tenantId: 't1',
        tenantName: 'Acme',
        gnsId: 'g1',
        gnsName: 'shop',
        trustDomain: 'shop.lattice.local',
        keyAlgorithm: 'RSA-2048',
        now: NOW,
      }),
      createRootCa({
        tenantId: 't1',
        tenantName: 'Acme',
        gnsId: 'g2',
        gnsName: 'payments',
        trustDomain: 'payments.lattice.local',
        keyAlgorithm: 'RSA-2048',
        now: NOW,
      }),
      createCsr({ commonName: CN, rsaBits: 2048 }),
    ]);
    keyPair2048 = rsaKeyPairPem(2048);
  });

  function signInput(overrides: Partial<SignIntermediateInput> = {}): SignIntermediateInput {
    return {
      csrPem: csr.csrPem,
      rootCertificatePem: root.certificatePem,
      rootPrivateKeyPem: root.privateKeyPem,
      trustDomain: 'shop.lattice.local',
      clusterName: 'east-1',
      now: NOW,
      ...overrides,
    };
  }

  describe('createCsr', () => {
    it('creates a CSR whose subject is only the CN, with a matching PKCS#8 key', async () => {
      const parsed = validateIntermediateCsr(csr.csrPem, { expectedCommonName: CN });
      expect(parsed.subject).toEqual([{ type: 'CN', value: CN }]);
      expect(parsed.requestedExtensions).toEqual([]);
      expect(parsed.rsaBits).toBe(2048);
      expect(csr.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    });

    it('defaults to RSA-3072 keys', async () => {
      const created = await createCsr({ commonName: 'x' });
      expect(validateIntermediateCsr(created.csrPem, { expectedCommonName: 'x' }).rsaBits).toBe(3072);
    });
  });

  describe('validateIntermediateCsr refuses crafted CSRs', () => {
    const expectations = { expectedCommonName: CN };

    it('refuses a CSR for another subject', () => {
      const wrongCn = craftCsr({
        keyPair: keyPair2048,
        subject: [{ shortName: 'CN', value: 'Lattice intermediate west' }],
      });
      const error = rejection(() => validateIntermediateCsr(wrongCn, expectations));
      expect(error.reason).toBe(CsrRejectionReason.SUBJECT_MISMATCH);
      expect(error.message).toContain('"Lattice intermediate west"');

      const extraAttributes = craftCsr({
        keyPair: keyPair2048,
        subject: [
          { shortName: 'O', value: 'Other tenant' },
          { shortName: 'CN', value: CN },
        ],
      });
      expect(rejection(() => validateIntermediateCsr(extraAttributes, expectations)).reason).toBe(
        CsrRejectionReason.SUBJECT_MISMATCH,
      );
      const noSubject = craftCsr({ keyPair: keyPair2048, subject: [] });
      expect(rejection(() => validateIntermediateCsr(noSubject, expectations)).reason).toBe(
        CsrRejectionReason.SUBJECT_MISMATCH,
      );
    });

    it('refuses a 1024-bit RSA key', () => {
      const weak = craftCsr({ keyPair: rsaKeyPairPem(1024), subject: [{ shortName: 'CN', value: CN }] });
      const error = rejection(() => validateIntermediateCsr(weak, expectations));
      expect(error.reason).toBe(CsrRejectionReason.WEAK_KEY);
      expect(error.message).toContain('1024 bits; at least 2048');
    });

    it('honours a stricter minimum key size', () => {
      expect(
        rejection(() => validateIntermediateCsr(csr.csrPem, { ...expectations, minRsaBits: 3072 })).reason,
      ).toBe(CsrRejectionReason.WEAK_KEY);
    });

    it('refuses a non-RSA key with a reason rather than a parser error', () => {
      const error = rejection(() => validateIntermediateCsr(ecCsr(CN), expectations));
      expect(error.reason).toBe(CsrRejectionReason.UNSUPPORTED_KEY);
      expect(error.message).toContain('the key is ec; only RSA keys are accepted');
    });

    it.each([
      [
        'pathLen 1',
        { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 1 },
        'path length 1',
      ],
      [
        'pathLen 5',
        { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 5 },
        'path length 5',
      ],
      ['an unlimited path', { name: 'basicConstraints', critical: true, cA: true }, 'unlimited path length'],
      ['a non-CA certificate', { name: 'basicConstraints', cA: false }, 'non-CA'],
      ['extra key usages', { name: 'keyUsage', keyCertSign: true, keyEncipherment: true }, 'keyEncipherment'],
      ['extended key usages', { name: 'extKeyUsage', serverAuth: true }, 'extKeyUsage'],
      [
        'a SAN of its choosing',
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'evil.example' }] },
        'subjectAltName',
      ],
      [
        'name constraints',
        // forge cannot encode nameConstraints itself: permitted DNS "evil.example", DER by hand.
        { id: '2.5.29.30', critical: true, value: '\x30\x10\xa0\x0e\x30\x0c\x82\x0aevil.local' },
        'nameConstraints',
      ],
    ])('refuses a CSR asking for %s', (_label, extension, mentioned) => {
      const crafted = craftCsr({
        keyPair: keyPair2048,
        subject: [{ shortName: 'CN', value: CN }],
        extensions: [extension],
      });
      const error = rejection(() => validateIntermediateCsr(crafted, expectations));
      expect(error.reason).toBe(CsrRejectionReason.FORBIDDEN_EXTENSION);
      expect(error.message).toContain(mentioned);
    });

    it('accepts a CSR asking for exactly what is granted (CA, pathLen 0, CA key usages)', () => {
      const modest = craftCsr({
        keyPair: keyPair2048,
        subject: [{ shortName: 'CN', value: CN }],
        extensions: [
          { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 },
          { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
          // forge can only derive an SKI for certificates; a raw OCTET STRING key id instead.
          { name: 'subjectKeyIdentifier', value: '\x04\x02\xab\xcd' },
        ],
      });
      expect(validateIntermediateCsr(modest, expectations).requestedExtensions.map((e) => e.name)).toEqual([
        'basicConstraints',
        'keyUsage',
        'subjectKeyIdentifier',
      ]);
    });

    it('refuses a CSR whose signature does not verify', () => {
      const der = Buffer.from(csr.csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
      // Change one character of the CN inside the signed part.
      const at = der.indexOf(Buffer.from('east-1'));
      der[at] = 'w'.charCodeAt(0);
      const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
      expect(rejection(() => validateIntermediateCsr(tampered, expectations)).reason).toBe(
        CsrRejectionReason.BAD_SIGNATURE,
      );
    });

    it('refuses a SHA-1 signature', () => {
      const sha1 = craftCsr({
        keyPair: keyPair2048,
        subject: [{ shortName: 'CN', value: CN }],
        digest: 'sha1',
      });
      const error = rejection(() => validateIntermediateCsr(sha1, expectations));
      expect(error.reason).toBe(CsrRejectionReason.UNSUPPORTED_SIGNATURE_ALGORITHM);
      expect(error.message).toContain('sha1WithRSAEncryption');
    });

    it.each([
      ['an empty string', ''],
      ['a certificate instead of a CSR', '__ROOT__'],
      ['two CSRs', '__TWO__'],
      ['corrupt base64', '-----BEGIN CERTIFICATE REQUEST-----\n@@@@\n-----END CERTIFICATE REQUEST-----\n'],
      ['truncated DER', '__TRUNCATED__'],
      ['trailing bytes after the DER', '__TRAILING__'],
    ])('refuses %s as malformed', (_label, input) => {
      const der = Buffer.from(csr.csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
      const pem = (bytes: Buffer) =>
        `-----BEGIN CERTIFICATE REQUEST-----\n${bytes.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
      const csrPem =
        input === '__ROOT__'
          ? root.certificatePem
          : input === '__TWO__'
            ? csr.csrPem + csr.csrPem
            : input === '__TRUNCATED__'
              ? pem(der.subarray(0, der.length - 10))
              : input === '__TRAILING__'
                ? pem(Buffer.concat([der, Buffer.from([0, 0])]))
                : input;
      expect(rejection(() => validateIntermediateCsr(csrPem, expectations)).reason).toBe(
        CsrRejectionReason.MALFORMED,
      );
    });
  });

  describe('signIntermediate', () => {
    it('issues a pathLen-0 CA for the cluster under the GNS root', () => {
      const signed = signIntermediate(signInput());
      const x509 = new X509Certificate(signed.certificatePem);
      const rootX509 = new X509Certificate(root.certificatePem);
      expect(x509.ca).toBe(true);
      expect(x509.checkIssued(rootX509)).toBe(true);
      expect(x509.verify(rootX509.publicKey)).toBe(true);
      expect(x509.subject.split('\n')).toEqual(['O=Acme', 'OU=shop', 'L=east-1', `CN=${CN}`]);
      expect(x509.subjectAltName).toBe(
        'URI:spiffe://shop.lattice.local/ns/istio-system/sa/istiod-east-1, DNS:istiod.istio-system.svc',
      );
      const text = opensslText(signed.certificatePem);
      expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
      expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign\n/);
      const rootSki = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(opensslText(root.certificatePem))?.[1];
      expect(/Authority Key Identifier:\s+(?:keyid:)?([0-9A-F:]+)/.exec(text)?.[1]).toBe(rootSki);
      expect(/Subject Key Identifier:\s+([0-9A-F:]+)/.exec(text)?.[1]).not.toBe(rootSki);
    });

    it('returns the chain (intermediate, then root) and what the certificate says', () => {
      const signed = signIntermediate(signInput());
      expect(signed.certChainPem).toBe(signed.certificatePem + root.certificatePem);
      const x509 = new X509Certificate(signed.certificatePem);
      expect(signed.fingerprintSha256).toBe(x509.fingerprint256);
      expect(signed.issuerFingerprintSha256).toBe(root.fingerprintSha256);
      expect(signed.notAfter).toEqual(new Date(x509.validTo));
      expect(signed.notAfter.getTime()).toBe(NOW.getTime() + 365 * DAY_MS);
      expect(opensslVerify(signed.certificatePem, [], root.certificatePem, { at: NOW })).toMatchObject({
        ok: true,
      });
    });

    it('never outlives the root', () => {
      const late = new Date(root.notAfter.getTime() - 30 * DAY_MS);
      const signed = signIntermediate(signInput({ now: late }));
      expect(signed.notAfter).toEqual(root.notAfter);
    });

    it('refuses to sign with an expired root, a foreign key or a non-CA certificate', () => {
      expect(() => signIntermediate(signInput({ now: new Date(root.notAfter.getTime() + 1000) }))).toThrow(
        /issuing CA expired/,
      );
      expect(() => signIntermediate(signInput({ rootPrivateKeyPem: otherRoot.privateKeyPem }))).toThrow(
        new CertificateError('the CA private key does not belong to the CA certificate'),
      );
      const intermediate = signIntermediate(signInput());
      const workload = signWorkloadCertificate({
        intermediateCertPem: intermediate.certificatePem,
        intermediateKeyPem: csr.privateKeyPem,
        spiffeId: 'spiffe://shop.lattice.local/ns/default/sa/web',
        now: NOW,
      });
      expect(() => signIntermediate(signInput({ rootCertificatePem: workload }))).toThrow(/not a CA/);
    });

    it('checks the CSR itself (the expected CN comes from the cluster name)', () => {
      expect(() => signIntermediate(signInput({ clusterName: 'west-1' }))).toThrow(CsrRejectedError);
      expect(() => signIntermediate(signInput({ clusterName: 'west/1' }))).toThrow(InvalidPkiInputError);
    });
  });

  describe('needsRenewal', () => {
    it('turns true once a third of the lifetime is left, and stays true after expiry', () => {
      const signed = signIntermediate(signInput({ validityDays: 300 }));
      const lifetime = signed.notAfter.getTime() - signed.notBefore.getTime();
      const due = new Date(signed.notAfter.getTime() - lifetime / 3);
      expect(renewalDueAt(signed.certificatePem)).toEqual(due);
      expect(needsRenewal(signed.certificatePem, NOW)).toBe(false);
      expect(needsRenewal(signed.certificatePem, new Date(due.getTime() - 1000))).toBe(false);
      expect(needsRenewal(signed.certificatePem, due)).toBe(true);
      expect(needsRenewal(signed.certificatePem, new Date(signed.notAfter.getTime() + DAY_MS))).toBe(true);
      expect(
        needsRenewal(signed.certificatePem, new Date(signed.notAfter.getTime() - 200 * DAY_MS), 0.9),
      ).toBe(true);
    });

    it('refuses a fraction outside (0, 1)', () => {
      expect(() => needsRenewal(root.certificatePem, NOW, 0)).toThrow(InvalidPkiInputError);
      expect(() => needsRenewal(root.certificatePem, NOW, 1.5)).toThrow(InvalidPkiInputError);
    });
  });
});
