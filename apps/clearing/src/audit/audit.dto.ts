import { z } from 'zod';

const when = z.iso.datetime({ offset: true });
const cursor = z.coerce.number().int().min(0).describe('Cursor: the last seq of the previous page');

export const AUDIT_PAGE_MAX = 500;

export const AuditQuerySchema = z
  .object({
    kind: z
      .string()
      .max(40)
      .regex(
        /^[a-z][a-z-]*(\.[a-z-]+){0,2}$/,
        'an entry kind such as decision, token.issued, grant.changed, dsp.negotiation.changed',
      )
      .optional()
      .describe(
        'decision | token.issued | grant.changed | signing-key.changed | dsp.negotiation.changed | …',
      ),
    dataset: z.string().max(200).optional(),
    participant: z
      .string()
      .max(200)
      .optional()
      .describe(
        'Entries the participant took part in: as the actor, as a party to the grant, or as the owner of the dataset',
      ),
    grant: z.uuid().optional(),
    code: z
      .string()
      .max(80)
      .regex(/^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)*\+?$/, 'a stable error code such as TOKEN.EXPIRED')
      .optional()
      .describe('Security refusals (kind security.refusal) with this stable code, e.g. TOKEN.EXPIRED'),
    action: z
      .string()
      .max(40)
      .regex(/^[a-z][a-z-]*(\.[a-z-]+)?$/, 'a policy action such as grant.request, subscribe, deliver')
      .optional()
      .describe(
        'Decisions of this policy action: grant.request | grant.approve | token.issue | publish | subscribe | deliver | …',
      ),
    rule: z
      .string()
      .max(80)
      .regex(
        /^[A-Z][A-Z0-9_]*\.[A-Z][A-Z0-9_]*$/,
        'a rule code such as PURPOSE.NOT_ALLOWED or ALLOW.SUBSCRIBE',
      )
      .optional()
      .describe(
        "Decisions this rule decided: a deny's first reason (e.g. PURPOSE.NOT_ALLOWED), or ALLOW.<ACTION> for allows (e.g. ALLOW.SUBSCRIBE)",
      ),
    revision: z
      .string()
      .max(80)
      .regex(/^[A-Za-z0-9._-]+$/, 'a policy bundle revision such as rego-0123456789abcdef')
      .optional()
      .describe('Decisions made by this policy bundle revision, e.g. rego-0123456789abcdef'),
    decision: z.enum(['allow', 'deny']).optional().describe('Only allowed, or only denied, decisions'),
    allow: z.enum(['true', 'false']).optional().describe('Same as decision=allow|deny'),
    from: when.optional().describe('At or after this time'),
    to: when.optional().describe('Before this time'),
    after: cursor.optional(),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe(
        `Page size (default 100, at most ${AUDIT_PAGE_MAX}); for an export, the most entries to export (default: all)`,
      ),
    format: z
      .enum(['page', 'json', 'ndjson', 'csv'])
      .default('page')
      .describe(
        'page: {items, next}; json: a JSON array of every matching entry; ndjson: one entry per line; csv: RFC 4180 with a header row',
      ),
  })
  .superRefine((q, ctx) => {
    if (q.format === 'page' && q.limit !== undefined && q.limit > AUDIT_PAGE_MAX) {
      ctx.addIssue({
        code: 'custom',
        path: ['limit'],
        message: `at most ${AUDIT_PAGE_MAX} per page; use format=csv, json or ndjson to export more`,
      });
    }
  });
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

export const UsageQuerySchema = z.object({
  dataset: z
    .string()
    .max(200)
    .optional()
    .describe('One of your datasets (default: all of them; compliance officers must name one)'),
  from: when.optional(),
  to: when.optional(),
  after: cursor.optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).default(100),
});
export type UsageQuery = z.infer<typeof UsageQuerySchema>;

