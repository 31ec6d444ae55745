import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { noteRefusal, PROBLEM_MEDIA_TYPE, problemOf } from '@renkei/platform';
import { dspErrorBody, type DspErrorType } from './dsp-messages.js';

const PIDS = Symbol.for('renkei.dsp.pids');

interface Pids {
  providerPid?: string | null;
  consumerPid?: string | null;
}

/** Remembers the pids of the process a DSP request is about, for the error body if it fails. */
export function notePids(request: object, pids: Pids): void {
  const current = (request as { [PIDS]?: Pids })[PIDS] ?? {};
  (request as { [PIDS]?: Pids })[PIDS] = {
    providerPid: pids.providerPid ?? current.providerPid ?? null,
    consumerPid: pids.consumerPid ?? current.consumerPid ?? null,
  };
}

function pidsOf(request: object): Pids {
  return (request as { [PIDS]?: Pids })[PIDS] ?? {};
}

/**
 * Answers every error of a DSP route with the DSP error message of its protocol (`ContractNegotiationError`,
 * `TransferError`, `CatalogError`) that is at the same time the platform's problem+json: the same status and
 * stable `code` as anywhere else in Renkei, the pids of the process, and the human text in `reason`. Refusals
 * are noted for the audit chain as the ProblemFilter notes them, and every other 4xx too (category
 * `protocol`: illegal moves, malformed messages, unknown agreements or offers, a missing purpose).
 */
@Catch()
export class DspErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('dsp');

  constructor(private readonly type: DspErrorType) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const problem = problemOf(error, request.url.split('?')[0] ?? request.url);
    // Every refused DSP request is on the record (a peer's probing and illegal moves included).
    noteRefusal(request, problem.code, error, { protocol: true });
    if (problem.status >= 500) this.logger.error(`DSP request failed: ${String(error)}`);
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    if (problem.status === 401) void reply.header('www-authenticate', 'Bearer');
    if (problem.status === 503) void reply.header('retry-after', '5');
    const pids = pidsOf(request);
    const body = {
      ...problem,
      ...dspErrorBody(this.type, {
        ...pids,
        code: problem.code,
        reason: [problem.detail, ...(problem.hint ? [problem.hint] : [])],
      }),
    };
    void reply.status(problem.status).header('content-type', PROBLEM_MEDIA_TYPE).send(body);
  }
}
