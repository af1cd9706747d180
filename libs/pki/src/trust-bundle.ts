import { certificateValidity, parseCertificate } from './certificate';
import { CertificateError } from './errors';
import { splitCertificatePems } from './pem';

export interface TrustBundleEntry {
  certificatePem: string;
  fingerprintSha256: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

/**
 * The roots a GNS trusts, as one PEM (Istio's `root-cert.pem` / the trust bundle). Each input may
 * itself hold several certificates. Duplicates (same DER) are dropped and the order is stable
 * whatever order the roots were loaded in (oldest notBefore first, then fingerprint), so an
 * unchanged set of roots renders byte-identical and does not trigger a config push.
 */
export function buildTrustBundle(rootPems: string[]): string {
  return trustBundleEntries(rootPems)
    .map((entry) => entry.certificatePem)
    .join('');
}

/** The parsed, deduplicated, ordered content of buildTrustBundle; for status APIs and tests. */
export function trustBundleEntries(rootPems: string[]): TrustBundleEntry[] {
  const byFingerprint = new Map<string, TrustBundleEntry>();
  for (const certificatePem of rootPems.flatMap((pem) => splitCertificatePems(pem))) {
    const x509 = parseCertificate(certificatePem);
    if (!x509.ca)
      throw new CertificateError(`a trust bundle holds CA certificates only; "${x509.subject}" is not a CA`);
    byFingerprint.set(x509.fingerprint256, {
      certificatePem,
      fingerprintSha256: x509.fingerprint256,
      subject: x509.subject,
      ...certificateValidity(x509),
    });
  }
  return [...byFingerprint.values()].sort(
    (left, right) =>
      left.notBefore.getTime() - right.notBefore.getTime() ||
      (left.fingerprintSha256 < right.fingerprintSha256
        ? -1
        : left.fingerprintSha256 > right.fingerprintSha256
          ? 1
          : 0),
  );
}

/**
 * A GNS's trust bundle as the agent snapshot carries it (and the CA status API shows it): the
 * given roots' PEMs, oldest generation first, each ending in a newline. No parsing: the roots are
 * the GNS's own, stored by the controller.
 */
export function trustBundleOfGenerations(
  roots: readonly { generation: number; certificatePem: string }[],
): string {
  return [...roots]
    .sort((a, b) => a.generation - b.generation)
    .map((root) => (root.certificatePem.endsWith('\n') ? root.certificatePem : `${root.certificatePem}\n`))
    .join('');
}
