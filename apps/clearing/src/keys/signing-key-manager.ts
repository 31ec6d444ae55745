import type { CryptoKey, JWK } from 'jose';
import type { Logger } from 'pino';
import type { Clock } from '@renkei/domain';
import {
  KeyRing,
  SIGNING_KEY_STATES,
  generatePrivateJwk,
  nextChangeDue,
  planRequestedRotation,
  planRotation,
  retirementDue,
  toSigningKey,
  type KeyTimes,
  type KeyTransition,
  type RingKey,
  type RotationPolicy,
  type SigningKeyState,
} from '@renkei/auth';
import { type KekRing, UnknownKekError } from '@renkei/crypto';
import { asJson, type Prisma, type PrismaClient } from '@renkei/persistence';
import { appendAudit, type AuditAppend } from '../audit/audit-log.js';

export interface SigningKeySettings {
  policy: RotationPolicy;
  /** How often each replica reloads the ring from the database and applies due changes. */
  checkIntervalMs: number;
}

/** What GET /admin/signing-keys shows of a key: never any private part. */
export interface SigningKeyView {
  kid: string;
  state: SigningKeyState;
  alg: string;
  /** Whether the key is in the JWKS tokens are verified against. */
  published: boolean;
  createdAt: string;
  /** For a `next` key: when it is due to start signing. */
  activatesAt: string | null;
  activatedAt: string | null;
  /** When it stopped signing. */
  retiredAt: string | null;
  /** For a `retiring` key: when it leaves the JWKS (its last token has expired). */
  leavesJwksAt: string | null;
}

export interface RotationResult {
  /** created: a new key; rescheduled: the pending key was brought forward; pending: one is already due sooner. */
  result: 'created' | 'rescheduled' | 'pending';
  key: SigningKeyView;
  keys: SigningKeyView[];
}

const SYSTEM_ACTOR = 'renkei-clearing';
/** What a signing key's wrapping is bound to (the KEK rotation re-wraps it under the same context). */
export const signingKeyWrapContext = (kid: string) => `signing-key:${kid}`;
const context = signingKeyWrapContext;

type Row = {
  kid: string;
  state: string;
  publicJwk: unknown;
  wrapped: Uint8Array;
  kekId: string | null;
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
};

function times(row: Row): KeyTimes {
  if (!(SIGNING_KEY_STATES as readonly string[]).includes(row.state)) {
    throw new Error(`signing key ${row.kid} has an unknown state '${row.state}'`);
  }
  return {
    kid: row.kid,
    state: row.state as SigningKeyState,
    createdAt: row.createdAt,
    activatedAt: row.activatedAt,
    retiredAt: row.retiredAt,
  };
}

/**
 * The token signing keys of the clearing service, kept in `clearing.signing_keys` with their private parts
 * wrapped by the key-encryption key. Every replica reloads the ring every few seconds and applies the
 * changes that are due (under an advisory lock, so replicas never rotate twice); each change is on the
 * audit record. Private key material is never logged or returned.
 */
