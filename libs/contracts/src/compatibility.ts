/**
 * Schema evolution checks for data contracts (JSON Schema 2020-12).
 *
 * Semantics. A schema S is the set Valid(S) of JSON payloads it accepts.
 * - BACKWARD: Valid(previous) ⊆ Valid(next). Consumers on the new schema can read everything produced under
 *   the previous one (so consumers may upgrade first).
 * - FORWARD: Valid(next) ⊆ Valid(previous). Consumers still on the previous schema can read everything
 *   produced under the new one (so producers may upgrade first).
 * - FULL: both. `_TRANSITIVE`: against every earlier version, not only the latest. NONE: no check.
 *
 * Both directions reduce to one question, answered by `subsetBreaks(narrow, wide)`: is every payload valid
 * under `narrow` also valid under `wide`? Under BACKWARD narrow = previous and wide = next; under FORWARD the
 * other way round. Every place where that cannot be proven becomes a `SchemaBreak`, phrased as a change from
 * the previous to the next version ("maximum lowered from 1000 to 500", "enum value 'NMC' added") plus who
 * it breaks ("payloads from version 1.2.0 with a value above 500 would be rejected by version 1.3.0").
 *
 * The proof is structural and conservative: a reported break may occasionally be a change that is in fact
 * harmless but cannot be proven so (e.g. a rewritten but equivalent `pattern`); a change that is not
 * compatible is never passed. Choices worth knowing:
 * - `pattern`, `format`: only the identical keyword (or its removal in the widening direction) is compatible.
 * - Annotations (`title`, `description`, `examples`, `$comment`, `default`, `deprecated`, `readOnly`,
 *   `writeOnly`, `$schema`, `$id`, content*) never matter.
 * - `additionalProperties` absent means any undeclared field with any value is allowed. So under BACKWARD,
 *   declaring a new field in an open object breaks (an old payload could carry that field with another
 *   value); in a closed object (`additionalProperties: false`) it does not.
 * - `$ref` is resolved inside the same document (`#/$defs/…`, `#anchor`), with cycles handled; sibling
 *   keywords of `$ref` and `allOf` members are combined as a conjunction.
 * - `anyOf`/`oneOf` on the narrow side: each alternative must fit. On the wide side: the values must fit one
 *   alternative (for `oneOf` provably only one). An unchanged union is always fine.
 * - `enum`/`const` on the narrow side: each listed value is validated against the wide schema exactly.
 * - Other 2020-12 assertions (`not`, `if`/`then`/`else`, `contains`, `propertyNames`, `dependent*`) must be
 *   identical where the wide side has them (dropping one in the widening direction only widens, so it
 *   passes); `unevaluated*` and `$dynamicRef` only pass in an unchanged subschema; keywords outside 2020-12
 *   pass only when identical on both sides. Otherwise: UNSUPPORTED_KEYWORD_CHANGED.
 * - A `$ref` that cannot be resolved locally is treated as breaking on the wide side.
 * - Work is capped per version pair; a schema too large to analyse is reported (never passed).
 *
 * The spec checks soundness as a property: on generated schema pairs, whenever no break is reported, no
 * generated payload is accepted by the narrow side and rejected (by Ajv) on the wide side.
 */
import type { CompatibilityMode } from '@renkei/domain';
import { fieldLabel, report, type Direction, type SchemaBreak } from './compatibility/report.js';
import { nodeAt } from './compatibility/schema-nodes.js';
import { createContext } from './compatibility/subset.js';

export type { BreakKind, Direction as CompatibilityDirection, SchemaBreak } from './compatibility/report.js';
export { subsetBreaks, createContext as createCheckContext } from './compatibility/subset.js';

export interface VersionedSchema {
  version: string;
  schema: unknown;
}

const DIRECTIONS: Record<CompatibilityMode, readonly Direction[]> = {
  NONE: [],
  BACKWARD: ['BACKWARD'],
  BACKWARD_TRANSITIVE: ['BACKWARD'],
  FORWARD: ['FORWARD'],
  FORWARD_TRANSITIVE: ['FORWARD'],
  FULL: ['BACKWARD', 'FORWARD'],
  FULL_TRANSITIVE: ['BACKWARD', 'FORWARD'],
};

