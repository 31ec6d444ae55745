import {
  minimumProtection,
  pointer,
  Sensitivities,
  type ContractTerms,
  type ErrorDetail,
  type FieldTag,
  type Sensitivity,
} from '@renkei/domain';

/** The terms a participant submits for a contract version (owner and status are the registry's). */
type SubmittedTerms = Omit<ContractTerms, 'owner' | 'status' | 'dataset' | 'version'>;

const rank = (s: Sensitivity) => Sensitivities.indexOf(s);

/**
 * Rules a contract's terms must satisfy beyond their shape. Each violation names the JSON Pointer of the
 * failing part and what to do. The policies rely on these: e.g. health data is always field-encrypted.
 */
export function contractTermViolations(draft: SubmittedTerms): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const properties = (draft.schema.properties ?? {}) as Record<string, unknown>;
  if (draft.schema.type !== 'object') {
    details.push({
      path: '/schema/type',
      message: "must be 'object': an event payload is a JSON object whose fields the terms can tag",
    });
  }
  for (const [name, field] of Object.entries(draft.fields)) {
    if (!(name in properties)) {
      details.push({ path: pointer(['fields', name]), message: `'${name}' is not a property of the schema` });
    }
    if (field.tags.includes('competitive') && field.tags.includes('cooperative')) {
      details.push({
        path: pointer(['fields', name, 'tags']),
        message: "a field is either 'competitive' or 'cooperative', not both",
      });
    }
  }
  const tagged = (tag: FieldTag) =>
    Object.entries(draft.fields)
      .filter(([, f]) => f.tags.includes(tag))
      .map(([name]) => name);

  const needsRestricted =
    draft.domain === 'health'
      ? 'health data'
      : tagged('sensitive-personal').length > 0
        ? `sensitive personal data (fields ${tagged('sensitive-personal').join(', ')})`
        : null;
  if (needsRestricted && draft.sensitivity !== 'restricted') {
    details.push({
      path: '/sensitivity',
      message: `${needsRestricted} must be 'restricted' (minimum protection: ${minimumProtection('restricted')}), not '${draft.sensitivity}'`,
    });
  } else if (tagged('personal').length > 0 && rank(draft.sensitivity) < rank('confidential')) {
    details.push({
      path: '/sensitivity',
      message: `personal data (fields ${tagged('personal').join(', ')}) must be at least 'confidential', not '${draft.sensitivity}'`,
    });
  }
  if ((draft.visibility ?? 'consortium') === 'consortium' && (draft.invited ?? []).length > 0) {
    details.push({
      path: '/invited',
      message: "invitations only apply to visibility 'invited'; the dataset is visible to every member",
    });
  }
  return details;
}

/** Every tag on any field, sorted: the catalog searches these. */
export function tagsOf(fields: ContractTerms['fields']): string[] {
  return [...new Set(Object.values(fields).flatMap((f) => f.tags))].sort();
}
