/**
 * Polls `probe` until `done` holds for its value or the time runs out, and returns the last value: for
 * effects that travel between services over Kafka. The caller asserts on the value, so a timeout fails
 * with the value that was seen, not with a bare timeout.
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs));
    value = await probe();
  }
  return value;
}
