import { createHmac } from 'node:crypto';
import type { PolicyObligations } from './policy-engine.js';

/** A keyed hash of a value: stable per key (so a consumer can join on it) but not reversible. */
export function pseudonym(value: unknown, pseudonymKey: string): string {
  return (
    'ps_' + createHmac('sha256', pseudonymKey).update(JSON.stringify(value)).digest('base64url').slice(0, 22)
  );
}

/** The person lists as sets, built once per decision (a batch applies the same obligations to every record). */
const personSets = new WeakMap<PolicyObligations, { withhold: Set<string>; identify: Set<string> }>();

function persons(obligations: PolicyObligations) {
  let sets = personSets.get(obligations);
  if (!sets) {
    sets = { withhold: new Set(obligations.withhold), identify: new Set(obligations.identify) };
    personSets.set(obligations, sets);
  }
  return sets;
}

/**
 * Applies a decision's obligations to one record, given its payload and its record key (the event id of a
 * record about a person, null otherwise; `withhold` and `identify` list record keys, since one person's
 * records may be answered differently by their consents):
 * - `null` when the record is withheld (its person's consents deny this use of it): not delivered at all;
 * - otherwise a copy of the payload with dropped fields removed and pseudonymised fields replaced by a keyed
 *   hash (stable per key), except for a person who permitted identified use (`identify`), whose
 *   pseudonymised fields are delivered as they are. Dropped fields are dropped for everyone.
 * The payload itself is never mutated; with nothing to apply it is returned as is.
 */
export function applyObligations(
  payload: Record<string, unknown>,
  obligations: PolicyObligations,
  pseudonymKey: string,
  recordKey?: string | null,
): Record<string, unknown> | null {
  const { withhold, identify } = persons(obligations);
  const person = typeof recordKey === 'string' ? recordKey : null;
  if (person !== null && withhold.has(person)) return null;
  const pseudonymise = person !== null && identify.has(person) ? [] : obligations.pseudonymise;
  if (obligations.drop.length === 0 && pseudonymise.length === 0) return payload;
  const out: Record<string, unknown> = { ...payload };
  for (const field of obligations.drop) delete out[field];
  for (const field of pseudonymise) {
    if (field in out && out[field] !== undefined && out[field] !== null) {
      out[field] = pseudonym(out[field], pseudonymKey);
    }
  }
  return out;
}
