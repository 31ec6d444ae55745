import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileContractSchema, DomainError, validatePayload, type ContractTerms } from '@renkei/domain';
import {
  exportOdcs,
  exportOdcsYaml,
  importOdcs,
  type ContractDraft,
  type ContractOwnerRef,
  type OdcsDocument,
} from './odcs.js';

const cellMaker: ContractOwnerRef = {
  id: '0b6f3c1e-2a4d-4f5e-8a9b-1c2d3e4f5a6b',
  legalName: 'Kansai Cell Works K.K.',
  corporateNumber: '4120001077501',
  lei: null,
  bpn: 'BPNL00000003CRHK',
};

const batteryCfp: ContractTerms = {
  dataset: 'battery.cfp',
  owner: cellMaker.id,
  version: '1.2.0',
  status: 'active',
  title: 'Battery cell carbon footprint per lot',
  description: 'Cradle-to-gate carbon footprint of each cell lot, as the EU Battery Regulation requires.',
  domain: 'supply-chain',
  purposes: ['cfp-disclosure', 'due-diligence'],
  sensitivity: 'confidential',
  residency: null,
  retentionDays: 365,
  compatibility: 'BACKWARD',
  visibility: 'consortium',
  approval: 'originator',
  fields: {
    cfpKgCo2ePerKwh: { tags: ['cooperative'] },
    unitPriceJpy: { tags: ['competitive'], description: 'Price per cell, JPY; never shown to competitors' },
    plantId: { tags: [], residency: 'JP', description: null },
  },
  schema: {
    type: 'object',
    required: ['lotId', 'cellModel', 'cfpKgCo2ePerKwh'],
    additionalProperties: false,
    properties: {
      lotId: { type: 'string', minLength: 1, maxLength: 64 },
      cellModel: { type: 'string' },
      cfpKgCo2ePerKwh: {
        type: 'number',
        minimum: 0,
        description: 'Cradle-to-gate footprint, kg CO2e per kWh of capacity',
      },
      unitPriceJpy: { type: 'number', exclusiveMinimum: 0 },
      plantId: { type: 'string', pattern: '^JP-[0-9]{4}$' },
    },
  },
};

const bedOccupancy: ContractTerms = {
  dataset: 'health.bed-occupancy',
  owner: 'c3d2e1f0-1111-4222-8333-944455566677',
  version: '2.0.1',
  status: 'deprecated',
  title: '病床稼働状況 (hospital bed occupancy)',
  description: null,
  domain: 'health',
  purposes: ['capacity-planning', 'public-health-reporting'],
  sensitivity: 'restricted',
  residency: 'JP',
  retentionDays: 30,
  compatibility: 'FULL_TRANSITIVE',
  visibility: 'invited',
  invited: ['a1b2c3d4-0000-4000-8000-000000000001', 'a1b2c3d4-0000-4000-8000-000000000002'],
  approval: 'policy',
  fields: {
    patientAgeBand: { tags: ['personal', 'sensitive-personal'] },
    diagnosisCode: { tags: ['sensitive-personal'], residency: 'JP' },
  },
  schema: {
    type: 'object',
    required: ['hospitalId', 'ward', 'occupiedBeds', 'capacity', 'reportedAt'],
    additionalProperties: false,
    properties: {
      hospitalId: { type: 'string', pattern: '^[0-9]{10}$', title: 'Medical institution code' },
      ward: { type: 'string', enum: ['icu', 'general', 'maternity', 'pediatric'] },
      occupiedBeds: { type: 'integer', minimum: 0 },
      capacity: { type: 'integer', exclusiveMinimum: 0 },
      occupancyRate: { type: 'number', minimum: 0, maximum: 1 },
      patientAgeBand: { type: 'string', enum: ['0-14', '15-64', '65+'] },
      diagnosisCode: { type: 'string', description: 'ICD-10 code', pattern: '^[A-Z][0-9]{2}(\\.[0-9])?$' },
      reportedAt: { type: 'string', format: 'date-time' },
    },
  },
};

