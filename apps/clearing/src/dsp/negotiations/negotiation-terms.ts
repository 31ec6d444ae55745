/**
 * What the protocol's offers and agreements say in Renkei's terms: the purpose a consumer's offer names,
 * and the ODRL policy of an offer or agreement (the contract's rules, as the catalog's offers express them:
 * purposes, residency, fields withheld from other countries, the retention duty).
 */
import { offerRules } from '@renkei/contracts';
import type { ContractTerms } from '@renkei/domain';
import { idOf, type DspPolicy } from '../core/dsp-messages.js';

const PURPOSE_OPERANDS = new Set(['odrl:purpose', 'purpose', 'http://www.w3.org/ns/odrl/2/purpose']);

function valueOf(operand: unknown): string[] {
  if (typeof operand === 'string') return [operand];
  if (Array.isArray(operand)) return operand.flatMap(valueOf);
  if (operand && typeof operand === 'object') {
    const v = (operand as { '@value'?: unknown })['@value'];
    if (typeof v === 'string') return [v];
    const id = idOf(operand);
    return id ? [id] : [];
  }
  return [];
}

/**
 * The purposes an offer's permissions name (constraints `odrl:purpose eq|isAnyOf|isA …`, also inside
 * logical `and` constraints), in order, without duplicates.
 */
export function offerPurposes(offer: DspPolicy): string[] {
  const out: string[] = [];
  const visit = (constraint: unknown, depth: number) => {
    if (!constraint || typeof constraint !== 'object' || depth > 4) return;
    const c = constraint as Record<string, unknown>;
    for (const key of ['and', 'or', 'xone', 'andSequence'])
      if (Array.isArray(c[key])) for (const inner of c[key] as unknown[]) visit(inner, depth + 1);
    const left = idOf(c.leftOperand);
    if (left && PURPOSE_OPERANDS.has(left)) out.push(...valueOf(c.rightOperand));
  };
  for (const rule of offer.permission ?? [])
    for (const constraint of (rule as { constraint?: unknown[] }).constraint ?? []) visit(constraint, 0);
  return [...new Set(out)];
}

/**
 * The ODRL rules of the contract narrowed to one purpose (what an offer or agreement for a grant grants). An
 * agreement drops the offer's `odrl:obtainConsent` duty: the consent it asks for is the agreement itself.
 */
export function grantRules(
  terms: ContractTerms,
  purpose: string,
  target: string,
  assigner: string,
  kind: 'offer' | 'agreement',
) {
  const rules = offerRules({ ...terms, purposes: [purpose] }, target, assigner);
  if (kind === 'offer') return rules;
  return {
    ...rules,
    permission: rules.permission.map(
      ({ duty: _duty, ...rule }: { duty?: unknown } & Record<string, unknown>) => rule,
    ),
  };
}
