import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Fastify answers a few refusals itself, before any route (and so before Nest's ProblemFilter): a path
 * segment longer than `maxParamLength` (414) and a segment that is not valid percent-encoding (400). They
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
          'Path segments are at most 100 characters',
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
