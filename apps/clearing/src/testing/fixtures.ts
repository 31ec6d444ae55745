/**
 * What clearing's unit specs share: a fixed clock, a projection with a few participants and one contract,
 * callers, and a policy whose answers the spec scripts (the services' handling of allow and deny is
 * under test here, not the Rego rules: those have their own tests and the e2e suites run the compiled bundle).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { AccessClaims, Principal } from '@renkei/auth';
import {
  DomainError,
  PlatformProjection,
  type Clock,
  type ContractTerms,
  type ParticipantView,
} from '@renkei/domain';
import { explainedDecision, type PolicyDecision, type PolicyEngine, type PolicyInput } from '@renkei/policy';

export const CELL_MAKER = '0c4a7a52-6f5c-4f0e-9a57-3c1b2d7e8b01';
export const AUTOMAKER = '1d5b8b63-7a6d-4a1f-8b68-4d2c3e8f9c02';
export const STRANGER = '2e6c9c74-8b7e-4b2a-9c79-5e3d4f9a0d03';
export const DATASET = 'battery.cfp';

/** A clock the spec moves by hand. */
export function fixedClock(at = '2026-11-21T09:00:00.000Z'): Clock & { set(iso: string): void } {
  let now = new Date(at);
  return {
    now: () => new Date(now),
    set: (iso: string) => {
      now = new Date(iso);
    },
  };
}

export const participant = (id: string, over: Partial<ParticipantView> = {}): ParticipantView => ({
  id,
  legalName: id,
  industry: 'automotive',
  country: 'JP',
  roles: ['member'],
  certifications: [],
  protection: 'access-control',
  status: 'active',
  jwks: { keys: [] },
  ...over,
});

export const contract = (over: Partial<ContractTerms> = {}): ContractTerms => ({
  dataset: DATASET,
  owner: CELL_MAKER,
  version: '1.0.0',
  status: 'active',
  title: 'Battery carbon footprint',
  domain: 'industry',
  purposes: ['pcf-reporting'],
  sensitivity: 'internal',
  residency: null,
  retentionDays: null,
  fields: {},
  schema: { properties: { cfp: {} } },
  ...over,
});

/** The registry as clearing's projection knows it: three members and the cell maker's dataset. */
export function projection(): PlatformProjection {
  const state = new PlatformProjection();
  for (const id of [CELL_MAKER, AUTOMAKER, STRANGER])
    state.apply({ type: 'participant.upserted', participant: participant(id) });
  state.apply({ type: 'contract.published', contract: contract() });
  return state;
}

export function caller(participantId: string, scopes: string[] = ['grants:read', 'grants:write']): Principal {
  return { participantId, scopes: new Set(scopes), claims: { sub: participantId } as AccessClaims };
}

/** A grant row as the database holds it (for specs that start from an existing grant). */
export function grantRow(over: Record<string, unknown> = {}): Record<string, unknown> {
  const at = new Date('2026-11-01T00:00:00.000Z');
  return {
    id: randomUUID(),
    originatorId: CELL_MAKER,
    consumerId: AUTOMAKER,
    dataset: DATASET,
    purpose: 'pcf-reporting',
    fields: null,
    state: 'granted',
    validFrom: at,
    validUntil: null,
    onwardTransfer: false,
    deletionDays: 30,
    historyFrom: null,
    historyRequested: null,
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}

/** A policy that answers what the spec says and remembers what it was asked. */
export function scriptedPolicy() {
  const asked: PolicyInput[] = [];
  let next: PolicyDecision = explainedDecision(true, []);
  const engine = {
    revision: 'rego-test',
    decide(input: PolicyInput): PolicyDecision {
      asked.push(input);
      return { ...next, ...(next.allow ? explainedDecision(true, [], next.obligations, input.action) : {}) };
    },
  };
  return {
    engine: engine as unknown as PolicyEngine,
    asked,
    allow() {
      next = explainedDecision(true, []);
    },
    deny(...reasons: string[]) {
      next = explainedDecision(false, reasons);
    },
  };
}

/** What a call that must fail rejected with: a DomainError (else the spec fails), for the spec to look at. */
export async function refusal(work: Promise<unknown>): Promise<DomainError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** A registry barrier that resolves at once and remembers each `maxAgeMs` it was asked for. */
export function recordingSync(): { sync: (maxAgeMs?: number) => Promise<void>; syncs: number[] } {
  const syncs: number[] = [];
  return {
    syncs,
    sync: (maxAgeMs = 0) => {
      syncs.push(maxAgeMs);
      return Promise.resolve();
    },
  };
}
