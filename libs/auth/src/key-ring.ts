import type { CryptoKey, JWK } from 'jose';
import type { SigningKey } from './signing-keys.js';

/**
 * Signing-key rotation with overlap. A key moves through
 *
 *   next ──(pre-publication delay)──▶ active ──(next key promoted)──▶ retiring ──(max token TTL + grace)──▶ retired
 *
 * `next` is published in the JWKS at once but does not sign, so every verifier's cached JWKS has it before
 * the first token it signs appears. `retiring` stays published until every token it signed has expired.
 * `retired` keys leave the JWKS; their public part is kept for verifying old audit checkpoints.
 *
 * The times stored with a key: `activatedAt` is when it became active — for a `next` key, when it is due
 * to; `retiredAt` is when it stopped signing (it leaves the JWKS `maxTokenTtl + grace` later).
 * Everything here is pure (time is a parameter), so the state machine is tested with an injected clock.
 */
export const SIGNING_KEY_STATES = ['next', 'active', 'retiring', 'retired'] as const;
export type SigningKeyState = (typeof SIGNING_KEY_STATES)[number];

export interface KeyTimes {
  kid: string;
  state: SigningKeyState;
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
}

export interface RotationPolicy {
  /** A new key is created this long after the active one was activated; 0 = only on request. */
  rotateEveryMs: number;
  /** How long a new key is published before it signs (at least every verifier's JWKS cache age). */
  prepublishMs: number;
  /** The longest lifetime of any token the platform issues. */
  maxTokenTtlMs: number;
  /** Added to the token TTL before a retiring key leaves the JWKS: clock skew, replicas still reloading. */
  graceMs: number;
}

export interface KeyTransition {
  kid: string;
  from: SigningKeyState;
  to: SigningKeyState;
  /** The fields that change with the move. */
  set: { state: SigningKeyState; activatedAt?: Date; retiredAt?: Date };
}

export interface RotationPlan {
  transitions: KeyTransition[];
  /** Create a `next` key due to become active at this time. */
  createNext: { activateAt: Date } | null;
}

/** When a retiring key has outlived every token it signed and leaves the JWKS. */
export function retirementDue(key: KeyTimes, policy: RotationPolicy): Date | null {
  if (key.state !== 'retiring' || !key.retiredAt) return null;
  return new Date(key.retiredAt.getTime() + policy.maxTokenTtlMs + policy.graceMs);
}

/** When the scheduled rotation creates the active key's successor (null: never, or one exists already). */
export function rotationDue(keys: readonly KeyTimes[], policy: RotationPolicy): Date | null {
  if (policy.rotateEveryMs <= 0 || keys.some((k) => k.state === 'next')) return null;
  const active = newest(keys.filter((k) => k.state === 'active'));
  if (!active) return null;
  return new Date((active.activatedAt ?? active.createdAt).getTime() + policy.rotateEveryMs);
}

function newest(keys: KeyTimes[]): KeyTimes | undefined {
  return [...keys].sort(
    (a, b) => (b.activatedAt ?? b.createdAt).getTime() - (a.activatedAt ?? a.createdAt).getTime(),
  )[0];
}

/** What the ring must do at `now`: promote a due `next` key, retire expired ones, schedule a successor. */
export function planRotation(keys: readonly KeyTimes[], now: Date, policy: RotationPolicy): RotationPlan {
  const transitions: KeyTransition[] = [];
  const t = now.getTime();
  const actives = keys.filter((k) => k.state === 'active');
  const nexts = keys.filter((k) => k.state === 'next');
  // The newest due `next` key takes over (or any `next` key, should the ring have no active key at all).
  const due = nexts.filter((k) => actives.length === 0 || (k.activatedAt ?? k.createdAt).getTime() <= t);
  const promoted = newest(due);
  if (promoted) {
    transitions.push({
      kid: promoted.kid,
      from: 'next',
      to: 'active',
      set: { state: 'active', activatedAt: now },
    });
    for (const old of [...actives, ...due.filter((k) => k !== promoted)]) {
      transitions.push({
        kid: old.kid,
        from: old.state,
        to: 'retiring',
        set: { state: 'retiring', retiredAt: now },
      });
    }
  } else if (actives.length > 1) {
    // Never expected (rotations are serialised), but only one key may sign: the newest.
    const keep = newest(actives)!;
    for (const old of actives.filter((k) => k !== keep)) {
      transitions.push({
        kid: old.kid,
        from: 'active',
        to: 'retiring',
        set: { state: 'retiring', retiredAt: now },
      });
    }
  }
  for (const k of keys) {
    const at = retirementDue(k, policy);
    if (at && at.getTime() <= t) {
      transitions.push({ kid: k.kid, from: 'retiring', to: 'retired', set: { state: 'retired' } });
    }
  }
  const scheduled = promoted ? null : rotationDue(keys, policy);
  return {
    transitions,
    createNext:
      scheduled && scheduled.getTime() <= t ? { activateAt: new Date(t + policy.prepublishMs) } : null,
  };
}

