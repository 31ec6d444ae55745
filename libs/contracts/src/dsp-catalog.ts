/**
 * The Dataspace Protocol 2025-1 catalog Renkei's connector serves (clearing's `/dsp/catalog/...`, ADR 0029):
 * the same Datasets and ODRL offers as the registry's DCAT view (dcat.ts), framed for the protocol. Pure
 * functions, no I/O; the caller decides which contract versions the requesting peer may see.
 *
 * | DCAT view (registry)                      | DSP view (clearing)                                                  |
 * |-------------------------------------------|----------------------------------------------------------------------|
 * | Dataset `@id` = registry version URL       | `urn:renkei:dataset:<dataset>:<version>` (what negotiations target)  |
 * | Offer `@id` = `<version URL>#offer`        | `urn:renkei:offer:<dataset>:<version>` (no `target`, per DSP)         |
 * | one Distribution, `application/x-ndjson`,  | two Distributions, the DSP transfer formats `HttpData-PULL` (snapshot |
 * | the exchange as DataService                | over HTTP) and `Renkei-NDJSON-STREAM` (the exchange's NDJSON stream), |
 * |                                            | `dcat:accessURL` the exchange endpoint (transfer-formats.ts); the     |
 * |                                            | DataService is the connector, `endpointURL` = `<clearing>/dsp`        |
 * | `participantId` = the operator or registry | `participantId` = this connector's DSP participant id                 |
 *
 * Everything else (publisher, keywords, version and status, the offer's purposes, residency, withheld
 * fields, retention, who approves) is identical, so both views stay one mapping (dcat.ts has the table).
 * `@context` is exactly [DSP context]; other vocabularies are full IRIs or the context's prefixes.
 */
import { datasetNode, DSP_CONTEXT, type CatalogOffer } from './dcat.js';
import { transferDistributions } from './transfer-formats.js';
import { dspDatasetId, dspOfferId } from './dsp-ids.js';

export interface DspCatalogOptions {
  /** This connector's DSP participant id (the Catalog's `participantId`). */
  participantId: string;
  /** The protocol URL, `<clearing>/dsp`: the DataService every distribution is reached through. */
  protocolUrl: string;
  /** The registry's public URL: publisher, contract documents and Renkei's vocabulary live there. */
  registryUrl: string;
  /** The exchange's public URL: each distribution's `dcat:accessURL` (where a started transfer reads). */
  exchangeUrl: string;
}

const trimSlashes = (url: string) => url.replace(/\/+$/, '');

function dataService(protocolUrl: string) {
  return {
    '@id': protocolUrl,
    '@type': 'DataService',
    endpointURL: protocolUrl,
    'dct:title': 'Renkei connector (Dataspace Protocol 2025-1)',
  };
}

/** One contract version as a DSP `Dataset` inside a Catalog (no `@context`). */
export function dspDataset(o: CatalogOffer, opts: DspCatalogOptions): Record<string, unknown> {
  const protocolUrl = trimSlashes(opts.protocolUrl);
  const service = dataService(protocolUrl);
  return datasetNode(o, trimSlashes(opts.registryUrl), {
    id: dspDatasetId(o.terms.dataset, o.terms.version),
    offerId: dspOfferId(o.terms.dataset, o.terms.version),
    // One per transfer format (transfer-formats.ts), reached by negotiating with the connector.
    distribution: transferDistributions(opts.exchangeUrl, o.terms.dataset, service),
  });
}

/** The answer to `GET /catalog/datasets/{id}`: a Dataset with the DSP context. */
export function dspDatasetDocument(o: CatalogOffer, opts: DspCatalogOptions): Record<string, unknown> {
  return { '@context': [DSP_CONTEXT], ...dspDataset(o, opts) };
}

/**
 * The answer to a CatalogRequestMessage: every offer given, unpaged (the caller bounds how many; the DSP
 * TCK reads the first page only). The Catalog's `@id` names the connector's catalog, not the requester.
 */
export function dspCatalog(offers: CatalogOffer[], opts: DspCatalogOptions): Record<string, unknown> {
  const protocolUrl = trimSlashes(opts.protocolUrl);
  return {
    '@context': [DSP_CONTEXT],
    '@id': `${protocolUrl}/catalog`,
    '@type': 'Catalog',
    participantId: opts.participantId,
    'dct:title': 'Renkei consortium catalog',
    service: [dataService(protocolUrl)],
    // DSP's catalog schema wants at least one Dataset when the member is present: none, no member.
    ...(offers.length > 0 ? { dataset: offers.map((o) => dspDataset(o, opts)) } : {}),
  };
}
