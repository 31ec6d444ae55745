import { Injectable } from '@nestjs/common';
import type { GrantState } from '@renkei/domain';
import type { Prisma } from '@renkei/persistence';
import type { GrantRow } from './grant-view.js';

/** One committed-together grant move, as features that follow grants see it. */
export interface GrantTransition {
  /** The grant after the move. */
  grant: GrantRow;
  from: GrantState;
  to: GrantState;
  actorId: string;
  reason: string | null;
  at: Date;
}

export type GrantTransitionListener = (
  tx: Prisma.TransactionClient,
  change: GrantTransition,
) => Promise<void>;

/**
 * Features that must move with a grant (a DSP transfer is suspended, started again or terminated with its
 * grant) register here. Every listener runs inside the transaction of the grant's move, under its row lock,
 * after the transition record: the grant's move and what follows from it commit together or not at all.
 */
@Injectable()
export class GrantTransitionHooks {
  private readonly listeners: GrantTransitionListener[] = [];

  add(listener: GrantTransitionListener): void {
    this.listeners.push(listener);
  }

  async run(tx: Prisma.TransactionClient, change: GrantTransition): Promise<void> {
    for (const listener of this.listeners) await listener(tx, change);
  }
}
