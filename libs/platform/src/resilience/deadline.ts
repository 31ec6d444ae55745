/**
 * Every call to Kafka or the database has a deadline: a dependency that stops answering (a stopped
 * process, a dropped network) must turn into a quick, classified failure, never a hang.
 */
export class DeadlineExceeded extends Error {
  /** kafkajs restarts a consumer whose handler failed with a retriable error (its own convention). */
  readonly retriable = true;

  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

/**
 * Races `work` against a timer. The work itself is not cancelled (neither kafkajs nor pg can cancel a
 * request in flight); its late result is ignored and a late rejection is swallowed, so it can never surface
 * as an unhandled rejection.
 */
export function withDeadline<T>(work: Promise<T> | (() => Promise<T>), ms: number, what: string): Promise<T> {
  const promise = typeof work === 'function' ? Promise.resolve().then(work) : work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(what, ms)), ms);
    timer.unref?.();
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
