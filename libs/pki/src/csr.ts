import { createPrivateKey, createPublicKey, verify, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { nativeRsaSha256Signer, utf8NameAttribute } from './certificate';
import { CsrRejectedError, CsrRejectionReason } from './errors';
import { generateRsaKeyPair } from './keys';
import { decodePemBlocks } from './pem';

/**
 * PKCS#10 reading shared by the GNS intermediate CA and the agent CA. The structure, key and
 * signature are checked with node:crypto on the exact bytes received, before node-forge (which
 * only understands RSA and would throw an unhelpful error on anything else) reads subject and
 * extensions.
 */

export interface ParsedCsr {
  publicKey: KeyObject;
  rsaBits: number;
  /** Subject attributes in order; `type` is the short name (CN, O...) or the OID when forge has none. */
  subject: Array<{ type: string; value: string }>;
  /** Extensions the requester asked for (PKCS#9 extensionRequest), as forge parsed them. */
  requestedExtensions: RequestedExtension[];
}

export interface RequestedExtension {
  id: string;
  /** forge's name for the OID, or the OID itself. */
  name: string;
  critical: boolean;
  // Present for basicConstraints:
  cA?: boolean;
  pathLenConstraint?: number;
  // Present for keyUsage (one flag per bit that is set):
  [flag: string]: unknown;
}

export const MAX_RSA_BITS = 8192;
const MAX_CSR_DER_BYTES = 16 * 1024;
const RSA_SIGNATURE_HASHES: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};
const REFUSED_SIGNATURE_NAMES: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.3.101.112': 'Ed25519',
};

/** Parses a PEM CSR, checks its self-signature and key (RSA, minRsaBits..8192) or throws CsrRejectedError. */
export function parseCsr(csrPem: string, options: { minRsaBits: number }): ParsedCsr {
  const der = decodeSingleCsrBlock(csrPem);
  const structure = readCsrStructure(der);

  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: structure.subjectPublicKeyInfo, format: 'der', type: 'spki' });
  } catch (error: unknown) {
    throw new CsrRejectedError(CsrRejectionReason.UNSUPPORTED_KEY, 'the public key cannot be read', {
      cause: error,
    });
  }
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw new CsrRejectedError(
      CsrRejectionReason.UNSUPPORTED_KEY,
      `the key is ${publicKey.asymmetricKeyType ?? 'of an unknown type'}; only RSA keys are accepted`,
    );
  }
  const rsaBits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (rsaBits < options.minRsaBits) {
    throw new CsrRejectedError(
      CsrRejectionReason.WEAK_KEY,
      `the RSA key has ${rsaBits} bits; at least ${options.minRsaBits} are required`,
    );
  }
  if (rsaBits > MAX_RSA_BITS) {
    throw new CsrRejectedError(
      CsrRejectionReason.UNSUPPORTED_KEY,
      `RSA keys above ${MAX_RSA_BITS} bits are not accepted`,
    );
  }

  const hash = RSA_SIGNATURE_HASHES[structure.signatureAlgorithmOid];
  if (!hash) {
    const name = REFUSED_SIGNATURE_NAMES[structure.signatureAlgorithmOid] ?? structure.signatureAlgorithmOid;
    throw new CsrRejectedError(
      CsrRejectionReason.UNSUPPORTED_SIGNATURE_ALGORITHM,
      `signature algorithm ${name} is not accepted; sign with sha256WithRSAEncryption`,
    );
  }
  if (!verify(hash, structure.certificationRequestInfo, publicKey, structure.signature)) {
    throw new CsrRejectedError(
      CsrRejectionReason.BAD_SIGNATURE,
      'the CSR signature does not verify with its own public key (corrupted or tampered with)',
    );
  }

  let forgeCsr: forge.pki.CertificateSigningRequest;
  try {
    forgeCsr = forge.pki.certificationRequestFromAsn1(forge.asn1.fromDer(der.toString('binary'), true));
  } catch (error: unknown) {
    throw new CsrRejectedError(
      CsrRejectionReason.MALFORMED,
      'the CSR subject or attributes cannot be parsed',
      {
        cause: error,
      },
    );
  }
  return {
    publicKey,
    rsaBits,
    subject: forgeCsr.subject.attributes.map((attribute) => ({
      type: attribute.shortName ?? attribute.type ?? 'unknown',
      value: attributeText(attribute),
    })),
    requestedExtensions: requestedExtensionsOf(forgeCsr),
  };
}

/**
 * A key pair and CSR with only a subject CN: for agents (intermediate and client identity) and
 * tests. The issuer decides every extension, so none are requested.
 */
export async function createCsr(input: { commonName: string; rsaBits?: number }): Promise<{
  csrPem: string;
  privateKeyPem: string;
}> {
  const { privateKeyPem, publicKeyPem } = await generateRsaKeyPair(input.rsaBits ?? 3072);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  csr.setSubject([utf8NameAttribute('CN', input.commonName)]);
  csr.sign(nativeRsaSha256Signer(createPrivateKey(privateKeyPem)), forge.md.sha256.create());
  return { csrPem: forge.pki.certificationRequestToPem(csr).replace(/\r\n/g, '\n'), privateKeyPem };
}

