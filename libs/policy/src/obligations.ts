import { createHmac } from 'node:crypto';
import type { PolicyDecision } from './policy-engine.js';

/**
 * Applies a decision's field obligations to one payload: dropped fields are removed, pseudonymised fields
 * are replaced by a keyed hash (stable per grant, so a consumer can join on it but not reverse it).
 */
export function applyObligations(
  payload: Record<string, unknown>,
  obligations: PolicyDecision['obligations'],
  pseudonymKey: string,
): Record<string, unknown> {
  if (obligations.drop.length === 0 && obligations.pseudonymise.length === 0) return payload;
  const out: Record<string, unknown> = { ...payload };
  for (const field of obligations.drop) delete out[field];
  for (const field of obligations.pseudonymise) {
    if (field in out && out[field] !== undefined && out[field] !== null) {
      out[field] =
        'ps_' +
        createHmac('sha256', pseudonymKey)
          .update(JSON.stringify(out[field]))
          .digest('base64url')
          .slice(0, 22);
    }
  }
  return out;
}
