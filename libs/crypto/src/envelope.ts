import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Envelope encryption with AES-256-GCM (Node's OpenSSL): data keys encrypt protected field values; the
 * key-encryption key (KEK, from configuration) wraps data keys and private signing keys at rest. The
 * additional authenticated data binds each ciphertext to its context (key id, dataset, field), so a value
 * cannot be moved to another field or record and still decrypt.
 */
const ALG = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The KEK from configuration: 32 random bytes, base64url (generate with `openssl rand -base64 32`). */
export function parseKeyEncryptionKey(value: string): Buffer {
  const key = Buffer.from(value, 'base64url');
  if (key.length !== 32) {
    throw new Error('KEY_ENCRYPTION_KEY must be 32 bytes, base64url-encoded (e.g. openssl rand -base64 32)');
  }
  return key;
}

export function newDataKey(): Buffer {
  return randomBytes(32);
}

/** iv ‖ tag ‖ ciphertext */
export function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALG, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]);
}

/** Throws when the key, the context or the bytes are not the ones sealed together. */
export function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv(ALG, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

export const wrapKey = (kek: Buffer, key: Buffer, context: string) => seal(kek, key, `wrap:${context}`);
export const unwrapKey = (kek: Buffer, wrapped: Buffer, context: string) =>
  open(kek, wrapped, `wrap:${context}`);

/** A protected field value as it travels on Kafka: readable only with the data key `kid`. */
export interface EncryptedValue {
  $enc: 'A256GCM';
  kid: string;
  /** base64url of iv ‖ tag ‖ ciphertext of the JSON value */
  v: string;
}

export function isEncryptedValue(value: unknown): value is EncryptedValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { $enc?: unknown }).$enc === 'A256GCM' &&
    typeof (value as { kid?: unknown }).kid === 'string' &&
    typeof (value as { v?: unknown }).v === 'string'
  );
}

export function encryptValue(key: Buffer, kid: string, value: unknown, context: string): EncryptedValue {
  const sealed = seal(key, Buffer.from(JSON.stringify(value), 'utf8'), `${kid}:${context}`);
  return { $enc: 'A256GCM', kid, v: sealed.toString('base64url') };
}

export function decryptValue(key: Buffer, enc: EncryptedValue, context: string): unknown {
  const plain = open(key, Buffer.from(enc.v, 'base64url'), `${enc.kid}:${context}`);
  return JSON.parse(plain.toString('utf8')) as unknown;
}
