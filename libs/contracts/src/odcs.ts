/**
 * Data contracts as Open Data Contract Standard (ODCS) v3 documents: export (apiVersion v3.0.2, kind
 * DataContract) and import (v3.0.0 – v3.1.0, YAML or JSON). Pure functions, no I/O.
 *
 * Specs followed (read from the Bitol repository, tags v3.0.2 and v3.1.0):
 * - ODCS v3.0.2 text: https://github.com/bitol-io/open-data-contract-standard/blob/v3.0.2/docs/README.md
 * - ODCS v3.0.2 JSON Schema: https://github.com/bitol-io/open-data-contract-standard/blob/v3.0.2/schema/odcs-json-schema-v3.0.2.json
 * - ODCS v3.1.0 (changes accepted on import): https://bitol-io.github.io/open-data-contract-standard/latest/changelog/
 * - SLA properties (`retention`, units `d`/`y`): https://bitol-io.github.io/open-data-contract-standard/latest/service-level-agreement/
 *
 * Export mapping (ContractTerms → ODCS). Everything Renkei-specific travels in `customProperties` named
 * `renkei.*`; no top-level field is invented.
 *
 * | Renkei                     | ODCS v3                                                                         |
 * |----------------------------|---------------------------------------------------------------------------------|
 * | dataset, version           | `id` = `urn:renkei:contract:<dataset>:<version>`, `dataProduct` = dataset,       |
 * |                            | `version`, customProperty `renkei.dataset`, `schema[0].name` = dataset           |
 * | title                      | `name` (and `schema[0].businessName`)                                            |
 * | description                | `description.purpose`                                                            |
 * | status                     | `status` (draft/active/deprecated/retired; `proposed` imports as draft)          |
 * | domain                     | `domain`                                                                         |
 * | purposes                   | customProperty `renkei.purposes` (+ prose in `description.usage`)                |
 * | sensitivity                | customProperty `renkei.sensitivity` (+ `renkei.minimumProtection`, informative)  |
 * |                            | and `classification` on every top-level property                                |
 * | residency (dataset)        | customProperty `renkei.residency` (+ prose in `description.limitations`)        |
 * | retentionDays              | `slaProperties: [{property: retention, value: N, unit: d, driver: regulatory}]`  |
 * | compatibility, visibility  | customProperties `renkei.compatibility`, `renkei.visibility`                    |
 * | invited                    | customProperty `renkei.invited`                                                 |
 * | owner (ContractOwnerRef)   | `tenant` = legal name, `team: [{username: id, name: legalName, role: owner}]`,   |
 * |                            | customProperty `renkei.owner` {id, legalName, corporateNumber, lei, bpn}         |
 * | schema (JSON Schema)       | `schema: [{name, logicalType: object, physicalType: topic, properties}]` and the |
 * |                            | exact schema under `schema[0].customProperties` `renkei.jsonSchema` (lossless)   |
 * | fields[f].tags             | property `tags` + property customProperty `renkei.tags`                         |
 * | fields[f].residency        | property customProperty `renkei.residency`                                      |
 * | fields[f].description      | property `description` + property customProperty `renkei.description`           |
 *
 * JSON Schema ↔ ODCS property: `type` → `logicalType` (string/number/integer/boolean/object/array; strings
 * with format date, date-time or time → `date` with a JDK `logicalTypeOptions.format`), the JSON type →
 * `physicalType`, `title` → `businessName`, `description`, `examples`, presence in the parent's `required` and
 * not nullable → `required: true`. `logicalTypeOptions` per ODCS v3.0.2: string minLength/maxLength/
 * pattern/format; number/integer minimum/maximum/exclusiveMinimum/exclusiveMaximum (booleans in v3.0.x,
 * numbers in v3.1.0)/multipleOf; date minimum/maximum (from ajv-formats `formatMinimum`…); object
 * minProperties/maxProperties(/required); array minItems/maxItems/uniqueItems. ODCS v3.0.x has no enum
 * option: `enum`/`const` travel as the library quality rule `{rule: validValues, validValues: [...]}` (v3.1.0's
 * `{metric: invalidValues, arguments: {validValues}, mustBe: 0}` is accepted on import). Objects nest with
 * `properties`, arrays with `items`.
 *
 * Import: `renkei.jsonSchema`, when present, is the schema (warnings name every ODCS property that disagrees
 * with it). Otherwise the JSON Schema 2020-12 is built from the ODCS properties: objects get
 * `additionalProperties: false` and a `required` list; a property that is not `required` may be absent or
 * null (ODCS: `required` "indicates if the element may contain Null values"), so its type admits `null`.
 * Defaults: domain `other` (ODCS domain names are mapped case-insensitively, e.g. "Supply Chain" →
 * supply-chain, "healthcare" → health; unmapped → other with a warning), sensitivity from the highest
 * property `classification` we know, else `internal` (warning), visibility consortium. Without
 * `renkei.compatibility` the draft carries no compatibility mode (the registry then applies its own default to
 * a new dataset and leaves an existing dataset's mode as it is). Field tags of third-party documents are the property `tags` we know (`pii` reads as personal).
 *
 * Error codes (all `bad-request`; every detail names the JSON Pointer into the ODCS document):
 * - `ODCS.INVALID_DOCUMENT`      not YAML/JSON, not an ODCS shape, wrong `kind`, bad option or custom value
 * - `ODCS.UNSUPPORTED_VERSION`   `apiVersion` is not v3.0.0, v3.0.1, v3.0.2 or v3.1.0
 * - `ODCS.MISSING_SCHEMA`        no `schema` object, or more than one (a Renkei contract has one payload)
 * - `ODCS.UNKNOWN_LOGICAL_TYPE`  a `logicalType` outside ODCS v3 (path `.../logicalType`)
 * - `ODCS.MISSING_PURPOSES`      no `renkei.purposes` customProperty (path `/customProperties`)
 * - `ODCS.INVALID_DATASET_ID`    no usable dataset id in `renkei.dataset`, `dataProduct` or `name`
 * - `ODCS.INVALID_VERSION`       `version` is not a semantic version
 * - `CONTRACT.INVALID_SCHEMA`    the resulting JSON Schema does not compile (from `assertCompilableSchema`)
 * - `CONTRACT.SCHEMA_TOO_*`, `CONTRACT.PATTERN_*`  the resulting schema exceeds a limit (schema-limits.ts)
 */
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import {
  assertCompilableSchema,
  badRequest,
  compileLinear,
  CompatibilityModes,
  isDatasetId,
  DEFAULT_SCHEMA_LIMITS,
  FieldTags,
  isSemver,
  MinimumProtection,
  pointer,
  Sensitivities,
  Visibilities,
  type CompatibilityMode,
  type ContractDomain,
  type ContractStatus,
  type ContractTerms,
  type ErrorDetail,
  type FieldTag,
  type FieldTerms,
  type SchemaLimits,
  type Sensitivity,
  type Visibility,
} from '#libs/domain';

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

