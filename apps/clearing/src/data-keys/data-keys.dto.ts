import { z } from 'zod';
import { DatasetId, DatasetSelector, SubjectRef } from '#libs/domain';

const subjectRef = SubjectRef;
const dataset = DatasetId;

export const EncryptionKeysSchema = z.object({
  originator: z.uuid(),
  dataset,
  /** Persons whose own keys are needed (health data); the dataset key is always returned. */
  subjects: z.array(subjectRef).max(1000).default([]),
});
export type EncryptionKeys = z.infer<typeof EncryptionKeysSchema>;

export const KeyReleaseSchema = z.object({
  grantId: z.uuid(),
  consumer: z.uuid(),
  dataset,
  kids: z.array(z.uuid()).min(1).max(1000),
});
export type KeyRelease = z.infer<typeof KeyReleaseSchema>;

export const DestroyDatasetKeysSchema = z.object({
  reason: z.string().min(1).max(1000),
});
export type DestroyDatasetKeys = z.infer<typeof DestroyDatasetKeysSchema>;

export const ErasePersonSchema = z.object({
  dataset: DatasetSelector.default('*').describe('A dataset id, or * for all your datasets'),
  reason: z.string().min(1).max(1000).default('erasure requested by the person'),
});
export type ErasePerson = z.infer<typeof ErasePersonSchema>;
