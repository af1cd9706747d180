import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptionError, InvalidMasterKeyError, InvalidPkiInputError } from './errors';

/**
 * Envelope encryption for CA private keys at rest. Each secret gets its own random data key
 * (AES-256-GCM); the data key is wrapped (AES-256-GCM) under the master key from the environment.
 * The caller's associated data (which tenant, GNS and root the key belongs to) is authenticated by
 * both GCM operations, so a blob copied into another row does not decrypt there.
 */
export interface EncryptedBlob {
  v: 1;
  alg: 'AES-256-GCM';
  /** Data key encrypted under the master key. */
  wrappedKey: string;
  wrapIv: string;
  wrapTag: string;
  /** The secret encrypted under the data key. */
  iv: string;
  tag: string;
  ciphertext: string;
}

const KEY_BYTES = 32;
// 96-bit nonces are GCM's native size; each key (data or master) sees random nonces only.
const IV_BYTES = 12;
const TAG_BYTES = 16;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The associated data a GNS root key is sealed with; one place so writer and reader agree. */
export function gnsRootKeyAssociatedData(input: {
  tenantId: string;
  gnsId: string;
  generation: number;
}): string {
  return `tenant:${input.tenantId}/gns:${input.gnsId}/root:${input.generation}`;
}

/**
 * Reads a master key given as base64 (44 characters, or 43 unpadded; base64url accepted) or hex
 * (64 characters) of exactly 32 bytes. The error never echoes the value: it may be a real key
 * with a typo.
 */
export function parseMasterKey(value: string | undefined, variableName = 'LATTICE_MASTER_KEY'): Buffer {
  const expected =
    `${variableName} must be 32 random bytes encoded as base64 (44 characters) or hex (64 characters), ` +
    `e.g. the output of \`openssl rand -base64 32\``;
  const text = (value ?? '').trim();
  if (text === '') throw new InvalidMasterKeyError(`${expected}; it is empty or not set`);
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(text)) {
    key = Buffer.from(text, 'hex');
  } else if (/^[A-Za-z0-9+/]{43}=?$/.test(text) || /^[A-Za-z0-9_-]{43}=?$/.test(text)) {
    key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  }
  if (key === undefined || key.length !== KEY_BYTES) {
    throw new InvalidMasterKeyError(`${expected}; got ${text.length} characters that are neither`);
  }
  if (key.every((byte) => byte === 0)) {
    throw new InvalidMasterKeyError(`${expected}; it is all zero bytes, which looks like a placeholder`);
  }
  return key;
}

export function sealPrivateKey(
  plaintextPem: string,
  masterKey: Buffer,
  associatedData: string,
): EncryptedBlob {
  assertMasterKey(masterKey);
  assertAssociatedData(associatedData);
  const dataKey = randomBytes(KEY_BYTES);
  try {
    const payload = gcmEncrypt(dataKey, Buffer.from(plaintextPem, 'utf8'), aad('payload', associatedData));
    const wrapped = gcmEncrypt(masterKey, dataKey, aad('data-key', associatedData));
    return {
      v: 1,
      alg: 'AES-256-GCM',
      wrappedKey: wrapped.ciphertext.toString('base64'),
      wrapIv: wrapped.iv.toString('base64'),
      wrapTag: wrapped.tag.toString('base64'),
      iv: payload.iv.toString('base64'),
      tag: payload.tag.toString('base64'),
      ciphertext: payload.ciphertext.toString('base64'),
    };
  } finally {
    dataKey.fill(0);
  }
}

/** Throws DecryptionError for any blob that does not authenticate; never returns partial plaintext. */
export function openPrivateKey(blob: EncryptedBlob, masterKey: Buffer, associatedData: string): string {
  assertMasterKey(masterKey);
  assertAssociatedData(associatedData);
  if (!isEncryptedBlob(blob)) {
    throw new DecryptionError('the encrypted private key is malformed (expected a v1 AES-256-GCM envelope)');
  }
  let dataKey: Buffer | undefined;
  try {
    dataKey = gcmDecrypt(
      masterKey,
      decode(blob.wrapIv),
      decode(blob.wrapTag),
      decode(blob.wrappedKey),
      aad('data-key', associatedData),
    );
    const plaintext = gcmDecrypt(
      dataKey,
      decode(blob.iv),
      decode(blob.tag),
      decode(blob.ciphertext),
      aad('payload', associatedData),
    );
    return plaintext.toString('utf8');
  } catch (error: unknown) {
    throw new DecryptionError(
      'could not decrypt the private key: the master key is wrong, the key belongs to another ' +
        'tenant/GNS/root (associated data mismatch), or the ciphertext was modified',
      { cause: error },
    );
  } finally {
    dataKey?.fill(0);
  }
}

/** Shape check for values read back from storage (a JSON column) before they are opened. */
export function isEncryptedBlob(value: unknown): value is EncryptedBlob {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  if (record.v !== 1 || record.alg !== 'AES-256-GCM') return false;
  const expectedLengths: Array<[string, number | null]> = [
    ['wrappedKey', KEY_BYTES],
    ['wrapIv', IV_BYTES],
    ['wrapTag', TAG_BYTES],
    ['iv', IV_BYTES],
    ['tag', TAG_BYTES],
    ['ciphertext', null],
  ];
  return expectedLengths.every(([field, length]) => {
    const text = record[field];
    if (typeof text !== 'string' || !STRICT_BASE64.test(text)) return false;
    return length === null || decode(text).length === length;
  });
}

function gcmEncrypt(key: Buffer, plaintext: Buffer, associatedData: Buffer) {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

function gcmDecrypt(
  key: Buffer,
  iv: Buffer,
  tag: Buffer,
  ciphertext: Buffer,
  associatedData: Buffer,
): Buffer {
  // authTagLength pins the tag to 16 bytes: without it Node accepts truncated tags.
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

/** Distinct prefixes keep the wrapped data key and the payload from being swapped for each other. */
function aad(purpose: 'data-key' | 'payload', associatedData: string): Buffer {
  return Buffer.from(`lattice-envelope/v1/${purpose}\n${associatedData}`, 'utf8');
}

function decode(base64: string): Buffer {
  return Buffer.from(base64, 'base64');
}

function assertMasterKey(masterKey: Buffer): void {
  if (!Buffer.isBuffer(masterKey) || masterKey.length !== KEY_BYTES) {
    throw new InvalidMasterKeyError(`the master key must be exactly ${KEY_BYTES} bytes (use parseMasterKey)`);
  }
}

function assertAssociatedData(associatedData: string): void {
  // Empty associated data would silently drop the row binding that is the point of the envelope.
  if (typeof associatedData !== 'string' || associatedData.length === 0) {
    throw new InvalidPkiInputError('associated data is required to bind the ciphertext to its owner');
  }
}