type JsonSchema = Record<string, unknown>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Stable URLs of a contract in the registry (`GET /contracts/:dataset[/versions/:version]`). */
export function contractUrls(baseUrl: string, dataset: string, version: string) {
  const base = `${baseUrl.replace(/\/+$/, '')}/contracts/${encodeURIComponent(dataset)}`;
  return { latest: base, version: `${base}/versions/${encodeURIComponent(version)}` };
}

export const odcsContractId = (dataset: string, version: string) =>
  `urn:renkei:contract:${dataset}:${version}`;

// ---------------------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------------------

/** JSON Schema `format`s that ODCS expresses as `logicalType: date`, with the JDK pattern ODCS expects. */
const DATE_FORMATS: Record<string, string> = {
  date: 'yyyy-MM-dd',
  'date-time': "yyyy-MM-dd'T'HH:mm:ss[.SSS]XXX",
  time: 'HH:mm:ss[.SSS]XXX',
};

const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array'] as const;
type JsonType = (typeof JSON_TYPES)[number];
const isJsonType = (t: unknown): t is JsonType => JSON_TYPES.includes(t as JsonType);

function typeOfValue(v: unknown): JsonType | 'null' | undefined {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (Array.isArray(v)) return 'array';
  if (isRecord(v)) return 'object';
  return undefined;
}

/** The one non-null JSON type a schema describes (if it describes one), and whether it admits null. */
function baseType(schema: JsonSchema): { type: JsonType | undefined; nullable: boolean } {
  const declared = schema.type;
  if (typeof declared === 'string') {
    return { type: isJsonType(declared) ? declared : undefined, nullable: declared === 'null' };
  }
  if (Array.isArray(declared)) {
    const nonNull = (declared as unknown[]).filter((t) => t !== 'null');
    const only = nonNull.length === 1 ? nonNull[0] : undefined;
    return { type: isJsonType(only) ? only : undefined, nullable: declared.includes('null') };
  }
  const values = Array.isArray(schema.enum) ? schema.enum : 'const' in schema ? [schema.const] : undefined;
  if (values) {
    const types = new Set(values.map(typeOfValue).filter((t) => t !== 'null'));
    if (types.size === 2 && types.has('integer') && types.has('number')) types.delete('integer');
    const only = types.size === 1 ? [...types][0] : undefined;
    return { type: isJsonType(only) ? only : undefined, nullable: values.includes(null) };
  }
  if (isRecord(schema.properties)) return { type: 'object', nullable: false };
  if ('items' in schema) return { type: 'array', nullable: false };
  return { type: undefined, nullable: false };
}

const pick = (schema: JsonSchema, keys: readonly string[]) =>
  Object.fromEntries(keys.filter((k) => schema[k] !== undefined).map((k) => [k, schema[k]]));

function numericOptions(schema: JsonSchema): Record<string, unknown> {
  const options: Record<string, unknown> = pick(schema, ['minimum', 'maximum', 'multipleOf']);
  // JSON Schema 2020-12 exclusive bounds are numbers; ODCS v3.0.x has a bound plus a boolean flag.
  if (typeof schema.exclusiveMinimum === 'number') {
    if (typeof schema.minimum !== 'number' || schema.exclusiveMinimum >= schema.minimum) {
      options.minimum = schema.exclusiveMinimum;
      options.exclusiveMinimum = true;
    }
  }
  if (typeof schema.exclusiveMaximum === 'number') {
    if (typeof schema.maximum !== 'number' || schema.exclusiveMaximum <= schema.maximum) {
      options.maximum = schema.exclusiveMaximum;
      options.exclusiveMaximum = true;
    }
  }
  return options;
}

function dateOptions(schema: JsonSchema, format: string): Record<string, unknown> {
  const options: Record<string, unknown> = { format: DATE_FORMATS[format] };
  if (typeof schema.formatMinimum === 'string') options.minimum = schema.formatMinimum;
  if (typeof schema.formatExclusiveMinimum === 'string') {
    options.minimum = schema.formatExclusiveMinimum;
    options.exclusiveMinimum = true;
  }
  if (typeof schema.formatMaximum === 'string') options.maximum = schema.formatMaximum;
  if (typeof schema.formatExclusiveMaximum === 'string') {
    options.maximum = schema.formatExclusiveMaximum;
    options.exclusiveMaximum = true;
  }
  return options;
}

const clone = <T>(value: T): T => structuredClone(value);

function requiredOf(schema: JsonSchema): Set<string> {
  return new Set(Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : []);
}

function propertiesOf(schema: JsonSchema): [string, JsonSchema][] {
  if (!isRecord(schema.properties)) return [];
  return Object.entries(schema.properties).map(([name, s]) => [name, isRecord(s) ? s : {}]);
}

/** One JSON Schema property as an ODCS property (`name` undefined for array `items`). */
function toOdcsProperty(name: string | undefined, schema: JsonSchema, inRequired: boolean): OdcsProperty {
  const { type, nullable } = baseType(schema);
  const format = typeof schema.format === 'string' ? schema.format : undefined;
  const isDate = type === 'string' && format !== undefined && format in DATE_FORMATS;
  const logicalType: OdcsLogicalType | undefined = isDate ? 'date' : type;

  let options: Record<string, unknown> = {};
  if (isDate && format) options = dateOptions(schema, format);
  else if (type === 'string') options = pick(schema, ['minLength', 'maxLength', 'pattern', 'format']);
  else if (type === 'number' || type === 'integer') options = numericOptions(schema);
  else if (type === 'object') options = pick(schema, ['minProperties', 'maxProperties']);
  else if (type === 'array') options = pick(schema, ['minItems', 'maxItems', 'uniqueItems']);

  const values = Array.isArray(schema.enum) ? schema.enum : 'const' in schema ? [schema.const] : undefined;
  const validValues = values?.filter((v) => v !== null);

  const property: OdcsProperty = {
    ...(name !== undefined ? { name } : {}),
    ...(typeof schema.title === 'string' ? { businessName: schema.title } : {}),
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    ...(logicalType ? { logicalType } : {}),
    ...(Object.keys(options).length > 0 ? { logicalTypeOptions: clone(options) } : {}),
    ...(type ? { physicalType: type } : {}),
    ...(name !== undefined ? { required: inRequired && !nullable } : {}),
    ...(Array.isArray(schema.examples) ? { examples: clone(schema.examples) } : {}),
    ...(validValues && validValues.length > 0
      ? { quality: [{ type: 'library' as const, rule: 'validValues', validValues: clone(validValues) }] }
      : {}),
  };
  if (type === 'object') {
    const required = requiredOf(schema);
    property.properties = propertiesOf(schema).map(([n, s]) => toOdcsProperty(n, s, required.has(n)));
  }
  if (type === 'array' && isRecord(schema.items)) {
    property.items = toOdcsProperty(undefined, schema.items, false);
  }
  return property;
}

