import type { z } from 'zod';
import { badRequest, DomainError, pointer } from '@renkei/domain';

/** The largest DSP message a peer may send (offers and policies are a few KiB). */
export const MAX_DSP_MESSAGE_BYTES = 256 * 1024;
/** The deepest nesting a DSP message may have (ODRL logical constraints nest a few levels). */
export const MAX_DSP_DEPTH = 24;

const JSON_TYPES = new Set(['application/json', 'application/ld+json']);

interface BodyRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

/** How deep a JSON value nests (stops counting past the limit). */
export function depthOf(value: unknown, limit = MAX_DSP_DEPTH + 1, at = 0): number {
  if (at > limit) return at;
  if (Array.isArray(value)) return Math.max(at + 1, ...value.map((v) => depthOf(v, limit, at + 1)));
  if (value && typeof value === 'object')
    return Math.max(at + 1, ...Object.values(value).map((v) => depthOf(v, limit, at + 1)));
  return at;
}

/**
 * A DSP message from the request: plain JSON or JSON-LD (`application/json`, `application/ld+json`), at most
 * MAX_DSP_MESSAGE_BYTES and MAX_DSP_DEPTH deep, valid against `schema` (400 DSP.INVALID_MESSAGE naming each
 * failing path otherwise).
 */
export function readDspMessage<S extends z.ZodType>(request: BodyRequest, schema: S): z.output<S> {
  const raw = request.headers['content-type'];
  const type = (Array.isArray(raw) ? raw[0] : raw)?.split(';')[0]?.trim().toLowerCase();
  if (!type || !JSON_TYPES.has(type)) {
    throw badRequest(
      'DSP.INVALID_MESSAGE',
      `A DSP message is sent as application/json or application/ld+json, not '${type ?? 'none'}'`,
      [{ path: '', message: 'content-type must be application/json or application/ld+json' }],
    );
  }
  const body = request.body;
  const length = Number(request.headers['content-length'] ?? NaN);
  const size = Number.isFinite(length) ? length : Buffer.byteLength(JSON.stringify(body ?? null));
  if (size > MAX_DSP_MESSAGE_BYTES || depthOf(body) > MAX_DSP_DEPTH) {
    throw new DomainError(
      'DSP.MESSAGE_TOO_LARGE',
      'too-large',
      `A DSP message may be at most ${MAX_DSP_MESSAGE_BYTES} bytes and ${MAX_DSP_DEPTH} levels deep`,
    );
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('DSP.INVALID_MESSAGE', 'A DSP message is a JSON object', [
      { path: '', message: 'must be a JSON object' },
    ]);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw badRequest(
      'DSP.INVALID_MESSAGE',
      'The message is not a valid DSP 2025-1 message for this endpoint',
      parsed.error.issues.slice(0, 20).map((i) => ({ path: pointer(i.path), message: i.message })),
      'Send compact JSON-LD against https://w3id.org/dspace/2025/1/context.jsonld with the required members',
    );
  }
  return parsed.data;
}
