import { describe, expect, it, vi } from 'vitest';
import type { GrantModel, Prisma } from '@renkei/persistence';
import {
  DAY_MS,
  deletionDueAt,
  grantEndedAt,
  openDeletionObligation,
  toObligationDto,
} from './obligations.js';

const now = new Date('2026-12-01T08:00:00.000Z');

function grant(overrides: Partial<GrantModel> = {}): GrantModel {
  return {
    id: '0e6b1a94-5c2d-4f87-b3a1-9d7e2c4f8a10',
    originatorId: '3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10',
    consumerId: '7b0e4c1d-2f0a-4c55-9a51-1d8b8c2e6f41',
    dataset: 'battery.cfp',
    purpose: 'cfp-disclosure',
    fields: null,
    state: 'granted',
    validFrom: new Date('2026-11-01T00:00:00.000Z'),
    validUntil: null,
    onwardTransfer: false,
    deletionDays: 30,
    historyFrom: new Date('2026-11-01T00:00:00.000Z'),
    historyRequested: null,
    createdAt: new Date('2026-11-01T00:00:00.000Z'),
    updatedAt: new Date('2026-11-01T00:00:00.000Z'),
    ...overrides,
  };
}

/** A transaction that records what is written (the obligation and the audit rows). */
function fakeTx() {
  const created: Record<string, unknown>[] = [];
  const audited: { kind: string; payload: Record<string, unknown>; actorId: string }[] = [];
  const tx = {
    $executeRaw: vi.fn(() => Promise.resolve(1)),
    deletionObligation: {
      create: vi.fn(({ data }: { data: Record<string, unknown> }) => {
        created.push(data);
        return Promise.resolve(data);
      }),
    },
    auditEntry: {
      findFirst: vi.fn(() => Promise.resolve(null)),
      createMany: vi.fn(({ data }: { data: typeof audited }) => {
        audited.push(...data);
        return Promise.resolve({ count: data.length });
      }),
    },
  };
  return { tx: tx as unknown as Prisma.TransactionClient, created, audited };
}

describe('deletion deadlines', () => {
  it('counts deletionDays from the end of the grant', () => {
    expect(deletionDueAt(now, 30).toISOString()).toBe('2026-12-31T08:00:00.000Z');
    expect(deletionDueAt(now, 0)).toEqual(now);
  });

  it('ends an expired grant at its validUntil however late it is noticed, a revoked one when revoked', () => {
    const validUntil = new Date(now.getTime() - 700);
    expect(grantEndedAt(grant({ validUntil }), 'expired', now)).toEqual(validUntil);
    expect(grantEndedAt(grant({ validUntil }), 'revoked', now)).toEqual(now);
    expect(grantEndedAt(grant({ validUntil: null }), 'expired', now)).toEqual(now);
  });
});

describe('opening a deletion obligation', () => {
  it('opens one when a granted grant is revoked, due deletionDays later, with its audit entry', async () => {
    const { tx, created, audited } = fakeTx();
    const obligation = await openDeletionObligation(tx, grant({ deletionDays: 7 }), 'revoked', 'alice', now);
    expect(obligation).not.toBeNull();
    expect(created).toEqual([
      expect.objectContaining({
        grantId: grant().id,
        consumerId: grant().consumerId,
        originatorId: grant().originatorId,
        dataset: 'battery.cfp',
        cause: 'revoked',
        status: 'open',
        dueAt: new Date(now.getTime() + 7 * DAY_MS),
      }),
    ]);
    expect(audited).toEqual([
      expect.objectContaining({
        kind: 'deletion.obligation',
        actorId: 'alice',
        payload: expect.objectContaining({
          cause: 'revoked',
          deletionDays: 7,
          dueAt: '2026-12-08T08:00:00.000Z',
        }),
      }),
    ]);
  });

  it('dates an expiry from validUntil, also from suspended', async () => {
    const { tx, created } = fakeTx();
    const validUntil = new Date(now.getTime() - 400);
    await openDeletionObligation(
      tx,
      grant({ state: 'suspended', validUntil, deletionDays: 0 }),
      'expired',
      'renkei-clearing',
      now,
    );
    expect(created[0]).toMatchObject({ cause: 'expired', dueAt: validUntil });
  });

  it('opens none when nothing was ever delivered or the grant did not end', async () => {
    const { tx, created, audited } = fakeTx();
    expect(await openDeletionObligation(tx, grant({ state: 'requested' }), 'revoked', 'bob', now)).toBeNull();
    expect(
      await openDeletionObligation(tx, grant({ state: 'requested' }), 'rejected', 'bob', now),
    ).toBeNull();
    expect(await openDeletionObligation(tx, grant(), 'suspended', 'bob', now)).toBeNull();
    expect(await openDeletionObligation(tx, grant({ state: 'suspended' }), 'granted', 'bob', now)).toBeNull();
    expect(created).toEqual([]);
    expect(audited).toEqual([]);
  });

  it('shows a late confirmation as late', () => {
    const dto = toObligationDto({
      id: 'c5d3f7a2-8e41-4b9e-a0c6-5f2d1e9b7a33',
      grantId: grant().id,
      consumerId: grant().consumerId,
      originatorId: grant().originatorId,
      dataset: 'battery.cfp',
      cause: 'expired',
      dueAt: now,
      status: 'confirmed',
      receipt: 'h.p.s',
      receiptClaims: { method: 'delete' },
      confirmedAt: new Date(now.getTime() + 5000),
      flaggedAt: new Date(now.getTime() + 1000),
      createdAt: now,
    });
    expect(dto).toMatchObject({
      status: 'confirmed',
      late: true,
      flaggedAt: '2026-12-01T08:00:01.000Z',
      receipt: { jws: 'h.p.s', claims: { method: 'delete' } },
    });
  });
});