const shipments: ContractTerms = {
  dataset: 'logistics.shipments',
  owner: 'f0e1d2c3-b4a5-4697-8877-665544332211',
  version: '0.3.0-rc.1',
  status: 'draft',
  title: 'Shipment legs and parcels',
  description: 'Multi-leg shipments with parcel dimensions.',
  domain: 'logistics',
  purposes: ['delivery-planning'],
  sensitivity: 'internal',
  residency: null,
  retentionDays: null,
  compatibility: 'NONE',
  visibility: 'consortium',
  invited: [],
  approval: 'originator',
  source: {
    agreementId: 'urn:uuid:4f2b8c1a-9d3e-4f5a-8b6c-7d8e9f0a1b2c',
    provider: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
    dataset: 'urn:edc:asset:shipments',
  },
  fields: { note: { tags: ['personal'], description: 'Free text from the consignee', residency: null } },
  schema: {
    type: 'object',
    required: ['shipmentId', 'status', 'legs'],
    additionalProperties: false,
    properties: {
      shipmentId: { type: 'string', format: 'uuid' },
      status: { type: 'string', enum: ['booked', 'in-transit', 'delivered'] },
      priority: { type: 'integer', enum: [1, 2, 3] },
      deliveryDate: { type: 'string', format: 'date' },
      carrier: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          scac: { type: 'string', pattern: '^[A-Z]{2,4}$' },
        },
      },
      legs: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['from', 'to', 'departedAt'],
          additionalProperties: false,
          properties: {
            from: { type: 'string' },
            to: { type: 'string' },
            departedAt: { type: 'string', format: 'date-time' },
            arrivedAt: { type: ['string', 'null'], format: 'date-time' },
            parcels: {
              type: 'array',
              uniqueItems: true,
              items: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  weightKg: { type: 'number', exclusiveMinimum: 0 },
                  dimsCm: { type: 'array', items: { type: 'number' }, minItems: 3, maxItems: 3 },
                },
              },
            },
          },
        },
      },
      note: { type: ['string', 'null'], maxLength: 500 },
    },
  },
};

const ownerOf = (terms: ContractTerms): ContractOwnerRef =>
  terms.owner === cellMaker.id ? cellMaker : { id: terms.owner, legalName: `Owner of ${terms.dataset}` };

const draftOf = ({ owner: _owner, ...rest }: ContractTerms): ContractDraft => rest;

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

/** A mutable copy of an exported document, for the negative tests. */
const exported = (terms: ContractTerms = batteryCfp) =>
  JSON.parse(JSON.stringify(exportOdcs(terms, ownerOf(terms)))) as OdcsDocument & Record<string, unknown>;

const thirdPartyYaml = readFileSync(
  new URL('../../../test/fixtures/odcs/third-party-shipments.odcs.yaml', import.meta.url),
  'utf8',
);

/** The third-party fixture plus the one thing Renkei cannot default: the allowed purposes. */
function thirdPartyWithPurposes(): Record<string, unknown> {
  const doc = parse(thirdPartyYaml) as { customProperties: unknown[] } & Record<string, unknown>;
  doc.customProperties.push({ property: 'renkei.purposes', value: ['delivery-planning'] });
  return doc;
}

