import type { ServiceDescription } from '#libs/platform';

export const describeRegistry: ServiceDescription = {
  name: 'registry',
  title: 'Renkei registry',
  description: 'Participants (onboarding, identity, keys) and data contracts (versions, schemas, catalog).',
};