/** The ODCS properties of a payload JSON Schema (its top-level `properties`, recursively). */
export function odcsPropertiesOf(schema: Record<string, unknown>): OdcsProperty[] {
  const required = requiredOf(schema);
  return propertiesOf(schema).map(([name, s]) => toOdcsProperty(name, s, required.has(name)));
}

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
        firstLevelApprovers: owner.legalName,
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

// ---------------------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------------------

const PURPOSE = /^[a-z][a-z0-9-]{1,60}$/;
const COUNTRY = /^[A-Z]{2}$/;

const KNOWN_TOP_LEVEL = new Set([
  'version',
  'kind',
  'apiVersion',
  'id',
  'name',
  'tenant',
  'tags',
  'status',
  'servers',
  'dataProduct',
  'description',
  'domain',
  'schema',
  'support',
  'price',
  'team',
  'roles',
  'slaDefaultElement',
  'slaProperties',
  'authoritativeDefinitions',
  'customProperties',
  'contractCreatedTs',
]);

/** Formats the platform's Ajv (with ajv-formats) knows; others would fail strict compilation. */
const AJV_FORMATS = new Set([
  'date',
  'time',
  'date-time',
  'iso-time',
  'iso-date-time',
  'duration',
  'uri',
  'uri-reference',
  'uri-template',
  'url',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'regex',
  'uuid',
  'json-pointer',
  'json-pointer-uri-fragment',
  'relative-json-pointer',
  'byte',
  'int32',
  'int64',
  'float',
  'double',
  'password',
  'binary',
]);

const CustomPropertySchema = z.looseObject({ property: z.string().min(1), value: z.unknown() });

const DocumentSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  id: z.string().min(1),
  version: z.string({ error: 'must be a string: quote it, e.g. version: "1.0.0"' }).min(1),
  status: z.string().min(1),
  name: z.string().optional(),
  tenant: z.string().optional(),
  domain: z.string().optional(),
  dataProduct: z.string().optional(),
  description: z
    .looseObject({
      usage: z.string().optional(),
      purpose: z.string().optional(),
      limitations: z.string().optional(),
    })
    .optional(),
  tags: z.array(z.string()).optional(),
  schema: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        logicalType: z.string().optional(),
        properties: z.array(z.unknown()).optional(),
        customProperties: z.array(CustomPropertySchema).optional(),
      }),
    )
    .optional(),
  slaProperties: z
    .array(
      z.looseObject({
        property: z.string().min(1),
        value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
        unit: z.string().optional(),
        element: z.string().optional(),
      }),
    )
    .optional(),
  customProperties: z.array(CustomPropertySchema).optional(),
});
type ParsedDocument = z.infer<typeof DocumentSchema>;

const PropertyNodeSchema = z.looseObject({
  name: z.string().min(1).optional(),
  businessName: z.string().optional(),
  description: z.string().optional(),
  logicalType: z.string().optional(),
  logicalTypeOptions: z
    .union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))])
    .optional(),
  physicalType: z.string().optional(),
  required: z.boolean().optional(),
  classification: z.string().optional(),
  tags: z.array(z.string()).optional(),
  examples: z.array(z.unknown()).optional(),
  quality: z.array(z.looseObject({})).optional(),
  customProperties: z.array(CustomPropertySchema).optional(),
  properties: z.array(z.unknown()).optional(),
  items: z.unknown().optional(),
});
type PropertyNode = z.infer<typeof PropertyNodeSchema>;

interface Issue extends ErrorDetail {
  code: (typeof OdcsErrorCodes)[keyof typeof OdcsErrorCodes];
}

interface Ctx {
  warnings: string[];
  issues: Issue[];
}

const invalid = (path: string, message: string, hint: string) =>
  badRequest(OdcsErrorCodes.invalidDocument, 'The ODCS document is not valid', [{ path, message }], hint);

function throwIssues(issues: Issue[], hint: string): never {
  const first = issues[0];
  if (!first) throw new Error('throwIssues needs at least one issue');
  throw badRequest(
    first.code,
    first.code === OdcsErrorCodes.unknownLogicalType
      ? 'The ODCS document uses a logicalType outside ODCS v3'
      : 'The ODCS document is not valid',
    issues.map(({ path, message }) => ({ path, message })),
    hint,
  );
}

function parseText(text: string): unknown {
  try {
    return parse(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  } catch (error) {
    throw invalid(
      '',
      error instanceof Error ? error.message : String(error),
      'Send an ODCS v3 document as YAML or JSON text (or as a parsed object)',
    );
  }
}

/** Custom properties by name, with the pointer of each value; a repeated `renkei.*` name is a 400. */
function customPropertyMap(
  list: { property: string; value: unknown }[] | undefined,
  basePath: string,
): Map<string, { value: unknown; path: string }> {
  const map = new Map<string, { value: unknown; path: string }>();
  (list ?? []).forEach((cp, i) => {
    const path = `${basePath}/${i}/value`;
    if (cp.property.startsWith('renkei.') && map.has(cp.property)) {
      throw invalid(
        `${basePath}/${i}/property`,
        `'${cp.property}' appears more than once`,
        'Keep one entry per renkei.* custom property',
      );
    }
    map.set(cp.property, { value: cp.value, path });
  });
  return map;
}

function readEnum<T extends string>(
  entry: { value: unknown; path: string } | undefined,
  allowed: readonly T[],
  name: string,
): T | undefined {
  if (!entry) return undefined;
  if (typeof entry.value === 'string' && (allowed as readonly string[]).includes(entry.value)) {
    return entry.value as T;
  }
  throw invalid(
    entry.path,
    `must be one of ${allowed.join(', ')}`,
    `Set the custom property ${name} to one of: ${allowed.join(', ')}`,
  );
}

function readCountry(entry: { value: unknown; path: string } | undefined, name: string): string | null {
  if (!entry || entry.value === null) return null;
  if (typeof entry.value === 'string' && COUNTRY.test(entry.value)) return entry.value;
  throw invalid(
    entry.path,
    'must be an ISO 3166-1 alpha-2 country code (e.g. JP) or null',
    `Set ${name} to a two-letter upper-case country code`,
  );
}

const STATUS_MAP: Record<string, ContractStatus> = {
  proposed: 'draft',
  draft: 'draft',
  active: 'active',
  deprecated: 'deprecated',
  retired: 'retired',
};

const DOMAIN_SYNONYMS: Record<ContractDomain, readonly string[]> = {
  'supply-chain': ['supply-chain', 'supplychain', 'scm', 'procurement', 'sourcing', 'manufacturing'],
  logistics: ['logistics', 'transport', 'transportation', 'shipping', 'freight', 'warehousing'],
  energy: ['energy', 'power', 'electricity', 'utilities', 'grid'],
  health: ['health', 'healthcare', 'health-care', 'medical', 'clinical', 'hospital'],
  other: ['other'],
};

function mapDomain(domain: string | undefined, warnings: string[]): ContractDomain {
  if (domain === undefined) {
    warnings.push("/domain is absent: domain 'other' is used");
    return 'other';
  }
  const key = domain
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  for (const [ours, names] of Object.entries(DOMAIN_SYNONYMS) as [ContractDomain, readonly string[]][]) {
    if (names.includes(key)) return ours;
  }
  warnings.push(`/domain '${domain}' does not map to a Renkei domain: 'other' is used`);
  return 'other';
}

function toDatasetId(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '');
}

