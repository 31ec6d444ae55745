import { z } from 'zod';

/** The classes of expensive endpoints that carry a per-participant rate limit (see {@link RateLimited}). */
export const rateLimitClasses = ['token', 'heavy', 'publish'] as const;
export type RateLimitClass = (typeof rateLimitClasses)[number];

export interface RateLimit {
  max: number;
  windowMs: number;
}

const windowUnits: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `600/1m`, `20/10s`, or `off`: at most `max` calls per window and key; `off` lifts the limit. */
const rateLimit = z
  .string()
  .trim()
  .transform((value, ctx): RateLimit | null => {
    if (value === 'off') return null;
    const match = /^(\d{1,9})\/(\d{1,9})(ms|s|m|h)$/.exec(value);
    if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
      ctx.addIssue({
        code: 'custom',
        message: "expected '<max>/<window>' such as '600/1m' or '20/10s', or 'off'",
      });
      return z.NEVER;
    }
    return { max: Number(match[1]), windowMs: Number(match[2]) * windowUnits[match[3]!]! };
  });

const ms = (fallback: number, min: number, description: string) =>
  z.coerce.number().int().min(min).max(3_600_000).default(fallback).describe(description);

/**
 * The HTTP edge's limits, the same on every service and read from the environment by createHttpApp. The
 * defaults are generous enough that the e2e suite and `npm run bench` never meet them; the table in
 * docs/security/edge.md says what each protects against.
 */
export const edgeConfigSchema = z
  .object({
    HTTP_BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .optional()
      .describe("Largest request body; default: the service's own (exchange 10 MiB, others 5 MiB)"),
    HTTP_MAX_URL_LENGTH: z.coerce
      .number()
      .int()
      .min(256)
      .max(16_000)
      .default(8_192)
      .describe('Longest request URL (414 past it)'),
    HTTP_MAX_HEADER_BYTES: z.coerce
      .number()
      .int()
      .min(4_096)
      .max(65_536)
      .default(16_384)
      .describe('Largest size of all request headers together (431 past it)'),
    HTTP_HEADERS_TIMEOUT_MS: ms(10_000, 100, 'The request line and headers must arrive within this'),
    HTTP_REQUEST_TIMEOUT_MS: ms(
      60_000,
      100,
      'The whole request, body included, must arrive within this (408)',
    ),
    HTTP_HANDLER_TIMEOUT_MS: ms(
      120_000,
      0,
      'A handler answering later than this is answered 503; 0 = no limit',
    ),
    HTTP_IDLE_TIMEOUT_MS: ms(
      180_000,
      0,
      'A socket with no traffic either way for this long is closed; 0 = never',
    ),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: ms(72_000, 100, 'An idle keep-alive connection is closed after this'),
    RATE_LIMIT_TOKEN: rateLimit
      .prefault('600/1m')
      .describe('Logins and token requests, per participant (logins: per IP)'),
    RATE_LIMIT_HEAVY: rateLimit
      .prefault('300/1m')
      .describe(
        'Contract registration and dry runs, ODCS and FHIR imports, audit export and verify, scenario runs',
      ),
    RATE_LIMIT_PUBLISH: rateLimit.prefault('120000/1m').describe('Publish calls (batches) per participant'),
    TRUST_PROXY: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true')
      .describe('Behind a reverse proxy: take the client address from X-Forwarded-For (rate limits by IP)'),
  })
  .superRefine((s, ctx) => {
    // A socket closed for idleness while its handler still works would reset the client instead of answering.
    const longest = Math.max(s.HTTP_REQUEST_TIMEOUT_MS, s.HTTP_HANDLER_TIMEOUT_MS);
    if (s.HTTP_IDLE_TIMEOUT_MS > 0 && s.HTTP_IDLE_TIMEOUT_MS <= longest) {
      ctx.addIssue({
        code: 'custom',
        path: ['HTTP_IDLE_TIMEOUT_MS'],
        message: `must be 0 or longer than the request and handler timeouts (${longest} ms)`,
      });
    }
  });
export type EdgeSettings = z.infer<typeof edgeConfigSchema>;

/** The rate limit of a class, or null when it is switched off. */
export function rateLimitOf(settings: EdgeSettings, kind: RateLimitClass): RateLimit | null {
  switch (kind) {
    case 'token':
      return settings.RATE_LIMIT_TOKEN;
    case 'heavy':
      return settings.RATE_LIMIT_HEAVY;
    case 'publish':
      return settings.RATE_LIMIT_PUBLISH;
  }
}
