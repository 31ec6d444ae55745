import { randomUUID } from 'node:crypto';
import { SignJWT, createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWK } from 'jose';
import type { Logger } from 'pino';
import { DomainError, Topics, conflict, notFound, type Clock } from '@renkei/domain';
import { PLATFORM_ALG, type SigningKey } from '@renkei/auth';
import type { PrismaClient } from '@renkei/persistence';
import { GENESIS_HASH, headsOf, verifySegment, type ExpectedHead, type HeadSource } from './audit-log.js';

/** The JWS type of a checkpoint: it can never pass as an access token, nor an access token as it. */
export const CHECKPOINT_TYP = 'renkei-audit-checkpoint+jwt';

/** What a checkpoint states: the chain held `entries` entries, the last being `seq` with hash `hash`. */
export interface CheckpointClaims {
  seq: number;
  hash: string;
  entries: number;
  iat: number;
  iss: string;
}

export interface VerifiedCheckpoint extends CheckpointClaims {
  kid: string;
}

export interface CheckpointView {
  seq: number;
  hash: string;
  entries: number;
  kid: string;
  /** The compact JWS (ES256) over `{seq, hash, entries, iat, iss}`: keep it as a receipt. */
  jws: string;
  createdAt: string;
}

/** Signs a checkpoint of the chain's head with the platform's active signing key. */
export async function signCheckpoint(
  head: { seq: bigint; hash: string; entries: bigint },
  key: SigningKey,
  issuer: string,
  now: Date,
): Promise<string> {
  return new SignJWT({ seq: Number(head.seq), hash: head.hash, entries: Number(head.entries) })
    .setProtectedHeader({ alg: PLATFORM_ALG, kid: key.kid, typ: CHECKPOINT_TYP })
    .setIssuer(issuer)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .sign(key.privateKey);
}

export const checkpointInvalid = (message: string) =>
  new DomainError('AUDIT.CHECKPOINT_INVALID', 'unprocessable', message, {
    hint: 'Send the compact JWS exactly as GET /audit/checkpoints/latest or GET /audit/receipts returned it',
  });

/** Nothing to sign a checkpoint over: the chain is still empty. */
export const noCheckpoint = () =>
  notFound(
    'AUDIT.NO_CHECKPOINT',
    'No checkpoint has been signed yet: the audit record is empty',
    'Try again once something has been recorded',
  );

/**
 * Verifies a checkpoint's signature against the platform's keys — retired ones included, since a
 * checkpoint outlives the key that signed it — and the shape of its claims.
 */
export async function verifyCheckpoint(
  jws: string,
  jwks: { keys: JWK[] },
  issuer: string,
): Promise<VerifiedCheckpoint> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(jws).kid;
  } catch {
    throw checkpointInvalid('The checkpoint is not a compact JWS');
  }
  try {
    const { payload } = await jwtVerify(jws, createLocalJWKSet(jwks), {
      issuer,
      typ: CHECKPOINT_TYP,
      algorithms: [PLATFORM_ALG],
      requiredClaims: ['seq', 'hash', 'entries', 'iat'],
    });
    const { seq, hash, entries } = payload as Partial<CheckpointClaims>;
    if (
      !Number.isSafeInteger(seq) ||
      seq! < 1 ||
      !Number.isSafeInteger(entries) ||
      typeof hash !== 'string' ||
      !/^[0-9a-f]{64}$/.test(hash)
    ) {
      throw checkpointInvalid('The checkpoint claims are not a seq, entry count and SHA-256 hash');
    }
    return { seq: seq!, hash, entries: entries!, iat: payload.iat!, iss: payload.iss!, kid: kid ?? '' };
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (error instanceof errors.JWKSNoMatchingKey)
      throw checkpointInvalid(`The checkpoint was signed with a key (kid ${kid}) this platform never had`);
    if (error instanceof errors.JWSSignatureVerificationFailed)
      throw checkpointInvalid('The checkpoint signature does not verify: it was altered or forged');
    if (error instanceof errors.JOSEError)
      throw checkpointInvalid(`The checkpoint was rejected: ${error.code}`);
    throw error;
  }
}

