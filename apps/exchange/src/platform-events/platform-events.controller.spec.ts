import { Test } from '@nestjs/testing';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ContractEventTypes, PlatformProjection, type PlatformEvent } from '@renkei/domain';
import { PlatformEventServer } from '@renkei/kafka';
import { PlatformEventsModule } from './platform-events.module.js';

/** Every type the platform topics carry: the exchange's delivery decisions depend on each of them. */
const types: PlatformEvent['type'][] = [
  'participant.upserted',
  ...ContractEventTypes,
  'dataset.changed',
  'grant.changed',
  'person-consent.changed',
  'data-key.destroyed',
  'outbox.dead-lettered',
];

describe("the exchange's platform-event handlers", () => {
  it('put every kind of platform event into the projection, through the Nest transport', async () => {
    const state = new PlatformProjection();
    const applied: string[] = [];
    state.onEvent((e) => applied.push(e.type));
    const server = new PlatformEventServer(
      new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING }),
      ['t'],
      pino({ level: 'silent' }),
      'spec',
    );
    const module = await Test.createTestingModule({ imports: [PlatformEventsModule.register({ state })] })
      .setLogger({ log() {}, error() {}, warn() {} })
      .compile();
    const app = module.createNestMicroservice({ strategy: server });
    await app.listen();
    const minimal: Record<string, unknown> = {
      grant: { id: 'g1', state: 'revoked' },
      participant: { id: 'p1', status: 'suspended' },
      contract: { dataset: 'd.x', version: '1.0.0' },
      consent: { originator: 'o', subjectRef: 's', consentId: 'c', decision: 'deny', provisions: [] },
      kid: 'k1',
    };
    for (const [i, type] of types.entries())
      await server.dispatch('t', { type, ...minimal } as unknown as PlatformEvent, String(i));
    expect(applied).toEqual(types);
    expect(state.grants.get('g1')?.state).toBe('revoked');
    expect(state.participants.get('p1')?.status).toBe('suspended');
    expect(state.destroyedKeys.has('k1')).toBe(true);
    await app.close();
  });
});
