/**
 * The contract offers as a DCAT 3 catalog in the shape of the Eclipse Dataspace Protocol 2025-1 Catalog
 * Protocol (JSON-LD), so connectors of other data spaces (Catena-X/EDC, GAIA-X) can read what Renkei offers.
 * Pure function, no I/O. Read-only view: negotiation happens through Renkei grants, not DSP messages.
 *
 * Specs followed:
 * - DSP 2025-1 Catalog Protocol: https://github.com/eclipse-dataspace-protocol-base/DataspaceProtocol/blob/2025-1/specifications/catalog/catalog.protocol.md
 *   (schemas catalog-schema.json, dataset-schema.json, negotiation/contract-schema.json and the context
 *   https://w3id.org/dspace/2025/1/context.jsonld with its ODRL profile, from
 *   https://github.com/eclipse-dataspace-protocol-base/DataspaceProtocol/tree/2025-1/artifacts/src/main/resources)
 * - DCAT 3: https://www.w3.org/TR/vocab-dcat-3/ (dcat:version, adms:status for the life cycle, §11)
 * - ODRL 2.2 vocabulary: https://www.w3.org/TR/odrl-vocab/ (purpose, spatial, elapsedTime, delete)
 * - ADMS status vocabulary: http://purl.org/adms/status/ (Completed, Deprecated, UnderDevelopment, Withdrawn)
 *
 * | Renkei                       | JSON-LD (compacted against the DSP 2025-1 context)                            |
 * |------------------------------|-------------------------------------------------------------------------------|
 * | contract version             | `Dataset` with `@id` = registry version URL, `dct:identifier` = dataset id,    |
 * |                              | `dcat:version`, `dct:conformsTo` = version URL, `dct:isVersionOf` = latest URL |
 * | title, description           | `dct:title`, `dct:description`                                                |
 * | owner                        | `dct:publisher` foaf:Organization (`@id` registry participant URL, foaf:name,  |
 * |                              | adms:identifier for corporate number / LEI / BPN) and Offer `assigner`         |
 * | domain, field tags           | `dcat:keyword`                                                                 |
 * | status                       | `adms:status` active→Completed, deprecated→Deprecated, draft→UnderDevelopment, |
 * |                              | retired→Withdrawn                                                              |
 * | purposes                     | Offer permission `use` with constraint `odrl:purpose isAnyOf [purposes]`       |
 * | residency (dataset)          | same permission, constraint `odrl:spatial eq <ISO 3166-1 alpha-2>`             |
 * | residency (field)            | Offer prohibition `use` with `target` = the field (`<version URL>#/schema/     |
 * |                              | properties/<field>`) and constraint `odrl:spatial neq <country>`               |
 * | retentionDays                | Offer obligation `odrl:delete` with constraint `odrl:elapsedTime lteq P<N>D`   |
 * | approval                     | `originator`: the `use` permission carries the duty `odrl:obtainConsent` with  |
 * |                              | `odrl:consentingParty` = the owner (ODRL 2.2: consent must be obtained from    |
 * |                              | that party before use); `policy`: no such duty. Both: `<registry>/vocab#approval`|
 * | sensitivity                  | `<registry>/vocab#sensitivity`, `<registry>/vocab#minimumProtection` (IRIs)     |
 * | source (received dataset)    | `dct:source` {`dct:identifier` = the provider's dataset, `dct:publisher` = the   |
 * |                              | provider connector's participant, `<registry>/vocab#agreement` = agreement id} |
 * | exchange                     | `Distribution` format `application/x-ndjson` (DSP: an opaque string),         |
 * |                              | `dcat:accessURL` = the dataset's stream URL,                                   |
 * |                              | `accessService` DataService with `endpointURL` = exchange URL (also `service`) |
 *
 * `@context` is exactly [DSP context] (DSP's context-schema.json allows only URLs there), so the adms, foaf
 * and skos terms above are written as full IRIs, and so are Renkei's own terms (`<registry URL>/vocab#…`).
 * `format` is the DSP distribution format, an opaque string for DSP; here the media type of the stream.
 *
 * Visibility and the invited list are not published: the caller builds the catalog for one requester.
 */
import { MinimumProtection, type ContractStatus, type ContractTerms } from '@renkei/domain';
import { contractUrls, type ContractOwnerRef } from './odcs.js';

