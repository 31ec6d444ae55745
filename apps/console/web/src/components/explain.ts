import type { TFunction } from 'i18next';
import type { Explanation } from '../api/problem';

/**
 * A policy explanation in the user's language: the sentence for its code in namespace `explain`, filled
 * from its params, else the policy's own English sentence. English has no templates on purpose: the
 * policy's sentence is the most precise (it varies with the action), so only translations live here.
 */
export function explain(t: TFunction, e: Explanation): string {
  const params = Object.fromEntries(
    Object.entries(e.params ?? {}).map(([k, v]) => [
      k,
      v === null || v === undefined
        ? '—'
        : Array.isArray(v)
          ? v.join(', ') || '—'
          : typeof v === 'object'
            ? JSON.stringify(v)
            : String(v as string | number | boolean),
    ]),
  );
  return t(`explain:${e.code}`, { ...params, defaultValue: e.message });
}
