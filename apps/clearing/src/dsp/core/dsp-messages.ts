/**
 * Dataspace Protocol 2025-1 messages as Renkei reads and writes them: compact JSON-LD against the DSP context
 * only (`@context: [DSP_CONTEXT]`, `@type` a single compact string, states compact), the zod schemas of the
 * messages a peer sends (bounded: lengths, counts; the body reader bounds size and depth), and the error
 * bodies (`ContractNegotiationError`, `TransferError`, `CatalogError`).
 *
 * Schemas follow the DSP 2025-1 JSON schemas (negotiation/*.json, transfer/*.json) in what they require;
 * unknown members are kept (passthrough), since JSON-LD peers add their own terms.
 */
import { z } from 'zod';
import { DSP_CONTEXT } from '@renkei/contracts';

export { DSP_CONTEXT };
export const DSPACE = 'https://w3id.org/dspace/2025/1/';

/** The protocol version Renkei speaks, as `/.well-known/dspace-version` names it. */
export const DSP_VERSION = '2025-1';

export const NegotiationStates = [
  'REQUESTED',
  'OFFERED',
  'ACCEPTED',
  'AGREED',
  'VERIFIED',
  'FINALIZED',
  'TERMINATED',
] as const;
export type NegotiationState = (typeof NegotiationStates)[number];

export const TransferStates = ['REQUESTED', 'STARTED', 'SUSPENDED', 'COMPLETED', 'TERMINATED'] as const;
export type TransferState = (typeof TransferStates)[number];

export type Side = 'provider' | 'consumer';
export type DspErrorType = 'ContractNegotiationError' | 'TransferError' | 'CatalogError';

/** A DSP message body: the context, the compact type, and its members. */
export function dspMessage<T extends Record<string, unknown>>(type: string, members: T) {
  return { '@context': [DSP_CONTEXT], '@type': type, ...members };
}

/** The DSP error body (the platform's stable code in `code`, the human text in `reason`). */
export function dspErrorBody(
  type: DspErrorType,
  error: { providerPid?: string | null; consumerPid?: string | null; code: string; reason: string[] },
) {
  return dspMessage(type, {
    ...(type === 'CatalogError'
      ? {}
      : { providerPid: error.providerPid ?? '', consumerPid: error.consumerPid ?? '' }),
    code: error.code,
    reason: error.reason.length > 0 ? error.reason : [error.code],
  });
}

// ------------------------------------------------------------------------------------------------ schemas

const MAX_ID = 512;
const MAX_URL = 2048;
const MAX_RULES = 64;

/** Accepts the compact type, its `dspace:` form or its full IRI, and answers the compact one. */
export function dspType<T extends string>(type: T) {
  return z.preprocess((v) => {
    if (Array.isArray(v) && v.length === 1) v = v[0];
    if (typeof v !== 'string') return v;
    if (v.startsWith(DSPACE)) return v.slice(DSPACE.length);
    if (v.startsWith('dspace:')) return v.slice('dspace:'.length);
    return v;
  }, z.literal(type));
}

/** A pid or id a peer names: bounded, printable. */
export const DspId = z
  .string()
  .min(1)
  .max(MAX_ID)
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters');

/** An absolute http(s) URL (where it may point is the SSRF guard's decision, at the call). */
export const DspUrl = z
  .string()
  .max(MAX_URL)
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL');

const Context = z.unknown().optional();
const Json = z.unknown();

/** An ODRL constraint, rule or duty: the DSP schema's shape, loosely (bounded counts). */
const Constraint = z.looseObject({}).or(z.array(Json));
const Rule = z.looseObject({
  action: z.unknown(),
  constraint: z.array(Constraint).max(MAX_RULES).optional(),
});

/** An offer or agreement in a message (MessageOffer/Agreement of contract-schema.json). */
export const PolicySchema = z.looseObject({
  '@id': DspId,
  '@type': z.unknown().optional(),
  target: z.union([DspId, z.looseObject({ '@id': DspId })]).optional(),
  assigner: z.unknown().optional(),
  assignee: z.unknown().optional(),
  permission: z.array(Rule).max(MAX_RULES).optional(),
  prohibition: z.array(Rule).max(MAX_RULES).optional(),
  obligation: z.array(Rule).max(MAX_RULES).optional(),
});
export type DspPolicy = z.infer<typeof PolicySchema>;

const Reason = z.array(Json).max(16).optional();
const Code = z.union([z.string().max(200), z.number()]).optional();

export const ContractRequestMessageSchema = z.looseObject({
  '@context': Context,
  '@type': dspType('ContractRequestMessage'),
  consumerPid: DspId,
  providerPid: DspId.optional(),
  offer: PolicySchema,
  callbackAddress: DspUrl.optional(),
});
export type ContractRequestMessage = z.infer<typeof ContractRequestMessageSchema>;

