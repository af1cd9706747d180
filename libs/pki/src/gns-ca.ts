import { utf8NameAttribute } from './certificate';
import {
  createSelfSignedCa,
  type CreatedCertificateAuthority,
  type RootKeyAlgorithm,
} from './self-signed-ca';
import { assertDisplayName, assertPathSegment, assertTrustDomain } from './names';

export {
  DEFAULT_ROOT_KEY_ALGORITHM,
  type CreatedCertificateAuthority,
  type RootKeyAlgorithm,
} from './self-signed-ca';
export const DEFAULT_ROOT_VALIDITY_DAYS = 3650;

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
  return createSelfSignedCa({
    keyAlgorithm: input.keyAlgorithm,
    validityDays: input.validityDays ?? DEFAULT_ROOT_VALIDITY_DAYS,
    now: input.now,
    subject: [
      utf8NameAttribute('O', input.tenantName),
      utf8NameAttribute('OU', input.gnsName),
      utf8NameAttribute('CN', `Lattice GNS root ${input.gnsName}`),
    ],
    pathLenConstraint: 1,
    extraExtensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 6, value: `spiffe://${input.trustDomain}` },
          { type: 6, value: `urn:lattice:tenant:${input.tenantId}:gns:${input.gnsId}` },
        ],
      },
    ],
  });
}
