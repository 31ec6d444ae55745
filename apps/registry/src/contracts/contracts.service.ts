import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import semver from 'semver';
import {
  assertContractTransition,
  badRequest,
  conflict,
  currentVersion,
  DomainError,
  forbidden,
  minimumProtection,
  notFound,
  type CompatibilityMode,
  type ContractEventType,
  type ContractStatus,
  type ContractTerms,
  type ErrorDetail,
  concealing,
} from '@renkei/domain';
import { contractTermViolations, tagsOf, type SchemaBreak } from '@renkei/contracts';
import type { Principal } from '@renkei/auth';
import { OutboxRelay } from '@renkei/kafka';
import { HeldGrants } from './held-grants.js';
import { verifyDerived, type LineageInput } from './lineage.js';
import type { CompatibilityCheck, ContractDto, RegisterContract, UpdateDraft } from './contracts.dto.js';
import {
  ContractsRepository,
  type ContractRow,
  type ContractsTx,
  type TermColumns,
} from './contracts.repository.js';
import { SchemaWork } from './schema-work.js';

export type { ContractRow } from './contracts.repository.js';
type Tx = ContractsTx;

export function toTerms(c: ContractRow): ContractTerms {
  return {
    dataset: c.dataset,
    owner: c.ownerId,
    version: c.version,
    status: c.status as ContractStatus,
    title: c.title,
    description: c.description,
    domain: c.domain,
    purposes: c.purposes,
    sensitivity: c.sensitivity as ContractTerms['sensitivity'],
    residency: c.residency,
    retentionDays: c.retentionDays,
    compatibility: c.compatibility as CompatibilityMode,
    visibility: c.visibility as ContractTerms['visibility'],
    invited: c.invited,
    approval: c.approval as ContractTerms['approval'],
    fields: c.fields as unknown as ContractTerms['fields'],
    schema: c.schema as ContractTerms['schema'],
    ...(c.lineage ? { lineage: c.lineage as unknown as NonNullable<ContractTerms['lineage']> } : {}),
    ...(c.derived ? { derived: c.derived as unknown as NonNullable<ContractTerms['derived']> } : {}),
    ...(c.source ? { source: c.source as unknown as NonNullable<ContractTerms['source']> } : {}),
  };
}

