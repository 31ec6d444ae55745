import type { ArgumentsHost } from '@nestjs/common';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  DomainError,
  ERROR_CODES,
  STATUS_OF_KIND,
  type ErrorCode,
  type ErrorCodeInfo,
  type ErrorKind,
} from '@renkei/domain';
import { edgeProblems } from './edge/framework-errors.js';
import { ProblemFilter } from './problem.filter.js';

/** Runs the ProblemFilter on one error and returns the status and body it answered with. */
function answer(error: unknown): { status: number; body: { code: string; status: number } } {
  let status = 0;
  let body: unknown;
  const reply = {
    sent: false,
    raw: { headersSent: false },
    header: () => reply,
    hasHeader: () => false,
    status: (s: number) => ((status = s), reply),
    send: (b: unknown) => ((body = b), reply),
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ url: '/x' }) }),
  } as unknown as ArgumentsHost;
  const logger = { error: () => undefined } as unknown as Logger;
  new ProblemFilter(logger).catch(error, host);
  return { status, body: body as { code: string; status: number } };
}

const kindOfStatus = new Map<number, ErrorKind>(
  Object.entries(STATUS_OF_KIND).map(([kind, status]) => [status, kind as ErrorKind]),
);

describe('the catalogue and the answers the edge gives', () => {
  it('answers every catalogued DomainError code with the status the catalogue gives it', () => {
    let checked = 0;
    for (const [code, info] of Object.entries(ERROR_CODES) as [ErrorCode, ErrorCodeInfo][]) {
      const kind = info.status === null ? undefined : kindOfStatus.get(info.status);
      if (!kind) continue; // never an HTTP answer, or answered by the edge itself (below)
      const { status, body } = answer(new DomainError(code, kind, 'x'));
      expect([status, body.code, body.status], code).toEqual([info.status, code, info.status]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(120);
  });

  it("answers the edge's own refusals with the status the catalogue gives their codes", () => {
    for (const problem of Object.values(edgeProblems)) {
      expect(problem.status, problem.code).toBe(ERROR_CODES[problem.code].status);
    }
    const internal = answer(new Error('boom'));
    expect([internal.status, internal.body.code]).toEqual([ERROR_CODES.INTERNAL.status, 'INTERNAL']);
  });
});
