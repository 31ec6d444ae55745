import { describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { DomainError } from '@renkei/domain';
import { DeadlineExceeded, withDeadline } from './deadline.js';
import { isDependencyFailure } from './dependency-errors.js';
import { guardProcess } from './process-guards.js';
import { Readiness } from './readiness.js';

const logger = pino({ level: 'silent' });

describe('isDependencyFailure', () => {
  it('recognises what Kafka, pg and Prisma say when they are away, through the cause chain', () => {
    const kafka = Object.assign(new Error('Connection error: read ECONNRESET'), {
      name: 'KafkaJSConnectionError',
    });
    const retries = Object.assign(new Error('x'), { name: 'KafkaJSNumberOfRetriesExceeded' });
    const notLeader = Object.assign(new Error('This server is not the leader'), {
      name: 'KafkaJSProtocolError',
      type: 'NOT_LEADER_FOR_PARTITION',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const pgTimeout = new Error('timeout exceeded when trying to connect');
    const queryTimeout = new Error('Query read timeout');
    const shutdown = Object.assign(new Error('terminating connection'), { code: '57P01' });
    const prisma = Object.assign(new Error("Can't reach database server"), { code: 'P1001' });
    const adapter = Object.assign(new Error('driver'), { cause: { kind: 'ConnectionClosed' } });
    const wrapped = new Error('request failed', { cause: kafka });
    for (const error of [
      kafka,
      retries,
      notLeader,
      refused,
      pgTimeout,
      queryTimeout,
      shutdown,
      prisma,
      adapter,
      wrapped,
    ])
      expect(isDependencyFailure(error), String(error)).toBe(true);
    expect(isDependencyFailure(new DeadlineExceeded('Kafka produce', 5000))).toBe(true);
  });

  it('leaves bugs and domain refusals alone', () => {
    expect(isDependencyFailure(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(
      false,
    );
    expect(isDependencyFailure(Object.assign(new Error('unique'), { code: 'P2002' }))).toBe(false);
    expect(isDependencyFailure(new DomainError('GRANT.NOT_ACTIVE', 'forbidden', 'no'))).toBe(false);
    expect(isDependencyFailure(undefined)).toBe(false);
    expect(isDependencyFailure('ECONNRESET')).toBe(false);
  });
});

describe('withDeadline', () => {
  it('passes a result through and turns a hang into DeadlineExceeded', async () => {
    await expect(withDeadline(Promise.resolve(7), 100, 'x')).resolves.toBe(7);
    const hang = new Promise<never>(() => undefined);
    await expect(withDeadline(hang, 20, 'the database')).rejects.toBeInstanceOf(DeadlineExceeded);
  });

  it('swallows a late rejection instead of leaving it unhandled', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    const late = new Promise((_r, reject) => setTimeout(() => reject(new Error('late')), 30));
    await expect(withDeadline(late, 5, 'x')).rejects.toBeInstanceOf(DeadlineExceeded);
    await new Promise((r) => setTimeout(r, 60));
    process.off('unhandledRejection', unhandled);
    expect(unhandled).not.toHaveBeenCalled();
  });
});

describe('Readiness', () => {
  it('is ready only when every component is up, and follows a probe down and back by itself', async () => {
    const readiness = new Readiness(logger);
    let healthy = true;
    readiness.probe('database', () => (healthy ? Promise.resolve() : Promise.reject(new Error('down'))), {
      intervalMs: 10,
      timeoutMs: 50,
    });
    const report = readiness.component('kafka');
    expect(readiness.ready).toBe(false);
    report('up');
    await vi.waitFor(() => expect(readiness.ready).toBe(true));
    healthy = false;
    await vi.waitFor(() => expect(readiness.down()).toEqual(['database']));
    healthy = true;
    await vi.waitFor(() => expect(readiness.ready).toBe(true));
    readiness.stop();
  });

  it('counts a probe that does not answer in time as down', async () => {
    const readiness = new Readiness(logger);
    readiness.probe('database', () => new Promise(() => undefined), { intervalMs: 10, timeoutMs: 20 });
    await vi.waitFor(() => expect(readiness.down()).toEqual(['database']));
    readiness.stop();
  });
});

describe('guardProcess', () => {
  it('keeps the process on a dependency failure and exits with 1 on anything else', () => {
    const exit = vi.fn();
    const before = {
      rejection: process.listeners('unhandledRejection'),
      exception: process.listeners('uncaughtException'),
    };
    guardProcess(logger, exit);
    const [onRejection] = process
      .listeners('unhandledRejection')
      .filter((l) => !before.rejection.includes(l));
    const [onException] = process.listeners('uncaughtException').filter((l) => !before.exception.includes(l));
    try {
      (onRejection as (e: unknown) => void)(
        Object.assign(new Error('x'), { name: 'KafkaJSConnectionError' }),
      );
      expect(exit).not.toHaveBeenCalled();
      (onException as (e: unknown) => void)(new TypeError('a bug'));
      expect(exit).toHaveBeenCalledWith(1);
    } finally {
      process.off('unhandledRejection', onRejection as never);
      process.off('uncaughtException', onException as never);
    }
  });
});
