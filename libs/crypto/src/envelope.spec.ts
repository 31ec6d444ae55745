import { describe, expect, it } from 'vitest';
import {
  decryptValue,
  encryptValue,
  isEncryptedValue,
  newDataKey,
  parseKeyEncryptionKey,
  unwrapKey,
  wrapKey,
} from './envelope.js';

describe('envelope encryption', () => {
  it('round-trips a field value under its data key and context', () => {
    const key = newDataKey();
    const enc = encryptValue(key, 'k1', { diagnosis: 'J18.9' }, 'health.beds/diagnosis');
    expect(isEncryptedValue(enc)).toBe(true);
    expect(JSON.stringify(enc)).not.toContain('J18.9');
    expect(decryptValue(key, enc, 'health.beds/diagnosis')).toEqual({ diagnosis: 'J18.9' });
  });

  it('refuses another key, another context or altered bytes', () => {
    const key = newDataKey();
    const enc = encryptValue(key, 'k1', 42, 'a/b');
    expect(() => decryptValue(newDataKey(), enc, 'a/b')).toThrow();
    expect(() => decryptValue(key, enc, 'a/c')).toThrow();
    const bytes = Buffer.from(enc.v, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    expect(() => decryptValue(key, { ...enc, v: bytes.toString('base64url') }, 'a/b')).toThrow();
  });

  it('wraps data keys with the key-encryption key, bound to their id', () => {
    const kek = newDataKey();
    const key = newDataKey();
    const wrapped = wrapKey(kek, key, 'k1');
    expect(unwrapKey(kek, wrapped, 'k1').equals(key)).toBe(true);
    expect(() => unwrapKey(kek, wrapped, 'k2')).toThrow();
  });

  it('accepts only a 32-byte key-encryption key', () => {
    expect(parseKeyEncryptionKey(newDataKey().toString('base64url'))).toHaveLength(32);
    expect(() => parseKeyEncryptionKey('c2hvcnQ')).toThrow(/32 bytes/);
  });
});
