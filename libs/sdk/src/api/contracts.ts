import { json } from '../client.js';
import type {
  CompatibilityReport,
  ContractTransition,
  ContractView,
  DatasetCompatibility,
  OdcsImport,
} from './dto.js';
import { Session } from './session.js';

/** Registry: contract versions, their lifecycle, compatibility and ODCS documents. */
export class ContractCalls extends Session {
  registerContract(contract: Record<string, unknown>) {
    return this.call<ContractView>('registry', 'POST', '/contracts', contract);
  }
  contract(dataset: string, version?: string) {
    return this.call<ContractView>(
      'registry',
      'GET',
      version ? `/contracts/${dataset}/versions/${version}` : `/contracts/${dataset}`,
    );
  }
  contractVersions(dataset: string) {
    return this.call<ContractView[]>('registry', 'GET', `/contracts/${dataset}/versions`);
  }
  updateDraft(dataset: string, version: string, terms: Record<string, unknown>) {
    return this.call<ContractView>('registry', 'PUT', `/contracts/${dataset}/versions/${version}`, terms);
  }
  /** draft → active, active → deprecated, deprecated → retired. */
  moveContract(
    dataset: string,
    version: string,
    move: 'activate' | 'deprecate' | 'retire',
    reason: string | null = null,
  ) {
    return this.call<ContractView>('registry', 'POST', `/contracts/${dataset}/versions/${version}/${move}`, {
      reason,
    });
  }
  contractTransitions(dataset: string, version: string) {
    return this.call<ContractTransition[]>(
      'registry',
      'GET',
      `/contracts/${dataset}/versions/${version}/transitions`,
    );
  }
  /** Would this schema be accepted as the next version? Nothing changes. */
  checkCompatibility(dataset: string, schema: Record<string, unknown>, version?: string) {
    return this.call<CompatibilityReport>('registry', 'POST', `/contracts/${dataset}/compatibility`, {
      schema,
      ...(version ? { version } : {}),
    });
  }
  setCompatibility(dataset: string, compatibility: string) {
    return this.call<DatasetCompatibility>('registry', 'PUT', `/datasets/${dataset}/compatibility`, {
      compatibility,
    });
  }
  /** A contract version as an Open Data Contract Standard v3 document (YAML text). */
  async exportOdcs(dataset: string, version: string): Promise<string> {
    const response = await this.request(
      'registry',
      'GET',
      `/contracts/${dataset}/versions/${version}/odcs?format=yaml`,
    );
    return response.text();
  }
  /** Registers a contract version from an ODCS v3 document (YAML or JSON text). */
  /** `status`: override the document's own (draft/proposed → draft, active → active). */
  async importOdcs(document: string, status?: 'draft' | 'active') {
    const yaml = !document.trimStart().startsWith('{');
    return json<OdcsImport>(
      await this.request('registry', 'POST', `/contracts/odcs${status ? `?status=${status}` : ''}`, {
        raw: { text: document, contentType: yaml ? 'application/yaml' : 'application/json' },
      }),
    );
  }
}
