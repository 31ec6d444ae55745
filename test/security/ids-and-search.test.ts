/**
 * One id grammar, and search text that is only text. A dataset id used to be registrable that the token
 * endpoint (200 characters) or Kafka (249-character topic names, after the platform's prefix) would later
 * refuse; now registration applies the same grammar as every other endpoint, so the longest id it accepts
 * works end to end, and one character more is refused at registration with the failing path. Catalog
 * search used to treat `%`, `_` and `\` as SQL LIKE wildcards; now they match only themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_ID_MAX } from '@renkei/domain';
import { RenkeiClient } from '@renkei/sdk';
import { batteryCfpContract, cellMaker } from '../fixtures/battery-cfp.js';
import { expectProblem } from '../support/problems.js';
import { participantKey, publicJwk, startTestPlatform, type TestPlatform } from '../support/test-platform.js';

/** A dataset id of exactly `length` characters: two segments, the second padded. */
const datasetOfLength = (length: number) => `ids.${'x'.repeat(length - 4)}`;

describe('one id grammar and escaped search, over the public API', () => {
  let env: TestPlatform;
  let cell: RenkeiClient;
  let longestToken: string;

  beforeAll(async () => {
    env = await startTestPlatform('sec-ids', 4351);
    const key = await participantKey('cell-1');
    const c = await env.admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(key)] } });
    cell = new RenkeiClient(env.platform.endpoints, { clientId: c.id, privateJwk: key });
  });
  afterAll(async () => {
    await env?.stop();
  });

  describe('dataset ids', () => {
    it('accepts the longest id the grammar allows, and it works at every later step', async () => {
      const dataset = datasetOfLength(DATASET_ID_MAX);
      expect(dataset).toHaveLength(DATASET_ID_MAX);
      await cell.registerContract({ ...batteryCfpContract, dataset });
      // Routed as a path segment too (Fastify's default allowed only 100 characters there).
      expect(await cell.contract(dataset)).toMatchObject({ dataset });
      longestToken = await cell.datasetToken(dataset, 'publish');
      const published = await cell.publish(dataset, longestToken, [
        { subject: 'lot-1', payload: { lotId: 'lot-1', cellModel: 'KCW-NMC811-50Ah', cfpKgCo2ePerKwh: 61 } },
      ]);
      expect(published.accepted).toBe(1);
    });

    it('refuses at registration an id one character longer, naming the path and the limit', async () => {
      const dataset = datasetOfLength(DATASET_ID_MAX + 1);
      const error = await expectProblem(
        cell.registerContract({ ...batteryCfpContract, dataset }),
        400,
        'REQUEST.INVALID',
      );
      expect(error.problem.errors).toEqual([
        expect.objectContaining({
          path: '/dataset',
          message: expect.stringContaining(String(DATASET_ID_MAX)),
        }),
      ]);
      // The same grammar everywhere else: the token endpoint refuses it too, and the exchange refuses the
      // path with the same rule (not a router error), even for a caller holding a valid token.
      await expectProblem(cell.datasetToken(dataset, 'publish'), 400, 'REQUEST.INVALID');
      const res = await fetch(`${env.platform.endpoints.exchange}/datasets/${dataset}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${longestToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [{ payload: {} }] }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        code: 'REQUEST.INVALID_ID',
        errors: [{ path: '/dataset', message: expect.stringContaining(String(DATASET_ID_MAX)) }],
      });
    });

    it('refuses ids that are not dotted lower-case names, naming the path', async () => {
      for (const dataset of ['Battery.CFP', 'battery', 'battery/cfp', 'battery.cfp_x']) {
        const error = await expectProblem(
          cell.registerContract({ ...batteryCfpContract, dataset }),
          400,
          'REQUEST.INVALID',
        );
        expect(error.problem.errors).toEqual([expect.objectContaining({ path: '/dataset' })]);
      }
    });
  });

  describe('catalog search', () => {
    const titled = (dataset: string, title: string) =>
      cell.registerContract({ ...batteryCfpContract, dataset, title });
    const found = async (q: string) =>
      (await cell.catalog({ q })).items
        .map((c) => c.dataset)
        .filter((d) => d.startsWith('search.'))
        .sort();

    beforeAll(async () => {
      await titled('search.percent', 'Cobalt 100% recycled');
      await titled('search.plain', 'Cobalt 100 recycled lots');
      await titled('search.underscore', 'Lot lot_id register');
      await titled('search.lookalike', 'Lot lotXid register');
      await titled('search.backslash', 'Plant C:\\line\\7');
    });

    it('finds ordinary text (the legitimate path)', async () => {
      expect(await found('cobalt')).toEqual(['search.percent', 'search.plain']);
      expect(await found('register')).toEqual(['search.lookalike', 'search.underscore']);
    });

    it('matches % only as a percent sign', async () => {
      expect(await found('%')).toEqual(['search.percent']);
      expect(await found('100%')).toEqual(['search.percent']);
    });

    it('matches _ only as an underscore', async () => {
      expect(await found('_')).toEqual(['search.underscore']);
      expect(await found('lot_id')).toEqual(['search.underscore']);
    });

    it('matches \\ only as a backslash', async () => {
      expect(await found('\\')).toEqual(['search.backslash']);
      expect(await found('c:\\line')).toEqual(['search.backslash']);
    });
  });
});