/** The notification kind that carries the newest signed checkpoint to each originator. */
export const CHECKPOINT_NOTIFICATION = 'AUDIT.CHECKPOINT';

/**
 * Where checkpoints are anchored outside the audit tables, so that deleting the newest entries together
 * with the stored checkpoint is still detected: every new checkpoint goes (in the same transaction) to the
 * outbox for a Kafka topic kept forever, and to each originator's notification feed.
 */
export interface CheckpointAnchors {
  /** Participants owning datasets: each one's feed holds the newest checkpoint. */
  originators(): string[];
  /** The newest checkpoint read back from the Kafka topic, if any (compact JWS). */
  newestOnKafka(): string | null;
}

/** Reads a checkpoint's seq without verifying it (to keep the newest; it is verified when used). */
export function checkpointSeq(jws: string): number {
  try {
    const payload = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      seq?: unknown;
    };
    return typeof payload.seq === 'number' ? payload.seq : 0;
  } catch {
    return 0;
  }
}

export interface CheckpointKeys {
  current(): SigningKey;
  readonly verificationJwks: { keys: JWK[] };
  /** Reloads the keys (another replica may have just created one); optional. */
  refresh?(): Promise<void>;
}

const view = (r: {
  seq: bigint;
  hash: string;
  entries: bigint;
  kid: string;
  jws: string;
  createdAt: Date;
}): CheckpointView => ({
  seq: Number(r.seq),
  hash: r.hash,
  entries: Number(r.entries),
  kid: r.kid,
  jws: r.jws,
  createdAt: r.createdAt.toISOString(),
});

/**
 * Signs checkpoints of the audit chain: on a timer whenever the head has moved, and on demand. A new
 * checkpoint vouches only for entries that verify against the previous one. Entries up to the head read
 * are committed and immutable (appends are serialised), so no lock is held while checking and signing;
 * replicas racing for the same head store one checkpoint.
 */
