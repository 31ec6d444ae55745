import { Counter, register } from 'prom-client';

/**
 * A counter on the default registry (served at /metrics), created once per process: a module loaded twice
 * (tests, the sources and the build side by side) finds the one already registered instead of failing.
 */
export function sharedCounter<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  return (
    (register.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames })
  );
}
