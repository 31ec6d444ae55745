/**
 * The participant's key in the browser. Keys never travel: a key file is read locally (never uploaded) and
 * imported as a non-extractable WebCrypto key, so not even this page's own scripts can read the private
 * part back. It may be remembered in this browser's IndexedDB (a CryptoKey is stored as an opaque object).
 */

/** What `npm run demo` and the onboarding wizard write: a Renkei key file. */
export interface KeyFile {
  /** The participant id (or `consortium-admin`). */
  participant: string;
  /** A label for people: the company's name. */
  name?: string;
  /** The private ES256 JWK. */
  privateJwk: JsonWebKey & { kid?: string; alg?: string };
}

export interface HeldKey {
  participant: string;
  name?: string;
  kid: string;
  key: CryptoKey;
}

export class KeyFileError extends Error {
  constructor(
    /** An i18n key (namespace common) saying what is wrong. */
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'KeyFileError';
  }
}

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** Reads a key file's text: a Renkei key file, or a bare private JWK (then `participant` must be given). */
export function parseKeyFile(text: string, participant?: string): KeyFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeyFileError('signIn.errors.notJson');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new KeyFileError('signIn.errors.notJson');
  const object = parsed as Record<string, unknown>;
  const jwk = (object.privateJwk ?? object) as KeyFile['privateJwk'];
  const id = typeof object.participant === 'string' ? object.participant : participant?.trim();
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new KeyFileError('signIn.errors.notEs256');
  if (typeof jwk.d !== 'string') throw new KeyFileError('signIn.errors.publicOnly');
  if (!id) throw new KeyFileError('signIn.errors.noParticipant');
  return {
    participant: id,
    name: typeof object.name === 'string' ? object.name : undefined,
    privateJwk: jwk,
  };
}

/** Imports the private key as non-extractable, for signing only. */
export async function importKeyFile(file: KeyFile): Promise<HeldKey> {
  const { kty, crv, x, y, d } = file.privateJwk;
  const key = await crypto.subtle.importKey('jwk', { kty, crv, x, y, d }, EC, false, ['sign']);
  return { participant: file.participant, name: file.name, kid: file.privateJwk.kid ?? '', key };
}

/**
 * A new ES256 key pair for a participant being onboarded: the public JWK to register and the private JWK to
 * download once (the page keeps nothing).
 */
export async function generateParticipantKey(): Promise<{ publicJwk: JsonWebKey; privateJwk: JsonWebKey }> {
  const pair = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const kid = crypto.randomUUID();
  const privateJwk = { ...(await crypto.subtle.exportKey('jwk', pair.privateKey)), kid, alg: 'ES256' };
  const { d: _d, key_ops: _ops, ext: _ext, ...publicJwk } = privateJwk;
  return { publicJwk: { ...publicJwk, use: 'sig' }, privateJwk };
}

const DB = 'renkei-console';
const STORE = 'keys';
const SLOT = 'current';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB unavailable'));
  });
}

async function inStore<T>(
  mode: IDBTransactionMode,
  run: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = run(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
    });
  } finally {
    db.close();
  }
}

/** Remembers the held key in this browser (the private part stays non-extractable). */
export const rememberKey = (held: HeldKey) => inStore('readwrite', (s) => s.put(held, SLOT));
export const rememberedKey = () =>
  inStore<HeldKey | undefined>('readonly', (s) => s.get(SLOT) as IDBRequest<HeldKey | undefined>);
export const forgetKey = () => inStore('readwrite', (s) => s.delete(SLOT));