function datasetIdOf(doc: ParsedDocument, custom: ReturnType<typeof customPropertyMap>, ctx: Ctx): string {
  const hint =
    "Add a custom property {property: renkei.dataset, value: '<domain>.<name>'}, e.g. logistics.shipments: a dotted lower-case name of 2 to 5 segments";
  const explicit = custom.get(RenkeiProperties.dataset);
  if (explicit) {
    if (typeof explicit.value === 'string' && isDatasetId(explicit.value)) return explicit.value;
    throw badRequest(
      OdcsErrorCodes.invalidDatasetId,
      'The dataset id in the ODCS document is not valid',
      [{ path: explicit.path, message: 'must be a dotted lower-case name, e.g. battery.cfp' }],
      hint,
    );
  }
  const details: ErrorDetail[] = [];
  for (const key of ['dataProduct', 'name'] as const) {
    const source = doc[key];
    if (source === undefined) continue;
    const derived = toDatasetId(source);
    if (isDatasetId(derived)) {
      ctx.warnings.push(
        `/${key}: dataset id '${derived}' derived from '${source}' (add renkei.dataset to choose it)`,
      );
      return derived;
    }
    details.push({ path: `/${key}`, message: `'${source}' does not make a dataset id (got '${derived}')` });
  }
  if (details.length === 0) {
    details.push({ path: '/dataProduct', message: 'is missing, and so are renkei.dataset and name' });
  }
  throw badRequest(
    OdcsErrorCodes.invalidDatasetId,
    'The ODCS document names no usable dataset id',
    details,
    hint,
  );
}

function purposesOf(custom: ReturnType<typeof customPropertyMap>): string[] {
  const entry = custom.get(RenkeiProperties.purposes);
  const hint =
    "Add a custom property {property: renkei.purposes, value: [<purpose>, ...]}: the purposes consumers may request a grant for, e.g. ['cfp-disclosure']";
  if (!entry || (Array.isArray(entry.value) && entry.value.length === 0)) {
    throw badRequest(
      OdcsErrorCodes.missingPurposes,
      'The ODCS document names no allowed purposes',
      [{ path: '/customProperties', message: `needs a non-empty '${RenkeiProperties.purposes}' list` }],
      hint,
    );
  }
  if (!Array.isArray(entry.value)) {
    throw invalid(entry.path, 'must be a list of purposes', hint);
  }
  const purposes: string[] = [];
  entry.value.forEach((p, i) => {
    if (typeof p !== 'string' || !PURPOSE.test(p)) {
      throw invalid(
        `${entry.path}/${i}`,
        'must be a lower-case purpose name (letters, digits, hyphens; 2–61 characters)',
        hint,
      );
    }
    purposes.push(p);
  });
  return purposes;
}

const RETENTION_UNITS: Record<string, { days: number; approximate?: boolean }> = {
  d: { days: 1 },
  day: { days: 1 },
  days: { days: 1 },
  w: { days: 7 },
  week: { days: 7 },
  weeks: { days: 7 },
  m: { days: 30, approximate: true },
  mo: { days: 30, approximate: true },
  month: { days: 30, approximate: true },
  months: { days: 30, approximate: true },
  y: { days: 365, approximate: true },
  yr: { days: 365, approximate: true },
  yrs: { days: 365, approximate: true },
  year: { days: 365, approximate: true },
  years: { days: 365, approximate: true },
};

function retentionOf(doc: ParsedDocument, ctx: Ctx): number | null {
  const entries = (doc.slaProperties ?? [])
    .map((sla, i) => ({ sla, i }))
    .filter(({ sla }) => ['retention', 're'].includes(sla.property.toLowerCase()));
  const found = entries[0];
  if (!found) return null;
  if (entries.length > 1) {
    ctx.warnings.push(`/slaProperties/${found.i}: several retention entries; the first one is used`);
  }
  const { sla, i } = found;
  const value = typeof sla.value === 'string' ? Number(sla.value) : sla.value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(
      `/slaProperties/${i}/value`,
      'must be a positive number',
      'Give retention as a number with a unit, e.g. {property: retention, value: 365, unit: d}',
    );
  }
  const unitName = (sla.unit ?? 'd').trim().toLowerCase();
  if (sla.unit === undefined) ctx.warnings.push(`/slaProperties/${i}: retention has no unit; days assumed`);
  const unit = RETENTION_UNITS[unitName];
  if (!unit) {
    throw invalid(
      `/slaProperties/${i}/unit`,
      `unknown unit '${sla.unit ?? ''}'`,
      'Use d (days), w (weeks), m (months) or y (years), as ODCS suggests',
    );
  }
  const days = Math.ceil(value * unit.days);
  if (unit.approximate) {
    ctx.warnings.push(`/slaProperties/${i}: retention ${value} ${sla.unit ?? ''} read as ${days} days`);
  }
  return days;
}

// ----- ODCS properties → JSON Schema -----

function parseNode(raw: unknown, path: string, ctx: Ctx, named: boolean): PropertyNode | undefined {
  const result = PropertyNodeSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      ctx.issues.push({
        code: OdcsErrorCodes.invalidDocument,
        path: path + pointer(issue.path),
        message: issue.message,
      });
    }
    return undefined;
  }
  const node = result.data;
  if (named && node.name === undefined) {
    ctx.issues.push({ code: OdcsErrorCodes.invalidDocument, path: `${path}/name`, message: 'is required' });
    return undefined;
  }
  return node;
}