/** A rotation someone asked for: create a successor, or bring a pending one forward (never later). */
export function planRequestedRotation(
  keys: readonly KeyTimes[],
  now: Date,
  activateAfterMs: number,
):
  | { createNext: { activateAt: Date } }
  | { reschedule: { kid: string; activateAt: Date } }
  | { pending: string } {
  const activateAt = new Date(now.getTime() + Math.max(0, activateAfterMs));
  const pending = newest(keys.filter((k) => k.state === 'next'));
  if (!pending) return { createNext: { activateAt } };
  const dueAt = pending.activatedAt ?? pending.createdAt;
  if (activateAt.getTime() < dueAt.getTime()) return { reschedule: { kid: pending.kid, activateAt } };
  return { pending: pending.kid };
}

/** The earliest time at which planRotation would change something (for scheduling the next check). */
export function nextChangeDue(keys: readonly KeyTimes[], policy: RotationPolicy): Date | null {
  const times = [
    ...keys.filter((k) => k.state === 'next').map((k) => k.activatedAt ?? k.createdAt),
    ...keys.map((k) => retirementDue(k, policy)),
    rotationDue(keys, policy),
  ].filter((d): d is Date => d !== null);
  return times.length > 0 ? new Date(Math.min(...times.map((d) => d.getTime()))) : null;
}

/** Applies a plan to key records (the store does the same in SQL); `newKid` names a created key. */
export function applyPlan(
  keys: readonly KeyTimes[],
  plan: RotationPlan,
  now: Date,
  newKid?: string,
): KeyTimes[] {
  const next = keys.map((k) => {
    const moves = plan.transitions.filter((t) => t.kid === k.kid);
    return moves.reduce<KeyTimes>((acc, m) => ({ ...acc, ...m.set }), { ...k });
  });
  if (plan.createNext) {
    if (!newKid) throw new Error('applyPlan: the plan creates a key; pass its kid');
    next.push({
      kid: newKid,
      state: 'next',
      createdAt: now,
      activatedAt: plan.createNext.activateAt,
      retiredAt: null,
    });
  }
  return next;
}

/** A key in the ring: its times, its public JWK and — while it may sign — its private key. */
export interface RingKey extends KeyTimes {
  publicJwk: JWK;
  privateKey: CryptoKey | null;
}

/** Anything that names the key to sign with now, and the keys verifiers must accept. */
export interface SigningKeySource {
  current(): SigningKey;
  readonly jwks: { keys: JWK[] };
}

const PUBLISHED: readonly SigningKeyState[] = ['active', 'next', 'retiring'];

/**
 * The signing keys one clearing replica holds in memory. `replace` swaps the whole ring at once (the store
 * reloads it from the database every few seconds), so issuers pick up a promoted key without a restart.
 */
export class KeyRing implements SigningKeySource {
  private keys: RingKey[] = [];
  private published: { keys: JWK[] } = { keys: [] };
  private all: { keys: JWK[] } = { keys: [] };

  constructor(keys: RingKey[] = []) {
    this.replace(keys);
  }

  replace(keys: RingKey[]): void {
    this.keys = [...keys].sort(
      (a, b) =>
        PUBLISHED.indexOf(a.state) - PUBLISHED.indexOf(b.state) ||
        b.createdAt.getTime() - a.createdAt.getTime(),
    );
    const jwk = (k: RingKey): JWK => ({ ...k.publicJwk, kid: k.kid });
    this.published = { keys: this.keys.filter((k) => PUBLISHED.includes(k.state)).map(jwk) };
    this.all = { keys: this.keys.map(jwk) };
  }

  /** The active key; tokens and checkpoints are signed with it. */
  current(): SigningKey {
    const active = this.keys.find((k) => k.state === 'active' && k.privateKey);
    if (!active) throw new Error('the signing key ring has no active key');
    return { kid: active.kid, privateKey: active.privateKey!, publicJwk: active.publicJwk };
  }

  /** What the JWKS endpoint publishes: the active key, the next one and those still retiring. */
  get jwks(): { keys: JWK[] } {
    return this.published;
  }

  /** Every public key the ring ever held, retired ones included: for verifying old audit checkpoints. */
  get verificationJwks(): { keys: JWK[] } {
    return this.all;
  }

  list(): KeyTimes[] {
    return this.keys.map(({ kid, state, createdAt, activatedAt, retiredAt }) => ({
      kid,
      state,
      createdAt,
      activatedAt,
      retiredAt,
    }));
  }
}
