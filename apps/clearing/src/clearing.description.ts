import type { ServiceDescription } from '#libs/platform';

export const describeClearing: ServiceDescription = {
  name: 'clearing',
  title: 'Renkei clearing',
  description: 'Consent (grants), policy decisions, access tokens and the tamper-evident audit record.',
};
