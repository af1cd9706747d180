import {
  X509Certificate,
  constants,
  createHash,
  createPrivateKey,
  privateEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import forge from 'node-forge';
import { CertificateError, InvalidPkiInputError } from './errors';

/**
 * Certificate plumbing shared by the root, intermediate and agent CAs: building and signing with
 * node-forge (which can assemble any X.509 structure) while the RSA private-key operation runs in
 * OpenSSL through node:crypto (native, constant-time, and milliseconds instead of forge's pure-JS
 * big-integer maths for 4096-bit keys). Reading certificates uses node:crypto's X509Certificate.
 */

/** Certificates start a little in the past so a peer whose clock runs slow still accepts them. */
export const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_VALIDITY_DAYS = 100 * 365;

export interface IssuedCertificate {
  certificatePem: string;
  /** SHA-256 of the DER, colon-separated upper-case hex (as `openssl x509 -fingerprint -sha256`). */
  fingerprintSha256: string;
  /** Upper-case hex, as X509Certificate.serialNumber prints it. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

/** A CA ready to sign: its subject (as the issuer name), key identifier and private key. */
export interface SigningAuthority {
  name: forge.pki.CertificateField[];
  /** Raw bytes (forge binary string) of the authority's subject key identifier. */
  keyIdentifier: string;
  privateKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
}

export type NameAttributeShortName = 'CN' | 'O' | 'OU' | 'L';

/** UTF8String for every attribute: tenant and GNS names may be any Unicode text. */
export function utf8NameAttribute(
  shortName: NameAttributeShortName,
  value: string,
): forge.pki.CertificateField {
  return {
    shortName,
    value,
    // @types/node-forge declares valueTagClass as asn1.Class; forge actually reads an asn1.Type here.
    valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class,
  };
}

/**
 * A positive serial with 128 random bits and a non-zero first byte, so the DER INTEGER is minimal
 * (strict parsers such as Go's reject a redundant leading zero) and never negative.
 */
export function randomSerialNumberHex(): string {
  for (;;) {
    const bytes = randomBytes(16);
    if (bytes[0] === 0) continue;
    return (bytes[0]! >= 0x80 ? '00' : '') + bytes.toString('hex');
  }
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits (the PKCS#1 RSAPublicKey). */
export function rsaKeyIdentifier(publicKey: KeyObject): string {
  const rsaPublicKeyDer = publicKey.export({ type: 'pkcs1', format: 'der' });
  return createHash('sha1').update(rsaPublicKeyDer).digest().toString('binary');
}

export function validityWindow(
  now: Date,
  validityDays: number,
  cap?: { notBefore: Date; notAfter: Date },
): { notBefore: Date; notAfter: Date } {
  if (!Number.isFinite(validityDays) || validityDays <= 0 || validityDays > MAX_VALIDITY_DAYS) {
    throw new InvalidPkiInputError(
      `validityDays must be a number in (0, ${MAX_VALIDITY_DAYS}], got ${validityDays}`,
    );
  }
  // X.509 times have one-second resolution; truncating here makes the returned dates equal the cert's.
  let notBefore = truncateToSecond(new Date(now.getTime() - CLOCK_SKEW_ALLOWANCE_MS));
  let notAfter = truncateToSecond(new Date(now.getTime() + validityDays * DAY_MS));
  if (cap) {
    // A certificate that outlives its issuer is dead weight and confuses renewal; clamp to the issuer.
    if (notBefore < cap.notBefore) notBefore = cap.notBefore;
    if (notAfter > cap.notAfter) notAfter = cap.notAfter;
  }
  return { notBefore, notAfter };
}

export function issueCertificate(input: {
  subject: forge.pki.CertificateField[];
  subjectPublicKey: KeyObject;
  issuer: SigningAuthority;
  notBefore: Date;
  notAfter: Date;
  /** forge extension descriptors; SKI and AKI are added here. */
  extensions: object[];
}): IssuedCertificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(
    input.subjectPublicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  cert.serialNumber = randomSerialNumberHex();
  cert.validity.notBefore = input.notBefore;
  cert.validity.notAfter = input.notAfter;
  cert.setSubject(input.subject);
  cert.setIssuer(input.issuer.name);
  cert.setExtensions([
    ...input.extensions,
    {
      name: 'subjectKeyIdentifier',
      subjectKeyIdentifier: forge.util.bytesToHex(rsaKeyIdentifier(input.subjectPublicKey)),
    },
    { name: 'authorityKeyIdentifier', keyIdentifier: input.issuer.keyIdentifier },
  ]);
  cert.sign(nativeRsaSha256Signer(input.issuer.privateKey), forge.md.sha256.create());
  const certificatePem = forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
  const x509 = new X509Certificate(certificatePem);
  return {
    certificatePem,
    fingerprintSha256: x509.fingerprint256,
    serialNumber: x509.serialNumber,
    ...certificateValidity(x509),
  };
}

/**
 * Turns a CA certificate and its private key into a signer, refusing a pair that does not match,
 * a certificate that is not a CA, and an authority that has already expired.
 */
export function loadSigningAuthority(
  caCertificatePem: string,
  caPrivateKeyPem: string,
  now: Date,
): SigningAuthority {
  const x509 = parseCertificate(caCertificatePem);
  if (!x509.ca) throw new CertificateError('the issuing certificate is not a CA (basicConstraints CA:FALSE)');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(caPrivateKeyPem);
  } catch (error: unknown) {
    throw new CertificateError('the CA private key is not a readable PEM private key', { cause: error });
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new CertificateError(`the CA key must be RSA, got ${privateKey.asymmetricKeyType ?? 'unknown'}`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new CertificateError('the CA private key does not belong to the CA certificate');
  }
  const { notBefore, notAfter } = certificateValidity(x509);
  if (now >= notAfter) throw new CertificateError(`the issuing CA expired at ${notAfter.toISOString()}`);

  const forgeCert = forge.pki.certificateFromPem(x509.toString());
  // @types/node-forge returns {} for extensions; forge puts the parsed hex on subjectKeyIdentifier.
  const skiExtension = forgeCert.getExtension('subjectKeyIdentifier') as
    { subjectKeyIdentifier?: string } | undefined;
  const keyIdentifier = skiExtension?.subjectKeyIdentifier
    ? forge.util.hexToBytes(skiExtension.subjectKeyIdentifier)
    : rsaKeyIdentifier(x509.publicKey);
  return { name: reusableName(forgeCert.subject.attributes), keyIdentifier, privateKey, notBefore, notAfter };
}

/** Accepts PEM (first certificate) or DER. */
export function parseCertificate(pemOrDer: string | Buffer): X509Certificate {
  try {
    return new X509Certificate(pemOrDer);
  } catch (error: unknown) {
    throw new CertificateError('not a readable X.509 certificate (expected PEM or DER)', { cause: error });
  }
}

export function certificateValidity(x509: X509Certificate): { notBefore: Date; notAfter: Date } {
  // Node 20's X509Certificate only has the string forms ("Jan  1 00:00:00 2030 GMT"), which Date parses.
  return { notBefore: new Date(x509.validFrom), notAfter: new Date(x509.validTo) };
}

/**
 * forge parses DN values as raw bytes but UTF-8-encodes UTF8String values when writing them back,
 * so a parsed name must be decoded before reuse or non-ASCII names would be double-encoded and
 * the child's issuer would no longer equal the parent's subject.
 */
function reusableName(attributes: forge.pki.CertificateField[]): forge.pki.CertificateField[] {
  return attributes.map((attribute) =>
    (attribute.valueTagClass as unknown as forge.asn1.Type) === forge.asn1.Type.UTF8 &&
    typeof attribute.value === 'string'
      ? { ...attribute, value: forge.util.decodeUtf8(attribute.value) }
      : attribute,
  );
}

// DER DigestInfo header for SHA-256 (RFC 8017 section 9.2, note 1).
const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * forge's cert.sign(key, md) hashes the TBSCertificate and calls key.sign(md) for the signature;
 * this key does that RSASSA-PKCS1-v1_5 operation in OpenSSL (DigestInfo + type-1 padding is what
 * privateEncrypt with RSA_PKCS1_PADDING computes).
 */
export function nativeRsaSha256Signer(privateKey: KeyObject): forge.pki.rsa.PrivateKey {
  const signer = {
    sign(md: forge.md.MessageDigest): string {
      if (md.algorithm !== 'sha256')
        throw new Error(`only SHA-256 signatures are produced, got ${md.algorithm}`);
      const digestInfo = Buffer.concat([
        SHA256_DIGEST_INFO_PREFIX,
        Buffer.from(md.digest().getBytes(), 'binary'),
      ]);
      return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo).toString(
        'binary',
      );
    },
  };
  // forge only calls sign(md) on the key it is handed; the rest of its RSA key interface is unused.
  return signer as unknown as forge.pki.rsa.PrivateKey;
}

function truncateToSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
