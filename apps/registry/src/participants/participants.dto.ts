import { z } from 'zod';
import { Certifications, Kid, ParticipantRoles, ParticipantStatuses, ProtectionLevels } from '@renkei/domain';

const publicJwk = z
  .object({
    kty: z.enum(['EC', 'OKP', 'RSA']),
    kid: Kid,
    alg: z.enum(['ES256', 'EdDSA', 'PS256', 'RS256']).optional(),
    crv: z.string().optional(),
    x: z.string().optional(),
    y: z.string().optional(),
    n: z.string().optional(),
    e: z.string().optional(),
    use: z.literal('sig').optional(),
  })
  .catchall(z.unknown())
  .refine((k) => !('d' in k), {
    message: 'must be a public key: never send a private key (found "d")',
    path: ['d'],
  });

/** An attested certification with its evidence and expiry (or just its name, as before). */
const CertificationTermsSchema = z.object({
  certification: z.enum(Certifications),
  evidence: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .refine(
      (s) => ![...s].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127),
      'no control characters',
    )
    .nullable()
    .default(null)
    .describe('What the attestation rests on: a certificate number or a URL to it (at most 500 characters)'),
  expiresAt: z.iso
    .datetime({ offset: true })
    .refine((at) => Date.parse(at) > Date.now(), 'must be in the future')
    .nullable()
    .default(null)
    .describe('When the certification lapses: from then on the policies treat it as absent'),
});
export type CertificationTerms = z.infer<typeof CertificationTermsSchema>;

const attestedCertifications = z
  .array(z.union([z.enum(Certifications), CertificationTermsSchema]))
  .max(10)
  .refine(
    (list) => new Set(list.map((c) => (typeof c === 'string' ? c : c.certification))).size === list.length,
    {
      message: 'each certification at most once',
    },
  );

export const OnboardParticipantSchema = z.object({
  legalName: z.string().min(1).max(300),
  corporateNumber: z
    .string()
    .optional()
    .describe('13-digit Japanese corporate number (法人番号); the first digit is a check digit'),
  lei: z.string().optional().describe('ISO 17442 Legal Entity Identifier'),
  bpn: z.string().optional().describe('Catena-X business partner number (BPNL…)'),
  industry: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,60}$/, 'lower-case words joined by hyphens, e.g. battery-cells'),
  country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 country code, e.g. JP'),
  roles: z.array(z.enum(ParticipantRoles)).min(1).default(['member']),
  certifications: attestedCertifications
    .default([])
    .describe(
      'Attested by the admin: a name (e.g. health-data-handler), or {certification, evidence, expiresAt}',
    ),
  protection: z
    .enum(ProtectionLevels)
    .default('access-control')
    .describe("The strongest protection the participant's systems are attested for"),
  jwks: z.object({ keys: z.array(publicJwk).min(1).max(5) }),
});
export type OnboardParticipant = z.infer<typeof OnboardParticipantSchema>;

export const AttestationsSchema = z.object({
  certifications: attestedCertifications.describe(
    'Every certification the participant holds (replaces the list): a name, or {certification, evidence, expiresAt}',
  ),
  protection: z.enum(ProtectionLevels),
});

export const OffboardSchema = z.object({
  reason: z.string().trim().min(1).max(500).describe('Why the participant leaves (kept on its record)'),
});
export type Offboard = z.infer<typeof OffboardSchema>;
export type Attestations = z.infer<typeof AttestationsSchema>;

export const onboardExample = {
  legalName: 'Kansai Cell Works K.K.',
  corporateNumber: '7000012050002',
  industry: 'battery-cells',
  country: 'JP',
  roles: ['member'],
  jwks: { keys: [{ kty: 'EC', crv: 'P-256', kid: 'kcw-2026-11', alg: 'ES256', x: '…', y: '…' }] },
};

export const participantExample = {
  id: '3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10',
  legalName: 'Kansai Cell Works K.K.',
  corporateNumber: '7000012050002',
  lei: null,
  bpn: null,
  industry: 'battery-cells',
  country: 'JP',
  roles: ['member'],
  certifications: [],
  protection: 'access-control',
  status: 'active',
  certificationDetails: [],
  offboardedAt: null,
  offboardReason: null,
  jwks: onboardExample.jwks,
  createdAt: '2026-11-21T06:00:00.000Z',
};

export const attestationsExample = {
  certifications: [
    {
      certification: 'health-data-handler',
      evidence: 'https://www8.cao.go.jp/iryou/nintei/certified/2026-0142',
      expiresAt: '2027-12-31T15:00:00Z',
    },
  ],
  protection: 'field-encryption',
};

// ------------------------------------------------------------------ responses (OpenAPI)

const when = z.string().describe('ISO 8601 date-time');

/** A participant as the registry answers it (the shape of ParticipantDto). */
export const ParticipantSchema = z.object({
  id: z.uuid(),
  legalName: z.string(),
  corporateNumber: z.string().nullable(),
  lei: z.string().nullable(),
  bpn: z.string().nullable(),
  industry: z.string(),
  country: z.string(),
  roles: z.array(z.enum(ParticipantRoles)),
  certifications: z.array(z.enum(Certifications)),
  protection: z.enum(ProtectionLevels),
  certificationDetails: z
    .array(
      z.object({
        certification: z.enum(Certifications),
        evidence: z.string().nullable(),
        expiresAt: when.nullable(),
        expired: z.boolean().describe('Past its expiry: the policies treat it as absent'),
      }),
    )
    .describe('Each attested certification with its evidence and expiry'),
  status: z.enum(ParticipantStatuses),
  offboardedAt: when.nullable(),
  offboardReason: z.string().nullable(),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).describe('Public keys only'),
  createdAt: when,
});

/** A participant as the HTTP API answers it: the response schema's type, so the two cannot drift. */
export type ParticipantDto = z.output<typeof ParticipantSchema>;