describe('ODCS export', () => {
  it('writes YAML that parses to an ODCS v3.0.2 DataContract', () => {
    const yaml = exportOdcsYaml(batteryCfp, cellMaker, { baseUrl: 'https://registry.renkei.example/' });
    const doc = parse(yaml) as Record<string, unknown>;
    expect(doc).toMatchObject({
      apiVersion: 'v3.0.2',
      kind: 'DataContract',
      id: 'urn:renkei:contract:battery.cfp:1.2.0',
      name: 'Battery cell carbon footprint per lot',
      version: '1.2.0',
      status: 'active',
      domain: 'supply-chain',
      dataProduct: 'battery.cfp',
      tenant: 'Kansai Cell Works K.K.',
      description: { purpose: batteryCfp.description },
      slaProperties: [{ property: 'retention', value: 365, unit: 'd', driver: 'regulatory' }],
      team: [{ username: cellMaker.id, name: cellMaker.legalName, role: 'owner' }],
      authoritativeDefinitions: [
        { type: 'canonicalUrl', url: 'https://registry.renkei.example/contracts/battery.cfp' },
      ],
    });
    expect(doc).toEqual(
      JSON.parse(
        JSON.stringify(exportOdcs(batteryCfp, cellMaker, { baseUrl: 'https://registry.renkei.example/' })),
      ),
    );
    expect(yaml).not.toMatch(/[&*]a\d/); // no YAML anchors or aliases
  });

  it('puts Renkei terms in renkei.* custom properties, never in invented fields', () => {
    const doc = exportOdcs(bedOccupancy, ownerOf(bedOccupancy));
    expect(Object.keys(doc).every((k) => !k.startsWith('renkei'))).toBe(true);
    expect(doc.customProperties).toEqual([
      { property: 'renkei.dataset', value: 'health.bed-occupancy' },
      {
        property: 'renkei.owner',
        value: { id: bedOccupancy.owner, legalName: 'Owner of health.bed-occupancy' },
      },
      { property: 'renkei.purposes', value: ['capacity-planning', 'public-health-reporting'] },
      { property: 'renkei.sensitivity', value: 'restricted' },
      { property: 'renkei.minimumProtection', value: 'field-encryption' },
      { property: 'renkei.residency', value: 'JP' },
      { property: 'renkei.compatibility', value: 'FULL_TRANSITIVE' },
      { property: 'renkei.visibility', value: 'invited' },
      { property: 'renkei.invited', value: bedOccupancy.invited },
      { property: 'renkei.approval', value: 'policy' },
    ]);
    expect(doc.status).toBe('deprecated');
    expect(doc.description?.limitations).toContain('may not leave JP');
  });

  it('maps JSON Schema properties to ODCS properties with classification, tags and options', () => {
    const [object] = exportOdcs(bedOccupancy, ownerOf(bedOccupancy)).schema ?? [];
    expect(object).toMatchObject({
      name: 'health.bed-occupancy',
      logicalType: 'object',
      physicalType: 'topic',
    });
    const byName = new Map(object?.properties.map((p) => [p.name, p]));
    expect(byName.get('hospitalId')).toEqual({
      name: 'hospitalId',
      businessName: 'Medical institution code',
      logicalType: 'string',
      logicalTypeOptions: { pattern: '^[0-9]{10}$' },
      physicalType: 'string',
      required: true,
      classification: 'restricted',
    });
    expect(byName.get('ward')?.quality).toEqual([
      { type: 'library', rule: 'validValues', validValues: ['icu', 'general', 'maternity', 'pediatric'] },
    ]);
    expect(byName.get('capacity')?.logicalTypeOptions).toEqual({ minimum: 0, exclusiveMinimum: true });
    expect(byName.get('occupancyRate')).toMatchObject({ logicalType: 'number', required: false });
    expect(byName.get('reportedAt')).toMatchObject({
      logicalType: 'date',
      logicalTypeOptions: { format: "yyyy-MM-dd'T'HH:mm:ss[.SSS]XXX" },
      physicalType: 'string',
    });
    expect(byName.get('diagnosisCode')).toMatchObject({
      tags: ['sensitive-personal'],
      customProperties: [
        { property: 'renkei.tags', value: ['sensitive-personal'] },
        { property: 'renkei.residency', value: 'JP' },
      ],
    });
    expect(object?.customProperties).toEqual([{ property: 'renkei.jsonSchema', value: bedOccupancy.schema }]);
  });

  it('nests objects and arrays, and marks nullable properties as not required', () => {
    const [object] = exportOdcs(shipments, ownerOf(shipments)).schema ?? [];
    const legs = object?.properties.find((p) => p.name === 'legs');
    expect(legs).toMatchObject({ logicalType: 'array', logicalTypeOptions: { minItems: 1 }, required: true });
    const leg = legs?.items;
    expect(leg?.logicalType).toBe('object');
    expect(leg?.properties?.map((p) => [p.name, p.logicalType, p.required])).toEqual([
      ['from', 'string', true],
      ['to', 'string', true],
      ['departedAt', 'date', true],
      ['arrivedAt', 'date', false],
      ['parcels', 'array', false],
    ]);
    const parcels = leg?.properties?.find((p) => p.name === 'parcels');
    expect(parcels?.logicalTypeOptions).toEqual({ uniqueItems: true });
    expect(parcels?.items?.properties?.[1]).toMatchObject({
      name: 'dimsCm',
      logicalType: 'array',
      logicalTypeOptions: { minItems: 3, maxItems: 3 },
      items: { logicalType: 'number' },
    });
    expect(object?.properties.find((p) => p.name === 'deliveryDate')?.logicalTypeOptions).toEqual({
      format: 'yyyy-MM-dd',
    });
    expect(object?.properties.find((p) => p.name === 'priority')?.quality?.[0]?.validValues).toEqual([
      1, 2, 3,
    ]);
    expect(object?.properties.find((p) => p.name === 'note')).toMatchObject({
      required: false,
      logicalTypeOptions: { maxLength: 500 },
      description: 'Free text from the consignee',
    });
  });
});

