import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from './errors.js';
import { assertEventFits, eventBytes, KAFKA_MESSAGE_MAX_BYTES, outboxEventMaxBytes } from './event-size.js';

describe('the outbox event size limit', () => {
  afterEach(() => {
    delete process.env.OUTBOX_MAX_EVENT_BYTES;
  });

  it('stays below what Kafka accepts, whatever is configured', () => {
    expect(outboxEventMaxBytes()).toBeLessThan(KAFKA_MESSAGE_MAX_BYTES);
    process.env.OUTBOX_MAX_EVENT_BYTES = String(10 * KAFKA_MESSAGE_MAX_BYTES);
    expect(outboxEventMaxBytes()).toBeLessThan(KAFKA_MESSAGE_MAX_BYTES);
  });

  it('lets an event up to the limit through (the legitimate path)', () => {
    process.env.OUTBOX_MAX_EVENT_BYTES = '2000';
    const value = { pad: 'x'.repeat(1900) };
    expect(eventBytes('k', value)).toBeLessThanOrEqual(2000);
    expect(() => assertEventFits('k', value)).not.toThrow();
  });

  it('refuses a larger one with EVENT.TOO_LARGE (422) naming size, limit and path', () => {
    process.env.OUTBOX_MAX_EVENT_BYTES = '2000';
    const value = { pad: 'ü'.repeat(1000) }; // 2 bytes each in UTF-8: bytes count, not characters
    const error = (() => {
      try {
        assertEventFits('k', value, { path: '/schema' });
      } catch (e) {
        return e as DomainError;
      }
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'EVENT.TOO_LARGE', kind: 'unprocessable' });
    expect(error!.details).toEqual([expect.objectContaining({ path: '/schema', limit: '2000' })]);
  });

  it('keeps room for the lifecycle events that repeat a contract', () => {
    process.env.OUTBOX_MAX_EVENT_BYTES = '4000';
    const value = { pad: 'x'.repeat(3000) };
    expect(() => assertEventFits('k', value)).not.toThrow();
    expect(() => assertEventFits('k', value, { reserve: 2000 })).toThrow(DomainError);
  });
});
