import { z } from 'zod';

export const RotateRequestSchema = z.object({
  activateAfterSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 3600)
    .optional()
    .describe(
      "How long the new key is published in the JWKS before it starts signing tokens (default: the configured pre-publication delay, at least the longest token lifetime). A shorter delay only brings the switch forward; it does not revoke anything: tokens already signed with the old key stay valid until they expire, and the old key stays in the JWKS while it retires. Renkei's own services still accept the new key at once (they reload their keys when a token names an unknown kid), but verifiers that cache the JWKS may refuse tokens signed with the new key until their cache refreshes.",
    ),
});
export type RotateRequest = z.infer<typeof RotateRequestSchema>;

const key = (
  kid: string,
  state: string,
  times: Partial<Record<'activatesAt' | 'activatedAt' | 'retiredAt' | 'leavesJwksAt', string>>,
) => ({
  kid,
  state,
  alg: 'ES256',
  published: state !== 'retired',
  createdAt: '2026-10-22T09:00:00.000Z',
  activatesAt: null,
  activatedAt: null,
  retiredAt: null,
  leavesJwksAt: null,
  ...times,
});

export const keysExample = {
  keys: [
    key('7c1d…-active', 'active', { activatedAt: '2026-11-21T09:10:00.000Z' }),
    key('3f2c…-retiring', 'retiring', {
      activatedAt: '2026-10-22T09:10:00.000Z',
      retiredAt: '2026-11-21T09:10:00.000Z',
      leavesJwksAt: '2026-11-21T09:21:00.000Z',
    }),
    key('0a9b…-retired', 'retired', {
      activatedAt: '2026-09-22T09:10:00.000Z',
      retiredAt: '2026-10-22T09:10:00.000Z',
    }),
  ],
  policy: {
    rotateEveryHours: 720,
    prepublishSeconds: 600,
    retiringSeconds: 660,
    checkIntervalSeconds: 5,
  },
  nextChangeAt: '2026-11-21T09:21:00.000Z',
};

export const rotationExample = {
  result: 'created',
  key: key('9e4f…-next', 'next', { activatesAt: '2026-11-21T09:20:00.000Z' }),
  keys: [
    key('7c1d…-active', 'active', { activatedAt: '2026-11-21T09:10:00.000Z' }),
    key('9e4f…-next', 'next', { activatesAt: '2026-11-21T09:20:00.000Z' }),
  ],
};

// ------------------------------------------------------------------ responses (OpenAPI)

const when = z.string().describe('ISO 8601 date-time');

export const SigningKeyViewSchema = z.object({
  kid: z.string(),
  state: z.enum(['next', 'active', 'retiring', 'retired']),
  alg: z.string(),
  published: z.boolean(),
  createdAt: when,
  activatesAt: when.nullable(),
  activatedAt: when.nullable(),
  retiredAt: when.nullable(),
  leavesJwksAt: when.nullable(),
});

export const SigningKeysSchema = z.object({
  keys: z.array(SigningKeyViewSchema),
  policy: z.object({
    rotateEveryHours: z.number(),
    prepublishSeconds: z.number(),
    retiringSeconds: z.number(),
    checkIntervalSeconds: z.number(),
  }),
  nextChangeAt: when.nullable(),
});

export const RotationResultSchema = z.object({
  result: z.enum(['created', 'rescheduled', 'pending']),
  key: SigningKeyViewSchema,
  keys: z.array(SigningKeyViewSchema),
});