function optionsOf(node: PropertyNode, path: string, ctx: Ctx): Record<string, unknown> {
  const options = node.logicalTypeOptions;
  if (!Array.isArray(options)) return options ?? {};
  // The ODCS v3.0.2 text shows `logicalTypeOptions` as a list of one-key maps in one example; accept it.
  ctx.warnings.push(`${path}/logicalTypeOptions is a list; read as one map (ODCS expects a map)`);
  return Object.assign({}, ...options) as Record<string, unknown>;
}

/** The JSON Schema `format` an ODCS date-like property means. */
function dateFormatOf(logicalType: string, node: PropertyNode, format: unknown, path: string, ctx: Ctx) {
  if (logicalType === 'timestamp') return 'date-time';
  if (logicalType === 'time') return 'time';
  if (typeof format === 'string') {
    const pattern = format.replace(/'[^']*'/g, '');
    const hasDate = /[yuMLdD]/.test(pattern);
    const hasTime = /[HhKkms]/.test(pattern);
    if (hasDate && hasTime) return 'date-time';
    if (hasTime) return 'time';
    if (hasDate) return 'date';
  }
  const physical = node.physicalType?.toLowerCase() ?? '';
  if (/^date$/.test(physical)) return 'date';
  if (/^time\b/.test(physical)) return 'time';
  if (/timestamp|datetime/.test(physical)) return 'date-time';
  ctx.warnings.push(`${path}: logicalType date without a format; ODCS's default ISO 8601 date-time is used`);
  return 'date-time';
}

const DATE_VALUE: Record<string, RegExp> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/,
  time: /^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/,
};

type OptionReader = (key: string, value: unknown, optionPath: string) => void;

function readOptions(
  options: Record<string, unknown>,
  path: string,
  ctx: Ctx,
  readers: Record<string, OptionReader>,
) {
  for (const [key, value] of Object.entries(options)) {
    const reader = readers[key];
    const optionPath = `${path}/logicalTypeOptions${pointer([key])}`;
    if (reader) reader(key, value, optionPath);
    else ctx.warnings.push(`${optionPath}: option not defined for this logicalType; ignored`);
  }
}

