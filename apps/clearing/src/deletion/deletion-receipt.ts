import {
  compactVerify,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type ProtectedHeaderParameters,
} from 'jose';
import { badRequest } from '@renkei/domain';
import {
  DeletionReceiptClaimsSchema as ClaimsSchema,
  RECEIPT_ALG,
  RECEIPT_SCOPE,
  RECEIPT_TYP,
  type DeletionMethod,
} from './deletion.dto.js';

/** Clock skew allowed between the consumer's systems and ours (the same as for client assertions). */
export const RECEIPT_CLOCK_TOLERANCE_MS = 5_000;

export interface DeletionReceiptClaims {
  iss: string;
  sub: string;
  grant: string;
  dataset: string;
  deletedAt: string;
  method: DeletionMethod;
  scope: typeof RECEIPT_SCOPE;
  iat: number;
  jti: string;
  [extra: string]: unknown;
}

/** What the receipt must be about, from the obligation it confirms. */
export interface ReceiptExpectation {
  obligationId: string;
  consumerId: string;
  grantId: string;
  dataset: string;
  /** When the grant ended: a deletion before it would not cover what was delivered afterwards. */
  endedAt: Date;
}

export interface VerifiedReceipt {
  claims: DeletionReceiptClaims;
  /** The consumer key that verified it. */
  kid: string | null;
}

/** Which check failed; also the `check` of the error detail, so clients can tell them apart. */
export type ReceiptCheck =
  | 'format'
  | 'alg'
  | 'typ'
  | 'signature'
  | 'claims'
  | 'iss'
  | 'sub'
  | 'grant'
  | 'dataset'
  | 'deletedAt'
  | 'iat';

const HINT = `Sign { iss: your participant id, sub: the obligation id, grant, dataset, deletedAt, method, scope: '${RECEIPT_SCOPE}', iat, jti } with ${RECEIPT_ALG} and one of your registered keys, header typ '${RECEIPT_TYP}' (the SDK's confirmDeletion does this)`;

export function receiptInvalid(check: ReceiptCheck, problem: string) {
  return badRequest(
    'DELETION.RECEIPT_INVALID',
    `The deletion receipt is not valid: ${problem}`,
    [{ path: '/receipt', message: problem, check }],
    HINT,
  );
}

/** The consumer's keys that could have signed it: P-256 signing keys, the one named by `kid` if there is one. */
function candidateKeys(jwks: { keys: JWK[] }, kid: string | undefined): JWK[] {
  return jwks.keys.filter(
    (k) =>
      k.kty === 'EC' &&
      k.crv === 'P-256' &&
      (k.alg === undefined || k.alg === RECEIPT_ALG) &&
      (k.use === undefined || k.use === 'sig') &&
      (kid === undefined || k.kid === kid),
  );
}

/**
 * Verifies a deletion receipt: a compact JWS the consumer signs with one of its own registered keys,
 * saying it deleted every copy of what it received under the grant. Pure: the caller supplies the
 * consumer's public keys (from the registry projection) and the time.
 * Throws DELETION.RECEIPT_INVALID naming the first check that failed.
 */
export async function verifyDeletionReceipt(
  receipt: string,
  expected: ReceiptExpectation,
  consumerJwks: { keys: JWK[] },
  now: Date,
): Promise<VerifiedReceipt> {
  let header: ProtectedHeaderParameters;
  try {
    if (receipt.split('.').length !== 3) throw new Error('not three parts');
    header = decodeProtectedHeader(receipt);
  } catch {
    throw receiptInvalid('format', 'it is not a compact JWS (header.payload.signature, base64url)');
  }
  if (header.alg !== RECEIPT_ALG) {
    throw receiptInvalid(
      'alg',
      `it is signed with alg '${String(header.alg)}'; only ${RECEIPT_ALG} is accepted`,
    );
  }
  if (header.typ !== RECEIPT_TYP) {
    throw receiptInvalid('typ', `its header typ is '${String(header.typ)}', expected '${RECEIPT_TYP}'`);
  }
  const candidates = candidateKeys(consumerJwks, header.kid);
  if (candidates.length === 0) {
    throw receiptInvalid(
      'signature',
      header.kid !== undefined
        ? `key '${header.kid}' is not a registered ${RECEIPT_ALG} key of the consumer ${expected.consumerId}`
        : `the consumer ${expected.consumerId} has no registered ${RECEIPT_ALG} key`,
    );
  }
  let payload: Uint8Array | undefined;
  let kid: string | null = null;
  for (const jwk of candidates) {
    try {
      const key = await importJWK(jwk, RECEIPT_ALG);
      ({ payload } = await compactVerify(receipt, key, { algorithms: [RECEIPT_ALG] }));
      kid = jwk.kid ?? null;
      break;
    } catch {
      // not this key; try the next
    }
  }
  if (!payload) {
    throw receiptInvalid(
      'signature',
      `it is not signed by a key registered for the consumer ${expected.consumerId}`,
    );
  }

  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw receiptInvalid('claims', 'its payload is not a JSON object');
  }
  const parsed = ClaimsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw receiptInvalid('claims', `claim '${issue.path.join('.') || '(payload)'}': ${issue.message}`);
  }
  const claims: DeletionReceiptClaims = parsed.data;
  const same = (check: 'iss' | 'sub' | 'grant' | 'dataset', want: string, what: string) => {
    if (claims[check] !== want) {
      throw receiptInvalid(check, `its ${check} is '${claims[check]}', expected ${what} '${want}'`);
    }
  };
  same('iss', expected.consumerId, 'the consumer');
  same('sub', expected.obligationId, 'the obligation id');
  same('grant', expected.grantId, 'the grant');
  same('dataset', expected.dataset, 'the dataset');

  const deletedAt = Date.parse(claims.deletedAt);
  if (deletedAt > now.getTime() + RECEIPT_CLOCK_TOLERANCE_MS) {
    throw receiptInvalid('deletedAt', `deletedAt ${claims.deletedAt} is in the future`);
  }
  if (deletedAt < expected.endedAt.getTime() - RECEIPT_CLOCK_TOLERANCE_MS) {
    throw receiptInvalid(
      'deletedAt',
      `deletedAt ${claims.deletedAt} is before the grant ended (${expected.endedAt.toISOString()}): data delivered afterwards would not be covered`,
    );
  }
  if (claims.iat * 1000 > now.getTime() + RECEIPT_CLOCK_TOLERANCE_MS) {
    throw receiptInvalid('iat', 'iat is in the future');
  }
  return { claims, kid };
}
