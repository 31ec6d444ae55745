/**
 * Renkei's Dataspace Protocol ids of a contract version (ADR 0029), one definition for the catalog, the
 * negotiations and the TCK run. Path-safe (the TCK puts ids into URLs unencoded; colons route):
 * - dataset: `urn:renkei:dataset:<dataset>:<version>`
 * - offer:   `urn:renkei:offer:<dataset>:<version>`
 * The agreement id is the grant id (a UUID); provider and consumer pids are row ids (UUIDs).
 */
import { DatasetId, isSemver } from '@renkei/domain';

const DATASET_PREFIX = 'urn:renkei:dataset:';
const OFFER_PREFIX = 'urn:renkei:offer:';
/** The longest DSP dataset or offer id Renkei issues (prefix + dataset id + version), with room to spare. */
export const MAX_DSP_ID_LENGTH = 256;

/** A contract version: the dataset and its semantic version. */
export interface DspDatasetRef {
  dataset: string;
  version: string;
}

/** The DSP id of a contract version's Dataset. */
export const dspDatasetId = (dataset: string, version: string) => `${DATASET_PREFIX}${dataset}:${version}`;
/** The DSP id of a contract version's Offer. */
export const dspOfferId = (dataset: string, version: string) => `${OFFER_PREFIX}${dataset}:${version}`;

function parseRef(prefix: string, id: string): DspDatasetRef | null {
  if (id.length > MAX_DSP_ID_LENGTH || !id.startsWith(prefix)) return null;
  const rest = id.slice(prefix.length);
  // A dataset id has no colon (dotted lower-case segments), a semantic version has none either.
  const colon = rest.indexOf(':');
  if (colon < 0) return null;
  const dataset = rest.slice(0, colon);
  const version = rest.slice(colon + 1);
  if (!DatasetId.safeParse(dataset).success || !isSemver(version)) return null;
  return { dataset, version };
}

/** The contract version a DSP dataset id names, or null when it is not one Renkei issues. */
export const parseDspDatasetId = (id: string) => parseRef(DATASET_PREFIX, id);
/** The contract version a DSP offer id names, or null when it is not one Renkei issues. */
export const parseDspOfferId = (id: string) => parseRef(OFFER_PREFIX, id);

const VERSION_URL = /\/contracts\/([^/#?]+)\/versions\/([^/#?]+)(?:#offer)?$/;

/**
 * The contract version a peer's dataset or offer reference names: a DSP dataset or offer id of ours, or
 * the registry's contract-version URL (`…/contracts/<dataset>/versions/<version>`, with or without
 * `#offer`, as the DCAT view names them). Null for anything else, including over-long ids.
 */
export function parseDspRef(id: string | undefined): DspDatasetRef | null {
  if (!id || id.length > MAX_DSP_ID_LENGTH) return null;
  const urn = parseDspDatasetId(id) ?? parseDspOfferId(id);
  if (urn) return urn;
  const url = VERSION_URL.exec(id);
  if (!url?.[1] || !url[2]) return null;
  let ref: DspDatasetRef;
  try {
    ref = { dataset: decodeURIComponent(url[1]), version: decodeURIComponent(url[2]) };
  } catch {
    return null;
  }
  return DatasetId.safeParse(ref.dataset).success && isSemver(ref.version) ? ref : null;
}
