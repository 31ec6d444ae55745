import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ShutdownSteps } from './run-service.js';

const quiet = pino({ level: 'silent' });

describe('ShutdownSteps', () => {
  it('closes in reverse order of opening: what was opened last, and may use the rest, goes first', async () => {
    const closed: string[] = [];
    const steps = new ShutdownSteps(quiet);
    steps.add(() => closed.push('database'));
    steps.add(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      closed.push('kafka probe');
    });
    steps.add(() => closed.push('outbox'));
    await steps.run();
    expect(closed).toEqual(['outbox', 'kafka probe', 'database']);
  });

  it('runs every step even when one fails, then reports the failures together', async () => {
    const closed: string[] = [];
    const steps = new ShutdownSteps(quiet);
    steps.add(() => closed.push('database'));
    steps.add(() => Promise.reject(new Error('producer stuck')));
    steps.add(() => {
      throw new Error('relay stuck');
    });
    const failure = await steps.run().then(
      () => null,
      (error: unknown) => error,
    );
    expect(closed).toEqual(['database']);
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors.map((e: Error) => e.message)).toEqual([
      'relay stuck',
      'producer stuck',
    ]);
  });

  it('runs each step once, however often shutdown is asked for', async () => {
    let closes = 0;
    const steps = new ShutdownSteps(quiet);
    steps.add(() => closes++);
    await steps.run();
    await steps.run();
    expect(closes).toBe(1);
  });
});
