import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The longest path segment (as sent, percent-encoded) routed to a handler: above any id's limit even when
 * every character takes 12 bytes encoded, so an over-long id is its pipe's 400 naming it.
 */
export const MAX_PARAM_LENGTH = 4096;

/**
 * Fastify answers a few refusals itself, before any route (and so before Nest's ProblemFilter): a path
 * segment longer than MAX_PARAM_LENGTH (414) and a segment that is not valid percent-encoding (400). They
 * are answered here as problem+json like every other refusal, so the documents' shared 414 and 400 hold.
 */
export function frameworkErrors(
  error: Error & { code?: string },
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const [status, code, detail, hint] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [
          414,
          'REQUEST.URI_TOO_LONG',
          'A path segment is too long',
          `Path segments are at most ${MAX_PARAM_LENGTH} characters`,
        ]
      : [400, 'REQUEST.BAD_URL', 'The URL is not valid', 'Percent-encode each path segment (RFC 3986)'];
  void reply
    .status(status)
    .header('content-type', 'application/problem+json')
    .send({
      type: `urn:renkei:error:${code}`,
      title: code,
      status,
      code,
      detail,
      hint,
      instance: request.url.split('?')[0],
    });
}
