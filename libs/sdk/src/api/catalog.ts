import { queryString } from '../client.js';
import type { CatalogFilter, CatalogPage } from './dto.js';
import { Session } from './session.js';

/** Registry: the catalog of datasets you may discover. */
export class CatalogCalls extends Session {
  /** Datasets you may discover (current version each); pass `nextCursor` back as `cursor` for the next page. */
  catalog(query: CatalogFilter = {}) {
    return this.call<CatalogPage>('registry', 'GET', `/catalog${queryString(query)}`);
  }
  /** The same catalog as DCAT / Dataspace Protocol JSON-LD. */
  catalogDcat(query: CatalogFilter = {}) {
    return this.call<Record<string, unknown>>('registry', 'GET', `/catalog/dcat${queryString(query)}`);
  }
}
