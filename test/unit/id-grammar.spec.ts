import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatasetId, DATASET_ID_MAX, Purpose } from '@renkei/domain';
import { IdPipe } from '@renkei/platform';
import { RequestGrantSchema } from '../../apps/clearing/src/grants/grants.dto.js';
import { DatasetTokenRequestSchema } from '../../apps/clearing/src/tokens/tokens.dto.js';
import { EncryptionKeysSchema, ErasePersonSchema } from '../../apps/clearing/src/data-keys/data-keys.dto.js';
import { OptOutSchema } from '../../apps/clearing/src/consents/consents.controller.js';
import { RequestInputSchema } from '../../apps/cps-sim/src/inputs/inputs.dto.js';
import { RegisterContractSchema, registerExample } from '../../apps/registry/src/contracts/contracts.dto.js';

const datasetIds = fc
  .tuple(
    fc.stringMatching(/^[a-z][a-z0-9-]{0,70}$/),
    fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,70}$/), { minLength: 1, maxLength: 4 }),
  )
  .map(([head, rest]) => [head, ...rest].join('.'));
const purposes = fc.stringMatching(/^[a-z][a-z0-9-]{1,60}$/);
const originator = '0b5c8a52-6b0e-4a53-9a43-3c2b8c7f2a11';

/**
 * Whatever registration accepts, every later endpoint accepts too: a dataset can never be registered and
 * then be impossible to request, tokenise, publish to, stream from, key or follow.
 */
describe('one id grammar across the services', () => {
  it('accepts at every endpoint each dataset id and purpose that registration accepts', () => {
    let registered = 0;
    fc.assert(
      fc.property(datasetIds, purposes, (dataset, purpose) => {
        const registration = RegisterContractSchema.safeParse({
          ...registerExample,
          dataset,
          purposes: [purpose],
        });
        if (!registration.success) return;
        registered++;
        const accepted = {
          grant: RequestGrantSchema.safeParse({ dataset, purpose }).success,
          token: DatasetTokenRequestSchema.safeParse({ dataset, action: 'publish' }).success,
          keys: EncryptionKeysSchema.safeParse({ originator, dataset }).success,
          erase: ErasePersonSchema.safeParse({ dataset }).success,
          optOut: OptOutSchema.safeParse({ subjectRef: 'pt-1', dataset }).success,
          cpsFollow: RequestInputSchema.safeParse({ dataset, purpose }).success,
          exchangePath: (() => {
            try {
              return new IdPipe(DatasetId, 'dataset').transform(dataset) === dataset;
            } catch {
              return false;
            }
          })(),
        };
        expect(accepted).toEqual({
          grant: true,
          token: true,
          keys: true,
          erase: true,
          optOut: true,
          cpsFollow: true,
          exchangePath: true,
        });
      }),
      { numRuns: 1000 },
    );
    expect(registered).toBeGreaterThan(300);
  });

  it('refuses at registration an id that any endpoint would refuse, with the failing path', () => {
    const tooLong = `battery.${'x'.repeat(DATASET_ID_MAX)}`;
    const registration = RegisterContractSchema.safeParse({ ...registerExample, dataset: tooLong });
    expect(registration.success).toBe(false);
    expect(registration.error?.issues[0]?.path).toEqual(['dataset']);
    expect(DatasetTokenRequestSchema.safeParse({ dataset: tooLong, action: 'publish' }).success).toBe(false);
    expect(Purpose.safeParse('x'.repeat(62)).success).toBe(false);
    expect(RegisterContractSchema.safeParse({ ...registerExample, purposes: ['x'.repeat(62)] }).success).toBe(
      false,
    );
  });
});
