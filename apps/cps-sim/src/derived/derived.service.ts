import { Injectable } from '@nestjs/common';
import { conflict, DomainError, Sensitivities, type Sensitivity } from '@renkei/domain';
import { RenkeiClient, RenkeiError, type ContractView } from '@renkei/sdk';
import { InputsService } from '../inputs/inputs.service.js';
import { RunsService, type RunView } from '../scenarios/runs.service.js';
import type { PublishRun } from './derived.dto.js';

export interface PublishedResult {
  run: string;
  dataset: string;
  version: string;
  eventIds: string[];
  lineage: { dataset: string; version: string }[];
  derived: DerivedTerms;
}

/**
 * A derived contract's result: an aggregate or not (declared), and on how many contributors (counted by the
 * registry from the verified lineage).
 */
export interface DerivedTerms {
  aggregate: boolean;
  contributors: number | null;
}

/** The payload schema of every derived result event (strict JSON Schema 2020-12). */
export const derivedResultSchema = {
  type: 'object',
  required: ['runId', 'kind', 'lineage', 'result'],
  properties: {
    runId: { type: 'string' },
    scenario: { type: 'string' },
    kind: { type: 'string' },
    seed: { type: ['integer', 'null'] },
    twinDigest: { type: 'string' },
    lineage: {
      type: 'array',
      items: {
        type: 'object',
        required: ['dataset', 'version'],
        properties: {
          dataset: { type: 'string' },
          version: { type: 'string' },
          events: { type: 'integer' },
          lastEventId: { type: ['string', 'null'] },
        },
      },
    },
    result: { type: 'object' },
    series: { type: 'array', items: { type: 'object' } },
  },
};

const rank = (s: string) => Sensitivities.indexOf(s as Sensitivity);
const lineageKey = (l: { dataset: string; version: string }) => `${l.dataset}@${l.version}`;

/**
 * Publishes run results as derived datasets owned by the service, through the exchange like any member.
 * A derived contract carries its lineage (every input dataset and version it was ever built from) and is
 * governed by all of its inputs' terms: common purposes only, the highest sensitivity, and the policy
 * refuses it to anyone who could not see every input (unless it is an aggregate above k).
 */
@Injectable()
export class DerivedService {
  /** dataset -> the version registered, the lineage it declares and its derived terms */
  private readonly registered = new Map<string, Registered>();
  /** run id -> what publishing it gave (a run is published once), or the publication under way */
  private readonly published = new Map<string, Promise<PublishedResult>>();

  constructor(
    private readonly client: RenkeiClient,
    private readonly inputs: InputsService,
    private readonly runs: RunsService,
  ) {}

  /**
   * Publishes a run once: publishing it again (or concurrently) answers what the first publication gave.
   * The event id is the run id, so the exchange too keeps one event per run.
   */
  publish(runId: string, body: PublishRun): Promise<PublishedResult> {
    const { run } = this.runs.result(runId);
    // run.published is set by this service only, after the publication this map holds.
    const done = this.published.get(run.id);
    if (done) return done;
    const publication = this.publishOnce(runId, body);
    this.published.set(run.id, publication);
    // A failed publication may be tried again.
    publication.catch(() => this.published.delete(run.id));
    return publication;
  }

  private async publishOnce(runId: string, body: PublishRun): Promise<PublishedResult> {
    const { run, result, chart } = this.runs.result(runId);
    if (run.inputs.length === 0) {
      throw conflict(
        'DERIVED.NO_INPUTS',
        'The run used no input data: there is nothing derived to publish',
        'Publish runs of scenarios that read the twin',
      );
    }
    const dataset = body.dataset ?? `cps.${run.kind}-forecast`;
    const followed = new Set(this.inputs.list().map((i) => i.dataset));
    if (followed.has(dataset) || run.inputs.some((i) => i.dataset === dataset)) {
      throw conflict(
        'DERIVED.INPUT_DATASET',
        `'${dataset}' is an input of the twin: results are never written to production streams`,
        'Publish to a dataset of your own, e.g. cps.disruption-forecast',
      );
    }
    this.assertInputsHeld(run);
    const contracts = await Promise.all(run.inputs.map((i) => this.client.contract(i.dataset, i.version)));
    // The contributors are not ours to declare: the registry verifies the lineage against our grants and
    // counts the distinct originators behind it.
    const { version, derived } = await this.ensureContract(dataset, run, contracts, body.aggregate);
    const token = await this.client.datasetToken(dataset, 'publish');
    const payload = {
      runId: run.id,
      scenario: run.scenario,
      kind: run.kind,
      seed: run.seed,
      twinDigest: run.twin.digest,
      lineage: run.inputs.map(({ dataset: d, version: v, events, lastEventId }) => ({
        dataset: d,
        version: v,
        events,
        lastEventId,
      })),
      result,
      series: chart.rows,
    };
    const published = await this.client.publish(
      dataset,
      token,
      [
        {
          id: run.id,
          type: `cps.${run.kind}`,
          subject: run.id,
          occurredAt: run.finishedAt ?? new Date().toISOString(),
          payload,
        },
      ],
      version,
    );
    this.runs.markPublished(run.id, { dataset, version, eventIds: published.eventIds });
    return {
      run: run.id,
      dataset,
      version,
      eventIds: published.eventIds,
      lineage: [...this.registered.get(dataset)!.lineage.values()],
      derived,
    };
  }