function check(ctx: Ctx, ok: boolean, path: string, message: string): boolean {
  if (!ok) ctx.issues.push({ code: OdcsErrorCodes.invalidDocument, path, message });
  return ok;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function countOption(schema: JsonSchema, ctx: Ctx): OptionReader {
  return (key, value, path) => {
    if (check(ctx, isCount(value), path, 'must be a non-negative integer')) schema[key] = value;
  };
}

function stringSchema(options: Record<string, unknown>, path: string, ctx: Ctx): JsonSchema {
  const schema: JsonSchema = { type: 'string' };
  readOptions(options, path, ctx, {
    minLength: countOption(schema, ctx),
    maxLength: countOption(schema, ctx),
    pattern: (_key, value, p) => {
      if (!check(ctx, typeof value === 'string', p, 'must be a string')) return;
      // Compiled with RE2, as the contract's validators will be (linear time; see linear-regex.ts).
      try {
        compileLinear(value as string);
        schema.pattern = value;
      } catch (error) {
        check(ctx, false, p, `is not supported: ${(error as Error).message}`);
      }
    },
    format: (_key, value, p) => {
      if (!check(ctx, typeof value === 'string', p, 'must be a string')) return;
      if (AJV_FORMATS.has(value as string)) schema.format = value;
      else ctx.warnings.push(`${p}: format '${String(value)}' is not checked by Renkei; ignored`);
    },
  });
  return schema;
}

function dateSchema(
  logicalType: string,
  node: PropertyNode,
  options: Record<string, unknown>,
  path: string,
  ctx: Ctx,
): JsonSchema {
  const format = dateFormatOf(logicalType, node, options.format, path, ctx);
  const schema: JsonSchema = { type: 'string', format };
  const bounds: {
    minimum?: string;
    maximum?: string;
    exclMin?: boolean | string;
    exclMax?: boolean | string;
  } = {};
  readOptions(options, path, ctx, {
    format: (_k, value, p) => void check(ctx, typeof value === 'string', p, 'must be a string'),
    minimum: (_k, value, p) => {
      if (check(ctx, typeof value === 'string', p, 'must be a string')) bounds.minimum = value as string;
    },
    maximum: (_k, value, p) => {
      if (check(ctx, typeof value === 'string', p, 'must be a string')) bounds.maximum = value as string;
    },
    exclusiveMinimum: (_k, value, p) => {
      const ok = typeof value === 'boolean' || typeof value === 'string';
      if (check(ctx, ok, p, 'must be a boolean (v3.0) or a date (v3.1)')) bounds.exclMin = value as boolean;
    },
    exclusiveMaximum: (_k, value, p) => {
      const ok = typeof value === 'boolean' || typeof value === 'string';
      if (check(ctx, ok, p, 'must be a boolean (v3.0) or a date (v3.1)')) bounds.exclMax = value as boolean;
    },
    timezone: () => undefined,
    defaultTimezone: () => undefined,
  });
  const set = (keyword: string, value: string | undefined, option: string) => {
    if (value === undefined) return;
    if (DATE_VALUE[format]?.test(value)) schema[keyword] = value;
    else ctx.warnings.push(`${path}/logicalTypeOptions/${option}: '${value}' is not a ${format}; ignored`);
  };
  if (typeof bounds.exclMin === 'string') set('formatExclusiveMinimum', bounds.exclMin, 'exclusiveMinimum');
  set(bounds.exclMin === true ? 'formatExclusiveMinimum' : 'formatMinimum', bounds.minimum, 'minimum');
  if (typeof bounds.exclMax === 'string') set('formatExclusiveMaximum', bounds.exclMax, 'exclusiveMaximum');
  set(bounds.exclMax === true ? 'formatExclusiveMaximum' : 'formatMaximum', bounds.maximum, 'maximum');
  return schema;
}

function numberSchema(type: 'number' | 'integer', options: Record<string, unknown>, path: string, ctx: Ctx) {
  const schema: JsonSchema = { type };
  const flags: { exclusiveMinimum?: boolean; exclusiveMaximum?: boolean } = {};
  const num = (key: string, value: unknown, p: string) => {
    if (check(ctx, typeof value === 'number', p, 'must be a number')) schema[key] = value;
  };
  const exclusive = (key: 'exclusiveMinimum' | 'exclusiveMaximum', value: unknown, p: string) => {
    if (typeof value === 'boolean')
      flags[key] = value; // ODCS v3.0.x: a flag on minimum/maximum
    else num(key, value, p); // ODCS v3.1.0: the bound itself, as in JSON Schema
  };
  readOptions(options, path, ctx, {
    minimum: num,
    maximum: num,
    exclusiveMinimum: (_k, v, p) => exclusive('exclusiveMinimum', v, p),
    exclusiveMaximum: (_k, v, p) => exclusive('exclusiveMaximum', v, p),
    multipleOf: (key, value, p) => {
      if (check(ctx, typeof value === 'number' && value > 0, p, 'must be a number > 0')) schema[key] = value;
    },
    format: () => undefined, // storage width (i32, f64…): nothing to check on JSON numbers
  });
  if (flags.exclusiveMinimum && typeof schema.minimum === 'number') {
    schema.exclusiveMinimum = schema.minimum;
    delete schema.minimum;
  }
  if (flags.exclusiveMaximum && typeof schema.maximum === 'number') {
    schema.exclusiveMaximum = schema.maximum;
    delete schema.maximum;
  }
  return schema;
}

function enumFromQuality(
  node: PropertyNode,
  path: string,
  ctx: Ctx,
): { values?: unknown[]; pattern?: string } {
  const found: { values?: unknown[]; pattern?: string } = {};
  (node.quality ?? []).forEach((rule, k) => {
    const rulePath = `${path}/quality/${k}`;
    const args = isRecord(rule.arguments) ? rule.arguments : {};
    if (rule.rule === 'validValues' && Array.isArray(rule.validValues)) {
      found.values = rule.validValues; // ODCS v3.0.x library rule
    } else if (
      rule.metric === 'invalidValues' &&
      (rule.mustBe === 0 || rule.mustBe === undefined) &&
      !Object.keys(rule).some((key) => key.startsWith('must') && key !== 'mustBe')
    ) {
      // ODCS v3.1.0 library metric: no invalid value allowed
      if (Array.isArray(args.validValues)) found.values = args.validValues;
      if (typeof args.pattern === 'string') found.pattern = args.pattern;
    } else if (rule.type !== 'text') {
      ctx.warnings.push(`${rulePath}: quality rule not enforced by Renkei; ignored`);
    }
  });
  return found;
}

function buildPropertySchema(node: PropertyNode, path: string, ctx: Ctx, nullable: boolean): JsonSchema {
  const logicalType =
    node.logicalType?.toLowerCase() ??
    (node.properties ? 'object' : node.items !== undefined ? 'array' : undefined);
  const options = optionsOf(node, path, ctx);
  let schema: JsonSchema;
  switch (logicalType) {
    case 'string':
      schema = stringSchema(options, path, ctx);
      break;
    case 'date':
    case 'timestamp':
    case 'time':
      schema = dateSchema(logicalType, node, options, path, ctx);
      break;
    case 'number':
    case 'integer':
      schema = numberSchema(logicalType, options, path, ctx);
      break;
    case 'boolean':
      readOptions(options, path, ctx, {});
      schema = { type: 'boolean' };
      break;
    case 'object':
      schema = buildObjectSchema(node.properties ?? [], `${path}/properties`, ctx, options, path);
      break;
    case 'array': {
      schema = { type: 'array' };
      if (node.items !== undefined) {
        const item = parseNode(node.items, `${path}/items`, ctx, false);
        if (item) schema.items = buildPropertySchema(item, `${path}/items`, ctx, false);
      }
      readOptions(options, path, ctx, {
        minItems: countOption(schema, ctx),
        maxItems: countOption(schema, ctx),
        uniqueItems: (key, value, p) => {
          if (check(ctx, typeof value === 'boolean', p, 'must be a boolean')) schema[key] = value;
        },
      });
      break;
    }
    case undefined:
      ctx.warnings.push(`${path}: no logicalType; any JSON value is accepted`);
      schema = {};
      break;
    default:
      ctx.issues.push({
        code: OdcsErrorCodes.unknownLogicalType,
        path: `${path}/logicalType`,
        message: `'${node.logicalType}' is not an ODCS v3 logicalType (string, date, timestamp, time, number, integer, object, array, boolean)`,
      });
      return {};
  }
  const { values, pattern } = enumFromQuality(node, path, ctx);
  if (pattern !== undefined && schema.pattern === undefined) schema.pattern = pattern;
  if (values) schema.enum = nullable && !values.includes(null) ? [...values, null] : values;
  if (nullable && typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  if (node.businessName !== undefined) schema.title = node.businessName;
  if (node.description !== undefined) schema.description = node.description;
  if (node.examples !== undefined) schema.examples = node.examples;
  return schema;
}

/** Undoes the "not required, so nullable" reading for a property an object's options list as required. */
function nonNullable(schema: JsonSchema) {
  if (Array.isArray(schema.type)) schema.type = schema.type.filter((t) => t !== 'null')[0];
  if (Array.isArray(schema.enum)) schema.enum = schema.enum.filter((v) => v !== null);
}

function buildObjectSchema(
  rawProperties: unknown[],
  propertiesPath: string,
  ctx: Ctx,
  options: Record<string, unknown> = {},
  path?: string,
): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  rawProperties.forEach((raw, i) => {
    const nodePath = `${propertiesPath}/${i}`;
    const node = parseNode(raw, nodePath, ctx, true);
    if (!node?.name) return;
    if (Object.hasOwn(properties, node.name)) {
      check(ctx, false, `${nodePath}/name`, `'${node.name}' is defined twice`);
      return;
    }
    const isRequired = node.required === true;
    properties[node.name] = buildPropertySchema(node, nodePath, ctx, !isRequired);
    if (isRequired) required.push(node.name);
  });
  const schema: JsonSchema = { type: 'object' };
  if (path !== undefined) {
    readOptions(options, path, ctx, {
      minProperties: countOption(schema, ctx),
      maxProperties: countOption(schema, ctx),
      required: (_k, value, p) => {
        if (!check(ctx, Array.isArray(value), p, 'must be a list of property names')) return;
        (value as unknown[]).forEach((name, j) => {
          const known = typeof name === 'string' && Object.hasOwn(properties, name);
          if (!check(ctx, known, `${p}/${j}`, 'names no property of this object')) return;
          if (!required.includes(name as string)) required.push(name as string);
          const property = properties[name as string];
          if (property) nonNullable(property);
        });
      },
    });
  }
  if (required.length > 0) schema.required = required;
  schema.properties = properties;
  schema.additionalProperties = false;
  return schema;
}

// ----- renkei.jsonSchema vs the ODCS properties -----

interface Shape {
  logicalType?: string;
  required?: boolean;
  properties?: Map<string, Shape>;
  items?: Shape;
}

function shapeOf(raw: unknown): Shape {
  if (!isRecord(raw)) return {};
  const shape: Shape = {};
  if (typeof raw.logicalType === 'string') shape.logicalType = raw.logicalType.toLowerCase();
  if (typeof raw.required === 'boolean') shape.required = raw.required;
  if (Array.isArray(raw.properties)) shape.properties = shapesOf(raw.properties);
  if (raw.items !== undefined) shape.items = shapeOf(raw.items);
  return shape;
}

function shapesOf(list: unknown[]): Map<string, Shape> {
  const map = new Map<string, Shape>();
  for (const raw of list) {
    if (isRecord(raw) && typeof raw.name === 'string') map.set(raw.name, shapeOf(raw));
  }
  return map;
}

function compareShapes(
  ours: Map<string, Shape>,
  theirs: Map<string, Shape>,
  rawList: unknown[],
  path: string,
  warnings: string[],
) {
  const index = new Map(rawList.map((raw, i) => [isRecord(raw) ? raw.name : undefined, i]));
  for (const [name, expected] of ours) {
    const actual = theirs.get(name);
    if (!actual) {
      warnings.push(`${path}: property '${name}' of renkei.jsonSchema is missing; the JSON Schema is used`);
      continue;
    }
    const i = index.get(name) ?? 0;
    const raw = rawList[i];
    compareShape(expected, actual, raw, `${path}/${i}`, warnings);
  }
  for (const name of theirs.keys()) {
    if (!ours.has(name)) {
      warnings.push(
        `${path}/${index.get(name) ?? 0}: property '${name}' is not in renkei.jsonSchema; the JSON Schema is used`,
      );
    }
  }
}

function compareShape(expected: Shape, actual: Shape, raw: unknown, path: string, warnings: string[]) {
  const differs = (what: string, a: unknown, e: unknown) =>
    warnings.push(
      `${path}/${what} is ${JSON.stringify(a)} but renkei.jsonSchema says ${JSON.stringify(e)}; the JSON Schema is used`,
    );
  const actualType =
    actual.logicalType === 'timestamp' || actual.logicalType === 'time' ? 'date' : actual.logicalType;
  if (actualType !== expected.logicalType) differs('logicalType', actual.logicalType, expected.logicalType);
  if (expected.required !== undefined && (actual.required ?? false) !== expected.required) {
    differs('required', actual.required ?? false, expected.required);
  }
  const record = isRecord(raw) ? raw : {};
  if (expected.properties) {
    compareShapes(
      expected.properties,
      actual.properties ?? new Map<string, Shape>(),
      Array.isArray(record.properties) ? record.properties : [],
      `${path}/properties`,
      warnings,
    );
  }
  if (expected.items && actual.items)
    compareShape(expected.items, actual.items, record.items, `${path}/items`, warnings);
}

// ----- field terms -----

const TAG_SYNONYMS: Record<string, FieldTag> = { pii: 'personal' };

function fieldTermsOf(node: PropertyNode, path: string, ctx: Ctx): FieldTerms | undefined {
  const custom = customPropertyMap(node.customProperties, `${path}/customProperties`);
  const tagsEntry = custom.get(RenkeiProperties.tags);
  const residencyEntry = custom.get(RenkeiProperties.residency);
  const descriptionEntry = custom.get(RenkeiProperties.description);
  let tags: FieldTag[];
  if (tagsEntry) {
    const value = tagsEntry.value;
    const ok = Array.isArray(value) && value.every((t) => (FieldTags as readonly unknown[]).includes(t));
    if (!ok) {
      throw invalid(
        tagsEntry.path,
        `must be a list of ${FieldTags.join(', ')}`,
        `Tag fields with: ${FieldTags.join(', ')}`,
      );
    }
    tags = [...new Set(value as FieldTag[])];
  } else {
    const known = (node.tags ?? [])
      .map((t) => t.toLowerCase())
      .map((t) => TAG_SYNONYMS[t] ?? t)
      .filter((t): t is FieldTag => (FieldTags as readonly string[]).includes(t));
    tags = [...new Set(known)];
    if ((node.tags ?? []).some((t) => t.toLowerCase() in TAG_SYNONYMS)) {
      ctx.warnings.push(`${path}/tags: 'pii' read as the Renkei field tag 'personal'`);
    }
  }
  if (!tagsEntry && !residencyEntry && !descriptionEntry && tags.length === 0) return undefined;
  const field: FieldTerms = { tags };
  if (residencyEntry) field.residency = readCountry(residencyEntry, RenkeiProperties.residency);
  if (descriptionEntry) {
    const value = descriptionEntry.value;
    if (value !== null && typeof value !== 'string') {
      throw invalid(descriptionEntry.path, 'must be a string or null', 'Describe the field in plain text');
    }
    field.description = value;
  }
  return field;
}

function sensitivityOf(
  custom: ReturnType<typeof customPropertyMap>,
  nodes: { node: PropertyNode; path: string }[],
  ctx: Ctx,
): Sensitivity {
  const explicit = readEnum(
    custom.get(RenkeiProperties.sensitivity),
    Sensitivities,
    RenkeiProperties.sensitivity,
  );
  if (explicit) return explicit;
  const ranked = nodes
    .map(({ node }) => node.classification?.toLowerCase())
    .filter((c): c is Sensitivity => (Sensitivities as readonly (string | undefined)[]).includes(c))
    .sort((a, b) => Sensitivities.indexOf(b) - Sensitivities.indexOf(a));
  const highest = ranked[0];
  if (highest) {
    ctx.warnings.push(
      `/customProperties: no ${RenkeiProperties.sensitivity}; '${highest}' taken from the highest property classification`,
    );
    return highest;
  }
  ctx.warnings.push(`/customProperties: no ${RenkeiProperties.sensitivity}; 'internal' is used`);
  return 'internal';
}

/**
 * Reads an ODCS v3 document as contract registration input: a string is parsed as YAML (JSON is YAML too),
 * anything else is taken as the parsed document.
 * Throws a 400 naming the failing JSON Pointer (codes in the module comment); `warnings` list everything
 * that was defaulted, derived or ignored.
 */
export function importOdcs(
  doc: unknown,
  limits: SchemaLimits = DEFAULT_SCHEMA_LIMITS,
): { contract: ContractDraft; warnings: string[] } {
  const raw = typeof doc === 'string' ? parseText(doc) : doc;
  if (!isRecord(raw)) {
    throw invalid('', 'must be a YAML/JSON object', 'Send one ODCS v3 document (a map at the top level)');
  }
  if (raw.apiVersion === undefined) {
    throw invalid('/apiVersion', 'is required', `Set apiVersion: ${ODCS_API_VERSION}`);
  }
  if (!(ODCS_SUPPORTED_API_VERSIONS as readonly unknown[]).includes(raw.apiVersion)) {
    throw badRequest(
      OdcsErrorCodes.unsupportedVersion,
      'The ODCS version of the document is not supported',
      [
        {
          path: '/apiVersion',
          message: `${JSON.stringify(raw.apiVersion)} is not one of ${ODCS_SUPPORTED_API_VERSIONS.join(', ')}`,
        },
      ],
      'Upgrade the document to ODCS v3 (apiVersion v3.0.2 or v3.1.0); v2 documents use another structure',
    );
  }
  if (raw.kind !== ODCS_KIND) {
    throw invalid('/kind', `must be '${ODCS_KIND}'`, `Set kind: ${ODCS_KIND}`);
  }
  const parsed = DocumentSchema.safeParse(raw);
  if (!parsed.success) {
    throw badRequest(
      OdcsErrorCodes.invalidDocument,
      'The ODCS document is not valid',
      parsed.error.issues.map((i) => ({ path: pointer(i.path), message: i.message })),
      'Fix the fields listed in `errors`; ODCS requires apiVersion, kind, id, version and status',
    );
  }
  const document = parsed.data;
  const ctx: Ctx = { warnings: [], issues: [] };
  for (const key of Object.keys(raw)) {
    if (!KNOWN_TOP_LEVEL.has(key)) ctx.warnings.push(`${pointer([key])}: not an ODCS v3 field; ignored`);
  }

  if (!isSemver(document.version)) {
    throw badRequest(
      OdcsErrorCodes.invalidVersion,
      'The contract version is not a semantic version',
      [{ path: '/version', message: `'${document.version}' is not MAJOR.MINOR.PATCH` }],
      'Version contracts with semantic versions, e.g. version: 1.0.0',
    );
  }

  const custom = customPropertyMap(document.customProperties, '/customProperties');
  const dataset = datasetIdOf(document, custom, ctx);

  const objects = document.schema ?? [];
  const object = objects[0];
  if (!object || objects.length > 1) {
    throw badRequest(
      OdcsErrorCodes.missingSchema,
      'A Renkei contract needs exactly one schema object',
      [
        object
          ? { path: '/schema/1', message: 'a contract describes one event payload; found more objects' }
          : { path: '/schema', message: 'needs one object describing the event payload' },
      ],
      'Describe the payload as one schema object; split other objects into contracts of their own',
    );
  }
  if (object.logicalType !== undefined && object.logicalType !== 'object') {
    throw invalid('/schema/0/logicalType', "must be 'object'", 'A schema object has logicalType: object');
  }

  const rawProperties = object.properties ?? [];
  const objectCustom = customPropertyMap(object.customProperties, '/schema/0/customProperties');
  const stored = objectCustom.get(RenkeiProperties.jsonSchema);
  // The properties are always checked; what reading them defaulted only matters when they are the schema.
  const before = ctx.warnings.length;
  const built = buildObjectSchema(rawProperties, '/schema/0/properties', ctx);
  if (ctx.issues.length > 0) {
    throwIssues(
      ctx.issues,
      'Fix the listed ODCS properties (logicalType: string, date, timestamp, time, number, integer, object, array or boolean)',
    );
  }
  if (stored) ctx.warnings.length = before;

  let schema: Record<string, unknown>;
  if (stored) {
    assertCompilableSchema(stored.value, stored.path, limits);
    schema = stored.value as Record<string, unknown>;
    compareShapes(
      shapesOf(odcsPropertiesOf(schema)),
      shapesOf(rawProperties),
      rawProperties,
      '/schema/0/properties',
      ctx.warnings,
    );
  } else {
    assertCompilableSchema(built, '/schema/0/properties', limits);
    schema = built;
  }

  const topNodes = rawProperties
    .map((rawNode, i) => ({ node: PropertyNodeSchema.parse(rawNode), path: `/schema/0/properties/${i}` }))
    .filter(({ node }) => node.name !== undefined);
  const schemaProperties = isRecord(schema.properties) ? schema.properties : {};
  const fields: Record<string, FieldTerms> = {};
  for (const { node, path } of topNodes) {
    const field = fieldTermsOf(node, path, ctx);
    if (!field || node.name === undefined) continue;
    if (!Object.hasOwn(schemaProperties, node.name)) {
      ctx.warnings.push(
        `${path}: field terms of '${node.name}' dropped; renkei.jsonSchema has no such property`,
      );
      continue;
    }
    fields[node.name] = field;
  }

  const statusKey = document.status.toLowerCase();
  const status = STATUS_MAP[statusKey] ?? 'draft';
  if (!(statusKey in STATUS_MAP))
    ctx.warnings.push(`/status '${document.status}' is not an ODCS status; draft is used`);
  if (statusKey === 'proposed') ctx.warnings.push("/status 'proposed' is read as draft");

  const title = document.name ?? document.dataProduct ?? dataset;
  if (document.name === undefined) ctx.warnings.push(`/name is absent: title '${title}' is used`);

  const purposes = purposesOf(custom);
  const sensitivity = sensitivityOf(custom, topNodes, ctx);
  const residency = readCountry(custom.get(RenkeiProperties.residency), RenkeiProperties.residency);
  const retentionDays = retentionOf(document, ctx);
  // No default: a dataset's mode is set with its first version (the registry's default applies then), and a
  // document without renkei.compatibility must not ask to change an existing dataset's mode.
  const compatibility: CompatibilityMode | undefined = readEnum(
    custom.get(RenkeiProperties.compatibility),
    CompatibilityModes,
    RenkeiProperties.compatibility,
  );
  const visibility: Visibility =
    readEnum(custom.get(RenkeiProperties.visibility), Visibilities, RenkeiProperties.visibility) ??
    'consortium';
  const invitedEntry = custom.get(RenkeiProperties.invited);
  if (
    invitedEntry &&
    !(Array.isArray(invitedEntry.value) && invitedEntry.value.every((v) => typeof v === 'string'))
  ) {
    throw invalid(invitedEntry.path, 'must be a list of participant ids', 'List the invited participant ids');
  }

  const contract: ContractDraft = {
    dataset,
    version: document.version,
    status,
    title,
    description: document.description?.purpose ?? null,
    domain: mapDomain(document.domain, ctx.warnings),
    purposes,
    sensitivity,
    residency,
    retentionDays,
    ...(compatibility ? { compatibility } : {}),
    visibility,
    ...(invitedEntry ? { invited: [...(invitedEntry.value as string[])] } : {}),
    fields,
    schema,
  };
  return { contract, warnings: ctx.warnings };
}
