import { Inject, Injectable } from '@nestjs/common';
import { concealing, notFound } from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import { PrismaClient } from '@renkei/persistence';
import type { GrantRow } from './grant-view.js';

/** Where a grant is read: the client, or a transaction that holds the grant's row lock. */
export type GrantReader = Pick<PrismaClient, 'grant'>;

/**
 * The one check that the caller is a party to a grant, its originator or its consumer, for every route
 * that names a grant (grants, dataset tokens). Anyone else's grant is answered exactly like a missing one,
 * so nothing can be learnt about what other companies agreed; only someone else's grant is recorded as a
 * refusal (ADR 0018), a missing one is an ordinary 404.
 */
@Injectable()
export class GrantAccess {
  constructor(@Inject(PrismaClient) private readonly prisma: GrantReader) {}

  /** The grant if the actor is a party to it; else 404 GRANT.NOT_FOUND. */
  async ofParty(actor: Principal, id: string, db: GrantReader = this.prisma): Promise<GrantRow> {
    const grant = await db.grant.findUnique({ where: { id } });
    if (!grant || (grant.originatorId !== actor.participantId && grant.consumerId !== actor.participantId)) {
      const error = notFound('GRANT.NOT_FOUND', `No grant ${id} that you are a party to`);
      throw grant ? concealing(error, { type: 'grant', id }) : error;
    }
    return grant;
  }
}