export const ReceiptsQuerySchema = z.object({
  dataset: z.string().max(200).optional().describe('One of your datasets (default: all of them)'),
  after: cursor.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
export type ReceiptsQuery = z.infer<typeof ReceiptsQuerySchema>;

export const VerifyRequestSchema = z.object({
  checkpoint: z
    .string()
    .min(20)
    .max(8192)
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'a compact JWS')
    .describe('A checkpoint JWS you kept (a receipt): the chain must still reproduce it'),
});
export type VerifyRequest = z.infer<typeof VerifyRequestSchema>;

// ------------------------------------------------------------------ examples (OpenAPI)

const hash = (c: string) => c.repeat(64);
const jws =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6IjNmMmMuLi4iLCJ0eXAiOiJyZW5rZWktYXVkaXQtY2hlY2twb2ludCtqd3QifQ.eyJzZXEiOjEyOCwiaGFzaCI6IjlmODYuLi4iLCJlbnRyaWVzIjoxMjgsImlzcyI6InVybjpyZW5rZWk6Y2xlYXJpbmciLCJpYXQiOjE3OTUyNTE2MDB9.c2lnbmF0dXJl';

export const checkpointExample = {
  seq: 128,
  hash: hash('9'),
  entries: 128,
  kid: '3f2c9a4e-5b1d-4c1e-9a57-1f0c2d7e8b11',
  jws,
  createdAt: '2026-11-21T09:00:05.000Z',
};

export const entryExample = {
  seq: 42,
  id: '5b7d2f0e-8a41-4c62-9d0b-3e6f1a2c4d58',
  kind: 'decision',
  at: '2026-11-21T09:00:00.000Z',
  actor: 'c0a80101-0000-4000-8000-000000000002',
  dataset: 'battery.cfp',
  grant: '6f1c3e2a-1b4d-4f5e-8a9b-0c1d2e3f4a5b',
  allow: false,
  action: 'deliver',
  rule: 'PURPOSE.NOT_ALLOWED',
  explanation:
    "the grant's purpose 'cfp-disclosure' is no longer among the contract's purposes due-diligence",
  policyRevision: 'rego-0123456789abcdef',
  record: {
    decisionId: '5b7d2f0e-8a41-4c62-9d0b-3e6f1a2c4d58',
    service: 'exchange',
    action: 'deliver',
    allow: false,
    reasons: ['PURPOSE.NOT_ALLOWED'],
    rule: 'PURPOSE.NOT_ALLOWED',
    explanations: [
      {
        code: 'PURPOSE.NOT_ALLOWED',
        message:
          "the grant's purpose 'cfp-disclosure' is no longer among the contract's purposes due-diligence",
        params: {
          action: 'deliver',
          purpose: 'cfp-disclosure',
          grantPurpose: 'cfp-disclosure',
          purposes: ['due-diligence'],
        },
      },
    ],
    policyRevision: 'rego-0123456789abcdef',
    eventIds: [],
  },
  hash: hash('a'),
  prevHash: hash('b'),
};

export const entriesCsvExample =
  'seq,id,kind,at,actor,dataset,grant,allow,action,purpose,reasons,rule,explanation,policy_revision,event_count,hash,prev_hash,record\r\n' +
  '42,5b7d2f0e-8a41-4c62-9d0b-3e6f1a2c4d58,decision,2026-11-21T09:00:00.000Z,c0a80101-0000-4000-8000-000000000002,battery.cfp,6f1c3e2a-1b4d-4f5e-8a9b-0c1d2e3f4a5b,true,deliver,cfp-disclosure,,ALLOW.DELIVER,participant \'c0a80101-0000-4000-8000-000000000002\' may deliver on dataset \'battery.cfp\': every rule of the policy holds,rego-0123456789abcdef,2,aaaa…,bbbb…,"{""action"":""deliver"",…}"\r\n';

export const verifyOkExample = {
  ok: true,
  entries: 128,
  head: hash('9'),
  firstBadSeq: null,
  code: null,
  problem: null,
  checkpointsChecked: 26,
  latestCheckpoint: {
    seq: 128,
    hash: hash('9'),
    kid: checkpointExample.kid,
    createdAt: checkpointExample.createdAt,
  },
  supplied: null,
};

export const verifyTruncatedExample = {
  ok: false,
  entries: 120,
  head: hash('7'),
  firstBadSeq: '121',
  code: 'AUDIT.TRUNCATED',
  problem:
    'the chain ends at seq 120 but the supplied checkpoint 128 (kid 3f2c…) covers 128 entries: entries 121…128 were removed',
  checkpointsChecked: 25,
  latestCheckpoint: {
    seq: 120,
    hash: hash('7'),
    kid: checkpointExample.kid,
    createdAt: checkpointExample.createdAt,
  },
  supplied: { seq: 128, hash: hash('9'), kid: checkpointExample.kid, iat: 1795251600 },
};

export const receiptExample = {
  checkpoint: checkpointExample,
  datasets: ['battery.cfp'],
  entries: [
    { seq: 17, kind: 'token.issued', at: '2026-11-21T08:59:58.000Z', hash: hash('c') },
    { seq: 42, kind: 'decision', at: '2026-11-21T09:00:00.000Z', hash: hash('a') },
  ],
  next: null,
};

export const usageExample = {
  datasets: ['battery.cfp'],
  consumers: [
    {
      dataset: 'battery.cfp',
      consumer: 'c0a80101-0000-4000-8000-000000000002',
      purposes: ['cfp-disclosure'],
      grants: ['6f1c3e2a-1b4d-4f5e-8a9b-0c1d2e3f4a5b'],
      tokensIssued: 3,
      deliveries: 12,
      eventsDelivered: 250,
      denied: 1,
      firstAt: '2026-11-21T08:59:58.000Z',
      lastAt: '2026-11-21T09:30:00.000Z',
    },
  ],
  items: [
    {
      seq: 42,
      at: '2026-11-21T09:00:00.000Z',
      dataset: 'battery.cfp',
      consumer: 'c0a80101-0000-4000-8000-000000000002',
      action: 'deliver',
      purpose: 'cfp-disclosure',
      grant: '6f1c3e2a-1b4d-4f5e-8a9b-0c1d2e3f4a5b',
      allow: true,
      events: 2,
      reasons: [],
    },
  ],
  next: null,
};

const problem = (status: number, code: string, detail: string, instance: string, hint?: string) => ({
  type: `urn:renkei:error:${code}`,
  title: code,
  status,
  code,
  detail,
  ...(hint ? { hint } : {}),
  instance,
});

/** A person tag as written on the audit record (audit/person-tags.ts). */
export const PersonTagSchema = z
  .string()
  .regex(/^pr_[A-Za-z0-9_-]{32}$/, 'a person tag (pr_ and 32 characters)');

/** Whom a person tag stands for (GET /audit/persons/{tag}, its originator only). */
export const PersonTagViewSchema = z.object({ tag: z.string(), subjectRef: z.string(), since: z.string() });

export const problems = {
  personNotFound: problem(
    404,
    'AUDIT.PERSON_NOT_FOUND',
    'No person of yours has this tag',
    '/audit/persons/pr_4mJ0cQ1sWc3mXkU8fZ2aVb7nRtYp0qLs',
    'Tags map back only for the originator that recorded the person, and never after the person was erased',
  ),
  scope: problem(
    403,
    'TOKEN.INSUFFICIENT_SCOPE',
    "This call needs scope 'audit:read'",
    '/audit/entries',
    'Request a token that carries this scope',
  ),
  notYours: problem(
    404,
    'AUDIT.DATASET_NOT_FOUND',
    "No dataset 'battery.cfp' of yours",
    '/audit/usage?dataset=battery.cfp',
    "Usage is shown to a dataset's originator only; your datasets are in GET /catalog?owner=<your id>",
  ),
  noCheckpoint: problem(
    404,
    'AUDIT.NO_CHECKPOINT',
    'No checkpoint has been signed yet: the audit record is empty',
    '/audit/checkpoints/latest',
    'Try again once something has been recorded',
  ),
  checkpointInvalid: problem(
    422,
    'AUDIT.CHECKPOINT_INVALID',
    'The checkpoint signature does not verify: it was altered or forged',
    '/audit/verify',
    'Send the compact JWS exactly as GET /audit/checkpoints/latest or GET /audit/receipts returned it',
  ),
  chainBroken: problem(
    409,
    'AUDIT.CHAIN_BROKEN',
    'No checkpoint signed: from seq 57 the audit chain does not verify (entry 57 is missing)',
    '/audit/checkpoints',
    'Run GET /audit/verify for the full finding and alert the consortium admin: the record was tampered with',
  ),
};

// ------------------------------------------------------------------ responses (OpenAPI)

const at = z.string().describe('ISO 8601 date-time');

export const AuditEntrySchema = z.object({
  seq: z.number().int(),
  id: z.string(),
  kind: z.string(),
  at,
  actor: z.string(),
  dataset: z.string().nullable(),
  grant: z.string().nullable(),
  allow: z.boolean().nullable(),
  action: z.string().nullable().describe('Decisions: the policy action decided (null for other kinds)'),
  rule: z
    .string()
    .nullable()
    .describe(
      "Decisions: the rule that decided, a deny's first reason (e.g. PURPOSE.NOT_ALLOWED) or ALLOW.<ACTION> (e.g. ALLOW.SUBSCRIBE); null for other kinds",
    ),
  explanation: z
    .string()
    .nullable()
    .describe(
      "Decisions: the rule's explanation in English (every reason's is in record.explanations, with code and params); null for other kinds and for decisions recorded before decisions explained themselves",
    ),
  policyRevision: z
    .string()
    .nullable()
    .describe('Decisions: the policy bundle revision that decided (null for other kinds)'),
  record: z
    .record(z.string(), z.unknown())
    .describe(
      'What was decided or done, its members by kind: the decision record, the token issued, the refusal, …',
    ),
  hash: z.string(),
  prevHash: z.string(),
});

export const AuditPageSchema = z.object({
  items: z.array(AuditEntrySchema),
  next: z.number().int().nullable().describe('Pass as `after` for the next page; null at the end'),
});

/** GET /audit/entries: a page (format=page), or the export as a JSON array. */
export const AuditEntriesSchema = z.union([AuditPageSchema, z.array(AuditEntrySchema)]);

export const CheckpointSchema = z.object({
  seq: z.number().int(),
  hash: z.string(),
  entries: z.number().int(),
  kid: z.string(),
  jws: z.string(),
  createdAt: at,
});

export const UsageSchema = z.object({
  datasets: z.array(z.string()),
  consumers: z.array(
    z.object({
      dataset: z.string().nullable(),
      consumer: z.string(),
      purposes: z.array(z.string()),
      grants: z.array(z.string()),
      tokensIssued: z.number().int(),
      deliveries: z.number().int().describe('Allowed delivery decisions'),
      eventsDelivered: z.number().int(),
      denied: z.number().int().describe('Decisions that refused the consumer'),
      firstAt: at,
      lastAt: at,
    }),
  ),
  items: z.array(
    z.object({
      seq: z.number().int(),
      at,
      dataset: z.string().nullable(),
      consumer: z.string(),
      action: z.string().describe("'token.issued', or the decided action (subscribe, deliver, …)"),
      purpose: z.string().nullable(),
      grant: z.string().nullable(),
      allow: z.boolean().nullable(),
      events: z.number().int().nullable().describe('Events a delivery covered; null for other actions'),
      reasons: z.array(z.string()),
    }),
  ),
  next: z.number().int().nullable(),
});

export const ReceiptSchema = z.object({
  checkpoint: CheckpointSchema,
  datasets: z.array(z.string()),
  entries: z.array(z.object({ seq: z.number().int(), kind: z.string(), at, hash: z.string() })),
  next: z.number().int().nullable(),
});

export const VerifyReportSchema = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  head: z.string(),
  firstBadSeq: z.string().nullable(),
  code: z.string().nullable(),
  problem: z.string().nullable(),
  checkpointsChecked: z.number().int(),
  latestCheckpoint: z
    .object({ seq: z.number().int(), hash: z.string(), kid: z.string(), createdAt: at })
    .nullable(),
  supplied: z
    .object({ seq: z.number().int(), hash: z.string(), kid: z.string(), iat: z.number().int() })
    .nullable(),
});

/** Exports: CSV, a JSON array or NDJSON text, streamed. */
export const AuditExportSchemas = {
  'application/x-ndjson': { type: 'string', description: 'One entry (as in a page) per line' },
  'text/csv': { type: 'string', description: 'RFC 4180 with a header row' },
};
