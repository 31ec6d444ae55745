export const ParticipantRoles = ['member', 'compliance', 'admin'] as const;
export type ParticipantRole = (typeof ParticipantRoles)[number];

export const ParticipantStatuses = ['pending', 'active', 'suspended'] as const;
export type ParticipantStatus = (typeof ParticipantStatuses)[number];

/** What other services need to know of a participant (from registry events). */
export interface ParticipantView {
  id: string;
  legalName: string;
  industry: string;
  country: string;
  roles: ParticipantRole[];
  status: ParticipantStatus;
  jwks: { keys: Record<string, unknown>[] };
}
