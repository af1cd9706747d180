import { createPrivateKey, createPublicKey, generateKeyPair, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface KeyAndCsr {
  keyPem: string;
  csrPem: string;
}

/**
 * Generates an RSA key (node:crypto, off the event loop so heartbeats keep flowing) and a PKCS#10
 * CSR for it with subject CN = commonName (node-forge; node:crypto cannot build CSRs).
 * 2048 bits for the agent's client key, 3072 for GNS intermediates (they sign workload certs for years).
 */
export async function generateKeyAndCsr(commonName: string, modulusLength: 2048 | 3072): Promise<KeyAndCsr> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKey);
  csr.setSubject([{ name: 'commonName', value: commonName }]);
  // forge reads PKCS#1 and PKCS#8 RSA keys; it needs its own key object to sign.
  csr.sign(forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { keyPem: privateKey, csrPem: forge.pki.certificationRequestToPem(csr) };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** The first certificate of a PEM chain (the leaf / the intermediate), or undefined. */
export function firstCertificatePem(chainPem: string): string | undefined {
  return PEM_CERTIFICATE.exec(chainPem)?.[0];
}

export function isCertificatePem(text: string): boolean {
  return PEM_CERTIFICATE.test(text);
}

/** True when the private key is the one whose public key the certificate carries. */
export function keyMatchesCertificate(keyPem: string, certificatePem: string): boolean {
  try {
    const fromCertificate = new X509Certificate(certificatePem).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    return fromCertificate.equals(fromKey);
  } catch {
    return false;
  }
}

export interface CertificateValidity {
  notBeforeMs: number;
  notAfterMs: number;
}

export function certificateValidity(certificatePem: string): CertificateValidity {
  const certificate = new X509Certificate(certificatePem);
  return { notBeforeMs: Date.parse(certificate.validFrom), notAfterMs: Date.parse(certificate.validTo) };
}

/** When to renew: once two thirds of the lifetime have passed (leaves a third for retries). */
export function renewalTimeMs(validity: CertificateValidity): number {
  return validity.notBeforeMs + ((validity.notAfterMs - validity.notBeforeMs) * 2) / 3;
}