export class SigningKeyManager {
  readonly ring = new KeyRing();
  private readonly privateKeys = new Map<string, CryptoKey>();
  private fingerprint = '';
  private serial: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly keks: KekRing,
    readonly settings: SigningKeySettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * On the very first start the ring is empty: it takes the keys from SIGNING_KEYS (the first active, any
   * others retiring, as they were published before) or, without any, a freshly generated key. After that
   * the database is authoritative and SIGNING_KEYS is no longer read.
   */
  async initialize(configKeys: JWK[] | null): Promise<void> {
    await this.exclusive(async () => {
      const imported = await this.prisma.$transaction(async (tx) => {
        await lock(tx);
        if ((await tx.signingKey.count()) > 0) return null;
        const now = this.clock.now();
        const jwks = configKeys && configKeys.length > 0 ? configKeys : [await generatePrivateJwk()];
        const audit: AuditAppend[] = [];
        for (const [i, jwk] of jwks.entries()) {
          const state: SigningKeyState = i === 0 ? 'active' : 'retiring';
          await this.insert(tx, jwk, {
            state,
            createdAt: now,
            activatedAt: i === 0 ? now : null,
            retiredAt: i === 0 ? null : now,
          });
          audit.push(
            this.auditEntry(now, SYSTEM_ACTOR, jwk.kid!, null, state, configKeys ? 'imported' : 'generated'),
          );
        }
        await appendAudit(tx, audit);
        return { kids: jwks.map((k) => k.kid!), from: configKeys ? 'SIGNING_KEYS' : 'generated' };
      });
      if (imported) this.logger.info(imported, 'signing key ring created');
      else if (configKeys)
        this.logger.debug('signing key ring exists in the database; SIGNING_KEYS is not read again');
      await this.reload();
    });
    await this.check();
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.check().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'signing key check failed; retrying at the next interval'),
      );
    }, this.settings.checkIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.serial.catch(() => undefined);
  }

  /** Reloads the ring and applies every change that is due now (promotion, retirement, scheduled rotation). */
  check(): Promise<void> {
    return this.exclusive(async () => {
      await this.reload();
      const now = this.clock.now();
      const plan = planRotation(this.ring.list(), now, this.settings.policy);
      if (plan.transitions.length === 0 && !plan.createNext) return;
      const applied = await this.prisma.$transaction(async (tx) => {
        await lock(tx);
        // Another replica may have acted since the reload: plan again on what is there now.
        const rows = (await tx.signingKey.findMany()).map(times);
        const current = planRotation(rows, now, this.settings.policy);
        const audit: AuditAppend[] = [];
        for (const t of current.transitions) {
          await this.move(tx, t);
          audit.push(this.auditEntry(now, SYSTEM_ACTOR, t.kid, t.from, t.to, 'scheduled'));
        }
        if (current.createNext) {
          const kid = await this.createNext(tx, now, current.createNext.activateAt);
          audit.push(this.auditEntry(now, SYSTEM_ACTOR, kid, null, 'next', 'scheduled'));
        }
        await appendAudit(tx, audit);
        return audit.map((a) => a.payload);
      });
      if (applied.length > 0) this.logger.info({ changes: applied }, 'signing key ring changed');
      await this.reload();
    });
  }

  /**
   * An administrator's rotation: a new `next` key, published now and signing after `activateAfterMs`
   * (default: the pre-publication delay). A pending key due later is brought forward instead.
   */
  async rotate(actorId: string, activateAfterMs?: number): Promise<RotationResult> {
    const delay = activateAfterMs ?? this.settings.policy.prepublishMs;
    const outcome = await this.exclusive(() =>
      this.prisma.$transaction(async (tx) => {
        await lock(tx);
        const now = this.clock.now();
        const rows = (await tx.signingKey.findMany()).map(times);
        const plan = planRequestedRotation(rows, now, delay);
        if ('createNext' in plan) {
          const kid = await this.createNext(tx, now, plan.createNext.activateAt);
          await appendAudit(tx, [this.auditEntry(now, actorId, kid, null, 'next', 'requested')]);
          return { result: 'created' as const, kid };
        }
        if ('reschedule' in plan) {
          await tx.signingKey.update({
            where: { kid: plan.reschedule.kid },
            data: { activatedAt: plan.reschedule.activateAt },
          });
          await appendAudit(tx, [
            this.auditEntry(now, actorId, plan.reschedule.kid, 'next', 'next', 'brought forward', {
              activatesAt: plan.reschedule.activateAt.toISOString(),
            }),
          ]);
          return { result: 'rescheduled' as const, kid: plan.reschedule.kid };
        }
        return { result: 'pending' as const, kid: plan.pending };
      }),
    );
    this.logger.info({ result: outcome.result, kid: outcome.kid, actor: actorId }, 'signing key rotation');
    await this.check();
    const keys = this.list();
    return { result: outcome.result, key: keys.find((k) => k.kid === outcome.kid)!, keys };
  }

  // The key source for audit checkpoints: sign with the active key, verify against every key ever held.
  current() {
    return this.ring.current();
  }

  get verificationJwks() {
    return this.ring.verificationJwks;
  }

  /** Reloads the ring now (a checkpoint names a key another replica has just created). */
  refresh(): Promise<void> {
    return this.exclusive(() => this.reload());
  }

  list(): SigningKeyView[] {
    return this.ring.list().map((k) => this.view(k));
  }

  /** When the ring next changes by itself (for operators and tests). */
  nextChangeAt(): Date | null {
    return nextChangeDue(this.ring.list(), this.settings.policy);
  }

  /** Reads the ring from the database; unwraps private keys only for keys that may sign, once each. */
  async reload(): Promise<void> {
    const rows = await this.prisma.signingKey.findMany({ orderBy: { createdAt: 'asc' } });
    const fingerprint = rows
      .map((r) => `${r.kid}:${r.state}:${r.activatedAt?.getTime()}:${r.retiredAt?.getTime()}`)
      .join('|');
    if (fingerprint === this.fingerprint) return;
    const keys: RingKey[] = [];
    for (const row of rows) {
      const t = times(row);
      let privateKey: CryptoKey | null = null;
      if (t.state !== 'retired') {
        privateKey = this.privateKeys.get(row.kid) ?? (await this.unwrap(row));
        this.privateKeys.set(row.kid, privateKey);
      } else {
        this.privateKeys.delete(row.kid);
      }
      keys.push({ ...t, publicJwk: row.publicJwk as JWK, privateKey });
    }
    this.ring.replace(keys);
    this.fingerprint = fingerprint;
  }

  private async unwrap(row: Row): Promise<CryptoKey> {
    let jwk: JWK;
    try {
      jwk = JSON.parse(
        this.keks.unwrap(row.kekId, Buffer.from(row.wrapped), context(row.kid)).toString('utf8'),
      ) as JWK;
    } catch (error) {
      const detail = error instanceof UnknownKekError && row.kekId !== null ? ` (${error.message})` : '';
      throw new Error(
        `Cannot unwrap signing key ${row.kid}: KEY_ENCRYPTION_KEY is not the key it was wrapped with${detail}`,
        { cause: error },
      );
    }
    return (await toSigningKey(jwk, `signing key ${row.kid}`)).privateKey;
  }

  private async createNext(tx: Prisma.TransactionClient, now: Date, activateAt: Date): Promise<string> {
    const jwk = await generatePrivateJwk();
    await this.insert(tx, jwk, { state: 'next', createdAt: now, activatedAt: activateAt, retiredAt: null });
    return jwk.kid!;
  }

  private async insert(tx: Prisma.TransactionClient, jwk: JWK, t: Omit<KeyTimes, 'kid'>): Promise<void> {
    const key = await toSigningKey(jwk);
    const { kekId, wrapped } = this.keks.wrap(
      Buffer.from(JSON.stringify({ ...jwk, kid: key.kid }), 'utf8'),
      context(key.kid),
    );
    await tx.signingKey.create({
      data: { kid: key.kid, publicJwk: asJson(key.publicJwk), wrapped: new Uint8Array(wrapped), kekId, ...t },
    });
  }

  private async move(tx: Prisma.TransactionClient, t: KeyTransition): Promise<void> {
    await tx.signingKey.update({
      where: { kid: t.kid },
      data: {
        ...t.set,
        // A retired key signs nothing any more: its private part is destroyed, the public part kept.
        ...(t.to === 'retired' ? { wrapped: new Uint8Array(0), kekId: null } : {}),
      },
    });
  }

  private auditEntry(
    at: Date,
    actorId: string,
    kid: string,
    from: SigningKeyState | null,
    to: SigningKeyState,
    reason: string,
    extra: Record<string, unknown> = {},
  ): AuditAppend {
    return {
      kind: 'signing-key.changed',
      at,
      actorId,
      dataset: null,
      grantId: null,
      allow: null,
      payload: { kid, from, to, reason, ...extra },
    };
  }

  private view(k: KeyTimes): SigningKeyView {
    const leaves = retirementDue(k, this.settings.policy);
    return {
      kid: k.kid,
      state: k.state,
      alg: 'ES256',
      published: k.state !== 'retired',
      createdAt: k.createdAt.toISOString(),
      activatesAt: k.state === 'next' ? (k.activatedAt?.toISOString() ?? null) : null,
      activatedAt: k.state === 'next' ? null : (k.activatedAt?.toISOString() ?? null),
      retiredAt: k.retiredAt?.toISOString() ?? null,
      leavesJwksAt: leaves?.toISOString() ?? null,
    };
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.serial.then(work, work);
    this.serial = run.catch(() => undefined);
    return run;
  }
}

function lock(tx: Prisma.TransactionClient) {
  return tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('renkei.signing-keys'))`;
}