describe('ODCS round trip', () => {
  it.each([
    ['battery CFP (competitive field, JP-resident field)', batteryCfp],
    ['hospital bed occupancy (sensitive-personal, restricted, invited)', bedOccupancy],
    ['shipments (nested arrays, enum, date-time, nullable)', shipments],
  ])('importOdcs(exportOdcsYaml(x)) equals x: %s', (_name, terms) => {
    const { contract, warnings } = importOdcs(exportOdcsYaml(terms, ownerOf(terms)));
    expect(contract).toStrictEqual(draftOf(terms));
    expect(warnings).toEqual([]);
  });

  it('carries renkei.compatibility when the document has it, and never invents one', () => {
    expect(importOdcs(exported(bedOccupancy)).contract.compatibility).toBe('FULL_TRANSITIVE');
    const doc = exported(bedOccupancy);
    doc.customProperties = doc.customProperties?.filter((p) => p.property !== 'renkei.compatibility');
    const { contract } = importOdcs(doc);
    expect(contract).not.toHaveProperty('compatibility');
    expect(contract.status).toBe('deprecated'); // the registry decides what a deprecated document means
  });

  it('carries renkei.approval, reads its absence as originator and refuses other values', () => {
    expect(importOdcs(exported(bedOccupancy)).contract.approval).toBe('policy');
    const absent = exported(bedOccupancy);
    absent.customProperties = absent.customProperties?.filter((p) => p.property !== 'renkei.approval');
    expect(importOdcs(absent).contract.approval).toBe('originator');
    expect(
      exportOdcs({ ...shipments, approval: undefined }, ownerOf(shipments)).customProperties,
    ).toContainEqual({ property: 'renkei.approval', value: 'originator' });
    expect(exported(bedOccupancy).roles?.[0]?.firstLevelApprovers).toMatch(/policy/);
    expect(exported(batteryCfp).roles?.[0]?.firstLevelApprovers).toBe(cellMaker.legalName);

    const bad = exported(bedOccupancy);
    const i = bad.customProperties?.findIndex((c) => c.property === 'renkei.approval') ?? -1;
    bad.customProperties?.splice(i, 1, { property: 'renkei.approval', value: 'anyone' });
    expect(errorOf(() => importOdcs(bad))).toMatchObject({
      code: 'ODCS.INVALID_DOCUMENT',
      details: [
        { path: `/customProperties/${i}/value`, message: expect.stringContaining('originator, policy') },
      ],
    });
  });

  it("carries a received dataset's renkei.source and refuses a malformed one", () => {
    expect(exported(shipments).customProperties).toContainEqual({
      property: 'renkei.source',
      value: shipments.source,
    });
    expect(exported(batteryCfp).customProperties?.map((c) => c.property)).not.toContain('renkei.source');
    const bad = exported(shipments);
    const i = bad.customProperties?.findIndex((c) => c.property === 'renkei.source') ?? -1;
    bad.customProperties?.splice(i, 1, { property: 'renkei.source', value: { agreementId: 7 } });
    expect(errorOf(() => importOdcs(bad))).toMatchObject({
      code: 'ODCS.INVALID_DOCUMENT',
      details: [{ path: `/customProperties/${i}/value` }],
    });
  });

  it('reads the JSON form and a parsed object alike', () => {
    const doc = exportOdcs(shipments, ownerOf(shipments));
    expect(importOdcs(JSON.stringify(doc)).contract).toStrictEqual(draftOf(shipments));
    expect(importOdcs(doc).contract).toStrictEqual(draftOf(shipments));
  });

  it('keeps renkei.jsonSchema and warns where the ODCS properties disagree with it', () => {
    const doc = exported();
    const properties = doc.schema?.[0]?.properties ?? [];
    properties[2] = { ...properties[2], logicalType: 'string' }; // cfpKgCo2ePerKwh is a number
    properties.push({ name: 'extra', logicalType: 'boolean' });
    const { contract, warnings } = importOdcs(doc);
    expect(contract.schema).toEqual(batteryCfp.schema);
    expect(warnings).toEqual([
      '/schema/0/properties/2/logicalType is "string" but renkei.jsonSchema says "number"; the JSON Schema is used',
      "/schema/0/properties/5: property 'extra' is not in renkei.jsonSchema; the JSON Schema is used",
    ]);
  });
});