/**
 * The earlier versions a new one is checked against under `mode`: none (NONE), every one (`_TRANSITIVE`) or
 * the latest. @param history earlier versions, oldest → newest.
 */
export function versionsCheckedAgainst<T>(mode: CompatibilityMode, history: readonly T[]): readonly T[] {
  if (DIRECTIONS[mode].length === 0) return [];
  return mode.endsWith('_TRANSITIVE') ? history : history.slice(-1);
}

/**
 * Checks `next` against the history under `mode`.
 * @param history earlier versions, oldest → newest.
 * @returns every break (deduplicated), sorted by field then kind; empty when compatible.
 */
export function checkCompatibility(
  mode: CompatibilityMode,
  history: readonly VersionedSchema[],
  next: VersionedSchema,
): SchemaBreak[] {
  const directions = DIRECTIONS[mode];
  const against = versionsCheckedAgainst(mode, history);
  const breaks = new Map<string, SchemaBreak>();
  for (const previous of against) {
    for (const direction of directions) {
      for (const found of compareSchemaVersions(previous, next, direction)) {
        const key = [found.field, found.kind, found.schemaPath, found.against, found.direction].join(
          '\u0000',
        );
        if (!breaks.has(key)) breaks.set(key, found);
      }
    }
  }
  return [...breaks.values()].sort(byFieldThenKind);
}

/** One direction against one earlier version. */
export function compareSchemaVersions(
  previous: VersionedSchema,
  next: VersionedSchema,
  direction: Direction,
): SchemaBreak[] {
  const prevRoot = nodeAt({ root: previous.schema }, previous.schema, '');
  const nextRoot = nodeAt({ root: next.schema }, next.schema, '');
  const ctx = createContext(direction, previous.version, next.version);
  const [narrow, wide] = direction === 'BACKWARD' ? [prevRoot, nextRoot] : [nextRoot, prevRoot];
  ctx.check([narrow], [wide], '');
  if (ctx.budget.exhausted) {
    report(ctx, {
      kind: 'COMPOSITION_CHANGED',
      field: '',
      change: 'is too complex to analyse completely (too many combinations of alternatives)',
      lost: '',
      consequence: 'compatibility could not be proven, so it is treated as breaking to stay safe',
    });
  }
  return ctx.out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byFieldThenKind(a: SchemaBreak, b: SchemaBreak): number {
  return (
    compare(a.field, b.field) ||
    compare(a.kind, b.kind) ||
    compare(a.against, b.against) ||
    compare(a.direction, b.direction) ||
    compare(a.schemaPath, b.schemaPath)
  );
}

/**
 * One line for logs and error summaries, e.g.
 * `3 breaking changes against 1.2.0: /cfp maximum lowered from 1000 to 500, /chemistry enum value 'LFP' dropped, …`.
 */
export function describeBreaks(breaks: readonly SchemaBreak[]): string {
  if (breaks.length === 0) return 'No breaking changes';
  const bothDirections = new Set(breaks.map((b) => b.direction)).size > 1;
  const item = (b: SchemaBreak): string =>
    `${fieldLabel(b.field)} ${b.change ?? b.message}${bothDirections ? ` (${b.direction.toLowerCase()})` : ''}`;
  const groups = new Map<string, SchemaBreak[]>();
  for (const b of breaks) groups.set(b.against, [...(groups.get(b.against) ?? []), b]);
  const count = (n: number): string => `${n} breaking change${n === 1 ? '' : 's'}`;
  if (groups.size === 1) {
    const [against] = groups.keys();
    return `${count(breaks.length)} against ${against ?? ''}: ${breaks.map(item).join(', ')}`;
  }
  const parts = [...groups].map(
    ([against, list]) => `${list.length} against ${against}: ${list.map(item).join(', ')}`,
  );
  return `${count(breaks.length)}: ${parts.join('; ')}`;
}
