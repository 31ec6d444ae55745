export const ParticipantRoles = ['member', 'compliance', 'admin'] as const;
export type ParticipantRole = (typeof ParticipantRoles)[number];

export const ParticipantStatuses = ['pending', 'active', 'suspended'] as const;
export type ParticipantStatus = (typeof ParticipantStatuses)[number];

/**
 * Certifications the consortium admin attests. `health-data-handler`: certified to receive identifiable
 * health data (e.g. a certified producer under Japan's Next-Generation Medical Infrastructure Act).
 */
export const Certifications = ['health-data-handler', 'iso27001', 'isms-jisq27001'] as const;
export type Certification = (typeof Certifications)[number];

/** The protection a participant's systems are attested for, weakest first (see MinimumProtection). */
export const ProtectionLevels = ['none', 'access-control', 'field-encryption'] as const;
export type ProtectionLevel = (typeof ProtectionLevels)[number];

/** What other services need to know of a participant (from registry events). */
export interface ParticipantView {
  id: string;
  legalName: string;
  industry: string;
  country: string;
  roles: ParticipantRole[];
  status: ParticipantStatus;
  certifications: Certification[];
  protection: ProtectionLevel;
  jwks: { keys: Record<string, unknown>[] };
}
