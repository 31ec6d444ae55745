// Contract logic without I/O: schema compatibility, ODCS v3 import/export, DCAT / Dataspace Protocol catalog.
export * from './compatibility.js';
export * from './odcs.js';
export * from './dcat.js';
export * from './terms.js';
