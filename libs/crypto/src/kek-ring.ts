import { createHash } from 'node:crypto';
import { parseKeyEncryptionKey, unwrapKey, wrapKey } from './envelope.js';

/** One key-encryption key and the id recorded with everything it wraps. */
export interface Kek {
  id: string;
  key: Buffer;
}

/**
 * A KEK's id: derived from the key itself (a one-way hash under its own label), so an operator never names
 * keys by hand and the same key always has the same id on every replica. The hash reveals nothing usable
 * about a 256-bit random key.
 */
export function kekId(key: Buffer): string {
  return `kek-${createHash('sha256').update('renkei:kek-id:').update(key).digest('hex').slice(0, 16)}`;
}

/** A wrapped key that no configured KEK opens: the id it names, or the legacy rows' null. */
export class UnknownKekError extends Error {
  constructor(readonly kekId: string | null) {
    super(
      kekId === null
        ? 'No configured key-encryption key opens this key (it was wrapped before KEK ids were recorded)'
        : `The key was wrapped with KEK ${kekId}, which is not configured (KEY_ENCRYPTION_KEY or KEY_ENCRYPTION_KEY_PREVIOUS)`,
    );
    this.name = 'UnknownKekError';
  }
}

/**
 * The key-encryption keys a service holds (ADR 0037): the current one wraps every new key; the others only
 * unwrap, for keys wrapped before a rotation (or by a replica that already has the next KEK as current).
 * Each wrapped key is stored with the id of the KEK that wrapped it, so unwrapping picks the right key;
 * rows wrapped before ids were recorded (kek id null) are tried against every key.
 */
export class KekRing {
  readonly current: Kek;
  private readonly byId = new Map<string, Kek>();

  constructor(current: Buffer, others: Buffer[] = []) {
    this.current = { id: kekId(current), key: current };
    for (const key of [current, ...others]) {
      const id = kekId(key);
      if (!this.byId.has(id)) this.byId.set(id, { id, key });
    }
  }

  /** From configuration: the current KEK and a comma-separated list of others (each 32 bytes, base64url). */
  static fromConfig(current: string, others?: string): KekRing {
    const rest = (others ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(parseKeyEncryptionKey);
    return new KekRing(parseKeyEncryptionKey(current), rest);
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Wraps under the current KEK; store `kekId` with `wrapped`. */
  wrap(key: Buffer, context: string): { kekId: string; wrapped: Buffer } {
    return { kekId: this.current.id, wrapped: wrapKey(this.current.key, key, context) };
  }

  /** Unwraps with the KEK the row names (null: a row from before ids, tried against each key). */
  unwrap(id: string | null, wrapped: Buffer, context: string): Buffer {
    if (id !== null) {
      const kek = this.byId.get(id);
      if (!kek) throw new UnknownKekError(id);
      return unwrapKey(kek.key, wrapped, context);
    }
    for (const kek of this.byId.values()) {
      try {
        return unwrapKey(kek.key, wrapped, context);
      } catch {
        // the next key, perhaps
      }
    }
    throw new UnknownKekError(null);
  }

  /**
   * Re-wraps under the current KEK (a rotation step): the same key, a fresh IV. Throws like `unwrap` when no
   * configured KEK opens it.
   */
  rewrap(id: string | null, wrapped: Buffer, context: string): { kekId: string; wrapped: Buffer } {
    return this.wrap(this.unwrap(id, wrapped, context), context);
  }
}