describe('ODCS import of third-party documents', () => {
  it('needs the allowed purposes: 400 naming /customProperties', () => {
    const error = errorOf(() => importOdcs(thirdPartyYaml));
    expect(error.code).toBe('ODCS.MISSING_PURPOSES');
    expect(error.details).toEqual([
      { path: '/customProperties', message: "needs a non-empty 'renkei.purposes' list" },
    ]);
    expect(error.hint).toContain('renkei.purposes');
  });

  it('builds a JSON Schema 2020-12 from the ODCS properties', () => {
    const { contract } = importOdcs(thirdPartyWithPurposes());
    const nullable = (type: string) => [type, 'null'];
    expect(contract.schema).toEqual({
      type: 'object',
      required: [
        'shipment_id',
        'tracking_number',
        'event_type',
        'event_time',
        'weight_kg',
        'consignee',
        'scans',
      ],
      properties: {
        shipment_id: { type: 'string', format: 'uuid', description: 'Carrier-assigned shipment identifier.' },
        tracking_number: {
          type: 'string',
          minLength: 10,
          maxLength: 35,
          pattern: '^[A-Z0-9]+$',
          title: 'Tracking number',
          examples: ['JD014600006281230704'],
        },
        event_type: {
          type: 'string',
          enum: ['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED', 'EXCEPTION'],
        },
        event_time: { type: 'string', format: 'date-time' },
        planned_delivery_date: { type: nullable('string'), format: 'date' },
        weight_kg: { type: 'number', exclusiveMinimum: 0, maximum: 31.5 },
        pieces: { type: nullable('integer'), minimum: 1 },
        freight_charge_eur: { type: nullable('number'), minimum: 0, multipleOf: 0.01 },
        consignee: {
          type: 'object',
          required: ['name', 'postal_code', 'country_code'],
          properties: {
            name: { type: 'string' },
            postal_code: { type: 'string' },
            country_code: { type: 'string', pattern: '^[A-Z]{2}$' },
          },
          additionalProperties: false,
        },
        scans: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['location_code', 'scanned_at'],
            properties: {
              location_code: { type: 'string' },
              scanned_at: { type: 'string', format: 'date-time' },
            },
            additionalProperties: false,
          },
        },
        customs_flags: { type: nullable('array'), items: { type: 'string' } },
        signature_captured: { type: nullable('boolean') },
      },
      additionalProperties: false,
    });
  });

  it('maps the terms with documented defaults and says what it derived', () => {
    const { contract, warnings } = importOdcs(thirdPartyWithPurposes());
    const { schema: _schema, ...terms } = contract;
    expect(terms).toStrictEqual({
      dataset: 'shipment.tracking',
      version: '2.1.0',
      status: 'active',
      title: 'Parcel shipment events',
      description: 'Track parcels from pick-up to delivery across carrier hand-overs.',
      domain: 'logistics',
      purposes: ['delivery-planning'],
      sensitivity: 'confidential',
      residency: null,
      retentionDays: 730,
      visibility: 'consortium',
      approval: 'originator',
      fields: {
        freight_charge_eur: { tags: ['competitive'] },
        consignee: { tags: ['personal'] },
      },
    });
    expect(warnings).toEqual([
      "/dataProduct: dataset id 'shipment.tracking' derived from 'Shipment Tracking' (add renkei.dataset to choose it)",
      '/schema/0/properties/0/quality/0: quality rule not enforced by Renkei; ignored',
      "/schema/0/properties/8/tags: 'pii' read as the Renkei field tag 'personal'",
      "/customProperties: no renkei.sensitivity; 'confidential' taken from the highest property classification",
      '/slaProperties/1: retention 2 y read as 730 days',
    ]);
  });

  it('produces a schema that validates real events', () => {
    const validate = compileContractSchema(importOdcs(thirdPartyWithPurposes()).contract.schema);
    const event = {
      shipment_id: '9b2f8a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b',
      tracking_number: 'JD014600006281230704',
      event_type: 'IN_TRANSIT',
      event_time: '2025-03-14T10:15:00+01:00',
      planned_delivery_date: null,
      weight_kg: 2.4,
      consignee: { name: 'Erika Mustermann', postal_code: '20095', country_code: 'DE' },
      scans: [{ location_code: 'HAM-01', scanned_at: '2025-03-14T10:14:55+01:00' }],
    };
    expect(validatePayload(validate, event, '')).toEqual([]);
    expect(validatePayload(validate, { ...event, weight_kg: 0, event_type: 'LOST' }, '')).toEqual([
      { path: '/event_type', message: 'must be equal to one of the allowed values' },
      { path: '/weight_kg', message: 'must be > 0' },
    ]);
  });

  it('maps ODCS domain names case-insensitively and warns when it cannot', () => {
    const withDomain = (domain: string | undefined) => {
      const doc = thirdPartyWithPurposes();
      if (domain === undefined) delete doc.domain;
      else doc.domain = domain;
      return importOdcs(doc);
    };
    expect(withDomain('Supply Chain').contract.domain).toBe('supply-chain');
    expect(withDomain('healthcare').contract.domain).toBe('health');
    expect(withDomain('ENERGY').contract.domain).toBe('energy');
    const unmapped = withDomain('Retail Banking');
    expect(unmapped.contract.domain).toBe('other');
    expect(unmapped.warnings).toContain(
      "/domain 'Retail Banking' does not map to a Renkei domain: 'other' is used",
    );
    expect(withDomain(undefined).contract.domain).toBe('other');
  });

  it("reads 'proposed' as draft and defaults sensitivity to internal without classifications", () => {
    const doc = thirdPartyWithPurposes();
    doc.status = 'proposed';
    const [object] = doc.schema as { properties: Record<string, unknown>[] }[];
    for (const property of object?.properties ?? []) delete property.classification;
    const { contract, warnings } = importOdcs(doc);
    expect(contract.status).toBe('draft');
    expect(contract.compatibility).toBeUndefined();
    expect(contract.sensitivity).toBe('internal');
    expect(warnings).toContain("/customProperties: no renkei.sensitivity; 'internal' is used");
  });

  it('accepts ODCS v3.1.0 shapes: numeric exclusive bounds, timestamp, invalidValues metric', () => {
    const { contract } = importOdcs({
      apiVersion: 'v3.1.0',
      kind: 'DataContract',
      id: 'meter-readings',
      version: '1.0.0',
      status: 'active',
      name: 'Smart meter readings',
      domain: 'Utilities',
      schema: [
        {
          name: 'readings',
          properties: [
            { name: 'readAt', logicalType: 'timestamp', required: true },
            {
              name: 'kwh',
              logicalType: 'number',
              logicalTypeOptions: { exclusiveMinimum: 0 },
              required: true,
            },
            {
              name: 'quality',
              logicalType: 'string',
              required: true,
              quality: [
                { metric: 'invalidValues', arguments: { validValues: ['measured', 'estimated'] }, mustBe: 0 },
              ],
            },
          ],
        },
      ],
      customProperties: [
        { property: 'renkei.dataset', value: 'energy.meter-readings' },
        { property: 'renkei.purposes', value: ['grid-balancing'] },
      ],
    });
    expect(contract).toMatchObject({ dataset: 'energy.meter-readings', domain: 'energy' });
    expect(contract.schema.properties).toEqual({
      readAt: { type: 'string', format: 'date-time' },
      kwh: { type: 'number', exclusiveMinimum: 0 },
      quality: { type: 'string', enum: ['measured', 'estimated'] },
    });
  });
});

