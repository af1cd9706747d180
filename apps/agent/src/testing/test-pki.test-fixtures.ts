// Test-only PKI: a throwaway CA and certificates signed by it, for specs and the fake controller.
// node-forge builds the certificates; OpenSSL makes the keys and signatures (nativeRsaSha256Signer).
// forge's own RSA is JavaScript big-number arithmetic that picks its inner loop by `typeof navigator`:
// since Node.js 21 has a `navigator`, it takes the variant that calls Math.floor per digit, and
// inside jest's vm context every such global lookup is slow, so one 2048-bit signature took ~1 s.
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { nativeRsaSha256Signer } from '@lattice/pki';

export interface TestCa {
  certPem: string;
  keyPem: string;
}

export interface IssueOptions {
  commonName: string;
  notBefore?: Date;
  notAfter?: Date;
  /** DNS names and IP addresses for a server certificate. */
  altNames?: { dns?: string[]; ip?: string[] };
  isCa?: boolean;
}

export function createTestCa(commonName = 'Test Agent CA'): TestCa {
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  certificate.serialNumber = serialNumber();
  certificate.validity.notBefore = new Date(Date.now() - 60_000);
  certificate.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const subject = [{ name: 'commonName', value: commonName }];
  certificate.setSubject(subject);
  certificate.setIssuer(subject);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true },
  ]);
  certificate.sign(nativeRsaSha256Signer(createPrivateKey(keys.privateKey)), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(certificate), keyPem: keys.privateKey };
}

/** Signs a public key (PEM) with the CA. */
export function issueCertificate(ca: TestCa, publicKeyPem: string, options: IssueOptions): string {
  const caCertificate = forge.pki.certificateFromPem(ca.certPem);
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  certificate.serialNumber = serialNumber();
  certificate.validity.notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  certificate.validity.notAfter = options.notAfter ?? new Date(Date.now() + 3600_000);
  certificate.setSubject([{ name: 'commonName', value: options.commonName }]);
  certificate.setIssuer(caCertificate.subject.attributes);
  const extensions: object[] = [{ name: 'basicConstraints', cA: options.isCa ?? false }];
  if (options.altNames) {
    extensions.push({
      name: 'subjectAltName',
      altNames: [
        ...(options.altNames.dns ?? []).map((value) => ({ type: 2, value })),
        ...(options.altNames.ip ?? []).map((ip) => ({ type: 7, ip })),
      ],
    });
  }
  certificate.setExtensions(extensions);
  certificate.sign(nativeRsaSha256Signer(createPrivateKey(ca.keyPem)), forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate);
}

/** Signs a PKCS#10 CSR with the CA after checking its signature. */
export function signCsr(
  ca: TestCa,
  csrPem: string,
  options: Omit<IssueOptions, 'commonName'> & { commonName?: string },
): string {
  const csr = forge.pki.certificationRequestFromPem(csrPem);
  if (!csr.verify()) throw new Error('CSR signature is invalid');
  if (!csr.publicKey) throw new Error('CSR has no public key');
  const commonName = options.commonName ?? String(csr.subject.getField('CN')?.value ?? '');
  return issueCertificate(ca, forge.pki.publicKeyToPem(csr.publicKey), { ...options, commonName });
}

export function csrCommonName(csrPem: string): string {
  return String(forge.pki.certificationRequestFromPem(csrPem).subject.getField('CN')?.value ?? '');
}

function serialNumber(): string {
  // Positive (leading nibble < 8) 16-byte serial, as RFC 5280 asks.
  return `0${randomBytes(16).toString('hex').slice(1)}`;
}
