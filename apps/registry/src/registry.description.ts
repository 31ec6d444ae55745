import type { ServiceDescription } from '#libs/platform';

export const describeRegistry: ServiceDescription = {
  name: 'registry',
  title: 'Renkei registry',
  description:
    'Participants (onboarding, identity, keys) and data contracts: versions with a guarded lifecycle (draft → active → deprecated → retired), JSON Schema compatibility checks, ODCS v3 import and export, and a catalog (JSON and DCAT / Dataspace Protocol).',
  textBodies: ['application/yaml', 'application/x-yaml', 'text/yaml'],
};
