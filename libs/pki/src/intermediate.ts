import {
  certificateValidity,
  issueCertificate,
  loadSigningAuthority,
  parseCertificate,
  utf8NameAttribute,
  validityWindow,
  type IssuedCertificate,
} from './certificate';
import { parseCsr, type ParsedCsr, type RequestedExtension } from './csr';
import { CertificateError, CsrRejectedError, CsrRejectionReason, InvalidPkiInputError } from './errors';
import { assertPathSegment, assertTrustDomain } from './names';

/**
 * Intermediates per (GNS, cluster): the agent generates the key inside the cluster and sends a
 * CSR; the controller checks it and signs it with the GNS root. The result is what the cluster's
 * mesh CA (istiod, plug-in CA layout) signs workload certificates with.
 */

export const DEFAULT_INTERMEDIATE_VALIDITY_DAYS = 365;
export const DEFAULT_MIN_RSA_BITS = 2048;
export const DEFAULT_RENEW_BEFORE_FRACTION = 1 / 3;

/** The subject CN an agent must request for its cluster's intermediate. */
export function intermediateCommonName(clusterName: string): string {
  return `Lattice intermediate ${clusterName}`;
}

/**
 * SAN URI of a cluster's intermediate. Istio does not check SANs on CA certificates; the URI names
 * the cluster's mesh CA (istiod) in SPIFFE form so the certificate says which cluster it belongs
 * to. `istiod-<cluster>` is not a real service account, on purpose: it can never collide with a
 * workload identity.
 */
export function intermediateSpiffeId(trustDomain: string, clusterName: string): string {
  return `spiffe://${trustDomain}/ns/istio-system/sa/istiod-${clusterName}`;
}

export interface IntermediateCsrExpectations {
  expectedCommonName: string;
  minRsaBits?: number;
}

/**
 * Checks an intermediate CSR or throws CsrRejectedError saying why: bad PEM or structure, a
 * signature that does not verify, a subject other than exactly CN=<expectedCommonName>, a key
 * that is not RSA of minRsaBits..8192 bits, or requested extensions beyond what is granted.
 *
 * The issuer decides every extension of the certificate, but a CSR that *asks* for more (a longer
 * path, name constraints, usages) is refused rather than silently narrowed: it is either a
 * misconfigured agent that should hear about it, or someone probing.
 */
export function validateIntermediateCsr(
  csrPem: string,
  expectations: IntermediateCsrExpectations,
): ParsedCsr {
  const parsed = parseCsr(csrPem, { minRsaBits: expectations.minRsaBits ?? DEFAULT_MIN_RSA_BITS });
  const subjectText = parsed.subject.map((attribute) => `${attribute.type}=${attribute.value}`).join(', ');
  const [onlyAttribute, ...otherAttributes] = parsed.subject;
  if (!onlyAttribute || otherAttributes.length > 0 || onlyAttribute.type !== 'CN') {
    throw new CsrRejectedError(
      CsrRejectionReason.SUBJECT_MISMATCH,
      `the subject must be exactly CN=${expectations.expectedCommonName}, got "${subjectText}"`,
    );
  }
  if (onlyAttribute.value !== expectations.expectedCommonName) {
    throw new CsrRejectedError(
      CsrRejectionReason.SUBJECT_MISMATCH,
      `the subject CN must be "${expectations.expectedCommonName}", got "${onlyAttribute.value}"`,
    );
  }
  for (const extension of parsed.requestedExtensions) assertGrantable(extension);
  return parsed;
}

const GRANTED_KEY_USAGES = new Set(['keyCertSign', 'cRLSign', 'digitalSignature']);
const ALL_KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

function assertGrantable(extension: RequestedExtension): void {
  const refuse = (why: string) => {
    throw new CsrRejectedError(CsrRejectionReason.FORBIDDEN_EXTENSION, why);
  };
  switch (extension.name) {
    case 'basicConstraints':
      if (extension.cA !== true)
        refuse('it requests a non-CA certificate; intermediates are CAs with pathLen 0');
      if (extension.pathLenConstraint === undefined) {
        refuse('it requests a CA with an unlimited path length; intermediates get pathLen 0');
      }
      if (extension.pathLenConstraint !== 0) {
        refuse(
          `it requests a CA with path length ${String(extension.pathLenConstraint)}; intermediates get pathLen 0`,
        );
      }
      return;
    case 'keyUsage': {
      const extra = ALL_KEY_USAGES.filter(
        (usage) => extension[usage] === true && !GRANTED_KEY_USAGES.has(usage),
      );
      if (extra.length > 0) refuse(`it requests key usages that are not granted: ${extra.join(', ')}`);
      return;
    }
    case 'subjectKeyIdentifier':
      // Derived from the key by the issuer either way; asking for it grants nothing.
      return;
    default:
      refuse(`it requests the ${extension.name} extension, which Lattice does not grant to intermediates`);
  }
}

