/** What the admin pages read and send: the registry's and clearing's public API shapes (docs/api/*.openapi.json). */

export const roles = ['member', 'compliance', 'admin'] as const;
export type ParticipantRole = (typeof roles)[number];

export const certifications = ['health-data-handler', 'iso27001', 'isms-jisq27001'] as const;
export type Certification = (typeof certifications)[number];

/** Weakest first. */
export const protectionLevels = ['none', 'access-control', 'field-encryption'] as const;
export type ProtectionLevel = (typeof protectionLevels)[number];

export const statuses = ['active', 'suspended', 'pending', 'offboarded'] as const;
export type ParticipantStatus = (typeof statuses)[number];

export interface CertificationDetail {
  certification: Certification;
  evidence: string | null;
  expiresAt: string | null;
  expired: boolean;
}

export interface Participant {
  id: string;
  legalName: string;
  corporateNumber: string | null;
  lei: string | null;
  bpn: string | null;
  industry: string;
  country: string;
  roles: ParticipantRole[];
  certifications: Certification[];
  /** Evidence and expiry per certification (when the registry answers them). */
  certificationDetails?: CertificationDetail[];
  protection: ProtectionLevel;
  status: ParticipantStatus;
  offboardedAt?: string | null;
  offboardReason?: string | null;
  jwks: { keys: Record<string, unknown>[] };
  createdAt: string;
}

/** A certification as attested: a name, or with its evidence and expiry. */
export type AttestedCertification =
  Certification | { certification: Certification; evidence: string | null; expiresAt: string | null };

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export interface OnboardRequest {
  legalName: string;
  corporateNumber?: string;
  lei?: string;
  bpn?: string;
  industry: string;
  country: string;
  roles: ParticipantRole[];
  certifications: AttestedCertification[];
  protection: ProtectionLevel;
  jwks: { keys: PublicJwk[] };
}

/** clearing GET /participants/{id}/offboarding-impact */
export interface ImpactGrant {
  id: string;
  dataset: string;
  counterpart: string;
  state: 'requested' | 'granted' | 'suspended';
  purpose: string;
}

export interface OffboardingImpact {
  participant: { id: string; legalName: string; status: string };
  asOriginator: ImpactGrant[];
  asConsumer: ImpactGrant[];
  deletionObligations: {
    grantId: string;
    dataset: string;
    consumer: string;
    originator: string;
    deletionDays: number;
    dueAt: string;
  }[];
  counts: {
    asOriginator: number;
    asConsumer: number;
    requested: number;
    granted: number;
    suspended: number;
    deletionObligations: number;
  };
  truncated: boolean;
}

/** clearing GET /admin/signing-keys */
export interface SigningKey {
  kid: string;
  state: 'next' | 'active' | 'retiring' | 'retired';
  alg: string;
  published: boolean;
  createdAt: string;
  activatesAt: string | null;
  activatedAt: string | null;
  retiredAt: string | null;
  leavesJwksAt: string | null;
}

export interface SigningKeys {
  keys: SigningKey[];
  policy: {
    rotateEveryHours: number;
    prepublishSeconds: number;
    retiringSeconds: number;
    checkIntervalSeconds: number;
  };
  nextChangeAt: string | null;
}

export interface RotationResult {
  result: 'created' | 'rescheduled' | 'pending';
  keys: SigningKey[];
}
