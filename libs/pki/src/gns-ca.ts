import { createPrivateKey, createPublicKey } from 'node:crypto';
import {
  issueCertificate,
  rsaKeyIdentifier,
  utf8NameAttribute,
  validityWindow,
  type IssuedCertificate,
} from './certificate';
import { InvalidPkiInputError } from './errors';
import { generateRsaKeyPair } from './keys';
import { assertDisplayName, assertPathSegment, assertTrustDomain } from './names';

/**
 * Key choice for GNS roots: RSA, 4096 bits by default. ECDSA P-384 would be smaller and faster,
 * but node-forge (which builds our certificates) can neither sign with nor embed EC keys, and RSA
 * roots are what Istio's own plug-in CA tooling produces, so every mesh version accepts them.
 * 4096-bit generation is slow (often seconds), hence async generation in OpenSSL; tests pass
 * 'RSA-2048' to stay fast.
 */
export type RootKeyAlgorithm = 'RSA-4096' | 'RSA-3072' | 'RSA-2048';
export const DEFAULT_ROOT_KEY_ALGORITHM: RootKeyAlgorithm = 'RSA-4096';
export const DEFAULT_ROOT_VALIDITY_DAYS = 3650;

const ROOT_KEY_BITS: Record<RootKeyAlgorithm, number> = {
  'RSA-4096': 4096,
  'RSA-3072': 3072,
  'RSA-2048': 2048,
};

export interface CreateRootCaInput {
  tenantId: string;
  tenantName: string;
  gnsId: string;
  gnsName: string;
  /** SPIFFE trust domain of the GNS (its domain, e.g. `shop.lattice.local`). */
  trustDomain: string;
  validityDays?: number;
  keyAlgorithm?: RootKeyAlgorithm;
  now?: Date;
}

export interface CreatedCertificateAuthority extends IssuedCertificate {
  /** PKCS#8 PEM. Seal it (sealPrivateKey) before it goes anywhere near storage. */
  privateKeyPem: string;
}

/**
 * A self-signed root for one Global Namespace.
 * - Subject O=<tenant name>, OU=<GNS name>, CN=Lattice GNS root <GNS name>: readable in any tool.
 * - SAN URIs `spiffe://<trust domain>` and `urn:lattice:tenant:<tenantId>:gns:<gnsId>`: names
 *   can be renamed, the ids in the certificate cannot, so the root stays attributable.
 * - basicConstraints CA:TRUE, pathLen:1 (critical): roots sign intermediates (pathLen 0) which sign
 *   workloads; pathLen 1 stops anyone from hanging a deeper hierarchy off a leaked intermediate.
 * - keyUsage keyCertSign + cRLSign (critical), SKI and AKI (equal, as for any self-signed CA).
 */
export async function createRootCa(input: CreateRootCaInput): Promise<CreatedCertificateAuthority> {
  assertPathSegment('tenantId', input.tenantId);
  assertPathSegment('gnsId', input.gnsId);
  assertDisplayName('tenantName', input.tenantName);
  assertDisplayName('gnsName', input.gnsName);
  assertTrustDomain(input.trustDomain);
  const keyAlgorithm = input.keyAlgorithm ?? DEFAULT_ROOT_KEY_ALGORITHM;
  const bits = ROOT_KEY_BITS[keyAlgorithm];
  if (bits === undefined)
    throw new InvalidPkiInputError(`unsupported root key algorithm ${String(keyAlgorithm)}`);
  // Validate the window before spending seconds on a key.
  const { notBefore, notAfter } = validityWindow(
    input.now ?? new Date(),
    input.validityDays ?? DEFAULT_ROOT_VALIDITY_DAYS,
  );

  const { privateKeyPem } = await generateRsaKeyPair(bits);
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  const name = [
    utf8NameAttribute('O', input.tenantName),
    utf8NameAttribute('OU', input.gnsName),
    utf8NameAttribute('CN', `Lattice GNS root ${input.gnsName}`),
  ];
  const issued = issueCertificate({
    subject: name,
    subjectPublicKey: publicKey,
    issuer: { name, keyIdentifier: rsaKeyIdentifier(publicKey), privateKey, notBefore, notAfter },
    notBefore,
    notAfter,
    extensions: [
      { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 1 },
      { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 6, value: `spiffe://${input.trustDomain}` },
          { type: 6, value: `urn:lattice:tenant:${input.tenantId}:gns:${input.gnsId}` },
        ],
      },
    ],
  });
  return { ...issued, privateKeyPem };
}
