/** Checks for arrays (items, prefixItems, counts, uniqueness) and objects (properties, required, additionalProperties). */
import { compilePattern, isObject, pointerToken } from './json.js';
import { report, sides, summarize, trial, type Ctx, type Finding } from './report.js';
import { checkCountBounds, tightestBound } from './scalars.js';
import {
  child,
  flatten,
  keywordPath,
  patternKeys,
  propertyNodes,
  type ObjectNode,
  type SchemaNode,
} from './schema-nodes.js';

// ---------------------------------------------------------------------------------------------------------
// Arrays
// ---------------------------------------------------------------------------------------------------------

export function checkArrays(
  ctx: Ctx,
  narrow: readonly ObjectNode[],
  wide: readonly ObjectNode[],
  field: string,
): void {
  checkCountBounds(ctx, narrow, wide, field, { min: 'minItems', max: 'maxItems', unit: 'items' });
  checkUniqueItems(ctx, narrow, wide, field);
  checkItems(ctx, narrow, wide, field);
}

function checkUniqueItems(
  ctx: Ctx,
  narrow: readonly ObjectNode[],
  wide: readonly ObjectNode[],
  field: string,
): void {
  const holder = (nodes: readonly ObjectNode[]): ObjectNode | undefined =>
    nodes.find((node) => node.schema.uniqueItems === true);
  const wideHolder = holder(wide);
  if (!wideHolder || holder(narrow)) return;
  const narrowMax = tightestBound(narrow, 'upper', 'maxItems');
  if (narrowMax && narrowMax.value <= 1) return; // zero or one item cannot repeat
  const narrowAt = narrow.find((node) => Object.hasOwn(node.schema, 'uniqueItems'));
  report(ctx, {
    kind: ['CONSTRAINT_TIGHTENED', 'CONSTRAINT_LOOSENED'],
    field,
    narrowAt: narrowAt && keywordPath(narrowAt, 'uniqueItems'),
    wideAt: keywordPath(wideHolder, 'uniqueItems'),
    change: ctx.direction === 'BACKWARD' ? 'uniqueItems added' : 'uniqueItems removed',
    lost: 'with duplicate items',
  });
}

/** The subschemas that apply to array position `index` in each conjunct (prefixItems, else items). */
function positionNodes(nodes: readonly ObjectNode[], index: number): SchemaNode[] {
  return nodes.flatMap((node) => {
    const prefix = node.schema.prefixItems;
    const own =
      Array.isArray(prefix) && index < prefix.length ? child(node, 'prefixItems', index) : undefined;
    const applied = own ?? child(node, 'items');
    return applied ? [applied] : [];
  });
}

function prefixLength(nodes: readonly ObjectNode[]): number {
  return Math.max(
    0,
    ...nodes.map((node) => (Array.isArray(node.schema.prefixItems) ? node.schema.prefixItems.length : 0)),
  );
}

/**
 * Position by position: the tuple positions either side declares (`/lines/0`), then every later item
 * (`/lines/*`). A position the narrow side cannot fill ends the check: its arrays are never that long.
 */
