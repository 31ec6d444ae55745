/**
 * The e2e tests' check of real answers against the served OpenAPI documents (expectDocumented) must bite:
 * here against the committed clearing document, an audit usage answer passes, and one missing a member
 * the document names, or with a member of the wrong type, fails naming it.
 */
import { readFileSync } from 'node:fs';
import { afterEach, expect, it, vi } from 'vitest';
import { expectDocumented } from '../support/openapi-conformance.js';

afterEach(() => vi.unstubAllGlobals());

it('accepts an answer the document describes and refuses one it does not, naming the member', async () => {
  const clearing = readFileSync(new URL('../../docs/api/clearing.openapi.json', import.meta.url), 'utf8');
  vi.stubGlobal('fetch', () => Promise.resolve(new Response(clearing)));
  const base = 'http://clearing.test';
  const consumer = {
    dataset: 'battery.cfp',
    consumer: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
    purposes: ['cfp-disclosure'],
    grants: [],
    tokensIssued: 1,
    deliveries: 1,
    eventsDelivered: 5,
    denied: 0,
    firstAt: '2026-11-21T06:00:00.000Z',
    lastAt: '2026-11-21T07:00:00.000Z',
  };
  const item = {
    seq: 7,
    at: '2026-11-21T07:00:00.000Z',
    dataset: 'battery.cfp',
    consumer: consumer.consumer,
    action: 'deliver',
    purpose: 'cfp-disclosure',
    grant: null,
    allow: true,
    events: 5,
    reasons: [],
  };
  const usage = (c: object, i: object) => ({
    datasets: ['battery.cfp'],
    consumers: [c],
    items: [i],
    next: null,
  });
  await expectDocumented(base, 'GET /audit/usage', usage(consumer, item));
  const { tokensIssued: _, ...withoutTotal } = consumer;
  await expect(expectDocumented(base, 'GET /audit/usage', usage(withoutTotal, item))).rejects.toThrow(
    /tokensIssued/,
  );
  await expect(
    expectDocumented(base, 'GET /audit/usage', usage(consumer, { ...item, events: 'five' })),
  ).rejects.toThrow(/events/);
});
