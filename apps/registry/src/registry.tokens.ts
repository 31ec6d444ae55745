export const PRISMA = Symbol('PRISMA');
export const OUTBOX = Symbol('OUTBOX');
export const LOGGER = Symbol('LOGGER');
export const REGISTRY_URLS = Symbol('REGISTRY_URLS');
export const HELD_GRANTS = Symbol('HELD_GRANTS');
export const SCHEMA_WORK = Symbol('SCHEMA_WORK');

/** Public base URLs the catalog links to (DCAT access services, contract documents). */
export interface RegistryUrls {
  registry: string;
  exchange: string;
}
