import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DATASET_ID_MAX,
  DATASET_ID_PATTERN,
  DatasetId,
  DATASET_TOPIC_INFIXES,
  Kid,
  Purpose,
  SubjectRef,
  TOPIC_NAME_MAX,
  TOPIC_NAME_PATTERN,
  TOPIC_PREFIX_MAX,
  TOPIC_PREFIX_PATTERN,
  TopicPrefix,
  Version,
} from './ids.js';
import { Topics } from './events.js';

const validTopic = (name: string) =>
  name.length <= TOPIC_NAME_MAX && TOPIC_NAME_PATTERN.test(name) && name !== '.' && name !== '..';

/** Dataset ids from the pattern, of every length up to well past the limit. */
const datasetIds = fc
  .tuple(
    fc.stringMatching(/^[a-z][a-z0-9-]{0,80}$/),
    fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,80}$/), { minLength: 1, maxLength: 4 }),
  )
  .map(([head, rest]) => [head, ...rest].join('.'));
const prefixes = fc.stringMatching(/^[a-z][a-z0-9-]{0,45}(\.[a-z0-9-]{1,10})?$/);

describe('the id grammar', () => {
  it('derives the dataset id limit from the topic-name limit and the longest prefix and infix', () => {
    const longestInfix = Math.max(...DATASET_TOPIC_INFIXES.map((i) => i.length));
    expect(DATASET_ID_MAX).toBe(TOPIC_NAME_MAX - TOPIC_PREFIX_MAX - longestInfix);
    // The worst case is exactly at Kafka's limit, not over it.
    const dataset = `a${'.b'.repeat(2)}`.padEnd(DATASET_ID_MAX, 'c');
    expect(DatasetId.safeParse(dataset).success).toBe(true);
    expect(`${'p'.repeat(TOPIC_PREFIX_MAX)}.data.${dataset}`.length).toBeLessThanOrEqual(TOPIC_NAME_MAX);
  });

  it('makes a valid Kafka topic name of every dataset id it accepts, under every prefix it accepts', () => {
    let accepted = 0;
    fc.assert(
      fc.property(datasetIds, prefixes, (dataset, prefix) => {
        if (!DatasetId.safeParse(dataset).success || !TopicPrefix.safeParse(prefix).success) return;
        accepted++;
        const previous = process.env.TOPIC_PREFIX;
        process.env.TOPIC_PREFIX = prefix;
        try {
          expect(validTopic(Topics.data(dataset))).toBe(true);
          expect(validTopic(Topics.deadLetter(dataset))).toBe(true);
        } finally {
          if (previous === undefined) delete process.env.TOPIC_PREFIX;
          else process.env.TOPIC_PREFIX = previous;
        }
      }),
      { numRuns: 2000 },
    );
    // Guard against a vacuous pass: most generated pairs must have been in the grammar.
    expect(accepted).toBeGreaterThan(500);
  });

  it('refuses a dataset id one character over the limit, naming the limit', () => {
    const tooLong = `a.${'b'.repeat(DATASET_ID_MAX - 1)}`;
    const result = DatasetId.safeParse(tooLong);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(String(DATASET_ID_MAX));
    expect(DATASET_ID_PATTERN.test(tooLong)).toBe(true); // only the length is wrong
  });

  it('refuses what cannot be a topic or is easy to confuse', () => {
    for (const bad of [
      'battery',
      'Battery.cfp',
      'battery..cfp',
      'battery.cfp.',
      'a/b.c',
      'a.b_c',
      'a.b\u0000',
      '*',
    ]) {
      expect(DatasetId.safeParse(bad).success, bad).toBe(false);
    }
    expect(TopicPrefix.safeParse('p'.repeat(TOPIC_PREFIX_MAX + 1)).success).toBe(false);
    expect(TOPIC_PREFIX_PATTERN.test('e2e-3f2a1b')).toBe(true);
  });

  it('defines the other kinds: purpose, version, subject reference, kid', () => {
    expect(Purpose.safeParse('cfp-disclosure').success).toBe(true);
    expect(Purpose.safeParse('CFP').success).toBe(false);
    expect(Version.safeParse('1.2.3-rc.1').success).toBe(true);
    expect(Version.safeParse('1.2').success).toBe(false);
    expect(SubjectRef.safeParse('pt-7f3a91').success).toBe(true);
    expect(SubjectRef.safeParse('pt\u00001').success).toBe(false);
    expect(SubjectRef.safeParse(' pt-1').success).toBe(false);
    expect(Kid.safeParse('kcw-2026-11').success).toBe(true);
    expect(Kid.safeParse('a b').success).toBe(false);
  });
});
