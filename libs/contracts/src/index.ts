// Contract logic without I/O: schema compatibility, ODCS v3 import/export, DCAT / Dataspace Protocol catalog.
export {
  checkCompatibility,
  type SchemaBreak,
  type VersionedSchema,
  versionsCheckedAgainst,
} from './compatibility.js';
export { type ContractDraft, exportOdcs, exportOdcsYaml, importOdcs } from './odcs.js';
export { type CatalogOffer, DSP_CONTEXT, dcatCatalog, offerRules, renkeiTerm } from './dcat.js';
export { dspCatalog, type DspCatalogOptions, dspDataset, dspDatasetDocument } from './dsp-catalog.js';
export {
  dspDatasetId,
  type DspDatasetRef,
  dspOfferId,
  MAX_DSP_ID_LENGTH,
  parseDspDatasetId,
  parseDspOfferId,
  parseDspRef,
} from './dsp-ids.js';
export { contractTermViolations, tagsOf } from './terms.js';
export {
  HTTP_ENDPOINT_TYPE,
  isTransferFormat,
  TRANSFER_FORMATS,
  transferDataAddress,
  transferDistributions,
  transferEndpoint,
  type TransferFormat,
  TransferFormats,
} from './transfer-formats.js';
