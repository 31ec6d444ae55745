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
 * | approval                   | customProperty `renkei.approval` (`originator` or `policy`; absent: originator) |
 * | source (a received dataset) | customProperty `renkei.source` {agreementId, provider, dataset}                 |
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
 * property `classification` we know, else `internal` (warning), visibility consortium, approval originator. Without
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
 *
 * Layout of `odcs/`: `types.ts` (document types, `renkei.*` names, error codes), `schema-to-odcs.ts` and
 * `export.ts` (export), `import.ts` reading the top level through `document.ts`, the properties through
 * `odcs-to-schema.ts`, field terms through `field-terms.ts`, and comparing a stored `renkei.jsonSchema`
 * with its properties in `shape-check.ts`; `import-context.ts` holds what the import steps share.
 */

export { exportOdcs, exportOdcsYaml } from './odcs/export.js';
export { importOdcs } from './odcs/import.js';
export { odcsPropertiesOf } from './odcs/schema-to-odcs.js';
export {
  contractUrls,
  ODCS_API_VERSION,
  ODCS_KIND,
  ODCS_SUPPORTED_API_VERSIONS,
  odcsContractId,
  OdcsErrorCodes,
  RenkeiProperties,
  type ContractDraft,
  type ContractOwnerRef,
  type OdcsAuthoritativeDefinition,
  type OdcsCustomProperty,
  type OdcsDocument,
  type OdcsLogicalType,
  type OdcsProperty,
  type OdcsQualityRule,
  type OdcsRole,
  type OdcsSchemaObject,
  type OdcsSlaProperty,
  type OdcsTeamMember,
} from './odcs/types.js';
