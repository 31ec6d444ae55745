import { Inject, Injectable } from '@nestjs/common';
import {
  dspCatalog,
  dspDatasetDocument,
  parseDspDatasetId,
  type CatalogOffer,
  type DspCatalogOptions,
} from '@renkei/contracts';
import { notFound, PlatformProjection, type ContractTerms } from '@renkei/domain';
import { syncFor, type ProjectionSync } from '@renkei/policy';
import { PROJECTION_SYNC } from '../../core/clearing-core.module.js';

/**
 * What the DSP catalog needs to know about this connector. An abstract class so it is its own injection
 * token (DspCatalogModule.register provides it).
 */
export abstract class DspCatalogSettings implements DspCatalogOptions {
  /** This connector's DSP participant id (the Catalog's `participantId`). */
  abstract readonly participantId: string;
  /** `<clearing public URL>/dsp`. */
  abstract readonly protocolUrl: string;
  /** The registry's public URL (publisher, contract documents, Renkei's vocabulary). */
  abstract readonly registryUrl: string;
  /** The exchange's public URL (where a started transfer reads). */
  abstract readonly exchangeUrl: string;
}

/** The most Datasets one catalog page holds; further ones are on the next page (DSP `Link: rel="next"`). */
export const DSP_CATALOG_PAGE = 200;

/**
 * May this peer know the contract version exists? Exactly what the policy lets it request (the rule of
 * `grant.request`, policies/renkei/decision.rego): a published version of a consortium-wide dataset, or of
 * an invited-only one that invites it; and its own. A draft is its owner's alone. Everyone else gets the
 * answer a dataset that does not exist gets.
 */
export function offeredTo(peer: string, terms: ContractTerms): boolean {
  if (terms.owner === peer) return true;
  if (terms.status !== 'active' && terms.status !== 'deprecated') return false;
  if ((terms.visibility ?? 'consortium') === 'consortium') return true;
  return terms.visibility === 'invited' && (terms.invited ?? []).includes(peer);
}

export interface CatalogPage {
  catalog: Record<string, unknown>;
  /** The dataset id the next page starts after, or null on the last page. */
  next: string | null;
}

/**
 * The Dataspace Protocol catalog (DSP 2025-1 Catalog Protocol) for one peer, from the registry projection
 * clearing already follows: each dataset's current version the peer may see, as the registry's DCAT view
 * shows it, with DSP ids, formats and this connector as the DataService. Nothing of a dataset the peer may
 * not see leaves this class, not even whether it exists.
 */
@Injectable()
export class DspCatalogService {
  constructor(
    @Inject(PlatformProjection) private readonly state: PlatformProjection,
    @Inject(PROJECTION_SYNC) private readonly sync: ProjectionSync,
    @Inject(DspCatalogSettings) private readonly settings: DspCatalogSettings,
  ) {}

  /** One page of the catalog, datasets in id order, starting after `after` (a dataset id) when given. */
  async catalog(peer: string, after: string | null = null): Promise<CatalogPage> {
    await syncFor(this.sync);
    const visible: CatalogOffer[] = [];
    for (const dataset of [...this.state.contracts.keys()].sort()) {
      if (after !== null && dataset <= after) continue;
      const terms = this.state.currentContract(dataset);
      if (!terms || !offeredTo(peer, terms)) continue;
      visible.push(this.offerOf(terms));
      if (visible.length > DSP_CATALOG_PAGE) break;
    }
    const page = visible.slice(0, DSP_CATALOG_PAGE);
    return {
      catalog: dspCatalog(page, this.settings),
      next: visible.length > DSP_CATALOG_PAGE ? (page.at(-1)?.terms.dataset ?? null) : null,
    };
  }

  /**
   * One Dataset by its DSP id (`urn:renkei:dataset:<dataset>:<version>`). A version that does not exist,
   * is a draft, or is invited-only without inviting the peer: the same 404, after the same wait.
   */
  async dataset(peer: string, id: string): Promise<Record<string, unknown>> {
    const ref = parseDspDatasetId(id);
    const find = () => {
      const terms = ref ? this.state.contracts.get(ref.dataset)?.get(ref.version) : undefined;
      return terms && offeredTo(peer, terms) ? terms : undefined;
    };
    // Waits for the projection the same way whether the dataset is missing or hidden from this peer.
    await syncFor(this.sync, () => find() !== undefined);
    const terms = find();
    if (!terms) {
      throw notFound(
        'CONTRACT.NOT_FOUND',
        'No such dataset in this catalog',
        'Take dataset ids from the catalog (POST /dsp/catalog/request)',
      );
    }
    return dspDatasetDocument(this.offerOf(terms), this.settings);
  }

  private offerOf(terms: ContractTerms): CatalogOffer {
    const owner = this.state.participants.get(terms.owner);
    // Who is invited is the owner's business (dcat.ts publishes neither visibility nor the list).
    return {
      terms: { ...terms, invited: [] },
      owner: { id: terms.owner, legalName: owner?.legalName ?? terms.owner },
    };
  }
}
