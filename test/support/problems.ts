import { expect } from 'vitest';
import { RenkeiError } from '@renkei/sdk';

/** Awaits a call that must fail with this status and stable code; returns the error for more checks. */
export async function expectProblem(
  promise: Promise<unknown>,
  status: number,
  code: string,
): Promise<RenkeiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${status} ${code}`).toBeInstanceOf(RenkeiError);
  expect({ status: (error as RenkeiError).status, code: (error as RenkeiError).code }).toEqual({
    status,
    code,
  });
  return error as RenkeiError;
}
