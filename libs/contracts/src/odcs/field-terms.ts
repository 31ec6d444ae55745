/** Field terms (tags, residency, description) and the dataset sensitivity read from ODCS properties. */
import { FieldTags, Sensitivities, type FieldTag, type FieldTerms, type Sensitivity } from '@renkei/domain';
import { customPropertyMap, invalid, readCountry, readEnum, type Ctx } from './import-context.js';
import type { PropertyNode } from './odcs-to-schema.js';
import { RenkeiProperties } from './types.js';

const TAG_SYNONYMS: Record<string, FieldTag> = { pii: 'personal' };

export function fieldTermsOf(node: PropertyNode, path: string, ctx: Ctx): FieldTerms | undefined {
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

export function sensitivityOf(
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
