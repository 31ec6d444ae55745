import type { ServiceDescription } from '@renkei/platform';

export const describeRegistry: ServiceDescription = {
  name: 'registry',
  title: 'Renkei registry',
  description:
    'Participants (onboarding, identity, keys) and data contracts: versions with a guarded lifecycle (draft → active → deprecated → retired), JSON Schema compatibility checks, ODCS v3 import and export, and a catalog (JSON and DCAT / Dataspace Protocol).',
  // A contract's schema may be at most 256 KiB (SCHEMA_MAX_BYTES); with its terms, or as an ODCS document,
  // a body stays far below 1 MiB. A larger body is refused at the edge before anything parses it.
  bodyLimitBytes: 1024 * 1024,
  textBodies: ['application/yaml', 'application/x-yaml', 'text/yaml'],
};
