import { decryptValue, encryptValue, isEncryptedValue, type EncryptedValue } from '@renkei/crypto';
import type { ContractTerms, DataEnvelope, PlatformProjection } from '@renkei/domain';
import type { ClearingKeysClient } from './clearing-keys.js';

/**
 * Which payload fields travel encrypted: personal and sensitive-personal fields of any contract, and on a
 * restricted contract every field but the cooperative ones (its minimum protection is field encryption).
 */
export function protectedFields(contract: ContractTerms, payloadKeys?: readonly string[]): string[] {
  const declared = Object.keys((contract.schema as { properties?: object }).properties ?? {});
  // On a restricted contract whatever a payload carries is protected, declared in the schema or not.
  const properties =
    contract.sensitivity === 'restricted' && payloadKeys
      ? [...new Set([...declared, ...payloadKeys])]
      : declared;
  const tags = (f: string) => contract.fields[f]?.tags ?? [];
  return properties.filter((f) =>
    contract.sensitivity === 'restricted'
      ? !tags(f).includes('cooperative')
      : tags(f).some((t) => t === 'personal' || t === 'sensitive-personal'),
  );
}

/** Whether any field of this contract's events travels encrypted. */
export function needsProtection(contract: ContractTerms): boolean {
  return contract.sensitivity === 'restricted' || protectedFields(contract).length > 0;
}

/** Health data is protected per person (erasing a person destroys their key); everything else per dataset. */
const perPerson = (contract: ContractTerms, envelope: Pick<DataEnvelope, 'subject'>) =>
  contract.domain === 'health' && typeof envelope.subject === 'string' && envelope.subject.length > 0;

const context = (dataset: string, field: string) => `${dataset}/${field}`;

const KEY_TTL_MS = 60_000;

/**
 * Encrypts protected fields on publish and decrypts them on delivery with data keys held by clearing.
 * Keys are cached briefly in memory; a destroyed key (clearing announces it on its topic) is never used
 * again, and a record protected by it is delivered without the fields it protected.
 */
export class FieldProtection {
  private readonly encryptKeys = new Map<string, { kid: string; key: Buffer; at: number }>();
  /** Per grant and kid: every grant's first use of a key goes through clearing's release (checked, audited). */
  private readonly decryptKeys = new Map<string, { kid: string; key: Buffer; at: number }>();

  constructor(
    private readonly clearing: ClearingKeysClient,
    private readonly state: PlatformProjection,
    private readonly now: () => number = Date.now,
  ) {
    state.onEvent((event) => {
      if (event.type !== 'data-key.destroyed') return;
      for (const [k, v] of this.decryptKeys) if (v.kid === event.kid) this.decryptKeys.delete(k);
      for (const [k, v] of this.encryptKeys) if (v.kid === event.kid) this.encryptKeys.delete(k);
    });
  }

  /** Returns the payloads with protected fields replaced by their ciphertext. */
  async protect(
    contract: ContractTerms,
    originator: string,
    events: { subject?: string; payload: Record<string, unknown> }[],
  ): Promise<Record<string, unknown>[]> {
    if (!needsProtection(contract)) return events.map((e) => e.payload);
    const keyOf = await this.encryptionKeys(contract, originator, events);
    return events.map((e) => {
      const { kid, key } = keyOf(e);
      const payload = { ...e.payload };
      for (const f of protectedFields(contract, Object.keys(e.payload))) {
        if (f in payload) payload[f] = encryptValue(key, kid, payload[f], context(contract.dataset, f));
      }
      return payload;
    });
  }

  /**
   * Decrypts the protected fields of a delivery batch for a live grant (clearing checks it and records the
   * release). Fields whose key was destroyed are removed and named in `erased`.
   */
  async reveal(
    grant: { id: string; consumer: string; dataset: string },
    envelopes: DataEnvelope[],
  ): Promise<{ payload: Record<string, unknown>; erased: string[] }[]> {
    const now = this.now();
    const cacheKey = (kid: string) => `${grant.id}|${kid}`;
    const cached = (kid: string) => {
      const hit = this.decryptKeys.get(cacheKey(kid));
      return hit && now - hit.at < KEY_TTL_MS ? hit.key : undefined;
    };
    const wanted = new Set<string>();
    for (const e of envelopes) {
      for (const v of Object.values(e.payload)) {
        if (isEncryptedValue(v) && !cached(v.kid) && !this.state.destroyedKeys.has(v.kid)) {
          wanted.add(v.kid);
        }
      }
    }
    if (wanted.size > 0) {
      for (const [k, v] of this.decryptKeys) if (now - v.at >= KEY_TTL_MS) this.decryptKeys.delete(k);
      const released = await this.clearing.release(grant.id, grant.consumer, grant.dataset, [...wanted]);
      for (const k of released.keys) {
        this.decryptKeys.set(cacheKey(k.kid), { kid: k.kid, key: Buffer.from(k.key, 'base64url'), at: now });
      }
    }
    return envelopes.map((e) => {
      const payload: Record<string, unknown> = {};
      const erased: string[] = [];
      for (const [field, value] of Object.entries(e.payload)) {
        if (!isEncryptedValue(value)) {
          payload[field] = value;
          continue;
        }
        const key = this.state.destroyedKeys.has(value.kid) ? undefined : cached(value.kid);
        const plain = key ? this.tryDecrypt(key, value, context(e.dataset, field)) : undefined;
        if (plain === undefined) erased.push(field);
        else payload[field] = plain;
      }
      return { payload, erased };
    });
  }

  private tryDecrypt(key: Buffer, value: EncryptedValue, ctx: string): unknown {
    try {
      return decryptValue(key, value, ctx);
    } catch {
      return undefined;
    }
  }

  private async encryptionKeys(
    contract: ContractTerms,
    originator: string,
    events: { subject?: string }[],
  ): Promise<(e: { subject?: string }) => { kid: string; key: Buffer }> {
    const now = this.now();
    const cacheKey = (subject: string | null) => `${originator}|${contract.dataset}|${subject ?? ''}`;
    const fresh = (k: string) => {
      const hit = this.encryptKeys.get(k);
      return hit && now - hit.at < KEY_TTL_MS && !this.state.destroyedKeys.has(hit.kid) ? hit : undefined;
    };
    const subjects = [
      ...new Set(events.filter((e) => perPerson(contract, e)).map((e) => e.subject as string)),
    ];
    const missing = subjects.filter((s) => !fresh(cacheKey(s)));
    if (!fresh(cacheKey(null)) || missing.length > 0) {
      const got = await this.clearing.encryptionKeys(originator, contract.dataset, missing);
      this.encryptKeys.set(cacheKey(null), {
        kid: got.dataset.kid,
        key: Buffer.from(got.dataset.key, 'base64url'),
        at: now,
      });
      for (const [s, k] of Object.entries(got.subjects)) {
        this.encryptKeys.set(cacheKey(s), { kid: k.kid, key: Buffer.from(k.key, 'base64url'), at: now });
      }
    }
    return (e) => {
      const hit = this.encryptKeys.get(cacheKey(perPerson(contract, e) ? (e.subject as string) : null));
      if (!hit) throw new Error('data key missing after fetch');
      return hit;
    };
  }
}
