import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PlatformProjection, type PlatformEvent } from '@renkei/domain';
import type { PrismaClient } from '@renkei/persistence';
import { ContractNotifier } from './contract-notifier.js';

const deprecated = {
  type: 'contract.deprecated',
  contract: { dataset: 'battery.cfp', version: '1.0.0', status: 'deprecated', owner: 'cell' },
  at: '2026-11-21T09:00:00.000Z',
} as unknown as PlatformEvent;

/** A database whose notification writes fail `failures` times before they succeed. */
function flakyDb(failures: number) {
  const written: unknown[] = [];
  let calls = 0;
  const prisma = {
    grant: { findMany: () => Promise.resolve([{ id: 'g1', consumerId: 'auto' }]) },
    notification: {
      createMany: (args: { data: unknown[] }) => {
        calls++;
        if (calls <= failures) return Promise.reject(new Error('connection lost'));
        written.push(...args.data);
        return Promise.resolve({ count: args.data.length });
      },
    },
  } as unknown as PrismaClient;
  return { prisma, written, calls: () => calls };
}

describe('contract notifications', () => {
  it('retries with backoff when the database fails for a moment, so nothing is lost', async () => {
    const state = new PlatformProjection();
    const db = flakyDb(2);
    const notifier = new ContractNotifier(state, db.prisma, pino({ level: 'silent' }), {
      attempts: 4,
      baseDelayMs: 1,
    });
    notifier.start();
    state.apply(deprecated);
    await notifier.idle();
    expect(db.calls()).toBe(3);
    expect(db.written).toEqual([
      expect.objectContaining({ participantId: 'auto', grantId: 'g1', kind: 'CONTRACT.DEPRECATED' }),
    ]);
    notifier.stop();
  });

  it('gives up after the last attempt, logs it, and goes on with the next event', async () => {
    const state = new PlatformProjection();
    const db = flakyDb(3);
    const logged: unknown[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const notifier = new ContractNotifier(state, db.prisma, logger, { attempts: 3, baseDelayMs: 1 });
    notifier.start();
    state.apply(deprecated);
    await notifier.idle();
    expect(db.calls()).toBe(3);
    expect(logged).toEqual([expect.objectContaining({ msg: expect.stringMatching(/could not record/) })]);
    state.apply(deprecated);
    await notifier.idle();
    expect(db.written).toHaveLength(1);
    notifier.stop();
  });
});
