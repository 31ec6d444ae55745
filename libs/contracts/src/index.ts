// Contract logic without I/O: schema compatibility, ODCS v3 import/export, DCAT / Dataspace Protocol catalog.
export * from './compatibility.js';
export {
  contractUrls,
  exportOdcs,
  exportOdcsYaml,
  importOdcs,
  ODCS_API_VERSION,
  ODCS_KIND,
  ODCS_SUPPORTED_API_VERSIONS,
  odcsContractId,
  OdcsErrorCodes,
  odcsPropertiesOf,
  RenkeiProperties,
  type ContractDraft,
  type ContractOwnerRef,
  type OdcsAuthoritativeDefinition,
  type OdcsCustomProperty,
  type OdcsDocument,
  type OdcsLogicalType,
  type OdcsProperty,
  type OdcsQualityRule,
  type OdcsRole,
  type OdcsSchemaObject,
  type OdcsSlaProperty,
  type OdcsTeamMember,
} from './odcs.js';
export * from './dcat.js';
export * from './terms.js';
