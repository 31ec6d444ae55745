import type { ServiceDescription } from '@renkei/platform';

export const describeClearing: ServiceDescription = {
  name: 'clearing',
  title: 'Renkei clearing',
  description:
    'Consent between companies (grants) and of persons (FHIR R5), policy decisions, access tokens, data keys for crypto-shredding, deletion obligations and the tamper-evident audit record.',
  // DSP peers send JSON-LD (application/ld+json) as well as plain JSON.
  jsonBodies: ['application/fhir+json', 'application/ld+json'],
};