function checkItems(
  ctx: Ctx,
  narrow: readonly ObjectNode[],
  wide: readonly ObjectNode[],
  field: string,
): void {
  const narrowMax = tightestBound(narrow, 'upper', 'maxItems')?.value ?? Infinity;
  const tuple = Math.max(prefixLength(narrow), prefixLength(wide));
  for (let index = 0; index <= tuple; index++) {
    if (index >= narrowMax) return;
    const rest = index === tuple;
    const narrowNodes = rest
      ? narrow.flatMap((node) => child(node, 'items') ?? [])
      : positionNodes(narrow, index);
    const wideNodes = rest ? wide.flatMap((node) => child(node, 'items') ?? []) : positionNodes(wide, index);
    if (rest && narrowNodes.length === 0 && wideNodes.length === 0) return;
    if (flatten(narrowNodes).unsat) return;
    const itemField = `${field}/${rest ? '*' : index}`;
    const closed = flatten(wideNodes).unsat;
    if (closed) {
      const backward = ctx.direction === 'BACKWARD';
      report(ctx, {
        kind: ['CONSTRAINT_TIGHTENED', 'CONSTRAINT_LOOSENED'],
        field: itemField,
        narrowAt: narrowNodes[0]?.path,
        wideAt: closed.path,
        change: backward
          ? `no longer allowed (arrays limited to ${index} items)`
          : `now allowed (arrays were limited to ${index} items)`,
        lost: `with more than ${index} items`,
      });
      return;
    }
    ctx.check(narrowNodes, wideNodes, itemField);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------------------------------------

interface ObjectSide {
  nodes: readonly ObjectNode[];
  required: Map<string, string>;
}

function objectSide(nodes: readonly ObjectNode[]): ObjectSide {
  const required = new Map<string, string>();
  for (const node of nodes) {
    const list = node.schema.required;
    if (!Array.isArray(list)) continue;
    for (const name of list) {
      if (typeof name === 'string' && !required.has(name)) required.set(name, keywordPath(node, 'required'));
    }
  }
  return { nodes, required };
}

function declaration(nodes: readonly ObjectNode[], name: string): string | undefined {
  const holder = nodes.find(
    (node) => isObject(node.schema.properties) && Object.hasOwn(node.schema.properties, name),
  );
  return holder && keywordPath(holder, 'properties', name);
}

function additionalPath(nodes: readonly ObjectNode[]): string | undefined {
  const holder = nodes.find((node) => Object.hasOwn(node.schema, 'additionalProperties'));
  return holder && keywordPath(holder, 'additionalProperties');
}

export function checkObjects(
  ctx: Ctx,
  narrowNodes: readonly ObjectNode[],
  wideNodes: readonly ObjectNode[],
  field: string,
): void {
  const narrow = objectSide(narrowNodes);
  const wide = objectSide(wideNodes);
  const names = new Set<string>();
  for (const side of [narrow, wide]) {
    for (const node of side.nodes) {
      if (isObject(node.schema.properties))
        Object.keys(node.schema.properties).forEach((name) => names.add(name));
    }
    side.required.forEach((_, name) => names.add(name));
  }
  for (const name of names) checkProperty(ctx, narrow, wide, name, field);
  checkUndeclared(ctx, narrow.nodes, wide.nodes, field);
  checkCountBounds(ctx, narrow.nodes, wide.nodes, field, {
    min: 'minProperties',
    max: 'maxProperties',
    unit: 'properties',
  });
}

function checkProperty(ctx: Ctx, narrow: ObjectSide, wide: ObjectSide, name: string, field: string): void {
  const propertyField = `${field}/${pointerToken(name)}`;
  const narrowNodes = propertyNodes(narrow.nodes, name);
  const wideNodes = propertyNodes(wide.nodes, name);
  const decl = { narrow: declaration(narrow.nodes, name), wide: declaration(wide.nodes, name) };
  const allowed = { narrow: !flatten(narrowNodes).unsat, wide: !flatten(wideNodes).unsat };

  checkRequired(ctx, narrow, wide, name, propertyField, decl);
  if (!allowed.narrow) return; // the narrow side never carries this field
  if (!allowed.wide) {
    reportForbidden(ctx, propertyField, decl, {
      narrow: additionalPath(narrow.nodes),
      wide: additionalPath(wide.nodes),
    });
    return;
  }
  if ((decl.narrow === undefined) === (decl.wide === undefined)) {
    ctx.check(narrowNodes, wideNodes, propertyField);
    return;
  }
  // Declared on one side only: the other side governs it through additionalProperties / patternProperties.
  const inner = trial(ctx, () => ctx.check(narrowNodes, wideNodes, propertyField));
  if (inner.length > 0) reportDeclarationChange(ctx, propertyField, decl, summarize(inner, propertyField));
}

function checkRequired(
  ctx: Ctx,
  narrow: ObjectSide,
  wide: ObjectSide,
  name: string,
  field: string,
  decl: { narrow: string | undefined; wide: string | undefined },
): void {
  const requiredAt = wide.required.get(name);
  if (requiredAt === undefined || narrow.required.has(name)) return;
  const backward = ctx.direction === 'BACKWARD';
  const narrowRequired = narrow.nodes.find((node) => Array.isArray(node.schema.required));
  const base: Omit<Finding, 'kind' | 'change'> = {
    field,
    narrowAt: narrowRequired && keywordPath(narrowRequired, 'required'),
    wideAt: requiredAt,
    lost: 'that omit it',
  };
  if (backward) {
    const change = decl.narrow ? 'made required' : 'added as a required field';
    report(ctx, { ...base, kind: 'FIELD_MADE_REQUIRED', change });
  } else if (decl.narrow === undefined && decl.wide !== undefined) {
    // The next version no longer declares a field the previous one required.
    report(ctx, {
      ...base,
      kind: 'FIELD_REMOVED',
      narrowAt: undefined,
      wideAt: decl.wide,
      change: `removed, although version ${ctx.prev} requires it`,
    });
  } else {
    report(ctx, { ...base, kind: 'REQUIRED_FIELD_MADE_OPTIONAL', change: 'made optional' });
  }
}

/** The narrow side allows the field, the wide side allows no value for it at all. */
function reportForbidden(
  ctx: Ctx,
  field: string,
  decl: { narrow: string | undefined; wide: string | undefined },
  additional: { narrow: string | undefined; wide: string | undefined },
): void {
  let change: string;
  if (ctx.direction === 'BACKWARD') {
    change = decl.wide
      ? 'forbidden (its schema is now false)'
      : decl.narrow
        ? `removed, and version ${ctx.next} does not allow undeclared fields`
        : `no longer allowed: version ${ctx.next} does not allow undeclared fields`;
  } else {
    const refusal = decl.wide ? 'it (its schema there is false)' : 'undeclared fields';
    change = decl.narrow
      ? `added, but version ${ctx.prev} does not allow ${refusal}`
      : `allowed as an undeclared field, but version ${ctx.prev} does not allow ${refusal}`;
  }
  report(ctx, {
    kind: ['FIELD_REMOVED', 'FIELD_ADDED_TO_CLOSED_OBJECT'],
    field,
    // A removed field points at its declaration in the previous version, unless the next version forbids it
    // explicitly or through its additionalProperties; an added field points at its new declaration.
    narrowAt: decl.narrow ?? additional.narrow,
    wideAt: decl.wide ?? (decl.narrow === undefined ? additional.wide : undefined),
    change,
    lost: 'that include it',
  });
}

/**
 * A field declared in one version only: in the other it falls under additionalProperties (or a pattern),
 * whose schema disagrees with the declaration. One finding for the field, naming the inner reasons.
 */
function reportDeclarationChange(
  ctx: Ctx,
  field: string,
  decl: { narrow: string | undefined; wide: string | undefined },
  reasons: string,
): void {
  const { prev: prevDecl } = sides(ctx, decl.narrow, decl.wide);
  const removed = prevDecl !== undefined; // declared in the previous version, not in the next
  const backward = ctx.direction === 'BACKWARD';
  let change: string;
  if (removed) {
    change = backward
      ? `removed, and version ${ctx.next} checks it as an undeclared field (additionalProperties), which rejects values version ${ctx.prev} allowed (${reasons})`
      : `removed, but version ${ctx.next} still accepts it as an undeclared field, with values version ${ctx.prev} rejects (${reasons})`;
  } else {
    change = backward
      ? `added, but version ${ctx.prev} already accepted it as an undeclared field, with values version ${ctx.next} now rejects (${reasons})`
      : `added with values that version ${ctx.prev} rejects for undeclared fields (additionalProperties) (${reasons})`;
  }
  report(ctx, {
    kind: removed ? 'FIELD_REMOVED' : 'FIELD_ADDED_TO_OPEN_OBJECT',
    field,
    // Both point at the declaring side: the removed declaration (previous) or the added one (next).
    narrowAt: decl.narrow ?? decl.wide,
    wideAt: decl.wide ?? decl.narrow,
    change,
    lost: 'that carry it with such a value',
  });
}

/** Properties neither side declares: patternProperties, then additionalProperties. */
function checkUndeclared(
  ctx: Ctx,
  narrow: readonly ObjectNode[],
  wide: readonly ObjectNode[],
  field: string,
): void {
  const itemField = `${field}/*`;
  const patterns = (nodes: readonly ObjectNode[]): Set<string> => new Set(nodes.flatMap(patternKeys));
  const rest = (nodes: readonly ObjectNode[]): SchemaNode[] =>
    nodes.flatMap((node) => child(node, 'additionalProperties') ?? []);
  const narrowPatterns = patterns(narrow);
  const widePatterns = patterns(wide);
  const narrowRest = rest(narrow);
  const wideRest = rest(wide);
  // Nothing to compare when the narrow side allows no undeclared fields at all, or the wide side allows any.
  if (narrowPatterns.size === 0 && flatten(narrowRest).unsat) return;
  const wideRestFlat = flatten(wideRest);
  const wideAcceptsAll =
    widePatterns.size === 0 &&
    !wideRestFlat.unsat &&
    wideRestFlat.nodes.length === 0 &&
    wideRestFlat.unresolved.length === 0;
  if (wideAcceptsAll) return;
  // Identical pattern sets are compared pattern by pattern; anything else (or a pattern that is not a valid
  // regular expression, so which names it covers is unknown) cannot be proven and is reported.
  const samePatterns =
    narrowPatterns.size === widePatterns.size &&
    [...narrowPatterns].every((p) => widePatterns.has(p) && compilePattern(p) !== undefined);
  if (!samePatterns) {
    const holder = (nodes: readonly ObjectNode[]): string | undefined => {
      const node = nodes.find((n) => patternKeys(n).length > 0);
      return node && keywordPath(node, 'patternProperties');
    };
    const { prev, next } = sides(ctx, [...narrowPatterns], [...widePatterns]);
    report(ctx, {
      kind: 'UNSUPPORTED_KEYWORD_CHANGED',
      field: itemField,
      narrowAt: holder(narrow),
      wideAt: holder(wide),
      change: `patternProperties changed from [${prev.join(', ')}] to [${next.join(', ')}]`,
      lost: '',
      consequence:
        "cannot prove compatibility of keyword 'patternProperties'; changed property-name patterns are treated as breaking to stay safe",
    });
  } else {
    for (const pattern of narrowPatterns) {
      const select = (nodes: readonly ObjectNode[]): SchemaNode[] =>
        nodes.flatMap((node) => child(node, 'patternProperties', pattern) ?? []);
      ctx.check(select(narrow), select(wide), itemField);
    }
  }
  if (flatten(narrowRest).unsat) return;
  const closed = wideRestFlat.unsat;
  if (closed) {
    report(ctx, {
      kind: ['ADDITIONAL_PROPERTIES_CLOSED', 'ADDITIONAL_PROPERTIES_OPENED'],
      field: itemField,
      narrowAt: additionalPath(narrow),
      wideAt: closed.path,
      change:
        ctx.direction === 'BACKWARD'
          ? 'no longer allows undeclared fields (additionalProperties: false)'
          : 'now allows undeclared fields (additionalProperties: false was lifted)',
      lost: 'that include undeclared fields',
    });
    return;
  }
  ctx.check(narrowRest, wideRest, itemField);
}