  /**
   * A result may be published only while the service still holds every input it was built from: once a
   * grant ends (the input was dropped from the twin), results built on it are not passed on.
   */
  private assertInputsHeld(run: RunView): void {
    for (const input of run.inputs) {
      const held = this.inputs.get(input.dataset);
      if (held && held.eventsApplied > 0 && !NOT_HELD.has(held.state)) continue;
      const message = `The service no longer holds '${input.dataset}' (${held?.state ?? 'not followed'}): the run was built on data it may not pass on`;
      throw new DomainError('DERIVED.INPUT_NOT_HELD', 'conflict', message, {
        details: [{ path: `/inputs/${input.dataset}`, message }],
        hint: 'Run the scenario again on the twin as it is now, and publish that run',
      });
    }
  }

  /**
   * Registers the derived contract once, and a new minor version when the run adds inputs. The lineage only
   * grows: earlier results stay governed by the inputs they were built from.
   */
  private async ensureContract(
    dataset: string,
    run: RunView,
    contracts: ContractView[],
    aggregate: boolean,
  ): Promise<{ version: string; derived: DerivedTerms }> {
    let known = this.registered.get(dataset);
    let current: ContractView | null = null;
    if (!known) {
      try {
        current = await this.client.contract(dataset);
        const declared = current as ContractView & { lineage?: LineageRef[]; derived?: DerivedTerms | null };
        known = {
          version: current.version,
          lineage: new Map((declared.lineage ?? []).map((l) => [lineageKey(l), l])),
          derived: declared.derived
            ? { aggregate: declared.derived.aggregate, contributors: declared.derived.contributors }
            : null,
        };
      } catch (error) {
        if (!(error instanceof RenkeiError && error.status === 404)) throw error;
      }
    }
    const lineage = new Map(known?.lineage ?? []);
    for (const input of run.inputs) {
      const ref = { dataset: input.dataset, version: input.version };
      lineage.set(lineageKey(ref), ref);
    }
    // A version read back from a registry that does not show lineage is not trusted to declare it.
    const trusted = this.registered.has(dataset) || (current !== null && 'lineage' in current);
    // Reused only if it declares the same result: a non-aggregate is never published under an aggregate's
    // terms. The same lineage gives the same verified contributors.
    if (
      known?.derived &&
      trusted &&
      lineage.size === known.lineage.size &&
      known.derived.aggregate === aggregate
    ) {
      this.registered.set(dataset, known);
      return { version: known.version, derived: known.derived };
    }
    const terms = this.termsOf(dataset, run, contracts);
    const version = known ? nextMinor(known.version) : '1.0.0';
    const registered = (await this.client.registerContract({
      ...terms,
      version,
      lineage: [...lineage.values()].sort((a, b) => (lineageKey(a) < lineageKey(b) ? -1 : 1)),
      derived: { aggregate, contributors: null },
    })) as ContractView & { derived?: DerivedTerms | null };
    // What the registry established (its verified count), never a number of our own.
    const established: DerivedTerms = {
      aggregate: registered.derived?.aggregate ?? aggregate,
      contributors: registered.derived?.contributors ?? null,
    };
    this.registered.set(dataset, { version, lineage, derived: established });
    return { version, derived: established };
  }

  /** A derived dataset is governed by all of its inputs' terms. */
  private termsOf(dataset: string, run: RunView, contracts: ContractView[]) {
    const purposes = contracts
      .map((c) => c.purposes)
      .reduce((common, p) => common.filter((x) => p.includes(x)));
    if (purposes.length === 0) {
      throw conflict(
        'DERIVED.NO_COMMON_PURPOSE',
        'The inputs share no purpose: a result built from them could not be used for any',
        'Run the scenario on inputs granted for a common purpose',
      );
    }
    const sensitivity = contracts.map((c) => c.sensitivity).reduce((a, b) => (rank(b) > rank(a) ? b : a));
    const domains = new Set(contracts.map((c) => c.domain));
    const domain = domains.has('health') ? 'health' : domains.size === 1 ? [...domains][0]! : 'other';
    const residencies = [...new Set(contracts.flatMap((c) => (c.residency ? [c.residency] : [])))];
    if (residencies.length > 1) {
      throw conflict(
        'DERIVED.RESIDENCY_CONFLICT',
        `The inputs must stay in different countries (${residencies.join(', ')}): no one place may hold a result of all of them`,
        'Run the scenario on inputs with compatible residency',
      );
    }
    const retention = contracts.map((c) => c.retentionDays).filter((d): d is number => typeof d === 'number');
    return {
      dataset,
      title: `CPS ${run.kind} results (derived)`,
      description: `Results of ${run.kind} simulations by the consortium's CPS twin, derived from ${contracts
        .map((c) => `${c.dataset}@${c.version}`)
        .join(', ')}; governed by all of their terms.`,
      domain,
      purposes,
      sensitivity,
      residency: residencies[0] ?? null,
      retentionDays: retention.length > 0 ? Math.min(...retention) : null,
      fields: {},
      schema: derivedResultSchema,
    };
  }
}

interface LineageRef {
  dataset: string;
  version: string;
}

interface Registered {
  version: string;
  lineage: Map<string, LineageRef>;
  derived: DerivedTerms | null;
}

/** Input states in which the service no longer holds (or may no longer use) what the input delivered. */
const NOT_HELD = new Set(['revoked', 'expired', 'suspended']);

function nextMinor(version: string): string {
  const [major = '1', minor = '0'] = version.split('-')[0]!.split('.');
  return `${major}.${Number(minor) + 1}.0`;
}
