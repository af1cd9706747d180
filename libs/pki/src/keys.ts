import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { InvalidPkiInputError } from './errors';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface RsaKeyPair {
  /** PKCS#8 (`BEGIN PRIVATE KEY`), which Istio's plug-in CA, OpenSSL and forge all read. */
  privateKeyPem: string;
  /** SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`). */
  publicKeyPem: string;
}

export const SUPPORTED_RSA_BITS = [2048, 3072, 4096] as const;
export type RsaBits = (typeof SUPPORTED_RSA_BITS)[number];

/**
 * RSA key generation in OpenSSL on libuv's thread pool: a 4096-bit key takes from a fraction of a
 * second to several seconds (prime search is random), and must not block the event loop.
 */
export async function generateRsaKeyPair(bits: number): Promise<RsaKeyPair> {
  if (!(SUPPORTED_RSA_BITS as readonly number[]).includes(bits)) {
    throw new InvalidPkiInputError(
      `RSA key size must be one of ${SUPPORTED_RSA_BITS.join(', ')}, got ${bits}`,
    );
  }
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: bits,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}
