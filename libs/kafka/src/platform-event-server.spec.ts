import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { GrantChangedEvent, PlatformEvent } from '@renkei/domain';
import { PlatformEventContext, PlatformEventServer } from './platform-event-server.js';

const seen: string[] = [];

@Controller()
class TestHandlers {
  @EventPattern('grant.changed')
  async grantChanged(@Payload() event: GrantChangedEvent, @Ctx() ctx: unknown): Promise<void> {
    if (!(ctx instanceof PlatformEventContext)) throw new Error('no platform event context');
    // Slower than the next event's handler: the transport must still finish this one first.
    await new Promise((resolve) => setTimeout(resolve, 20));
    seen.push(`${ctx.getTopic()}@${ctx.getOffset()} ${event.type} ${event.grant.state}`);
  }

  @EventPattern(['contract.published', 'contract.retired'])
  contract(@Payload() event: PlatformEvent): void {
    seen.push(event.type);
  }

  @EventPattern('dataset.changed')
  failing(@Payload() _event: PlatformEvent): void {
    throw new Error('the database is away');
  }
}

const grant = (state: 'granted' | 'revoked') =>
  ({ type: 'grant.changed', grant: { state }, actor: 'a', reason: null }) as unknown as PlatformEvent;
const event = (type: string) => ({ type }) as unknown as PlatformEvent;

// Never connected: constructing kafkajs clients opens no connection.
const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });

async function serve() {
  const server = new PlatformEventServer(kafka, ['t'], pino({ level: 'silent' }), 'spec');
  const module = await Test.createTestingModule({ controllers: [TestHandlers] })
    .setLogger({ log() {}, error() {}, warn() {} })
    .compile();
  const app = module.createNestMicroservice({ strategy: server });
  return { server, app };
}

describe('PlatformEventServer (the control-plane transport)', () => {
  afterEach(() => void seen.splice(0));

  it('hands each event to the @EventPattern handler of its type and resolves only when it is done', async () => {
    const { server, app } = await serve();
    await app.listen();
    await server.dispatch('t', grant('revoked'), '7');
    // The slow handler has finished: the consumer counts the event as applied only now (barrier).
    expect(seen).toEqual(['t@7 grant.changed revoked']);
    await server.dispatch('t', event('contract.retired'), '8');
    expect(seen).toEqual(['t@7 grant.changed revoked', 'contract.retired']);
    await app.close();
  });

  it('holds events that arrive before Nest registered the handlers, instead of dropping them', async () => {
    const { server, app } = await serve();
    const early = server.dispatch('t', grant('granted'), '0');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(seen).toEqual([]);
    await app.listen();
    await early;
    expect(seen).toEqual(['t@0 grant.changed granted']);
    await app.close();
  });

  it('passes a handler failure back to the consumer (which logs and skips it) and skips unfollowed types', async () => {
    const { server, app } = await serve();
    await app.listen();
    await expect(server.dispatch('t', event('dataset.changed'), '1')).rejects.toBeDefined();
    await expect(server.dispatch('t', event('person-consent.changed'), '2')).resolves.toBeUndefined();
    await server.dispatch('t', event('contract.published'), '3');
    expect(seen).toEqual(['contract.published']);
    await app.close();
  });

  it('registers each handler once in a hybrid app (HTTP app plus this transport), as the services run it', async () => {
    const server = new PlatformEventServer(kafka, ['t'], pino({ level: 'silent' }), 'spec');
    const module = await Test.createTestingModule({ controllers: [TestHandlers] })
      .setLogger({ log() {}, error() {}, warn() {} })
      .compile();
    const app = module.createNestApplication(new FastifyAdapter());
    app.connectMicroservice({ strategy: server });
    await app.startAllMicroservices();
    await app.init();
    await server.dispatch('t', event('contract.published'), '0');
    expect(seen).toEqual(['contract.published']);
    await app.close();
  });
});
