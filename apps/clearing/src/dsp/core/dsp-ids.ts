/**
 * Renkei's DSP ids: path-safe (the TCK puts ids into URLs unencoded; colons route), derived from the dataset
 * and contract version:
 * - dataset: `urn:renkei:dataset:<dataset>:<version>`
 * - offer:   `urn:renkei:offer:<dataset>:<version>`
 * The agreement id is the grant id (a UUID); provider and consumer pids are our row ids (UUIDs).
 */
import { isDatasetId } from '@renkei/domain';

const DATASET = 'urn:renkei:dataset:';
const OFFER = 'urn:renkei:offer:';

export const datasetDspId = (dataset: string, version: string) => `${DATASET}${dataset}:${version}`;
export const offerDspId = (dataset: string, version: string) => `${OFFER}${dataset}:${version}`;

export interface DatasetRef {
  dataset: string;
  version: string;
}

/**
 * The dataset and version a DSP dataset or offer id names: Renkei's URNs, or the registry's contract-version
 * URL (`…/contracts/<dataset>/versions/<version>`, with or without `#offer`). Undefined for anything else.
 */
export function parseDspRef(id: string | undefined): DatasetRef | undefined {
  if (!id) return undefined;
  let rest: string | undefined;
  if (id.startsWith(DATASET)) rest = id.slice(DATASET.length);
  else if (id.startsWith(OFFER)) rest = id.slice(OFFER.length);
  if (rest !== undefined) {
    const at = rest.lastIndexOf(':');
    if (at <= 0) return undefined;
    const ref = { dataset: rest.slice(0, at), version: rest.slice(at + 1) };
    return isDatasetId(ref.dataset) && ref.version ? ref : undefined;
  }
  const url = /\/contracts\/([^/#?]+)\/versions\/([^/#?]+)(?:#offer)?$/.exec(id);
  if (url?.[1] && url[2]) {
    const ref = { dataset: decodeURIComponent(url[1]), version: decodeURIComponent(url[2]) };
    return isDatasetId(ref.dataset) ? ref : undefined;
  }
  return undefined;
}