export interface CatalogOffer {
  terms: ContractTerms;
  owner: ContractOwnerRef;
}

export const DSP_CONTEXT = 'https://w3id.org/dspace/2025/1/context.jsonld';
export const NDJSON = 'application/x-ndjson';

const trimSlashes = (url: string) => url.replace(/\/+$/, '');

// DSP 2025-1 allows only context URLs in `@context` (common/context-schema.json): terms outside the prefixes
// its context defines (dct, dcat, odrl, dspace, xsd) are written as full IRIs.
const ADMS = 'http://www.w3.org/ns/adms#';
const FOAF = 'http://xmlns.com/foaf/0.1/';
const SKOS = 'http://www.w3.org/2004/02/skos/core#';

/** The IRI of a Renkei vocabulary term (for properties DCAT/ODRL have no term for), under the registry. */
export const renkeiTerm = (registryUrl: string, name: string) => `${trimSlashes(registryUrl)}/vocab#${name}`;

const ADMS_STATUS: Record<ContractStatus, string> = {
  draft: 'http://purl.org/adms/status/UnderDevelopment',
  active: 'http://purl.org/adms/status/Completed',
  deprecated: 'http://purl.org/adms/status/Deprecated',
  retired: 'http://purl.org/adms/status/Withdrawn',
};

/** JSON Pointer segment (RFC 6901), percent-encoded for an IRI fragment. */
const fragmentSegment = (s: string) =>
  encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1')).replace(/%7E/gi, '~');

function publisher(owner: ContractOwnerRef, registryUrl: string) {
  const identifiers = [
    owner.corporateNumber && {
      notation: owner.corporateNumber,
      agency: 'National Tax Agency Japan (corporate number)',
    },
    owner.lei && { notation: owner.lei, agency: 'GLEIF (ISO 17442 LEI)' },
    owner.bpn && { notation: owner.bpn, agency: 'Catena-X (Business Partner Number)' },
  ].filter((x): x is { notation: string; agency: string } => Boolean(x));
  return {
    '@id': `${registryUrl}/participants/${encodeURIComponent(owner.id)}`,
    '@type': `${FOAF}Organization`,
    [`${FOAF}name`]: owner.legalName,
    ...(identifiers.length > 0
      ? {
          [`${ADMS}identifier`]: identifiers.map((i) => ({
            '@type': `${ADMS}Identifier`,
            [`${SKOS}notation`]: i.notation,
            [`${ADMS}schemaAgency`]: i.agency,
          })),
        }
      : {}),
  };
}

function offer(terms: ContractTerms, versionUrl: string, assigner: string) {
  const permissionConstraints: Record<string, unknown>[] = [
    { leftOperand: 'odrl:purpose', operator: 'isAnyOf', rightOperand: [...terms.purposes] },
  ];
  if (terms.residency) {
    permissionConstraints.push({
      leftOperand: 'odrl:spatial',
      operator: 'eq',
      rightOperand: terms.residency,
    });
  }
  const prohibitions = Object.entries(terms.fields)
    .filter(([, field]) => field.residency)
    .map(([name, field]) => ({
      action: 'use',
      target: `${versionUrl}#/schema/properties/${fragmentSegment(name)}`,
      constraint: [{ leftOperand: 'odrl:spatial', operator: 'neq', rightOperand: field.residency }],
    }));
  // Originator approval: ODRL's own way to say "ask that party first" (ODRL 2.2 vocabulary, obtainConsent
  // and the consentingParty function); with policy approval a request the policy allows is agreed at once.
  const consent =
    (terms.approval ?? 'originator') === 'originator'
      ? { duty: [{ action: 'odrl:obtainConsent', 'odrl:consentingParty': { '@id': assigner } }] }
      : {};
  return {
    '@id': `${versionUrl}#offer`,
    '@type': 'Offer',
    assigner,
    permission: [{ action: 'use', constraint: permissionConstraints, ...consent }],
    ...(prohibitions.length > 0 ? { prohibition: prohibitions } : {}),
    ...(terms.retentionDays != null
      ? {
          obligation: [
            {
              action: 'odrl:delete',
              constraint: [
                {
                  leftOperand: 'odrl:elapsedTime',
                  operator: 'lteq',
                  rightOperand: { '@value': `P${terms.retentionDays}D`, '@type': 'xsd:duration' },
                },
              ],
            },
          ],
        }
      : {}),
  };
}

