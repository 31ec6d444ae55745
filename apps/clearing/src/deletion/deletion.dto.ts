import { z } from 'zod';

/** How the consumer deleted (NIST SP 800-88 terms where they apply). */
export const DeletionMethods = ['crypto-erase', 'overwrite', 'delete', 'physical-destruction'] as const;
export type DeletionMethod = (typeof DeletionMethods)[number];

/** The JWS `typ` header of a deletion receipt (explicit typing, RFC 8725 §3.11). */
export const RECEIPT_TYP = 'deletion-receipt+jwt';
/** The only algorithm a receipt may be signed with. */
export const RECEIPT_ALG = 'ES256';
/** What a receipt must say it covers. */
export const RECEIPT_SCOPE = 'all-copies';

/**
 * The claims of a deletion receipt: what clearing checks before it accepts one (deletion-receipt.ts), and
 * so what an obligation answers as its receipt's claims (the SDK signs receipts by this shape).
 */
export const DeletionReceiptClaimsSchema = z.looseObject({
  iss: z.string().min(1),
  sub: z.string().min(1),
  grant: z.string().min(1),
  dataset: z.string().min(1),
  deletedAt: z.iso.datetime({ offset: true }),
  method: z.enum(DeletionMethods),
  scope: z.literal(RECEIPT_SCOPE),
  iat: z.number().int().nonnegative(),
  jti: z.string().min(1).max(200),
});

export const ListObligationsSchema = z.object({
  role: z
    .enum(['consumer', 'originator', 'any'])
    .default('any')
    .describe('consumer: what you must delete; originator: what others must delete of your data'),
  status: z.enum(['open', 'confirmed', 'overdue']).optional(),
  dataset: z.string().optional(),
  grant: z.uuid().optional().describe('The grant that ended'),
});
export type ListObligations = z.infer<typeof ListObligationsSchema>;

