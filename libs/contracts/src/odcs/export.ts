/** ContractTerms → ODCS v3.0.2 document (object or YAML); the mapping table is in odcs.ts. */
import { stringify } from 'yaml';
import { MinimumProtection, type ContractTerms, type FieldTerms } from '@renkei/domain';
import { clone } from './json.js';
import { odcsPropertiesOf } from './schema-to-odcs.js';
import {
  contractUrls,
  ODCS_API_VERSION,
  ODCS_KIND,
  odcsContractId,
  RenkeiProperties,
  type ContractOwnerRef,
  type OdcsCustomProperty,
  type OdcsDocument,
  type OdcsProperty,
} from './types.js';

function fieldCustomProperties(field: FieldTerms): OdcsCustomProperty[] {
  return [
    { property: RenkeiProperties.tags, value: [...field.tags] },
    ...(field.residency !== undefined
      ? [{ property: RenkeiProperties.residency, value: field.residency }]
      : []),
    ...(field.description !== undefined
      ? [{ property: RenkeiProperties.description, value: field.description }]
      : []),
  ];
}

function limitations(terms: ContractTerms): string {
  const lines = [
    `Sensitivity ${terms.sensitivity} (minimum protection: ${MinimumProtection[terms.sensitivity]}).`,
  ];
  if (terms.residency) lines.push(`The data may not leave ${terms.residency}.`);
  for (const [name, field] of Object.entries(terms.fields)) {
    if (field.residency) lines.push(`Field ${name} may not leave ${field.residency}.`);
  }
  if (terms.retentionDays != null) {
    lines.push(`Consumers delete received data within ${terms.retentionDays} days.`);
  }
  return lines.join(' ');
}

/** A contract version as an ODCS v3.0.2 document (a plain object, ready for YAML or JSON). */
export function exportOdcs(
  terms: ContractTerms,
  owner: ContractOwnerRef,
  opts: { baseUrl?: string } = {},
): OdcsDocument {
  const fieldsByName = new Map(Object.entries(terms.fields));
  const properties = odcsPropertiesOf(terms.schema).map((property): OdcsProperty => {
    const field = property.name !== undefined ? fieldsByName.get(property.name) : undefined;
    const { properties: nested, items, examples, quality, ...head } = property;
    return {
      ...head,
      ...(field?.description != null ? { description: field.description } : {}),
      classification: terms.sensitivity,
      ...(field && field.tags.length > 0 ? { tags: [...field.tags] } : {}),
      ...(examples ? { examples } : {}),
      ...(quality ? { quality } : {}),
      ...(field ? { customProperties: fieldCustomProperties(field) } : {}),
      ...(nested ? { properties: nested } : {}),
      ...(items ? { items } : {}),
    };
  });

  const ownerValue = Object.fromEntries(
    Object.entries({
      id: owner.id,
      legalName: owner.legalName,
      corporateNumber: owner.corporateNumber,
      lei: owner.lei,
      bpn: owner.bpn,
    }).filter(([, v]) => v != null),
  );
  const customProperties: OdcsCustomProperty[] = [
    { property: RenkeiProperties.dataset, value: terms.dataset },
    { property: RenkeiProperties.owner, value: ownerValue },
    { property: RenkeiProperties.purposes, value: [...terms.purposes] },
    { property: RenkeiProperties.sensitivity, value: terms.sensitivity },
    { property: RenkeiProperties.minimumProtection, value: MinimumProtection[terms.sensitivity] },
    ...(terms.residency != null ? [{ property: RenkeiProperties.residency, value: terms.residency }] : []),
    { property: RenkeiProperties.compatibility, value: terms.compatibility ?? 'BACKWARD' },
    { property: RenkeiProperties.visibility, value: terms.visibility ?? 'consortium' },
    ...(terms.invited !== undefined
      ? [{ property: RenkeiProperties.invited, value: [...terms.invited] }]
      : []),
    { property: RenkeiProperties.approval, value: terms.approval ?? 'originator' },
    ...(terms.source ? [{ property: RenkeiProperties.source, value: { ...terms.source } }] : []),
  ];

  const purposeText = terms.purposes.join(', ');
  return {
    apiVersion: ODCS_API_VERSION,
    kind: ODCS_KIND,
    id: odcsContractId(terms.dataset, terms.version),
    name: terms.title,
    version: terms.version,
    status: terms.status,
    tenant: owner.legalName,
    domain: terms.domain,
    dataProduct: terms.dataset,
    description: {
      ...(terms.description != null ? { purpose: terms.description } : {}),
      usage: `Allowed purposes: ${purposeText}. Consumers need a Renkei grant from ${owner.legalName} for one of them.`,
      limitations: limitations(terms),
    },
    schema: [
      {
        name: terms.dataset,
        businessName: terms.title,
        logicalType: 'object',
        physicalType: 'topic',
        properties,
        customProperties: [{ property: RenkeiProperties.jsonSchema, value: clone(terms.schema) }],
      },
    ],
    team: [{ username: owner.id, name: owner.legalName, role: 'owner' }],
    roles: [
      {
        role: 'renkei-grantee',
        access: 'read',
        description: `Participants holding an active Renkei grant for one of: ${purposeText}`,
        firstLevelApprovers:
          terms.approval === 'policy'
            ? 'Renkei policy (a request it allows is approved at once)'
            : owner.legalName,
      },
    ],
    ...(terms.retentionDays != null
      ? {
          slaProperties: [
            { property: 'retention', value: terms.retentionDays, unit: 'd', driver: 'regulatory' },
          ],
        }
      : {}),
    ...(opts.baseUrl
      ? {
          authoritativeDefinitions: [
            { type: 'canonicalUrl', url: contractUrls(opts.baseUrl, terms.dataset, terms.version).latest },
          ],
        }
      : {}),
    customProperties,
  };
}

/**
 * The ODCS document as YAML. Written with YAML 1.1 quoting (`"yes"`, `"2024-01-01"` stay strings for YAML 1.1
 * readers such as PyYAML) and without anchors/aliases; YAML 1.2 readers see the same values.
 */
export function exportOdcsYaml(
  terms: ContractTerms,
  owner: ContractOwnerRef,
  opts: { baseUrl?: string } = {},
): string {
  return stringify(exportOdcs(terms, owner, opts), {
    version: '1.1',
    lineWidth: 0,
    aliasDuplicateObjects: false,
  });
}
