export {
  decryptValue,
  type EncryptedValue,
  encryptValue,
  isEncryptedValue,
  newDataKey,
  parseKeyEncryptionKey,
  unwrapKey,
  wrapKey,
} from './envelope.js';
