/** ODCS v3.0.0 – v3.1.0 document (YAML, JSON or parsed) → contract registration input, with warnings. */
import { parse } from 'yaml';
import {
  Approvals,
  assertCompilableSchema,
  badRequest,
  CompatibilityModes,
  DEFAULT_SCHEMA_LIMITS,
  isSemver,
  pointer,
  Visibilities,
  type Approval,
  type CompatibilityMode,
  type ContractSource,
  type FieldTerms,
  type SchemaLimits,
  type Visibility,
} from '@renkei/domain';
import {
  DocumentSchema,
  KNOWN_TOP_LEVEL,
  STATUS_MAP,
  datasetIdOf,
  mapDomain,
  purposesOf,
  retentionOf,
} from './document.js';
import { fieldTermsOf, sensitivityOf } from './field-terms.js';
import {
  customPropertyMap,
  invalid,
  readCountry,
  readEnum,
  throwIssues,
  type Ctx,
} from './import-context.js';
import { isRecord } from './json.js';
import { buildObjectSchema, PropertyNodeSchema } from './odcs-to-schema.js';
import { odcsPropertiesOf } from './schema-to-odcs.js';
import { compareShapes, shapesOf } from './shape-check.js';
import {
  ODCS_API_VERSION,
  ODCS_KIND,
  ODCS_SUPPORTED_API_VERSIONS,
  OdcsErrorCodes,
  RenkeiProperties,
  type ContractDraft,
} from './types.js';

/** `renkei.source`: {agreementId, provider, dataset}, strings each; anything else is a 400 naming it. */
function sourceOf(entry: { value: unknown; path: string } | undefined): ContractSource | undefined {
  if (!entry) return undefined;
  const v = entry.value;
  const str = (x: unknown) => typeof x === 'string' && x.length > 0 && x.length <= 512;
  if (isRecord(v) && str(v.agreementId) && str(v.provider) && str(v.dataset)) {
    return {
      agreementId: v.agreementId as string,
      provider: v.provider as string,
      dataset: v.dataset as string,
    };
  }
  throw invalid(
    entry.path,
    'must be {agreementId, provider, dataset} with non-empty strings',
    'Name the agreement the dataset is received under and the provider participant',
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
  const approval: Approval =
    readEnum(custom.get(RenkeiProperties.approval), Approvals, RenkeiProperties.approval) ?? 'originator';
  const source = sourceOf(custom.get(RenkeiProperties.source));
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
    approval,
    ...(source ? { source } : {}),
    fields,
    schema,
  };
  return { contract, warnings: ctx.warnings };
}