/**
 * The ODRL rules of a contract's offer (permission `use` with the purposes and residency, prohibitions of
 * fields that may not leave a country, the retention duty), as DSP offers and agreements carry them;
 * `targetBase` is the IRI field targets hang under (`<targetBase>#/schema/properties/<field>`).
 */
export function offerRules(terms: ContractTerms, targetBase: string, assigner: string) {
  const { '@id': _id, '@type': _type, assigner: _assigner, ...rules } = offer(terms, targetBase, assigner);
  return rules;
}

/** How a Dataset is identified and reached: its ids and distributions differ between the two views. */
export interface DatasetFrame {
  id: string;
  offerId: string;
  distribution: Record<string, unknown>[];
}

/**
 * One contract version as a DCAT `Dataset` with its ODRL offer (no `@context`: it sits in a Catalog). Shared by
 * the registry's DCAT view and the DSP catalog (dsp-catalog.ts); not exported from the package.
 */
export function datasetNode({ terms, owner }: CatalogOffer, registryUrl: string, frame: DatasetFrame) {
  const urls = contractUrls(registryUrl, terms.dataset, terms.version);
  const org = publisher(owner, registryUrl);
  const keywords = [...new Set([terms.domain, ...Object.values(terms.fields).flatMap((f) => f.tags)])];
  return {
    '@id': frame.id,
    '@type': 'Dataset',
    'dct:identifier': terms.dataset,
    'dct:title': terms.title,
    ...(terms.description ? { 'dct:description': terms.description } : {}),
    'dct:publisher': org,
    'dcat:keyword': keywords,
    'dcat:version': terms.version,
    'dct:conformsTo': { '@id': urls.version },
    'dct:isVersionOf': { '@id': urls.latest },
    [`${ADMS}status`]: { '@id': ADMS_STATUS[terms.status] },
    [renkeiTerm(registryUrl, 'sensitivity')]: terms.sensitivity,
    [renkeiTerm(registryUrl, 'minimumProtection')]: MinimumProtection[terms.sensitivity],
    [renkeiTerm(registryUrl, 'approval')]: terms.approval ?? 'originator',
    // A dataset received from another data space: its lineage to the external agreement.
    ...(terms.source
      ? {
          'dct:source': {
            'dct:identifier': terms.source.dataset,
            'dct:publisher': {
              '@id': `${registryUrl}/participants/${encodeURIComponent(terms.source.provider)}`,
            },
            [renkeiTerm(registryUrl, 'agreement')]: terms.source.agreementId,
          },
        }
      : {}),
    hasPolicy: [{ ...offer(terms, urls.version, org['@id']), '@id': frame.offerId }],
    distribution: frame.distribution,
  };
}

/**
 * A DSP 2025-1 `Catalog` of the given offers (one `Dataset` per contract version). `participantId` is the
 * consortium operator's id; DSP requires one, so the registry URL stands in when none is given.
 */
export function dcatCatalog(
  offers: CatalogOffer[],
  opts: { catalogId: string; registryUrl: string; exchangeUrl: string; participantId?: string },
): Record<string, unknown> {
  const registryUrl = trimSlashes(opts.registryUrl);
  const exchangeUrl = trimSlashes(opts.exchangeUrl);
  const service = {
    '@id': exchangeUrl,
    '@type': 'DataService',
    endpointURL: exchangeUrl,
    'dct:title': 'Renkei exchange',
  };
  const datasets = offers.map((o) => {
    const versionUrl = contractUrls(registryUrl, o.terms.dataset, o.terms.version).version;
    return datasetNode(o, registryUrl, {
      id: versionUrl,
      offerId: `${versionUrl}#offer`,
      distribution: [
        {
          '@type': 'Distribution',
          format: NDJSON,
          'dcat:accessURL': {
            '@id': `${exchangeUrl}/datasets/${encodeURIComponent(o.terms.dataset)}/stream`,
          },
          accessService: service,
        },
      ],
    });
  });
  return {
    '@context': [DSP_CONTEXT],
    '@id': opts.catalogId,
    '@type': 'Catalog',
    participantId: opts.participantId ?? registryUrl,
    'dct:title': 'Renkei consortium catalog',
    service: [service],
    dataset: datasets,
  };
}