export const ContractOfferMessageSchema = z.looseObject({
  '@context': Context,
  '@type': dspType('ContractOfferMessage'),
  providerPid: DspId,
  consumerPid: DspId.optional(),
  offer: PolicySchema,
  callbackAddress: DspUrl.optional(),
});
export type ContractOfferMessage = z.infer<typeof ContractOfferMessageSchema>;

export const ContractAgreementMessageSchema = z.looseObject({
  '@context': Context,
  '@type': dspType('ContractAgreementMessage'),
  providerPid: DspId,
  consumerPid: DspId,
  agreement: PolicySchema,
  callbackAddress: DspUrl.optional(),
});
export type ContractAgreementMessage = z.infer<typeof ContractAgreementMessageSchema>;

export const ContractAgreementVerificationMessageSchema = z.looseObject({
  '@context': Context,
  '@type': dspType('ContractAgreementVerificationMessage'),
  providerPid: DspId,
  consumerPid: DspId,
});

export const ContractNegotiationEventMessageSchema = z.looseObject({
  '@context': Context,
  '@type': dspType('ContractNegotiationEventMessage'),
  providerPid: DspId,
  consumerPid: DspId,
  eventType: z.preprocess(
    (v) => (typeof v === 'string' && v.startsWith(DSPACE) ? v.slice(DSPACE.length) : v),
    z.enum(['ACCEPTED', 'FINALIZED']),
  ),
});
export type ContractNegotiationEventMessage = z.infer<typeof ContractNegotiationEventMessageSchema>;

export const ContractNegotiationTerminationMessageSchema = z.looseObject({
  '@context': Context,
  '@type': dspType('ContractNegotiationTerminationMessage'),
  providerPid: DspId,
  consumerPid: DspId,
  code: Code,
  reason: Reason,
});

/** A peer's view of a negotiation (the answer to a request or a GET). */
export const ContractNegotiationSchema = z.looseObject({
  '@context': Context,
  '@type': dspType('ContractNegotiation'),
  providerPid: DspId,
  consumerPid: DspId,
  state: z.preprocess(
    (v) => (typeof v === 'string' && v.startsWith(DSPACE) ? v.slice(DSPACE.length) : v),
    z.enum(NegotiationStates),
  ),
});

export const TransferRequestMessageSchema = z.looseObject({
  '@context': Context,
  '@type': dspType('TransferRequestMessage'),
  consumerPid: DspId,
  agreementId: DspId,
  format: z.string().min(1).max(200),
  callbackAddress: DspUrl,
  dataAddress: z.looseObject({}).optional(),
});
export type TransferRequestMessage = z.infer<typeof TransferRequestMessageSchema>;

export const TransferStartMessageSchema = z.looseObject({
  '@context': Context,
  '@type': dspType('TransferStartMessage'),
  providerPid: DspId,
  consumerPid: DspId,
  dataAddress: z.looseObject({}).optional(),
});

const transferEnd = <T extends string>(type: T) =>
  z.looseObject({
    '@context': Context,
    '@type': dspType(type),
    providerPid: DspId,
    consumerPid: DspId,
    code: Code,
    reason: Reason,
  });
export const TransferSuspensionMessageSchema = transferEnd('TransferSuspensionMessage');
export const TransferCompletionMessageSchema = transferEnd('TransferCompletionMessage');
export const TransferTerminationMessageSchema = transferEnd('TransferTerminationMessage');

/** A peer's view of a transfer (the answer to a request or a GET). */
export const TransferProcessSchema = z.looseObject({
  '@context': Context,
  '@type': dspType('TransferProcess'),
  providerPid: DspId,
  consumerPid: DspId,
  state: z.preprocess(
    (v) => (typeof v === 'string' && v.startsWith(DSPACE) ? v.slice(DSPACE.length) : v),
    z.enum(TransferStates),
  ),
});

/** The id an `@id`-or-string member names (target, assigner, ...). */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { '@id'?: unknown })['@id'] === 'string')
    return (value as { '@id': string })['@id'];
  return undefined;
}

/** The human reasons of a termination, as strings (DSP allows any JSON in `reason`). */
export function reasonText(reason: unknown[] | undefined, code?: string | number): string | null {
  const texts = (reason ?? []).map((r) =>
    typeof r === 'string' ? r : (idOf(r) ?? JSON.stringify(r)).slice(0, 500),
  );
  const text = texts.join('; ').slice(0, 500);
  if (text) return text;
  return code !== undefined ? `code ${String(code).slice(0, 100)}` : null;
}
