/**
 * The explorer's filters live in the URL query, so a link to a filtered view (or to one entry) can be
 * shared: /compliance/decisions?decision=deny&dataset=battery.cfp&entry=42.
 */
import type { Query } from '../../api/client';

/** Which entries the explorer lists: policy decisions, security refusals, or every kind. */
export type KindView = 'decision' | 'security.refusal' | 'all';

export interface Filters {
  kind: KindView;
  participant: string;
  dataset: string;
  action: string;
  decision: '' | 'allow' | 'deny';
  rule: string;
  revision: string;
  code: string;
  /** ISO 8601, inclusive. */
  from: string;
  /** ISO 8601, exclusive. */
  to: string;
}

export const TEXT_FILTERS = ['participant', 'dataset', 'action', 'rule', 'revision', 'code'] as const;

export function readFilters(params: URLSearchParams): Filters {
  const kind = params.get('kind');
  const decision = params.get('decision');
  return {
    kind: kind === 'security.refusal' || kind === 'all' ? kind : 'decision',
    participant: params.get('participant') ?? '',
    dataset: params.get('dataset') ?? '',
    action: params.get('action') ?? '',
    decision: decision === 'allow' || decision === 'deny' ? decision : '',
    rule: params.get('rule') ?? '',
    revision: params.get('revision') ?? '',
    code: params.get('code') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
}

/** The URL query of the filters (empty ones left out); `keep` carries other params such as `entry`. */
export function writeFilters(f: Filters, keep?: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  if (f.kind !== 'decision') out.set('kind', f.kind);
  for (const k of [...TEXT_FILTERS, 'decision', 'from', 'to'] as const) {
    const v = f[k].trim();
    if (v) out.set(k, v);
  }
  const entry = keep?.get('entry');
  if (entry) out.set('entry', entry);
  return out;
}

/**
 * The API query of the filters. Decision filters (action, allow/deny, rule, revision) apply to decisions
 * and refusal codes to refusals only; the other view's fields are not sent.
 */
export function apiQuery(f: Filters): Query {
  const decisions = f.kind !== 'security.refusal';
  const refusals = f.kind !== 'decision';
  return {
    kind: f.kind === 'all' ? undefined : f.kind,
    participant: f.participant.trim() || undefined,
    dataset: f.dataset.trim() || undefined,
    action: decisions ? f.action.trim() || undefined : undefined,
    decision: decisions ? f.decision || undefined : undefined,
    rule: decisions ? f.rule.trim() || undefined : undefined,
    revision: decisions ? f.revision.trim() || undefined : undefined,
    code: refusals ? f.code.trim() || undefined : undefined,
    from: f.from || undefined,
    to: f.to || undefined,
  };
}

/** An ISO instant as the value of a datetime-local input (the user's time zone), and back. */
export function toLocalInput(iso: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}
