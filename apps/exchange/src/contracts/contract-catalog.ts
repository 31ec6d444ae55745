import { Injectable } from '@nestjs/common';
import {
  compileContractSchema,
  notFound,
  PlatformProjection,
  type ContractTerms,
  type PayloadValidator,
} from '@renkei/domain';

/** The contracts the exchange publishes and delivers under, and their compiled JSON Schemas. */
export abstract class ContractCatalog {
  /** A version of a dataset's contract (default: the current one), or undefined if the projection has none. */
  abstract find(dataset: string, version?: string): ContractTerms | undefined;
  /** Like find(), but an unknown contract is a 404 CONTRACT.NOT_FOUND. */
  abstract get(dataset: string, version?: string): ContractTerms;
  /** A payload validator for a contract version, compiled once. */
  abstract validator(contract: ContractTerms): PayloadValidator;
}

/** Contracts as the platform projection knows them; validators cached per dataset and version. */
@Injectable()
export class ProjectedContractCatalog implements ContractCatalog {
  private readonly validators = new Map<string, PayloadValidator>();

  constructor(private readonly state: PlatformProjection) {}

  find(dataset: string, version?: string): ContractTerms | undefined {
    return version ? this.state.contracts.get(dataset)?.get(version) : this.state.currentContract(dataset);
  }

  get(dataset: string, version?: string): ContractTerms {
    const contract = this.find(dataset, version);
    if (!contract) {
      throw notFound(
        'CONTRACT.NOT_FOUND',
        version
          ? `No version ${version} of dataset '${dataset}'`
          : `No active contract for dataset '${dataset}'`,
        'List datasets with GET /catalog on the registry',
      );
    }
    return contract;
  }

  validator(contract: ContractTerms): PayloadValidator {
    const key = `${contract.dataset}@${contract.version}`;
    let validator = this.validators.get(key);
    if (!validator) {
      validator = compileContractSchema(contract.schema);
      this.validators.set(key, validator);
    }
    return validator;
  }
}
