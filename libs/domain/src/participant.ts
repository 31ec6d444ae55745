export const ParticipantRoles = ['member', 'compliance', 'admin'] as const;
export type ParticipantRole = (typeof ParticipantRoles)[number];

/** `offboarded` is terminal: the participant left the consortium and is never reactivated. */
export const ParticipantStatuses = ['pending', 'active', 'suspended', 'offboarded'] as const;
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
  /**
   * When an attested certification lapses (ISO time), for those attested with an expiry; from then on the
   * policy input leaves it out, as if it had never been attested. Absent from older events.
   */
  certificationExpiry?: Partial<Record<Certification, string>>;
  jwks: { keys: Record<string, unknown>[] };
}
