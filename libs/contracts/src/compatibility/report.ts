/** The result types and the one place where findings become plain-language `SchemaBreak`s. */
import type { SchemaNode } from './schema-nodes.js';

export type Direction = 'BACKWARD' | 'FORWARD';

/**
 * What kind of change broke compatibility. Pairs are the same change seen from both sides: under BACKWARD
 * the new version is too strict (…_TIGHTENED, …_DROPPED, …_NO_LONGER_ALLOWED); under FORWARD it is too
 * loose for consumers still on the old version (…_LOOSENED, …_ADDED, …_NOW_ALLOWED).
 */
export type BreakKind =
  /** A field the previous version declared is gone and the new version rejects (some of) its values. */
  | 'FIELD_REMOVED'
  /** A field was added that the previous version rejects, because it allows no undeclared fields. */
  | 'FIELD_ADDED_TO_CLOSED_OBJECT'
  /** A field was declared whose values the previous version constrained differently as an undeclared field. */
  | 'FIELD_ADDED_TO_OPEN_OBJECT'
  | 'FIELD_MADE_REQUIRED'
  | 'REQUIRED_FIELD_MADE_OPTIONAL'
  | 'TYPE_NARROWED'
  | 'TYPE_WIDENED'
  | 'TYPE_CHANGED'
  | 'ENUM_VALUE_DROPPED'
  | 'ENUM_VALUE_ADDED'
  /** The field now only accepts a fixed list of values (`enum`/`const`) where any value of its type was fine. */
  | 'ENUM_RESTRICTION_ADDED'
  /** The fixed list of values (`enum`/`const`) was lifted. */
  | 'ENUM_RESTRICTION_REMOVED'
  | 'CONST_CHANGED'
  | 'CONSTRAINT_TIGHTENED'
  | 'CONSTRAINT_LOOSENED'
  | 'PATTERN_CHANGED'
  | 'FORMAT_CHANGED'
  | 'NULL_NO_LONGER_ALLOWED'
  | 'NULL_NOW_ALLOWED'
  | 'ADDITIONAL_PROPERTIES_CLOSED'
  | 'ADDITIONAL_PROPERTIES_OPENED'
  | 'COMPOSITION_CHANGED'
  | 'UNSUPPORTED_KEYWORD_CHANGED';

export interface SchemaBreak {
  kind: BreakKind;
  /**
   * JSON Pointer into the payload (instance) the break concerns, e.g. `/cfp` ('' = the whole payload). A `*`
   * token stands for any array item or any undeclared property: `/lines/` + `*` + `/qtyKg`.
   */
  field: string;
  /** JSON Pointer into the NEXT schema where the change is (or where the keyword was removed from, in the previous one), e.g. `/properties/lines/items/properties/qtyKg/maximum`. */
  schemaPath: string;
  /** Which earlier version this break is against. */
  against: string;
  /** Which direction failed. */
  direction: Direction;
  /** One plain sentence: what changed (with the old and new values) and who it breaks. */
  message: string;
  /** The change alone, e.g. `maximum lowered from 1000 to 500` (what `describeBreaks` lists). */
  change?: string;
}

export interface Ctx {
  readonly direction: Direction;
  /** The earlier version being compared against, and the candidate. */
  readonly prev: string;
  readonly next: string;
  /** Where findings go; swapped out while trying alternatives. */
  out: SchemaBreak[];
  /** Pairs of (narrow, wide) conjunctions being checked further up: meeting one again is a cycle. */
  readonly stack: Set<string>;
  /** Caps the work on pathological schemas (every alternative against every alternative…). */
  readonly budget: { left: number };
  /** Recursion into subschemas (injected to keep the keyword-family modules free of import cycles). */
  readonly check: (narrow: readonly SchemaNode[], wide: readonly SchemaNode[], field: string) => void;
}

export interface Finding {
  /** One kind, or [kind under BACKWARD, kind under FORWARD]. */
  kind: BreakKind | readonly [BreakKind, BreakKind];
  field: string;
  /** Where the deciding keyword is in the narrow and the wide schema (undefined: absent on that side). */
  narrowAt?: string | undefined;
  wideAt?: string | undefined;
  /** The change from the previous to the next version, e.g. `maximum lowered from 1000 to 500`. */
  change: string;
  /** Which payloads are affected, as a clause after "payloads", e.g. `with a value above 500`. */
  lost: string;
  /** Replaces the standard consequence sentence (for findings that are "cannot prove" rather than "will fail"). */
  consequence?: string;
}

/** Values as seen from the previous and the next version (the narrow/wide roles swap with the direction). */
export function sides<T>(ctx: Ctx, narrow: T, wide: T): { prev: T; next: T } {
  return ctx.direction === 'BACKWARD' ? { prev: narrow, next: wide } : { prev: wide, next: narrow };
}

/**
 * Under BACKWARD the wide side is the next version; a failure means it became stricter. Under FORWARD the
 * narrow side is the next version; a failure means it became looser.
 */
export function pick(ctx: Ctx, tightened: BreakKind, loosened: BreakKind): BreakKind {
  return ctx.direction === 'BACKWARD' ? tightened : loosened;
}

export function fieldLabel(field: string): string {
  return field === '' ? 'the payload root' : field;
}

export function report(ctx: Ctx, finding: Finding): void {
  const kind = typeof finding.kind === 'string' ? finding.kind : pick(ctx, finding.kind[0], finding.kind[1]);
  const { prev: prevAt, next: nextAt } = sides(ctx, finding.narrowAt, finding.wideAt);
  const consequence =
    finding.consequence ??
    (ctx.direction === 'BACKWARD'
      ? `payloads from version ${ctx.prev} ${finding.lost} would be rejected by version ${ctx.next}`
      : `consumers on version ${ctx.prev} would reject payloads from version ${ctx.next} ${finding.lost}`);
  const label = fieldLabel(finding.field);
  ctx.out.push({
    kind,
    field: finding.field,
    schemaPath: nextAt ?? prevAt ?? '',
    against: ctx.prev,
    direction: ctx.direction,
    message: `${label.charAt(0).toUpperCase()}${label.slice(1)} ${finding.change}: ${consequence}.`,
    change: finding.change,
  });
}

/** Runs `fn` with a scratch output and returns what it found, leaving the real output untouched. */
export function trial(ctx: Ctx, fn: () => void): SchemaBreak[] {
  const saved = ctx.out;
  ctx.out = [];
  try {
    fn();
    return ctx.out;
  } finally {
    ctx.out = saved;
  }
}

/** `a → b` summary of breaks found inside a field, for messages that fold them into one finding. */
export function summarize(breaks: readonly SchemaBreak[], field: string): string {
  const parts = breaks
    .slice(0, 3)
    .map((b) => `${b.field === field ? '' : `${b.field} `}${b.change ?? b.message}`);
  return parts.join('; ') + (breaks.length > 3 ? `; and ${breaks.length - 3} more` : '');
}
