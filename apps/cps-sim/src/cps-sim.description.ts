import type { ServiceDescription } from '#libs/platform';

export const describeCpsSim: ServiceDescription = {
  name: 'cps-sim',
  title: 'Renkei CPS simulation',
  description:
    'Digital twin and what-if simulations over governed streams (scenarios arrive with the CPS issue).',
};
