import { Inject, Injectable } from '@nestjs/common';
import { DomainError, concealing, forbidden, type ErrorDetail } from '#libs/domain';
import type { Principal } from '#libs/auth';
import type { PlatformProjection, ProjectionSync } from '../clearing.context.js';
import { STATE, SYNC } from '../clearing.tokens.js';

/** A dataset an originator names in a request, with the JSON Pointer reported when it is not theirs. */
export interface NamedDataset {
  dataset: string;
  path: string;
}

/**
 * The one check that an originator owns the datasets it names (from the registry projection). On a miss
 * the projection is brought up to date once before a dataset counts as unknown, so a contract registered
 * just before is found.
 */
@Injectable()
export class DatasetOwners {
  constructor(
    @Inject(STATE) private readonly state: PlatformProjection,
    @Inject(SYNC) private readonly sync: ProjectionSync,
  ) {}

  /** The owner of a dataset, or undefined when the registry has no such dataset. */
  async ownerOf(dataset: string): Promise<string | undefined> {
    const owner = this.lookup(dataset);
    if (owner) return owner;
    await this.sync(0);
    return this.lookup(dataset);
  }

  /**
   * Throws 404 CONTRACT.NOT_FOUND naming every path whose dataset is unknown — and, with
   * `othersAs: 'not-found'`, also those owned by someone else (nothing tells the caller they exist);
   * with `othersAs: 'forbidden'` (the default) a dataset of someone else is 403 CONTRACT.NOT_OWNER.
   * '*' (every dataset of the caller) is accepted when `allowAll` is set.
   */
  async assertOwner(
    actor: Principal,
    named: NamedDataset[],
    options: { action: string; allowAll?: boolean; othersAs?: 'forbidden' | 'not-found' },
  ): Promise<void> {
    const missing: ErrorDetail[] = [];
    const notOwned: string[] = [];
    let concealed: string | undefined;
    const owners = new Map<string, string | undefined>();
    for (const { dataset, path } of named) {
      if (dataset === '*' && options.allowAll) continue;
      if (!owners.has(dataset)) owners.set(dataset, await this.ownerOf(dataset));
      const owner = owners.get(dataset);
      if (owner === actor.participantId) continue;
      if (owner && options.othersAs !== 'not-found') notOwned.push(dataset);
      else missing.push({ path, message: `No dataset '${dataset}'` });
      if (owner && options.othersAs === 'not-found') concealed ??= dataset;
    }
    if (missing.length > 0) {
      const error = new DomainError(
        'CONTRACT.NOT_FOUND',
        'not-found',
        missing.length === 1 ? missing[0]!.message : `${missing.length} datasets are not yours or unknown`,
        {
          details: missing,
          hint: options.allowAll ? "Name a dataset you registered, or '*' for all your datasets" : undefined,
        },
      );
      // Someone else's dataset is answered as unknown, and recorded as a refusal (ADR 0018).
      throw concealed ? concealing(error, { type: 'dataset', id: concealed }) : error;
    }
    if (notOwned.length > 0) {
      throw forbidden('CONTRACT.NOT_OWNER', `Only the owner of '${notOwned[0]}' may ${options.action}`);
    }
  }

  private lookup(dataset: string): string | undefined {
    const versions = this.state.contracts.get(dataset);
    return versions ? [...versions.values()][0]?.owner : undefined;
  }
}
