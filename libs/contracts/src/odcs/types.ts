/** ODCS v3 document types, the `renkei.*` custom property names, error codes and contract URLs. */
import type { ContractStatus, ContractTerms } from '@renkei/domain';

export const ODCS_API_VERSION = 'v3.0.2';
export const ODCS_KIND = 'DataContract';
/** ODCS versions `importOdcs` reads (v3.1.0 changed option types; both shapes are accepted). */
export const ODCS_SUPPORTED_API_VERSIONS = ['v3.0.0', 'v3.0.1', 'v3.0.2', 'v3.1.0'] as const;

export const OdcsErrorCodes = {
  invalidDocument: 'ODCS.INVALID_DOCUMENT',
  unsupportedVersion: 'ODCS.UNSUPPORTED_VERSION',
  missingSchema: 'ODCS.MISSING_SCHEMA',
  unknownLogicalType: 'ODCS.UNKNOWN_LOGICAL_TYPE',
  missingPurposes: 'ODCS.MISSING_PURPOSES',
  invalidDatasetId: 'ODCS.INVALID_DATASET_ID',
  invalidVersion: 'ODCS.INVALID_VERSION',
} as const;

/** Names of the Renkei custom properties (top level, schema object, property). */
export const RenkeiProperties = {
  dataset: 'renkei.dataset',
  owner: 'renkei.owner',
  purposes: 'renkei.purposes',
  sensitivity: 'renkei.sensitivity',
  minimumProtection: 'renkei.minimumProtection',
  residency: 'renkei.residency',
  compatibility: 'renkei.compatibility',
  visibility: 'renkei.visibility',
  invited: 'renkei.invited',
  approval: 'renkei.approval',
  source: 'renkei.source',
  jsonSchema: 'renkei.jsonSchema',
  tags: 'renkei.tags',
  description: 'renkei.description',
} as const;

export interface ContractOwnerRef {
  id: string;
  legalName: string;
  corporateNumber?: string | null;
  lei?: string | null;
  bpn?: string | null;
}

/** The registration input a contract document carries: ContractTerms without owner/status (status optional). */
export type ContractDraft = Omit<ContractTerms, 'owner' | 'status'> & { status?: ContractStatus };

export type OdcsLogicalType = 'string' | 'date' | 'number' | 'integer' | 'object' | 'array' | 'boolean';

export interface OdcsCustomProperty {
  property: string;
  value: unknown;
}

export interface OdcsQualityRule {
  type?: 'text' | 'library' | 'sql' | 'custom';
  rule?: string;
  validValues?: unknown[];
  description?: string;
  [key: string]: unknown;
}

export interface OdcsProperty {
  name?: string;
  businessName?: string;
  description?: string;
  logicalType?: OdcsLogicalType;
  logicalTypeOptions?: Record<string, unknown>;
  physicalType?: string;
  required?: boolean;
  classification?: string;
  tags?: string[];
  examples?: unknown[];
  quality?: OdcsQualityRule[];
  customProperties?: OdcsCustomProperty[];
  properties?: OdcsProperty[];
  items?: OdcsProperty;
}

export interface OdcsSchemaObject {
  name: string;
  businessName?: string;
  description?: string;
  logicalType: 'object';
  physicalType?: string;
  properties: OdcsProperty[];
  customProperties?: OdcsCustomProperty[];
}

export interface OdcsSlaProperty {
  property: string;
  value: string | number | boolean | null;
  unit?: string;
  element?: string;
  driver?: string;
}

export interface OdcsTeamMember {
  username?: string;
  name?: string;
  role?: string;
  description?: string;
}

export interface OdcsRole {
  role: string;
  access?: string;
  description?: string;
  firstLevelApprovers?: string;
}

export interface OdcsAuthoritativeDefinition {
  type: string;
  url: string;
}

export interface OdcsDocument {
  apiVersion: string;
  kind: 'DataContract';
  id: string;
  name?: string;
  version: string;
  status: string;
  tenant?: string;
  domain?: string;
  dataProduct?: string;
  description?: { usage?: string; purpose?: string; limitations?: string };
  schema?: OdcsSchemaObject[];
  team?: OdcsTeamMember[];
  roles?: OdcsRole[];
  slaProperties?: OdcsSlaProperty[];
  authoritativeDefinitions?: OdcsAuthoritativeDefinition[];
  customProperties?: OdcsCustomProperty[];
}

/** Stable URLs of a contract in the registry (`GET /contracts/:dataset[/versions/:version]`). */
export function contractUrls(baseUrl: string, dataset: string, version: string) {
  const base = `${baseUrl.replace(/\/+$/, '')}/contracts/${encodeURIComponent(dataset)}`;
  return { latest: base, version: `${base}/versions/${encodeURIComponent(version)}` };
}

export const odcsContractId = (dataset: string, version: string) =>
  `urn:renkei:contract:${dataset}:${version}`;
