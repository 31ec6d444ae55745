import { z } from 'zod';
import { DatasetId } from '@renkei/domain';

/** POST /runs/{id}/publish */
export const PublishRunSchema = z.object({
  dataset: DatasetId.optional().describe('The derived dataset to publish to; default cps.<kind>-forecast'),
  aggregate: z
    .boolean()
    .default(false)
    .describe(
      'Declare the result an aggregate that reveals no single contributor: then consumers without access to every input may receive it, if it rests on at least k contributors',
    ),
});
export type PublishRun = z.infer<typeof PublishRunSchema>;

export const PublishedSchema = z
  .object({
    run: z.uuid(),
    dataset: z.string(),
    version: z.string(),
    eventIds: z.array(z.string()),
    lineage: z.array(z.object({ dataset: z.string(), version: z.string() })),
  })
  .catchall(z.unknown());