export const OverdueQuerySchema = z.object({
  status: z
    .enum(['overdue', 'confirmed', 'any'])
    .default('overdue')
    .describe(
      'overdue: still not confirmed after the deadline; confirmed: confirmed late; any: every obligation ever flagged',
    ),
  consumer: z.uuid().optional(),
  dataset: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type OverdueQuery = z.infer<typeof OverdueQuerySchema>;

export const ReceiptBodySchema = z.object({
  receipt: z
    .string()
    .min(1)
    .max(16_384)
    .describe(
      `A compact JWS (ES256, header typ '${RECEIPT_TYP}') signed with one of your registered keys, claims { iss: your participant id, sub: the obligation id, grant, dataset, deletedAt (ISO 8601), method (${DeletionMethods.join(' | ')}), scope: '${RECEIPT_SCOPE}', iat, jti }`,
    ),
});
export type ReceiptBody = z.infer<typeof ReceiptBodySchema>;

// OpenAPI examples.

const consumer = '7b0e4c1d-2f0a-4c55-9a51-1d8b8c2e6f41';
const originator = '3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10';
const obligationId = 'c5d3f7a2-8e41-4b9e-a0c6-5f2d1e9b7a33';
const grantId = '0e6b1a94-5c2d-4f87-b3a1-9d7e2c4f8a10';

export const receiptClaimsExample = {
  iss: consumer,
  sub: obligationId,
  grant: grantId,
  dataset: 'battery.cfp',
  deletedAt: '2026-12-03T09:12:00.000Z',
  method: 'crypto-erase' as DeletionMethod,
  scope: RECEIPT_SCOPE as typeof RECEIPT_SCOPE,
  iat: 1796289140,
  jti: '5a8f0b7e-1c3d-4e2f-9a6b-7c8d9e0f1a2b',
};

export const obligationExample: DeletionObligationDto = {
  id: obligationId,
  grant: grantId,
  consumer,
  originator,
  dataset: 'battery.cfp',
  cause: 'revoked',
  dueAt: '2026-12-31T08:00:00.000Z',
  status: 'open',
  late: false,
  flaggedAt: null,
  confirmedAt: null,
  receipt: null,
  createdAt: '2026-12-01T08:00:00.000Z',
};

export const receiptExample =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6ImNodWJ1LTIwMjYtMTEiLCJ0eXAiOiJkZWxldGlvbi1yZWNlaXB0K2p3dCJ9.eyJpc3MiOiI3YjBlNGMxZC0yZjBhLTRjNTUtOWE1MS0xZDhiOGMyZTZmNDEiLCJzdWIiOiJjNWQzZjdhMi04ZTQxLTRiOWUtYTBjNi01ZjJkMWU5YjdhMzMiLCJncmFudCI6IjBlNmIxYTk0LTVjMmQtNGY4Ny1iM2ExLTlkN2UyYzRmOGExMCIsImRhdGFzZXQiOiJiYXR0ZXJ5LmNmcCIsImRlbGV0ZWRBdCI6IjIwMjYtMTItMDNUMDk6MTI6MDAuMDAwWiIsIm1ldGhvZCI6ImNyeXB0by1lcmFzZSIsInNjb3BlIjoiYWxsLWNvcGllcyIsImlhdCI6MTc5NjI4OTE0MCwianRpIjoiNWE4ZjBiN2UtMWMzZC00ZTJmLTlhNmItN2M4ZDllMGYxYTJiIn0.UMk-99bTZ4zNJFBIyBaDeVuGsKyKcLgtv3ORz2AztidBS6CCYFqdlOJMSDK3CX3GmPCN9cf0vazey2aKWDy3kQ';

export const confirmedExample: DeletionObligationDto = {
  ...obligationExample,
  status: 'confirmed',
  confirmedAt: '2026-12-03T09:12:21.000Z',
  receipt: { jws: receiptExample, claims: receiptClaimsExample },
};

export const overdueExample: DeletionObligationDto = {
  ...obligationExample,
  cause: 'expired',
  status: 'overdue',
  late: true,
  flaggedAt: '2026-12-31T08:00:01.000Z',
};

const problem = (status: number, code: string, detail: string, instance: string, extra = {}) => ({
  type: `urn:renkei:error:${code}`,
  title: code,
  status,
  code,
  detail,
  ...extra,
  instance,
});

export const receiptInvalidExample = problem(
  400,
  'DELETION.RECEIPT_INVALID',
  `The deletion receipt is not valid: it is not signed by a key registered for the consumer ${consumer}`,
  `/deletion-obligations/${obligationId}/receipt`,
  {
    errors: [
      {
        path: '/receipt',
        message: `it is not signed by a key registered for the consumer ${consumer}`,
        check: 'signature',
      },
    ],
    hint: `Sign the receipt with ES256 and one of your registered keys (header typ '${RECEIPT_TYP}'); the SDK's confirmDeletion does this`,
  },
);

export const alreadyConfirmedExample = problem(
  409,
  'DELETION.ALREADY_CONFIRMED',
  `Deletion obligation ${obligationId} was already confirmed on 2026-12-03T09:12:21.000Z`,
  `/deletion-obligations/${obligationId}/receipt`,
  { hint: 'Read the stored receipt with GET /deletion-obligations/{id}' },
);

export const notConsumerExample = problem(
  403,
  'DELETION.NOT_CONSUMER',
  'Only the consumer that received the data confirms its deletion',
  `/deletion-obligations/${obligationId}/receipt`,
  { hint: 'The originator follows the obligation with GET /deletion-obligations/{id}' },
);

export const obligationNotFoundExample = problem(
  404,
  'DELETION.NOT_FOUND',
  `No deletion obligation ${obligationId} that you are a party to`,
  `/deletion-obligations/${obligationId}`,
  { hint: 'List yours with GET /deletion-obligations' },
);

// ------------------------------------------------------------------ responses (OpenAPI)

const when = z.string().describe('ISO 8601 date-time');

/** A deletion obligation as clearing answers it (the shape of DeletionObligationDto). */
export const DeletionObligationSchema = z.object({
  id: z.uuid(),
  grant: z.uuid(),
  consumer: z.uuid(),
  originator: z.uuid(),
  dataset: z.string(),
  cause: z.enum(['revoked', 'expired']),
  dueAt: when,
  status: z.enum(['open', 'confirmed', 'overdue']),
  late: z.boolean(),
  flaggedAt: when.nullable(),
  confirmedAt: when.nullable(),
  receipt: z.object({ jws: z.string(), claims: DeletionReceiptClaimsSchema }).nullable(),
  createdAt: when,
});

/** An obligation as the HTTP API answers it: the response schema's type, so the two cannot drift. */
export type DeletionObligationDto = z.output<typeof DeletionObligationSchema>;
