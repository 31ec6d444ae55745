import type { ServiceDescription } from '@renkei/platform';

export const describeCpsSim: ServiceDescription = {
  name: 'cps-sim',
  title: 'Renkei CPS simulation',
  description:
    "The consortium's digital twin: follows supply-chain and regional health streams through the exchange under its own grants, runs what-if scenarios (disruption, method switch, CFP roll-up, hospital occupancy) on snapshots of the twin, and publishes results as derived datasets carrying lineage to their inputs.",
};
