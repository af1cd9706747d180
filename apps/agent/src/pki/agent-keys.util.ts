import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { createCsr } from '@lattice/pki';

export interface KeyAndCsr {
  keyPem: string;
  csrPem: string;
}

/**
 * Generates an RSA key and a PKCS#10 CSR for it with subject CN = commonName, both in OpenSSL
 * (@lattice/pki's createCsr): the key on libuv's thread pool, so heartbeats keep flowing, and the
 * CSR signature natively rather than in node-forge's JavaScript RSA (tens of milliseconds to
 * seconds of event-loop time per signature, depending on the key size and on where it runs).
 * 2048 bits for the agent's client key, 3072 for GNS intermediates (they sign workload certs for years).
 */
export async function generateKeyAndCsr(commonName: string, modulusLength: 2048 | 3072): Promise<KeyAndCsr> {
  const { privateKeyPem, csrPem } = await createCsr({ commonName, rsaBits: modulusLength });
  return { keyPem: privateKeyPem, csrPem };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** The first certificate of a PEM chain (the leaf / the intermediate), or undefined. */
export function firstCertificatePem(chainPem: string): string | undefined {
  return PEM_CERTIFICATE.exec(chainPem)?.[0];
}

export function isCertificatePem(text: string): boolean {
  return PEM_CERTIFICATE.test(text);
}

/**
 * Answers of the pure functions below by their PEM inputs: every snapshot an agent applies asks
 * whether each GNS intermediate's key matches its certificate, and parsing the key and the
 * certificate again each time was a tenth of an agent's work per snapshot. Bounded, oldest out.
 */
const MEMO_ENTRIES = 256;
const matchMemo = new Map<string, boolean>();
const validityMemo = new Map<string, CertificateValidity>();

function memoized<V>(memo: Map<string, V>, key: string, compute: () => V): V {
  const known = memo.get(key);
  if (known !== undefined) return known;
  const value = compute();
  if (memo.size >= MEMO_ENTRIES) memo.delete(memo.keys().next().value as string);
  memo.set(key, value);
  return value;
}

/** True when the private key is the one whose public key the certificate carries. */
export function keyMatchesCertificate(keyPem: string, certificatePem: string): boolean {
  return memoized(matchMemo, `${keyPem}\n${certificatePem}`, () => {
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
  });
}

export interface CertificateValidity {
  notBeforeMs: number;
  notAfterMs: number;
}

/** Throws when the PEM is not a certificate (not remembered). */
export function certificateValidity(certificatePem: string): CertificateValidity {
  return memoized(validityMemo, certificatePem, () => {
    const certificate = new X509Certificate(certificatePem);
    return { notBeforeMs: Date.parse(certificate.validFrom), notAfterMs: Date.parse(certificate.validTo) };
  });
}

/** When to renew: once two thirds of the lifetime have passed (leaves a third for retries). */
export function renewalTimeMs(validity: CertificateValidity): number {
  return validity.notBeforeMs + ((validity.notAfterMs - validity.notBeforeMs) * 2) / 3;
}
