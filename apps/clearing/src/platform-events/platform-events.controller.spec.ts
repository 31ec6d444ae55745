import { Test } from '@nestjs/testing';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PlatformProjection, type PlatformEvent } from '@renkei/domain';
import { PlatformEventServer } from '@renkei/kafka';
import type { PrismaClient } from '@renkei/persistence';
import { PlatformEventsModule } from './platform-events.module.js';

describe("clearing's platform-event handlers", () => {
  it('apply registry events to the projection and put an announced dead letter on the audit chain', async () => {
    const state = new PlatformProjection();
    const applied: string[] = [];
    state.onEvent((e) => applied.push(e.type));
    const lookedUp: string[] = [];
    // The dead letter is already on the chain: the handler looks it up by the event id and appends nothing.
    const prisma = {
      $transaction: (work: (tx: unknown) => Promise<void>) =>
        work({
          auditEntry: {
            findUnique: ({ where }: { where: { id: string } }) => {
              lookedUp.push(where.id);
              return Promise.resolve({ id: where.id });
            },
          },
        }),
    } as unknown as PrismaClient;
    const server = new PlatformEventServer(
      new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING }),
      ['t'],
      pino({ level: 'silent' }),
      'spec',
    );
    const module = await Test.createTestingModule({
      imports: [PlatformEventsModule.register({ state, prisma })],
    })
      .setLogger({ log() {}, error() {}, warn() {} })
      .compile();
    const app = module.createNestMicroservice({ strategy: server });
    await app.listen();
    const events = [
      { type: 'participant.upserted', participant: { id: 'p1', status: 'suspended' } },
      { type: 'contract.published', contract: { dataset: 'd.x', version: '1.0.0' } },
      { type: 'dataset.changed', dataset: 'd.x' },
      { type: 'outbox.dead-lettered', id: 'e-17', service: 'registry', deadLetter: {} },
    ] as unknown as PlatformEvent[];
    for (const [i, event] of events.entries()) await server.dispatch('t', event, String(i));
    expect(applied).toEqual(events.map((e) => e.type));
    expect(state.participants.get('p1')?.status).toBe('suspended');
    expect(lookedUp).toEqual(['e-17']);
    await app.close();
  });
});
