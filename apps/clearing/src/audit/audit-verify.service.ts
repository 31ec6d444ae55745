import { Inject, Injectable } from '@nestjs/common';
import { PrismaClient } from '@renkei/persistence';
import { combineHeads, headsOf, verifyAudit, type VerifyResult } from './audit-log.js';
import { AuditCheckpointer, noCheckpoint, type CheckpointView } from './checkpoints.js';

export interface VerifyReport extends VerifyResult {
  latestCheckpoint: { seq: number; hash: string; kid: string; createdAt: string } | null;
  supplied: { seq: number; hash: string; kid: string; iat: number } | null;
}

/** Signed checkpoints of the chain, and the walk that proves the chain still reproduces them. */
@Injectable()
export class AuditVerifyService {
  private verifying: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(AuditCheckpointer) private readonly checkpoints: AuditCheckpointer,
  ) {}

  async latestCheckpoint(): Promise<CheckpointView> {
    const latest = await this.checkpoints.latest();
    if (!latest) {
      const made = await this.checkpoints.checkpoint();
      if (!made.checkpoint) throw noCheckpoint();
      return made.checkpoint;
    }
    return latest;
  }

  createCheckpoint() {
    return this.checkpoints.checkpoint().then((made) => {
      if (!made.checkpoint) throw noCheckpoint();
      return made as { checkpoint: CheckpointView; created: boolean };
    });
  }

  checkpointKeys() {
    return this.checkpoints.verificationJwks;
  }

  /**
   * Re-walks the whole chain against every stored checkpoint and, if given, a checkpoint the caller kept:
   * a chain shorter than a checkpoint, or one whose hash at its seq differs, fails. `upToSupplied` (a
   * participant checking its receipt, not a compliance officer) walks only up to the supplied checkpoint's
   * seq: enough to prove what the receipt covers, without making clearing read the whole table for anyone.
   */
  verify(supplied?: string, options: { upToSupplied?: boolean } = {}): Promise<VerifyReport> {
    // A full walk reads the whole table: one at a time per replica, however many ask.
    const run = this.verifying.then(
      () => this.walk(supplied, options.upToSupplied === true),
      () => this.walk(supplied, options.upToSupplied === true),
    );
    this.verifying = run.catch(() => undefined);
    return run;
  }

  private async walk(supplied: string | undefined, upToSupplied: boolean): Promise<VerifyReport> {
    const claims = supplied ? await this.checkpoints.verifyJws(supplied) : null;
    // The newest checkpoint found anywhere counts: stored ones, those anchored on Kafka and in originators'
    // feeds, and the supplied one.
    const stored = combineHeads(this.checkpoints.storedHeads(), await this.checkpoints.anchoredHeads());
    const result = await verifyAudit(
      this.prisma,
      claims
        ? combineHeads(
            stored,
            headsOf([
              {
                seq: BigInt(claims.seq),
                hash: claims.hash,
                label: `the supplied checkpoint ${claims.seq} (kid ${claims.kid})`,
              },
            ]),
          )
        : stored,
      claims && upToSupplied ? { upTo: BigInt(claims.seq) } : {},
    );
    const latest = await this.checkpoints.latest();
    return {
      ...result,
      latestCheckpoint: latest
        ? { seq: latest.seq, hash: latest.hash, kid: latest.kid, createdAt: latest.createdAt }
        : null,
      supplied: claims ? { seq: claims.seq, hash: claims.hash, kid: claims.kid, iat: claims.iat } : null,
    };
  }
}
