import type { ServiceDescription } from '@renkei/platform';

export const describeExchange: ServiceDescription = {
  name: 'exchange',
  title: 'Renkei exchange',
  description:
    'Publish events under a data contract; receive them under a grant, with per-delivery policy enforcement.',
  bodyLimitBytes: 10 * 1024 * 1024,
};
