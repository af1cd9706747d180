import { randomBytes } from 'node:crypto';
import {
  gnsRootKeyAssociatedData,
  isEncryptedBlob,
  openPrivateKey,
  parseMasterKey,
  sealPrivateKey,
  type EncryptedBlob,
} from './envelope';
import { DecryptionError, InvalidMasterKeyError, InvalidPkiInputError, PkiErrorCode } from './errors';

const PLAINTEXT =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
const AAD = gnsRootKeyAssociatedData({ tenantId: 't1', gnsId: 'g1', generation: 1 });

function flipBit(base64: string, byteIndex = 0): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[byteIndex]! ^= 0x01;
  return bytes.toString('base64');
}

describe('envelope encryption', () => {
  const masterKey = randomBytes(32);

  it('round-trips a private key and keeps no plaintext in the blob', () => {
    const blob = sealPrivateKey(PLAINTEXT, masterKey, AAD);
    expect(blob).toMatchObject({ v: 1, alg: 'AES-256-GCM' });
    expect(JSON.stringify(blob)).not.toContain('PRIVATE KEY');
    expect(openPrivateKey(JSON.parse(JSON.stringify(blob)) as EncryptedBlob, masterKey, AAD)).toBe(PLAINTEXT);
  });

  it('formats the associated data of a GNS root key', () => {
    expect(AAD).toBe('tenant:t1/gns:g1/root:1');
  });

  it('refuses a blob moved to another tenant, GNS or root generation', () => {
    const blob = sealPrivateKey(PLAINTEXT, masterKey, AAD);
    for (const other of [
      gnsRootKeyAssociatedData({ tenantId: 't2', gnsId: 'g1', generation: 1 }),
      gnsRootKeyAssociatedData({ tenantId: 't1', gnsId: 'g2', generation: 1 }),
      gnsRootKeyAssociatedData({ tenantId: 't1', gnsId: 'g1', generation: 2 }),
    ]) {
      expect(() => openPrivateKey(blob, masterKey, other)).toThrow(DecryptionError);
    }
  });

  it('refuses the wrong master key', () => {
    const blob = sealPrivateKey(PLAINTEXT, masterKey, AAD);
    expect(() => openPrivateKey(blob, randomBytes(32), AAD)).toThrow(DecryptionError);
  });

  it.each(['wrappedKey', 'wrapIv', 'wrapTag', 'iv', 'tag', 'ciphertext'] as const)(
    'detects a flipped bit in %s',
    (field) => {
      const blob = sealPrivateKey(PLAINTEXT, masterKey, AAD);
      const tampered = { ...blob, [field]: flipBit(blob[field], 3) };
      const failure = (() => {
        try {
          openPrivateKey(tampered, masterKey, AAD);
        } catch (error: unknown) {
          return error;
        }
        return undefined;
      })();
      expect(failure).toBeInstanceOf(DecryptionError);
      expect((failure as DecryptionError).code).toBe(PkiErrorCode.DECRYPTION_FAILED);
      expect((failure as Error).message).toMatch(/wrong|modified/);
    },
  );

  it('refuses swapped halves (the wrapped key put where the payload goes)', () => {
    const blob = sealPrivateKey(PLAINTEXT, masterKey, AAD);
    const swapped = { ...blob, iv: blob.wrapIv, tag: blob.wrapTag, ciphertext: blob.wrappedKey };
    expect(() => openPrivateKey(swapped, masterKey, AAD)).toThrow(DecryptionError);
  });

  it('refuses a truncated authentication tag and malformed blobs', () => {
    const blob = sealPrivateKey(PLAINTEXT, masterKey, AAD);
    const shortTag = Buffer.from(blob.tag, 'base64').subarray(0, 4).toString('base64');
    expect(() => openPrivateKey({ ...blob, tag: shortTag }, masterKey, AAD)).toThrow(DecryptionError);
    expect(() => openPrivateKey({ ...blob, v: 2 } as unknown as EncryptedBlob, masterKey, AAD)).toThrow(
      /malformed/,
    );
    expect(() => openPrivateKey({ ...blob, ciphertext: 'not base64!' }, masterKey, AAD)).toThrow(
      DecryptionError,
    );
    expect(isEncryptedBlob(null)).toBe(false);
    expect(isEncryptedBlob(blob)).toBe(true);
  });

  it('uses a fresh data key and fresh IVs for every secret', () => {
    const blobs = Array.from({ length: 20 }, () => sealPrivateKey(PLAINTEXT, masterKey, AAD));
    expect(new Set(blobs.map((blob) => blob.wrappedKey)).size).toBe(20);
    expect(new Set(blobs.map((blob) => blob.iv)).size).toBe(20);
    expect(new Set(blobs.map((blob) => blob.ciphertext)).size).toBe(20);
  });

  it('requires associated data and a 32-byte master key', () => {
    expect(() => sealPrivateKey(PLAINTEXT, masterKey, '')).toThrow(InvalidPkiInputError);
    expect(() => sealPrivateKey(PLAINTEXT, randomBytes(16), AAD)).toThrow(InvalidMasterKeyError);
  });
});

describe('parseMasterKey', () => {
  const key = randomBytes(32);

  it('accepts base64, unpadded base64url and hex of 32 bytes, ignoring surrounding whitespace', () => {
    expect(parseMasterKey(key.toString('base64'))).toEqual(key);
    expect(parseMasterKey(` ${key.toString('base64')}\n`)).toEqual(key);
    expect(parseMasterKey(key.toString('base64url'))).toEqual(key);
    expect(parseMasterKey(key.toString('hex'))).toEqual(key);
    expect(parseMasterKey(key.toString('hex').toUpperCase())).toEqual(key);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['16 bytes of base64', randomBytes(16).toString('base64')],
    ['48 bytes of base64', randomBytes(48).toString('base64')],
    ['31 bytes of hex', randomBytes(31).toString('hex')],
    ['a passphrase', 'correct horse battery staple'],
    ['base64 with a stray character', `${randomBytes(32).toString('base64').slice(0, 42)}!=`],
    ['all zeros', Buffer.alloc(32).toString('hex')],
  ])('refuses %s and says what is expected without echoing the value', (_label, value) => {
    let failure: unknown;
    try {
      parseMasterKey(value);
    } catch (error: unknown) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(InvalidMasterKeyError);
    const message = (failure as Error).message;
    expect(message).toContain(
      'LATTICE_MASTER_KEY must be 32 random bytes encoded as base64 (44 characters) or hex (64 characters)',
    );
    if (value) expect(message).not.toContain(value);
  });

  it('names the variable it validates', () => {
    expect(() => parseMasterKey('short', 'OTHER_KEY')).toThrow(/^OTHER_KEY must be/);
  });
});
