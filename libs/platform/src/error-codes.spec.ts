import type { ArgumentsHost } from '@nestjs/common';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  DomainError,
  ERROR_CODES,
  forbidden,
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

describe('a refusal by a policy decision', () => {
  it('answers with the rule, its explanation and every explanation, after the detail', () => {
    const explanations = [
      {
        code: 'PURPOSE.NOT_ALLOWED',
        message: "purpose 'marketing' is not among the contract's purposes cfp-disclosure, due-diligence",
        params: { purpose: 'marketing', purposes: ['cfp-disclosure', 'due-diligence'] },
      },
    ];
    const { status, body } = answer(
      forbidden('PURPOSE.NOT_ALLOWED', 'The access request was denied by policy', undefined, {
        rule: 'PURPOSE.NOT_ALLOWED',
        explanations,
      }),
    );
    expect(status).toBe(403);
    expect(body).toEqual({
      type: 'urn:renkei:error:PURPOSE.NOT_ALLOWED',
      title: 'PURPOSE.NOT_ALLOWED',
      status: 403,
      code: 'PURPOSE.NOT_ALLOWED',
      detail: 'The access request was denied by policy',
      rule: 'PURPOSE.NOT_ALLOWED',
      explanation: explanations[0]!.message,
      explanations,
      instance: '/x',
    });
  });

  it('adds nothing to other refusals', () => {
    const { body } = answer(forbidden('TOKEN.INSUFFICIENT_SCOPE', 'x'));
    expect(Object.keys(body)).not.toContain('rule');
    expect(Object.keys(body)).not.toContain('explanations');
  });
});
