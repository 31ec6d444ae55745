import { Inject, Injectable } from '@nestjs/common';
import { DomainError, PlatformProjection, concealing, forbidden, type ErrorDetail } from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import { syncFor, type ProjectionSync } from '@renkei/policy';
import { PROJECTION_SYNC } from '../core/clearing-core.module.js';

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
    @Inject(PlatformProjection) private readonly state: PlatformProjection,
    @Inject(PROJECTION_SYNC) private readonly sync: ProjectionSync,
  ) {}

  /** The owner of a dataset, or undefined when the registry has no such dataset. */
  async ownerOf(dataset: string): Promise<string | undefined> {
    if (!this.currentOwner(dataset)) await syncFor(this.sync, () => this.currentOwner(dataset) !== undefined);
    return this.currentOwner(dataset);
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

  /** The owner as the projection knows it now, without waiting for it to catch up. */
  currentOwner(dataset: string): string | undefined {
    const versions = this.state.contracts.get(dataset);
    return versions ? [...versions.values()][0]?.owner : undefined;
  }

  /** Datasets whose contract (any version) names the participant as owner, as the projection knows them now. */
  ownedBy(participantId: string): string[] {
    const owned: string[] = [];
    for (const [dataset, versions] of this.state.contracts) {
      if ([...versions.values()].some((v) => v.owner === participantId)) owned.push(dataset);
    }
    return owned;
  }

  /** Whether the registry has the dataset at all, as the projection knows it now. */
  exists(dataset: string): boolean {
    return this.state.contracts.has(dataset);
  }
}