describe('ODCS import errors', () => {
  it('refuses text that is not YAML or JSON, and documents that are not maps', () => {
    expect(errorOf(() => importOdcs('apiVersion: [v3.0.2'))).toMatchObject({
      code: 'ODCS.INVALID_DOCUMENT',
      details: [{ path: '' }],
    });
    expect(errorOf(() => importOdcs('- a\n- b\n'))).toMatchObject({
      code: 'ODCS.INVALID_DOCUMENT',
      details: [{ path: '', message: 'must be a YAML/JSON object' }],
    });
  });

  it('refuses ODCS v2 and unknown versions naming /apiVersion', () => {
    const error = errorOf(() => importOdcs({ ...exported(), apiVersion: 'v2.2.2' }));
    expect(error.code).toBe('ODCS.UNSUPPORTED_VERSION');
    expect(error.details).toEqual([
      { path: '/apiVersion', message: '"v2.2.2" is not one of v3.0.0, v3.0.1, v3.0.2, v3.1.0' },
    ]);
    expect(error.hint).toMatch(/ODCS v3/);
  });

  it('refuses another kind, and missing required ODCS fields, naming each', () => {
    expect(errorOf(() => importOdcs({ ...exported(), kind: 'DataProduct' }))).toMatchObject({
      code: 'ODCS.INVALID_DOCUMENT',
      details: [{ path: '/kind', message: "must be 'DataContract'" }],
    });
    const { id: _id, status: _status, ...rest } = exported();
    const error = errorOf(() => importOdcs(rest));
    expect(error.code).toBe('ODCS.INVALID_DOCUMENT');
    expect(error.details.map((d) => d.path)).toEqual(['/id', '/status']);
  });

  it('refuses a version that is not semantic, or not a string', () => {
    expect(errorOf(() => importOdcs({ ...exported(), version: '1.2' }))).toMatchObject({
      code: 'ODCS.INVALID_VERSION',
      details: [{ path: '/version' }],
    });
    // Shapes a loose pattern lets through but the semver package (which orders versions) refuses.
    for (const version of ['1.0.0-01', '1.0.0-.', '1.0.0-a..b', 'v1.0.0', '1.0.0+build']) {
      expect(errorOf(() => importOdcs({ ...exported(), version }))).toMatchObject({
        code: 'ODCS.INVALID_VERSION',
        details: [{ path: '/version' }],
      });
    }
    expect(importOdcs({ ...exported(), version: '1.3.0-rc.1' }).contract.version).toBe('1.3.0-rc.1');
    const numeric = errorOf(() =>
      importOdcs(exportOdcsYaml(batteryCfp, cellMaker).replace('version: 1.2.0', 'version: 1')),
    );
    expect(numeric.code).toBe('ODCS.INVALID_DOCUMENT');
    expect(numeric.details).toEqual([{ path: '/version', message: expect.stringContaining('quote it') }]);
  });

  it('names the exact path of an unknown logicalType, nested ones too', () => {
    const doc = exported(shipments);
    const properties = doc.schema?.[0]?.properties ?? [];
    properties[3] = { ...properties[3], logicalType: 'decimal' as never };
    const legs = properties.find((p) => p.name === 'legs');
    const legProperties = legs?.items?.properties ?? [];
    legProperties[0] = { ...legProperties[0], logicalType: 'varchar' as never };
    const error = errorOf(() => importOdcs(doc));
    expect(error.code).toBe('ODCS.UNKNOWN_LOGICAL_TYPE');
    expect(error.details.map((d) => d.path)).toEqual([
      '/schema/0/properties/3/logicalType',
      '/schema/0/properties/5/items/properties/0/logicalType',
    ]);
    expect(error.details[0]?.message).toContain("'decimal' is not an ODCS v3 logicalType");
  });

  it('refuses a document without purposes, or with invalid ones', () => {
    const doc = exported();
    doc.customProperties = doc.customProperties?.filter((c) => c.property !== 'renkei.purposes');
    expect(errorOf(() => importOdcs(doc))).toMatchObject({
      code: 'ODCS.MISSING_PURPOSES',
      details: [{ path: '/customProperties' }],
    });
    const bad = exported();
    const index = bad.customProperties?.findIndex((c) => c.property === 'renkei.purposes') ?? -1;
    bad.customProperties?.splice(index, 1, {
      property: 'renkei.purposes',
      value: ['cfp-disclosure', 'Marketing!'],
    });
    expect(errorOf(() => importOdcs(bad))).toMatchObject({
      code: 'ODCS.INVALID_DOCUMENT',
      details: [{ path: `/customProperties/${index}/value/1` }],
    });
  });

  it('refuses a document whose dataset id cannot be found or derived', () => {
    const doc = thirdPartyWithPurposes();
    doc.dataProduct = 'Shipments';
    doc.name = '出荷';
    const error = errorOf(() => importOdcs(doc));
    expect(error.code).toBe('ODCS.INVALID_DATASET_ID');
    expect(error.details.map((d) => d.path)).toEqual(['/dataProduct', '/name']);
    expect(error.hint).toContain('renkei.dataset');

    const explicit = exported();
    explicit.customProperties?.splice(0, 1, { property: 'renkei.dataset', value: 'Battery_CFP' });
    expect(errorOf(() => importOdcs(explicit))).toMatchObject({
      code: 'ODCS.INVALID_DATASET_ID',
      details: [{ path: '/customProperties/0/value' }],
    });
  });

  it('refuses a document without exactly one schema object', () => {
    const { schema, ...rest } = exported();
    expect(errorOf(() => importOdcs(rest))).toMatchObject({
      code: 'ODCS.MISSING_SCHEMA',
      details: [{ path: '/schema' }],
    });
    const two = { ...rest, schema: [...(schema ?? []), { name: 'other', properties: [] }] };
    expect(errorOf(() => importOdcs(two))).toMatchObject({
      code: 'ODCS.MISSING_SCHEMA',
      details: [{ path: '/schema/1' }],
    });
  });

  it('names bad options, units and custom values by their path', () => {
    const doc = thirdPartyWithPurposes();
    const [object] = doc.schema as { properties: Record<string, unknown>[] }[];
    const tracking = object?.properties[1];
    if (tracking) tracking.logicalTypeOptions = { pattern: '([A-Z', minLength: -1 };
    expect(errorOf(() => importOdcs(doc)).details.map((d) => d.path)).toEqual([
      '/schema/0/properties/1/logicalTypeOptions/pattern',
      '/schema/0/properties/1/logicalTypeOptions/minLength',
    ]);

    const unit = thirdPartyWithPurposes();
    (unit.slaProperties as Record<string, unknown>[])[1] = {
      property: 'retention',
      value: 2,
      unit: 'fortnight',
    };
    expect(errorOf(() => importOdcs(unit))).toMatchObject({
      code: 'ODCS.INVALID_DOCUMENT',
      details: [{ path: '/slaProperties/1/unit' }],
    });

    const sensitivity = exported();
    const i = sensitivity.customProperties?.findIndex((c) => c.property === 'renkei.sensitivity') ?? -1;
    sensitivity.customProperties?.splice(i, 1, { property: 'renkei.sensitivity', value: 'secret' });
    expect(errorOf(() => importOdcs(sensitivity))).toMatchObject({
      code: 'ODCS.INVALID_DOCUMENT',
      details: [{ path: `/customProperties/${i}/value`, message: expect.stringContaining('restricted') }],
    });
  });

  it('refuses a stored JSON Schema that does not compile, naming where it is stored', () => {
    const doc = exported();
    const [object] = doc.schema ?? [];
    if (object)
      object.customProperties = [
        { property: 'renkei.jsonSchema', value: { type: 'object', propertees: {} } },
      ];
    expect(errorOf(() => importOdcs(doc))).toMatchObject({
      code: 'CONTRACT.INVALID_SCHEMA',
      details: [{ path: '/schema/0/customProperties/0/value' }],
    });
  });
});