/** Who invited whom is the owner's business: other participants do not see the invitation list. */
export function toDto(c: ContractRow, viewer: Principal): ContractDto {
  const { owner, invited, derived, ...terms } = toTerms(c);
  return {
    ...terms,
    // Who the originators behind a derived dataset are is not shown: only how many the registry counted.
    ...(derived
      ? {
          derived: {
            aggregate: derived.aggregate,
            contributors: derived.contributors,
            verified: derived.verified === true,
          },
        }
      : {}),
    description: terms.description ?? null,
    // Stored from validated input: the columns are wider than what they hold.
    domain: c.domain as ContractDto['domain'],
    compatibility: c.compatibility as CompatibilityMode,
    visibility: c.visibility as ContractDto['visibility'],
    invited: viewer.participantId === owner ? (invited ?? []) : [],
    approval: c.approval as ContractDto['approval'],
    owner,
    current: c.current,
    minimumProtection: minimumProtection(terms.sensitivity),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export const isAdmin = (actor: Principal) => actor.scopes.has('participants:admin');

/**
 * May this participant know the version exists? Drafts: only the owner. Invited-only datasets: the owner,
 * the invited, the consortium admin. Everyone else gets the same 404 as for a dataset that does not exist,
 * so nothing can be inferred.
 */
export function visibleTo(
  actor: Principal,
  c: Pick<ContractRow, 'ownerId' | 'status' | 'visibility' | 'invited'>,
) {
  if (c.ownerId === actor.participantId) return true;
  if (c.status === 'draft') return false;
  return c.visibility === 'consortium' || isAdmin(actor) || c.invited.includes(actor.participantId);
}

const notFoundContract = (dataset: string, version?: string) =>
  notFound(
    'CONTRACT.NOT_FOUND',
    version ? `No version ${version} of dataset '${dataset}'` : `No contract for dataset '${dataset}'`,
    'List the datasets you can see with GET /catalog',
  );

/** The 404 anyone gets; when the contract exists but is hidden from the caller, also a refusal for the audit. */
const hiddenContract = (exists: boolean, dataset: string, version?: string) =>
  exists
    ? concealing(notFoundContract(dataset, version), { type: 'dataset', id: dataset })
    : notFoundContract(dataset, version);

/** One problem detail per breaking change, pointing into the submitted schema. */
function breakDetails(breaks: SchemaBreak[]): ErrorDetail[] {
  return breaks.map((b) => ({
    path: `/schema${b.schemaPath}`,
    message: b.message,
    kind: b.kind,
    field: b.field,
    against: b.against,
    direction: b.direction,
  }));
}

/**
 * What a publication of `version` with `schema` is checked against: the dataset's published versions
 * (oldest → newest), narrowed by libs/contracts' own rule (none, the latest, or all under `_TRANSITIVE`).
 * The one place publication and the dry run (checkNext) select the history and run the check, which runs
 * in the schema worker pool under its time budget (a member's schema must not stall the event loop).
 */
export function compatibilityOf(
  work: SchemaWork,
  mode: CompatibilityMode,
  versions: readonly ContractRow[],
  version: string,
  schema: unknown,
): Promise<{ checkedAgainst: string[]; breaks: SchemaBreak[] }> {
  const history = versions
    .filter((v) => v.status !== 'draft' && v.version !== version)
    .sort((a, b) => semver.compare(a.version, b.version))
    .map((v) => ({ version: v.version, schema: v.schema }));
  return work.compatibility(mode, history, version, schema);
}

/** What a compatibility verdict depends on: the mode, the published versions (immutable), the schema. */
function historyKey(
  mode: CompatibilityMode,
  versions: readonly ContractRow[],
  version: string,
  schema: unknown,
): string {
  const published = versions
    .filter((v) => v.status !== 'draft' && v.version !== version)
    .map((v) => v.id)
    .sort();
  return JSON.stringify([mode, version, published, schema]);
}

/** Options of {@link ContractsService.register}. */
export interface RegisterOptions {
  /**
   * When given, a compatibility mode that differs from an existing dataset's is dropped with a warning added
   * here, instead of a 409 CONTRACT.COMPATIBILITY_IS_PER_DATASET (an ODCS document carries the mode it was
   * exported under, which is not a request to change the dataset's mode).
   */
  warnings?: string[];
  /** The caller's `Authorization` header: lets the registry ask clearing which lineage inputs it holds. */
  authorization?: string | undefined;
}

@Injectable()
export class ContractsService {
  constructor(
    private readonly store: ContractsRepository,
    // Only its flush (relay now, after a commit) is used.
    @Inject(OutboxRelay) private readonly outbox: Pick<OutboxRelay, 'flush'>,
    private readonly heldGrants: HeldGrants,
    private readonly schemaWork: SchemaWork,
  ) {}

  /** Creates a version: as a draft (editable) or published at once, after every check a publication gets. */
  async register(
    actor: Principal,
    input: RegisterContract,
    options: RegisterOptions = {},
  ): Promise<ContractDto> {
    await this.assertActiveParticipant(actor);
    await this.assertValidTerms(input);
    const derived = input.lineage ? await this.verifiedDerived(actor, input, options.authorization) : null;
    const verdicts =
      input.status === 'active'
        ? await this.precheck(actor, input.dataset, input.version, () => input.schema)
        : undefined;
    const row = await this.inTransaction(async (tx) => {
      const dataset = await this.lockOrCreateDataset(
        tx,
        actor,
        input.dataset,
        input.compatibility,
        options.warnings,
      );
      const versions = await tx.versions(input.dataset);
      this.assertVersionIsNew(versions, input.dataset, input.version);
      this.assertVersionIncreases(versions, input.dataset, input.version);
      if (input.status === 'active') {
        await this.assertCompatible(dataset.compatibility, versions, input.version, input.schema, verdicts);
      }
      const created = await tx.createVersion({
        id: randomUUID(),
        dataset: input.dataset,
        version: input.version,
        ownerId: actor.participantId,
        status: input.status,
        compatibility: dataset.compatibility,
        ...this.termColumns(input),
        // A derived dataset's lineage is part of its immutable terms, declared with the version.
        lineage: input.lineage ?? null,
        // Established by the platform from the verified lineage, never the registrant's own count.
        derived: derived ?? null,
        // A received dataset's agreement is part of its immutable terms too.
        source: input.source ?? null,
      });
      await this.recordTransition(tx, created.id, null, input.status, actor, null);
      const final =
        input.status === 'active' ? await this.recomputeCurrent(tx, input.dataset, created.id) : created;
      await this.emitContract(
        tx,
        input.status === 'active' ? 'contract.published' : 'contract.drafted',
        final,
        actor,
        null,
      );
      return final;
    });
    await this.outbox.flush();
    return toDto(row, actor);
  }

  /** Drafts can change until they are activated; a published version never changes. */
  async updateDraft(
    actor: Principal,
    dataset: string,
    version: string,
    input: UpdateDraft,
  ): Promise<ContractDto> {
    await this.assertActiveParticipant(actor);
    await this.assertValidTerms(input);
    const row = await this.inTransaction(async (tx) => {
      await this.lockDataset(tx, actor, dataset);
      const existing = await this.ownVersion(tx, actor, dataset, version);
      if (existing.status !== 'draft') {
        throw conflict(
          'CONTRACT.IMMUTABLE',
          `Version ${version} of '${dataset}' is ${existing.status}; published versions never change`,
          'Register a new version instead',
        );
      }
      const updated = await tx.updateTerms(existing.id, this.termColumns(input));
      await this.emitContract(tx, 'contract.drafted', updated, actor, null);
      return updated;
    });
    await this.outbox.flush();
    return toDto(row, actor);
  }

  /**
   * Moves a version along draft → active → deprecated → retired. Activation runs the compatibility check
   * against every published version; the owner (or, to deprecate or retire, the consortium admin) acts.
   */
  async transition(
    actor: Principal,
    dataset: string,
    version: string,
    to: Exclude<ContractStatus, 'draft'>,
    reason: string | null,
  ): Promise<ContractDto> {
    if (!isAdmin(actor) || to === 'active') await this.assertActiveParticipant(actor);
    const verdicts =
      to === 'active'
        ? await this.precheck(
            actor,
            dataset,
            version,
            (versions) => versions.find((v) => v.version === version && v.status === 'draft')?.schema,
          )
        : undefined;
    const row = await this.inTransaction(async (tx) => {
      const ds = await this.lockDataset(tx, actor, dataset, to !== 'active');
      const versions = await tx.versions(dataset);
      const existing = versions.find((v) => v.version === version && visibleTo(actor, v));
      if (!existing) throw notFoundContract(dataset, version);
      assertContractTransition(existing.status as ContractStatus, to);
      if (to === 'active') {
        this.assertVersionIncreases(
          versions.filter((v) => v.id !== existing.id),
          dataset,
          version,
        );
        await this.assertCompatible(
          ds.compatibility,
          versions,
          version,
          existing.schema as Record<string, unknown>,
          verdicts,
        );
      }
      await tx.updateStatus(existing.id, to, to === 'active' ? ds.compatibility : existing.compatibility);
      await this.recordTransition(tx, existing.id, existing.status, to, actor, reason);
      const final = await this.recomputeCurrent(tx, dataset, existing.id);
      const type = (
        {
          active: 'contract.published',
          deprecated: 'contract.deprecated',
          retired: 'contract.retired',
        } as const
      )[to];
      await this.emitContract(tx, type, final, actor, reason);
      return final;
    });
    await this.outbox.flush();
    return toDto(row, actor);
  }

  /** Changes the mode future versions are checked under; versions already published stay as they are. */
  async setCompatibility(actor: Principal, dataset: string, mode: CompatibilityMode) {
    await this.assertActiveParticipant(actor);
    const result = await this.inTransaction(async (tx) => {
      await this.lockDataset(tx, actor, dataset);
      const updated = await tx.setCompatibility(dataset, mode);
      await tx.emit(
        { type: 'dataset.changed', dataset, owner: updated.ownerId, compatibility: mode },
        dataset,
        actor.participantId,
      );
      return { dataset, compatibility: mode, updatedAt: updated.updatedAt.toISOString() };
    });
    await this.outbox.flush();
    return result;
  }

  /** Would this schema be accepted as the next version? Runs the same check a publication runs; changes nothing. */
  /**
   * Would this schema be accepted as the next version? Runs the checks a publication runs (the version is new
   * and above every published one: else the same 409s; then compatibility), changes nothing. A version that
   * exists as a draft may be checked: activating that draft (after editing its schema) is its publication.
   */
  async checkNext(actor: Principal, dataset: string, body: CompatibilityCheck) {
    const ds = await this.store.dataset(dataset);
    if (!ds || ds.ownerId !== actor.participantId) throw notFoundContract(dataset);
    await this.schemaWork.assertCompilable(body.schema);
    const versions = await this.store.versions(dataset);
    const newest = versions
      .filter((v) => v.status !== 'draft')
      .map((v) => v.version)
      .sort(semver.rcompare)[0];
    const version = body.version ?? (newest ? (semver.inc(newest, 'minor') ?? '1.0.0') : '1.0.0');
    const others = versions.filter((v) => !(v.version === version && v.status === 'draft'));
    this.assertVersionIsNew(others, dataset, version);
    this.assertVersionIncreases(others, dataset, version);
    const mode = ds.compatibility;
    const { checkedAgainst, breaks } = await compatibilityOf(
      this.schemaWork,
      mode,
      others,
      version,
      body.schema,
    );
    return {
      dataset,
      version,
      compatibility: ds.compatibility,
      checkedAgainst,
      compatible: breaks.length === 0,
      breaks: breaks.map((b) => ({ ...b, schemaPath: `/schema${b.schemaPath}` })),
    };
  }

  async versions(actor: Principal, dataset: string): Promise<ContractDto[]> {
    const rows = await this.store.versions(dataset);
    const visible = rows.filter((r) => visibleTo(actor, r));
    if (visible.length === 0) throw notFoundContract(dataset);
    return visible.sort((a, b) => semver.compare(a.version, b.version)).map((r) => toDto(r, actor));
  }

  /** The current version (what new events are published under); the owner sees its newest draft if nothing is published. */
  async current(actor: Principal, dataset: string): Promise<ContractDto> {
    const rows = (await this.store.versions(dataset)).filter((r) => visibleTo(actor, r));
    const row = rows.find((r) => r.current) ?? rows.sort((a, b) => semver.rcompare(a.version, b.version))[0];
    if (!row) throw notFoundContract(dataset);
    return toDto(row, actor);
  }

  async version(actor: Principal, dataset: string, version: string): Promise<ContractDto> {
    return toDto(await this.visibleVersion(actor, dataset, version), actor);
  }

  async visibleVersion(actor: Principal, dataset: string, version: string): Promise<ContractRow> {
    const row = await this.store.version(dataset, version);
    if (!row || !visibleTo(actor, row)) throw hiddenContract(row !== null, dataset, version);
    return row;
  }

  async visibleVersionWithOwner(actor: Principal, dataset: string, version: string) {
    const row = await this.store.versionWithOwner(dataset, version);
    if (!row || !visibleTo(actor, row)) throw hiddenContract(row !== null, dataset, version);
    return row;
  }

  async transitions(actor: Principal, dataset: string, version: string) {
    const row = await this.visibleVersion(actor, dataset, version);
    const list = await this.store.transitions(row.id);
    return list.map((t) => ({
      from: t.fromStatus,
      to: t.toStatus,
      actor: t.actorId,
      reason: t.reason,
      at: t.at.toISOString(),
    }));
  }

  // ------------------------------------------------------------------ checks

  /**
   * A derived contract's lineage and contributors, verified (see verifyDerived): the inputs' versions as the
   * registry holds them, and the grants clearing says the registrant holds or held on them.
   */
  private async verifiedDerived(
    actor: Principal,
    input: RegisterContract,
    authorization: string | undefined,
  ) {
    const lineage = input.lineage ?? [];
    const rows = await this.store.versionsOf(lineage);
    const inputs = new Map<string, LineageInput>();
    for (const row of rows) {
      if (row.status === 'draft' || !visibleTo(actor, row)) continue;
      inputs.set(`${row.dataset}@${row.version}`, {
        owner: row.ownerId,
        derived: (row.derived as unknown as LineageInput['derived']) ?? null,
      });
    }
    const others = lineage.filter(
      (l) => inputs.get(`${l.dataset}@${l.version}`)?.owner !== actor.participantId,
    );
    const held =
      others.length > 0 && authorization
        ? await this.heldGrants.held(
            authorization,
            others.map((l) => l.dataset),
          )
        : new Set<string>();
    return verifyDerived(actor.participantId, lineage, input.derived, inputs, held);
  }

  private async assertActiveParticipant(actor: Principal) {
    // Tokens live for minutes; a suspension takes effect on the next call, not when the token expires.
    if ((await this.store.participantStatus(actor.participantId)) !== 'active') {
      throw forbidden(
        'PARTICIPANT.SUSPENDED',
        'Your participation is not active',
        'Contact the consortium admin',
      );
    }
  }

  private async assertValidTerms(input: UpdateDraft & Pick<Partial<RegisterContract>, 'source'>) {
    await this.schemaWork.assertCompilable(input.schema);
    const details = contractTermViolations(input);
    const named = [...input.invited, ...(input.source ? [input.source.provider] : [])];
    if (named.length > 0) {
      const ids = await this.store.existingParticipants(named);
      input.invited.forEach((id, i) => {
        if (!ids.has(id)) details.push({ path: `/invited/${i}`, message: `no participant ${id}` });
      });
      if (input.source && !ids.has(input.source.provider)) {
        details.push({ path: '/source/provider', message: `no participant ${input.source.provider}` });
      }
    }
    if (details.length > 0) {
      throw badRequest(
        'CONTRACT.INVALID_TERMS',
        'The contract terms are not acceptable',
        details,
        'Fix the listed parts and submit again',
      );
    }
  }

  private assertVersionIsNew(versions: ContractRow[], dataset: string, version: string) {
    if (versions.some((v) => v.version === version)) {
      throw conflict(
        'CONTRACT.VERSION_EXISTS',
        `Version ${version} of '${dataset}' already exists; published versions are immutable`,
        'Use a new version number, or edit the draft with PUT /contracts/{dataset}/versions/{version}',
      );
    }
  }

  private assertVersionIncreases(versions: ContractRow[], dataset: string, version: string) {
    const newest = versions
      .filter((v) => v.status !== 'draft')
      .map((v) => v.version)
      .sort(semver.rcompare)[0];
    if (newest && !semver.gt(version, newest)) {
      throw conflict(
        'CONTRACT.VERSION_NOT_INCREASING',
        `Version ${version} of '${dataset}' is not newer than the published ${newest}`,
        `Use a version above ${newest}`,
      );
    }
  }

  /**
   * The compatibility verdict for a version about to be published, computed before the transaction: the
   * check runs in the worker pool for up to its budget, and must not hold a row lock and a database
   * connection meanwhile (nor outlive the transaction's timeout). Reused inside the transaction when the
   * dataset's mode and published versions are still what it was computed on; else computed again there.
   * Only for the owner's own dataset (anyone else is refused inside the transaction anyway).
   */
  private async precheck(
    actor: Principal,
    dataset: string,
    version: string,
    schemaFor: (versions: ContractRow[]) => unknown,
  ): Promise<Map<string, SchemaBreak[]>> {
    const ds = await this.store.dataset(dataset);
    if (!ds || ds.ownerId !== actor.participantId) return new Map();
    const versions = await this.store.versions(dataset);
    const schema = schemaFor(versions);
    if (schema === undefined) return new Map();
    const mode = ds.compatibility;
    const { breaks } = await compatibilityOf(this.schemaWork, mode, versions, version, schema);
    return new Map([[historyKey(mode, versions, version, schema), breaks]]);
  }

  private async assertCompatible(
    mode: CompatibilityMode,
    versions: ContractRow[],
    version: string,
    schema: Record<string, unknown>,
    verdicts?: Map<string, SchemaBreak[]>,
  ) {
    const breaks =
      verdicts?.get(historyKey(mode, versions, version, schema)) ??
      (await compatibilityOf(this.schemaWork, mode, versions, version, schema)).breaks;
    if (breaks.length > 0) {
      const against = [...new Set(breaks.map((b) => b.against))].join(', ');
      throw new DomainError(
        'CONTRACT.INCOMPATIBLE',
        'conflict',
        `Version ${version} breaks ${mode} compatibility with ${against}: ${breaks.length} breaking change${breaks.length > 1 ? 's' : ''}`,
        {
          details: breakDetails(breaks),
          hint: 'Each entry in errors names the schema path, the payload field and why; keep the change compatible, or agree it with consumers and change the mode with PUT /datasets/{dataset}/compatibility',
        },
      );
    }
  }

  // ------------------------------------------------------------------ persistence

  private termColumns(input: UpdateDraft): TermColumns {
    return {
      title: input.title,
      description: input.description,
      domain: input.domain,
      purposes: input.purposes,
      sensitivity: input.sensitivity,
      residency: input.residency,
      retentionDays: input.retentionDays,
      visibility: input.visibility,
      invited: input.invited,
      approval: input.approval,
      tags: tagsOf(input.fields),
      fields: input.fields,
      schema: input.schema,
    };
  }

  private inTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.store.inTransaction(work);
  }

  /** Serialises every change to one dataset (row lock); creates the dataset on its first version. */
  private async lockOrCreateDataset(
    tx: Tx,
    actor: Principal,
    dataset: string,
    mode: CompatibilityMode | undefined,
    warnings?: string[],
  ) {
    const existing = await tx.lockDataset(dataset);
    if (!existing) {
      return tx.createDataset({
        id: dataset,
        ownerId: actor.participantId,
        compatibility: mode ?? 'BACKWARD',
      });
    }
    if (existing.ownerId !== actor.participantId) {
      throw conflict(
        'CONTRACT.DATASET_TAKEN',
        `Dataset id '${dataset}' belongs to another participant`,
        'Choose another dataset id',
      );
    }
    if (mode && mode !== existing.compatibility && warnings) {
      warnings.push(
        `compatibility ${mode} ignored: '${dataset}' is checked under ${existing.compatibility} (change it with PUT /datasets/{dataset}/compatibility)`,
      );
    } else if (mode && mode !== existing.compatibility) {
      throw conflict(
        'CONTRACT.COMPATIBILITY_IS_PER_DATASET',
        `'${dataset}' is checked under ${existing.compatibility}, not ${mode}`,
        'Change the mode with PUT /datasets/{dataset}/compatibility, or leave compatibility out',
      );
    }
    return existing;
  }

  /** Locks a dataset its owner (or, when allowed, the admin) changes; others get the 404 anyone gets. */
  private async lockDataset(tx: Tx, actor: Principal, dataset: string, adminMayAct = false) {
    const existing = await tx.lockDataset(dataset);
    if (!existing) throw notFoundContract(dataset);
    if (existing.ownerId !== actor.participantId && !(adminMayAct && isAdmin(actor))) {
      const anyVisible = await tx.versions(dataset);
      if (anyVisible.some((v) => visibleTo(actor, v))) {
        throw forbidden('CONTRACT.NOT_OWNER', `Only the owner of '${dataset}' may change it`);
      }
      throw hiddenContract(true, dataset);
    }
    return existing;
  }

  private async ownVersion(tx: Tx, actor: Principal, dataset: string, version: string) {
    const row = await tx.version(dataset, version);
    if (!row || row.ownerId !== actor.participantId) throw notFoundContract(dataset, version);
    return row;
  }

  /** Marks the one current version of the dataset; returns the given version's row as it is now. */
  private async recomputeCurrent(tx: Tx, dataset: string, id: string): Promise<ContractRow> {
    const versions = await tx.versions(dataset);
    const current = currentVersion(versions);
    await tx.clearCurrent(dataset, current?.id ?? null);
    if (current && !current.current) await tx.setCurrent(current.id);
    return tx.versionById(id);
  }

  private recordTransition(
    tx: Tx,
    contractId: string,
    from: string | null,
    to: string,
    actor: Principal,
    reason: string | null,
  ) {
    return tx.recordTransition({
      contractId,
      fromStatus: from,
      toStatus: to,
      actorId: actor.participantId,
      reason,
      at: new Date(),
    });
  }

  private emitContract(
    tx: Tx,
    type: ContractEventType,
    row: ContractRow,
    actor: Principal,
    reason: string | null,
  ) {
    return tx.emit({ type, contract: toTerms(row), reason }, row.dataset, actor.participantId);
  }
}