export interface SignIntermediateInput {
  csrPem: string;
  rootCertificatePem: string;
  rootPrivateKeyPem: string;
  trustDomain: string;
  clusterName: string;
  validityDays?: number;
  /** Defaults to intermediateCommonName(clusterName). */
  expectedCommonName?: string;
  minRsaBits?: number;
  now?: Date;
}

export interface SignedIntermediate extends IssuedCertificate {
  /** Intermediate then root: Istio's `cert-chain.pem`. */
  certChainPem: string;
  /** Which root signed it, for rotation bookkeeping. */
  issuerFingerprintSha256: string;
}

/**
 * Signs a validated intermediate CSR with the GNS root: basicConstraints CA:TRUE pathLen:0
 * (critical), keyUsage keyCertSign + cRLSign + digitalSignature (critical; Istio also signs with
 * the CA key), SKI/AKI, SAN URI intermediateSpiffeId() and DNS istiod.istio-system.svc (as Istio's
 * own intermediate tooling). Subject: the root's O/OU, L=<cluster>, CN=<requested CN>. It never
 * outlives the root.
 */
export function signIntermediate(input: SignIntermediateInput): SignedIntermediate {
  assertTrustDomain(input.trustDomain);
  assertPathSegment('clusterName', input.clusterName);
  const now = input.now ?? new Date();
  const commonName = input.expectedCommonName ?? intermediateCommonName(input.clusterName);
  const csr = validateIntermediateCsr(input.csrPem, {
    expectedCommonName: commonName,
    minRsaBits: input.minRsaBits,
  });
  const root = loadSigningAuthority(input.rootCertificatePem, input.rootPrivateKeyPem, now);
  const { notBefore, notAfter } = validityWindow(
    now,
    input.validityDays ?? DEFAULT_INTERMEDIATE_VALIDITY_DAYS,
    root,
  );
  if (notAfter <= now)
    throw new CertificateError(`the root expires at ${root.notAfter.toISOString()}; rotate it first`);

  const rootOrganisation = root.name.filter(
    (attribute) => attribute.shortName === 'O' || attribute.shortName === 'OU',
  );
  const issued = issueCertificate({
    subject: [
      ...rootOrganisation,
      utf8NameAttribute('L', input.clusterName),
      utf8NameAttribute('CN', commonName),
    ],
    subjectPublicKey: csr.publicKey,
    issuer: root,
    notBefore,
    notAfter,
    extensions: [
      { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 },
      { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true, digitalSignature: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 6, value: intermediateSpiffeId(input.trustDomain, input.clusterName) },
          { type: 2, value: 'istiod.istio-system.svc' },
        ],
      },
    ],
  });
  const rootX509 = parseCertificate(input.rootCertificatePem);
  return {
    ...issued,
    certChainPem: issued.certificatePem + rootX509.toString(),
    issuerFingerprintSha256: rootX509.fingerprint256,
  };
}

/**
 * True once less than `renewBeforeFraction` of the certificate's lifetime remains (or it has
 * expired). One third leaves a 1-year intermediate four months to be renewed.
 */
export function needsRenewal(
  certPem: string,
  now: Date = new Date(),
  renewBeforeFraction: number = DEFAULT_RENEW_BEFORE_FRACTION,
): boolean {
  return now >= renewalDueAt(certPem, renewBeforeFraction);
}

/** The moment needsRenewal turns true, for scheduling the renewal job. */
export function renewalDueAt(
  certPem: string,
  renewBeforeFraction: number = DEFAULT_RENEW_BEFORE_FRACTION,
): Date {
  if (!(renewBeforeFraction > 0 && renewBeforeFraction < 1)) {
    throw new InvalidPkiInputError(`renewBeforeFraction must be between 0 and 1, got ${renewBeforeFraction}`);
  }
  const { notBefore, notAfter } = certificateValidity(parseCertificate(certPem));
  const lifetimeMs = notAfter.getTime() - notBefore.getTime();
  return new Date(notAfter.getTime() - lifetimeMs * renewBeforeFraction);
}
