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
export { type Kek, kekId, KekRing, UnknownKekError } from './kek-ring.js';
