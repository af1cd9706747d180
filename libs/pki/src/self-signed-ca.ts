import { createPrivateKey, createPublicKey } from 'node:crypto';
import {
  issueCertificate,
  rsaKeyIdentifier,
  type utf8NameAttribute,
  validityWindow,
  type IssuedCertificate,
} from './certificate';
import { InvalidPkiInputError } from './errors';
import { generateRsaKeyPair } from './keys';

/**
 * Key choice for GNS roots: RSA, 4096 bits by default. ECDSA P-384 would be smaller and faster,
 * but node-forge (which builds our certificates) can neither sign with nor embed EC keys, and RSA
 * roots are what Istio's own plug-in CA tooling produces, so every mesh version accepts them.
 * 4096-bit generation is slow (often seconds), hence async generation in OpenSSL; tests pass
 * 'RSA-2048' to stay fast.
 */
export type RootKeyAlgorithm = 'RSA-4096' | 'RSA-3072' | 'RSA-2048';
export const DEFAULT_ROOT_KEY_ALGORITHM: RootKeyAlgorithm = 'RSA-4096';

const ROOT_KEY_BITS: Record<RootKeyAlgorithm, number> = {
  'RSA-4096': 4096,
  'RSA-3072': 3072,
  'RSA-2048': 2048,
};

export interface CreatedCertificateAuthority extends IssuedCertificate {
  /** PKCS#8 PEM. Seal it (sealPrivateKey) before it goes anywhere near storage. */
  privateKeyPem: string;
}

export interface SelfSignedCaInput {
  subject: ReturnType<typeof utf8NameAttribute>[];
  pathLenConstraint: number;
  validityDays: number;
  keyAlgorithm?: RootKeyAlgorithm;
  now?: Date;
  extraExtensions?: object[];
}

/**
 * A self-signed CA certificate and its new key: basicConstraints CA:TRUE with the given path
 * length and keyUsage keyCertSign + cRLSign (both critical), SKI = AKI. Shared by GNS roots and
 * the controller's agent CA.
 */
export async function createSelfSignedCa(input: SelfSignedCaInput): Promise<CreatedCertificateAuthority> {
  const keyAlgorithm = input.keyAlgorithm ?? DEFAULT_ROOT_KEY_ALGORITHM;
  const bits = ROOT_KEY_BITS[keyAlgorithm];
  if (bits === undefined)
    throw new InvalidPkiInputError(`unsupported root key algorithm ${String(keyAlgorithm)}`);
  // Validate the window before spending seconds on a key.
  const { notBefore, notAfter } = validityWindow(input.now ?? new Date(), input.validityDays);
  const { privateKeyPem } = await generateRsaKeyPair(bits);
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  const issued = issueCertificate({
    subject: input.subject,
    subjectPublicKey: publicKey,
    issuer: {
      name: input.subject,
      keyIdentifier: rsaKeyIdentifier(publicKey),
      privateKey,
      notBefore,
      notAfter,
    },
    notBefore,
    notAfter,
    extensions: [
      { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: input.pathLenConstraint },
      { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
      ...(input.extraExtensions ?? []),
    ],
  });
  return { ...issued, privateKeyPem };
}
