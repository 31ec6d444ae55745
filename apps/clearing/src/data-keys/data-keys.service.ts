import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, forbidden, type Clock } from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import { PrismaClient } from '@renkei/persistence';
import { OutboxRelay } from '@renkei/kafka';
import { appendAudit } from '../audit/audit-log.js';
import { forgetPerson } from '../audit/person-tags.js';
import { recordPersonConsents, renkeiDeny } from '../consents/consents.service.js';
import { DatasetOwners } from '../datasets/dataset-owners.js';
import { DataKeyStore } from './data-key-store.js';
import type { EncryptionKeys, ErasePerson, KeyRelease } from './data-keys.dto.js';

@Injectable()
export class DataKeysService {
  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    @Inject(DatasetOwners) private readonly owners: DatasetOwners,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DataKeyStore) private readonly store: DataKeyStore,
  ) {}

  /** For the exchange, when it publishes: the dataset key, and each person's key for health data. */
  async encryptionKeys(req: EncryptionKeys) {
    const dataset = await this.store.keyFor(req.originator, req.dataset, null);
    const subjects = await this.store.keysFor(req.originator, req.dataset, [...new Set(req.subjects)]);
    return { dataset, subjects };
  }

  /**
   * For the exchange, when it delivers to a consumer: keys are released only while the consumer's grant
   * is live (granted and within its validity), and every release is on the audit chain.
   */
  async release(req: KeyRelease) {
    const now = this.clock.now();
    const grant = await this.prisma.grant.findUnique({ where: { id: req.grantId } });
    const live =
      grant &&
      grant.state === 'granted' &&
      grant.consumerId === req.consumer &&
      grant.dataset === req.dataset &&
      grant.validFrom <= now &&
      (grant.validUntil === null || now < grant.validUntil);
    if (!live) {
      throw forbidden(
        'GRANT.NOT_ACTIVE',
        'Keys are released only for a live grant',
        'Ask the originator for access',
      );
    }
    const released = await this.store.release(req.dataset, req.kids);
    await this.prisma.$transaction((tx) =>
      appendAudit(tx, [
        {
          kind: 'key.released',
          at: now,
          actorId: req.consumer,
          dataset: req.dataset,
          grantId: req.grantId,
          allow: released.keys.length > 0,
          payload: { kids: released.keys.map((k) => k.kid), destroyed: released.destroyed },
        },
      ]),
    );
    return released;
  }

  /** Crypto-shreds a whole dataset of the caller: every copy of its protected fields becomes unreadable. */
  async destroyDataset(actor: Principal, dataset: string, reason: string) {
    await this.owners.assertOwner(actor, [{ dataset, path: '/dataset' }], { action: 'destroy its keys' });
    const at = this.clock.now();
    const kids = await this.prisma.$transaction((tx) =>
      this.store.destroy(tx, actor.participantId, { dataset }, actor.participantId, reason, at),
    );
    await this.outbox.flush();
    return { dataset, destroyed: kids.length, at: at.toISOString() };
  }

  /**
   * Erases a person: destroys the person's keys (their protected fields, wherever copied, become
   * unreadable to everyone) and records an opt-out, so nothing more about them is delivered.
   */
  async erasePerson(actor: Principal, subjectRef: string, req: ErasePerson) {
    await this.owners.assertOwner(actor, [{ dataset: req.dataset, path: '/dataset' }], {
      action: 'destroy its keys',
      allowAll: true,
    });
    const at = this.clock.now();
    const kids = await this.prisma.$transaction(async (tx) => {
      const destroyed = await this.store.destroy(
        tx,
        actor.participantId,
        { dataset: req.dataset, subjectRef },
        actor.participantId,
        req.reason,
        at,
      );
      // The opt-out covers the scope erased; consents combine most restrictively, so it outweighs any permit.
      await recordPersonConsents(
        tx,
        actor.participantId,
        [renkeiDeny(subjectRef, req.dataset, { kind: 'erasure', reason: req.reason })],
        actor.participantId,
        at,
      );
      // Erased from every dataset: the person's audit key goes, and with it the link from their tags to them.
      if (req.dataset === '*') await forgetPerson(tx, actor.participantId, subjectRef);
      return destroyed;
    });
    await this.outbox.flush();
    return { subjectRef, dataset: req.dataset, keysDestroyed: kids.length, at: at.toISOString() };
  }
}