export class AuditCheckpointer {
  private trusted: { seq: bigint; hash: string } | null = null;
  private timer: NodeJS.Timeout | undefined;
  private serial: Promise<unknown> = Promise.resolve();
  private lastFailure: string | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly keys: CheckpointKeys,
    private readonly issuer: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly anchors: CheckpointAnchors | null = null,
  ) {}

  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.timer ??= setInterval(() => {
      this.checkpoint()
        .then(() => (this.lastFailure = null))
        .catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          if (message !== this.lastFailure) {
            this.logger.error({ err: error }, 'audit checkpoint not signed');
            this.lastFailure = message;
          }
        });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.serial.catch(() => undefined);
  }

  /** Every public key that ever signed (retired ones included): checkpoints outlive their keys. */
  get verificationJwks(): { keys: JWK[] } {
    return this.keys.verificationJwks;
  }

  /** Verifies a checkpoint; a kid not (yet) in this replica's ring makes it reload the ring once. */
  async verifyJws(jws: string): Promise<VerifiedCheckpoint> {
    try {
      return await verifyCheckpoint(jws, this.keys.verificationJwks, this.issuer);
    } catch (error) {
      const kid = (() => {
        try {
          return decodeProtectedHeader(jws).kid;
        } catch {
          return undefined;
        }
      })();
      if (!this.keys.refresh || !kid || this.keys.verificationJwks.keys.some((k) => k.kid === kid))
        throw error;
      await this.keys.refresh();
      return verifyCheckpoint(jws, this.keys.verificationJwks, this.issuer);
    }
  }

  async latest(): Promise<CheckpointView | null> {
    const row = await this.prisma.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' } });
    return row ? view(row) : null;
  }

  /** A checkpoint of the current head: the stored one if the head has not moved, else a new one. */
  checkpoint(): Promise<{ checkpoint: CheckpointView | null; created: boolean }> {
    const run = this.serial.then(
      () => this.make(),
      () => this.make(),
    );
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async make(): Promise<{ checkpoint: CheckpointView | null; created: boolean }> {
    // The checkpoint first, then the head: another replica may append and sign in between, and a head read
    // before its checkpoint would look cut back (a false AUDIT.CHAIN_BROKEN under concurrent replicas).
    const latest = await this.prisma.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' } });
    const head = await this.prisma.auditEntry.findFirst({
      orderBy: { seq: 'desc' },
      select: { seq: true, hash: true },
    });
    if (!head) {
      if (latest) throw this.broken(1n, `the chain is empty but checkpoint ${latest.seq} covers entries`);
      return { checkpoint: null, created: false };
    }
    if (latest && latest.seq >= head.seq) {
      if (latest.seq > head.seq) {
        throw this.broken(
          head.seq + 1n,
          `the chain ends at ${head.seq} but checkpoint ${latest.seq} covers more`,
        );
      }
      return { checkpoint: view(latest), created: false };
    }
    let base = this.trusted;
    if (!base || (latest && latest.seq > base.seq)) {
      if (latest) {
        const claims = await this.verifyJws(latest.jws).catch((error: unknown) => {
          throw this.broken(
            latest.seq,
            `checkpoint ${latest.seq} is not genuine: ${(error as Error).message}`,
          );
        });
        base = { seq: BigInt(claims.seq), hash: claims.hash };
      } else {
        base = { seq: 0n, hash: GENESIS_HASH };
      }
    }
    if (base.seq > head.seq || (base.seq === head.seq && base.hash !== head.hash)) {
      throw this.broken(
        base.seq > head.seq ? head.seq + 1n : head.seq,
        `the chain no longer reproduces checkpoint ${base.seq}`,
      );
    }
    const segment = await verifySegment(this.prisma, base, head.seq);
    if (!segment.ok) throw this.broken(segment.seq, segment.problem);
    const key = this.keys.current();
    const now = this.clock.now();
    const jws = await signCheckpoint({ ...segment.head, entries: head.seq }, key, this.issuer, now);
    const originators = this.anchors?.originators() ?? [];
    const superseded = await this.prisma.$transaction(async (tx) => {
      // Replicas store (and anchor) checkpoints one at a time, and never one older than the newest stored:
      // an originator's feed keeps the newest receipt, the anchor topic only ever moves forward.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('renkei.audit.checkpoint'))`;
      const newer = await tx.auditCheckpoint.findFirst({
        where: { seq: { gt: head.seq } },
        orderBy: { seq: 'desc' },
      });
      if (newer) return newer;
      const { count } = await tx.auditCheckpoint.createMany({
        data: [
          { seq: head.seq, hash: segment.head.hash, entries: head.seq, kid: key.kid, jws, createdAt: now },
        ],
        skipDuplicates: true,
      });
      // Another replica stored this head first: it anchored it too.
      if (count === 0 || !this.anchors) return null;
      const anchored = {
        seq: Number(head.seq),
        hash: segment.head.hash,
        entries: Number(head.seq),
        kid: key.kid,
        jws,
      };
      await tx.clearingOutbox.create({
        data: { topic: Topics.auditCheckpoints, key: 'checkpoint', value: anchored },
      });
      // One row per originator, replaced by each newer checkpoint (the feed does not fill up with them);
      // grantId carries the originator's own id: the row belongs to no grant.
      const message = `Audit checkpoint ${head.seq}: the audit record held ${head.seq} entries. Keep the signed checkpoint (reason) as a receipt; POST /audit/verify with it proves nothing was cut back.`;
      for (const participantId of originators) {
        await tx.notification.upsert({
          where: {
            grantId_kind_version: {
              grantId: participantId,
              kind: CHECKPOINT_NOTIFICATION,
              version: 'latest',
            },
          },
          create: {
            id: randomUUID(),
            participantId,
            grantId: participantId,
            kind: CHECKPOINT_NOTIFICATION,
            dataset: '*',
            version: 'latest',
            message,
            reason: jws,
            eventAt: now,
          },
          update: { message, reason: jws, eventAt: now, readAt: null },
        });
      }
      return null;
    });
    this.trusted = segment.head;
    // Another replica signed a newer head meanwhile: that one is the checkpoint of the current head.
    if (superseded) return { checkpoint: view(superseded), created: false };
    const stored = await this.prisma.auditCheckpoint.findUniqueOrThrow({ where: { seq: head.seq } });
    return { checkpoint: view(stored), created: stored.jws === jws };
  }

  private broken(seq: bigint, problem: string): DomainError {
    return conflict(
      'AUDIT.CHAIN_BROKEN',
      `No checkpoint signed: from seq ${seq} the audit chain does not verify (${problem})`,
      'Run GET /audit/verify for the full finding and alert the consortium admin: the record was tampered with',
    );
  }

  /**
   * The newest checkpoint found outside the audit tables — on the Kafka topic, and in the originators'
   * feeds — as expected heads for verifyAudit: the chain must reach them. A stored checkpoint deleted with
   * the entries it covered is then still missed. Each is verified like a supplied one.
   */
  async anchoredHeads(): Promise<HeadSource> {
    const found: { jws: string; where: string }[] = [];
    const onKafka = this.anchors?.newestOnKafka();
    if (onKafka) found.push({ jws: onKafka, where: 'anchored on Kafka' });
    const feeds = await this.prisma.notification.findMany({
      where: { kind: CHECKPOINT_NOTIFICATION },
      select: { reason: true },
    });
    const newestFeed = feeds
      .map((f) => f.reason ?? '')
      .filter((jws) => jws.length > 0)
      .sort((a, b) => checkpointSeq(b) - checkpointSeq(a))[0];
    if (newestFeed) found.push({ jws: newestFeed, where: "in an originator's notification feed" });
    const heads: ExpectedHead[] = [];
    for (const { jws, where } of found) {
      const seq = BigInt(checkpointSeq(jws));
      try {
        const claims = await this.verifyJws(jws);
        heads.push({
          seq: BigInt(claims.seq),
          hash: claims.hash,
          label: `the checkpoint ${claims.seq} ${where}`,
        });
      } catch (error) {
        heads.push({
          seq,
          hash: '',
          label: `the checkpoint ${seq} ${where}`,
          invalid: (error as Error).message,
        });
      }
    }
    return headsOf(heads);
  }

  /**
   * The stored checkpoints as expected heads for verifyAudit, read in step with the chain. Each one's
   * signature is checked; one that does not verify, or whose row disagrees with what it signed, is
   * reported as not genuine.
   */
  storedHeads(): HeadSource {
    const toHead = async (row: {
      seq: bigint;
      hash: string;
      jws: string;
      kid: string;
    }): Promise<ExpectedHead> => {
      const label = `stored checkpoint ${row.seq} (kid ${row.kid})`;
      try {
        const claims = await this.verifyJws(row.jws);
        if (BigInt(claims.seq) !== row.seq || claims.hash !== row.hash) {
          return { seq: row.seq, hash: row.hash, label, invalid: 'its row differs from what it signed' };
        }
        return { seq: BigInt(claims.seq), hash: claims.hash, label };
      } catch (error) {
        return { seq: row.seq, hash: row.hash, label, invalid: (error as Error).message };
      }
    };
    return {
      between: async (from, to) =>
        Promise.all(
          (
            await this.prisma.auditCheckpoint.findMany({
              where: { seq: { gte: from, lte: to } },
              orderBy: { seq: 'asc' },
            })
          ).map(toHead),
        ),
      beyond: async (from) => {
        const row = await this.prisma.auditCheckpoint.findFirst({
          where: { seq: { gte: from } },
          orderBy: { seq: 'desc' },
        });
        return row ? toHead(row) : null;
      },
    };
  }
}
