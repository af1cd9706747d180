/**
 * Test helpers for the PKI specs. Chain checks use node:crypto's X509Certificate and the openssl
 * CLI, never node-forge's own verification, so the code under test is not its own judge.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { issueCertificate, loadSigningAuthority, utf8NameAttribute } from './certificate';
import { splitCertificatePems } from './pem';

export type ChainVerification =
  { valid: true; anchorSubject: string; depth: number } | { valid: false; reason: string };

/**
 * Walks leaf -> chain certificates -> a trust-bundle root: each step needs checkIssued (names and
 * key identifiers), a signature that verifies with the parent's key, a CA parent, and every
 * certificate valid at `at`. Key usage and path length are left to opensslVerify.
 */
export function verifyChain(
  leafPem: string,
  chainPems: string[],
  trustBundlePem: string,
  at: Date = new Date(),
): ChainVerification {
  const anchors = splitCertificatePems(trustBundlePem).map((pem) => new X509Certificate(pem));
  const intermediates = chainPems
    .flatMap((pem) => splitCertificatePems(pem))
    .map((pem) => new X509Certificate(pem));
  let current = new X509Certificate(leafPem);
  const path: X509Certificate[] = [current];
  for (let depth = 0; depth < 8; depth++) {
    if (!validAt(current, at))
      return { valid: false, reason: `${oneLine(current)} is not valid at ${at.toISOString()}` };
    const anchor = anchors.find((candidate) => issuedBy(current, candidate));
    if (anchor) {
      if (!validAt(anchor, at))
        return { valid: false, reason: `trust anchor ${oneLine(anchor)} is not valid` };
      return { valid: true, anchorSubject: oneLine(anchor), depth: path.length };
    }
    const parent = intermediates.find(
      (candidate) => !path.includes(candidate) && issuedBy(current, candidate),
    );
    if (!parent)
      return { valid: false, reason: `no issuer of ${oneLine(current)} in the chain or trust bundle` };
    path.push(parent);
    current = parent;
  }
  return { valid: false, reason: 'chain too long' };
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  return parent.ca && child.checkIssued(parent) && child.verify(parent.publicKey);
}

function validAt(x509: X509Certificate, at: Date): boolean {
  return new Date(x509.validFrom) <= at && at <= new Date(x509.validTo);
}

function oneLine(x509: X509Certificate): string {
  // Workload certificates have an empty subject (Node reports undefined); name them by SAN.
  return x509.subject
    ? x509.subject.replace(/\n/g, ', ')
    : (x509.subjectAltName ?? 'a certificate without names');
}

/** Full RFC 5280 path validation by OpenSSL (`openssl verify -x509_strict`), incl. pathLen and key usage. */
export function opensslVerify(
  leafPem: string,
  untrustedPems: string[],
  trustBundlePem: string,
  options: { at?: Date; purpose?: 'sslclient' | 'sslserver' } = {},
): { ok: boolean; output: string } {
  return withTempDir((dir) => {
    const file = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };
    const args = ['verify', '-x509_strict', '-CAfile', file('bundle.pem', trustBundlePem)];
    if (untrustedPems.length > 0) args.push('-untrusted', file('untrusted.pem', untrustedPems.join('')));
    if (options.at) args.push('-attime', String(Math.floor(options.at.getTime() / 1000)));
    if (options.purpose) args.push('-purpose', options.purpose);
    args.push(file('leaf.pem', leafPem));
    try {
      return {
        ok: true,
        output: execFileSync('openssl', args, { encoding: 'utf8', stdio: 'pipe', timeout: 20_000 }),
      };
    } catch (error: unknown) {
      const failure = error as { stdout?: string; stderr?: string };
      return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
    }
  });
}

/** `openssl x509 -text`, to assert on extensions as an independent parser renders them. */
export function opensslText(certificatePem: string): string {
  return execFileSync('openssl', ['x509', '-noout', '-text'], {
    input: certificatePem,
    encoding: 'utf8',
    timeout: 20_000,
  });
}

let workloadKey: { privateKeyPem: string; publicKeyPem: string } | undefined;

/**
 * A workload (leaf) certificate as istiod would sign it with a cluster's intermediate: SPIFFE SAN,
 * clientAuth + serverAuth. One shared RSA-2048 key keeps the specs fast.
 */
export function signWorkloadCertificate(input: {
  intermediateCertPem: string;
  intermediateKeyPem: string;
  spiffeId: string;
  now?: Date;
  ttlHours?: number;
}): string {
  workloadKey ??= rsaKeyPairPem(2048);
  const now = input.now ?? new Date();
  const issuer = loadSigningAuthority(input.intermediateCertPem, input.intermediateKeyPem, now);
  return issueCertificate({
    subject: [],
    subjectPublicKey: createPublicKey(workloadKey.publicKeyPem),
    issuer,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + (input.ttlHours ?? 24) * 3_600_000),
    extensions: [
      { name: 'basicConstraints', critical: true, cA: false },
      { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', critical: true, altNames: [{ type: 6, value: input.spiffeId }] },
    ],
  }).certificatePem;
}

/** Signs with a CA whose basicConstraints are whatever the test wants (e.g. a sub-CA under an intermediate). */
export function signSubCa(input: {
  issuerCertPem: string;
  issuerKeyPem: string;
  publicKeyPem: string;
  now?: Date;
}): string {
  const now = input.now ?? new Date();
  const issuer = loadSigningAuthority(input.issuerCertPem, input.issuerKeyPem, now);
  return issueCertificate({
    subject: [utf8NameAttribute('CN', 'rogue sub-CA')],
    subjectPublicKey: createPublicKey(input.publicKeyPem),
    issuer,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 86_400_000),
    extensions: [
      { name: 'basicConstraints', critical: true, cA: true },
      { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
    ],
  }).certificatePem;
}

export function rsaKeyPairPem(bits: number): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/**
 * A CSR built and signed by hand with forge, for requests our own createCsr would never produce:
 * arbitrary subject attributes, requested extensions, SHA-1 signatures, small keys.
 */
export function craftCsr(input: {
  keyPair: { privateKeyPem: string; publicKeyPem: string };
  subject: Array<{ shortName: 'CN' | 'O' | 'OU' | 'L'; value: string }>;
  extensions?: object[];
  digest?: 'sha256' | 'sha1';
}): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(input.keyPair.publicKeyPem);
  csr.setSubject(input.subject.map((attribute) => utf8NameAttribute(attribute.shortName, attribute.value)));
  if (input.extensions) csr.setAttributes([{ name: 'extensionRequest', extensions: input.extensions }]);
  const privateKey = forge.pki.privateKeyFromPem(input.keyPair.privateKeyPem) as forge.pki.rsa.PrivateKey;
  csr.sign(privateKey, input.digest === 'sha1' ? forge.md.sha1.create() : forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

/** An EC (P-256) CSR from the openssl CLI: forge cannot produce one. */
export function ecCsr(commonName: string): string {
  return withTempDir((dir) =>
    execFileSync(
      'openssl',
      ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
        '-keyout',
        join(dir, 'key.pem'),
        '-subj',
        `/CN=${commonName}`,
      ]),
      { encoding: 'utf8', timeout: 20_000, stdio: 'pipe' },
    ),
  );
}

function withTempDir<T>(run: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-pki-'));
  try {
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
