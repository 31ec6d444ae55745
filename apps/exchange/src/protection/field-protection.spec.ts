import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newDataKey } from '@renkei/crypto';
import { PlatformProjection, type ContractTerms, type DataEnvelope } from '@renkei/domain';
import type { ClearingKeysClient } from './clearing-keys.js';
import { FieldProtection, protectedFields } from './field-protection.js';

const health: ContractTerms = {
  dataset: 'health.admissions',
  owner: 'hospital',
  version: '1.0.0',
  status: 'active',
  title: 'Admissions',
  domain: 'health',
  purposes: ['health-research'],
  sensitivity: 'restricted',
  residency: 'JP',
  retentionDays: null,
  fields: {
    wardId: { tags: ['cooperative'] },
    diagnosis: { tags: ['sensitive-personal'] },
    age: { tags: ['personal'] },
  },
  schema: { type: 'object', properties: { wardId: {}, diagnosis: {}, age: {}, note: {} } },
};

/** An in-memory stand-in for clearing's key endpoints (unit tier only; e2e tests use the real service). */
function fakeClearing(grantLive = () => true) {
  const keys = new Map<string, { key: Buffer; subject: string | null }>();
  const live = new Map<string, string>();
  const calls = { encryption: 0, release: 0 };
  const keyFor = (subject: string | null) => {
    const k = `${subject}`;
    let kid = live.get(k);
    if (!kid) {
      kid = randomUUID();
      keys.set(kid, { key: newDataKey(), subject });
      live.set(k, kid);
    }
    return { kid, key: keys.get(kid)!.key.toString('base64url') };
  };
  const client = {
    encryptionKeys: (_o: string, _d: string, subjects: string[]) => {
      calls.encryption++;
      return Promise.resolve({
        dataset: keyFor(null),
        subjects: Object.fromEntries(subjects.map((s) => [s, keyFor(s)])),
      });
    },
    release: (_g: string, _c: string, _d: string, kids: string[]) => {
      calls.release++;
      if (!grantLive()) return Promise.reject(new Error('GRANT.NOT_ACTIVE'));
      return Promise.resolve({
        keys: kids
          .filter((k) => keys.has(k))
          .map((kid) => ({ kid, key: keys.get(kid)!.key.toString('base64url') })),
        destroyed: kids.filter((k) => !keys.has(k)),
      });
    },
  } as unknown as ClearingKeysClient;
  return { client, keys, calls };
}

const envelope = (subject: string, payload: Record<string, unknown>): DataEnvelope => ({
  id: randomUUID(),
  type: 'admission',
  schemaVersion: '1.0.0',
  occurredAt: '',
  publishedAt: '',
  dataset: health.dataset,
  contractVersion: '1.0.0',
  originator: 'hospital',
  subject,
  payload,
});

describe('field protection', () => {
  it('protects personal fields, and on restricted contracts everything but cooperative fields', () => {
    expect(protectedFields(health)).toEqual(['diagnosis', 'age', 'note']);
    expect(protectedFields({ ...health, sensitivity: 'confidential' })).toEqual(['diagnosis', 'age']);
    expect(protectedFields({ ...health, sensitivity: 'confidential', fields: {} })).toEqual([]);
    // Whatever a restricted payload carries is protected, declared in the schema or not.
    expect(protectedFields({ ...health, schema: { type: 'object' } }, ['wardId', 'extra'])).toEqual([
      'extra',
    ]);
  });

  it('encrypts per person for health data and decrypts for a live grant', async () => {
    const state = new PlatformProjection();
    const { client, calls } = fakeClearing();
    const protection = new FieldProtection(client, state);
    const events = [
      { subject: 'pt-1', payload: { wardId: 'W3', diagnosis: 'J18.9', age: 71 } },
      { subject: 'pt-2', payload: { wardId: 'W3', diagnosis: 'I21.0', age: 64 } },
    ];
    const protectedPayloads = await protection.protect(health, 'hospital', events);
    expect(protectedPayloads[0]!.wardId).toBe('W3');
    expect(JSON.stringify(protectedPayloads)).not.toMatch(/J18\.9|I21\.0/);
    const kids = protectedPayloads.map((p) => (p.diagnosis as { kid: string }).kid);
    expect(new Set(kids).size).toBe(2);
    const revealed = await protection.reveal(
      { id: 'g', consumer: 'lab', dataset: health.dataset },
      protectedPayloads.map((p, i) => envelope(events[i]!.subject, p)),
    );
    expect(revealed.map((r) => r.payload)).toEqual(events.map((e) => e.payload));
    // Keys are cached: a second batch needs no new round trips.
    await protection.protect(health, 'hospital', events);
    expect(calls.encryption).toBe(1);
    // Decryption keys are cached per grant: the same grant reuses them, another grant asks clearing.
    const batch = protectedPayloads.map((p, i) => envelope(events[i]!.subject, p));
    await protection.reveal({ id: 'g', consumer: 'lab', dataset: health.dataset }, batch);
    expect(calls.release).toBe(1);
    await protection.reveal({ id: 'g2', consumer: 'lab2', dataset: health.dataset }, batch);
    expect(calls.release).toBe(2);
  });

  it('delivers a record without the fields whose key was destroyed, for good', async () => {
    const state = new PlatformProjection();
    const { client } = fakeClearing();
    const protection = new FieldProtection(client, state);
    const [p1] = await protection.protect(health, 'hospital', [
      { subject: 'pt-1', payload: { wardId: 'W3', diagnosis: 'J18.9', age: 71 } },
    ]);
    const kid = (p1!.diagnosis as { kid: string }).kid;
    state.apply({
      type: 'data-key.destroyed',
      kid,
      originator: 'hospital',
      dataset: health.dataset,
      subjectRef: 'pt-1',
    });
    const [r] = await protection.reveal({ id: 'g', consumer: 'lab', dataset: health.dataset }, [
      envelope('pt-1', p1!),
    ]);
    expect(r).toEqual({ payload: { wardId: 'W3' }, erased: ['diagnosis', 'age'] });
  });
});