function decodeSingleCsrBlock(csrPem: string): Buffer {
  if (typeof csrPem !== 'string' || csrPem.length > MAX_CSR_DER_BYTES * 2) {
    throw new CsrRejectedError(CsrRejectionReason.MALFORMED, 'the CSR is missing or too large');
  }
  let blocks;
  try {
    blocks = decodePemBlocks(csrPem);
  } catch (error: unknown) {
    throw new CsrRejectedError(CsrRejectionReason.MALFORMED, 'the CSR PEM is corrupt', { cause: error });
  }
  const requests = blocks.filter(
    (block) => block.label === 'CERTIFICATE REQUEST' || block.label === 'NEW CERTIFICATE REQUEST',
  );
  if (requests.length !== 1 || blocks.length !== 1) {
    throw new CsrRejectedError(
      CsrRejectionReason.MALFORMED,
      'expected exactly one PEM block "-----BEGIN CERTIFICATE REQUEST-----"',
    );
  }
  return requests[0]!.der;
}

interface Tlv {
  tag: number;
  /** Offset of the tag byte, so the exact signed bytes (header included) can be sliced out. */
  start: number;
  contentStart: number;
  end: number;
}

interface CsrStructure {
  certificationRequestInfo: Buffer;
  subjectPublicKeyInfo: Buffer;
  signatureAlgorithmOid: string;
  signature: Buffer;
}

const SEQUENCE = 0x30;
const OBJECT_IDENTIFIER = 0x06;
const BIT_STRING = 0x03;

/**
 * Just enough DER to find the signed bytes, the key and the signature:
 * CertificationRequest ::= SEQUENCE { certificationRequestInfo SEQUENCE { version, subject,
 * subjectPKInfo, [0] attributes }, signatureAlgorithm SEQUENCE { OID, params }, signature BIT STRING }
 */
function readCsrStructure(der: Buffer): CsrStructure {
  try {
    if (der.length > MAX_CSR_DER_BYTES) throw new Error('too large');
    const outer = readTlv(der, 0, der.length);
    if (outer.tag !== SEQUENCE || outer.end !== der.length) throw new Error('not a single SEQUENCE');
    const [info, algorithm, signature, ...extra] = childrenOf(der, outer);
    if (!info || !algorithm || !signature || extra.length > 0) throw new Error('expected 3 elements');
    if (info.tag !== SEQUENCE || algorithm.tag !== SEQUENCE || signature.tag !== BIT_STRING)
      throw new Error('bad tags');

    const infoElements = childrenOf(der, info);
    const subjectPublicKeyInfo = infoElements[2];
    if (!subjectPublicKeyInfo || subjectPublicKeyInfo.tag !== SEQUENCE) throw new Error('no subjectPKInfo');
    const [algorithmOid] = childrenOf(der, algorithm);
    if (!algorithmOid || algorithmOid.tag !== OBJECT_IDENTIFIER) throw new Error('no signature algorithm');
    // The first content byte of a BIT STRING counts unused bits; a signature has none.
    if (der[signature.contentStart] !== 0) throw new Error('signature has unused bits');

    return {
      certificationRequestInfo: der.subarray(info.start, info.end),
      subjectPublicKeyInfo: der.subarray(subjectPublicKeyInfo.start, subjectPublicKeyInfo.end),
      signatureAlgorithmOid: forge.asn1.derToOid(
        der.subarray(algorithmOid.contentStart, algorithmOid.end).toString('binary'),
      ),
      signature: der.subarray(signature.contentStart + 1, signature.end),
    };
  } catch (error: unknown) {
    throw new CsrRejectedError(
      CsrRejectionReason.MALFORMED,
      'the CSR is not a well-formed PKCS#10 structure',
      {
        cause: error,
      },
    );
  }
}

function readTlv(der: Buffer, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new Error('truncated header');
  const tag = der[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('multi-byte tags are not used in CSRs');
  const firstLengthByte = der[offset + 1]!;
  let contentStart = offset + 2;
  let length = firstLengthByte;
  if (firstLengthByte & 0x80) {
    const lengthBytes = firstLengthByte & 0x7f;
    // 0 would be BER's indefinite length; more than 3 bytes cannot fit MAX_CSR_DER_BYTES anyway.
    if (lengthBytes === 0 || lengthBytes > 3 || contentStart + lengthBytes > limit)
      throw new Error('bad length');
    length = 0;
    for (let index = 0; index < lengthBytes; index++) length = length * 256 + der[contentStart + index]!;
    contentStart += lengthBytes;
  }
  const end = contentStart + length;
  if (end > limit) throw new Error('element runs past its parent');
  return { tag, start: offset, contentStart, end };
}

function childrenOf(der: Buffer, parent: Tlv): Tlv[] {
  const children: Tlv[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const child = readTlv(der, offset, parent.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

function attributeText(attribute: forge.pki.CertificateField): string {
  const value = typeof attribute.value === 'string' ? attribute.value : '';
  // forge leaves DN values as raw bytes; UTF8String ones need decoding to compare as text.
  if ((attribute.valueTagClass as unknown as forge.asn1.Type) === forge.asn1.Type.UTF8) {
    try {
      return forge.util.decodeUtf8(value);
    } catch (error: unknown) {
      throw new CsrRejectedError(CsrRejectionReason.MALFORMED, 'a subject attribute is not valid UTF-8', {
        cause: error,
      });
    }
  }
  return value;
}

function requestedExtensionsOf(csr: forge.pki.CertificateSigningRequest): RequestedExtension[] {
  const extensionRequestOid = forge.pki.oids['extensionRequest'];
  // Every extensionRequest value counts: a second one must not smuggle in what the first omits.
  return csr.attributes
    .filter((attribute) => attribute.type === extensionRequestOid || attribute.name === 'extensionRequest')
    .flatMap((attribute) => (attribute.extensions ?? []) as Array<Record<string, unknown>>)
    .map((extension) => ({
      ...extension,
      id: String(extension['id']),
      name:
        typeof extension['name'] === 'string' && extension['name'] !== ''
          ? extension['name']
          : String(extension['id']),
      critical: extension['critical'] === true,
    }));
}
