import { z } from 'zod';
import { DatasetId, DatasetSelector, SubjectRef } from '@renkei/domain';

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

// ------------------------------------------------------------------ responses (OpenAPI)

const when = z.string().describe('ISO 8601 date-time');
const releasedKey = z.object({ kid: z.uuid(), key: z.string().describe('base64url, 32 bytes') });

export const DestroyedDatasetKeysSchema = z.object({
  dataset: z.string(),
  destroyed: z.number().int().describe('Data keys destroyed'),
  at: when,
});

export const ErasedPersonSchema = z.object({
  subjectRef: z.string(),
  dataset: z.string(),
  keysDestroyed: z.number().int(),
  at: when,
});

export const EncryptionKeysResultSchema = z.object({
  dataset: releasedKey,
  subjects: z.record(z.string(), releasedKey),
});

export const ReleasedKeysSchema = z.object({
  keys: z.array(releasedKey),
  destroyed: z.array(z.string()),
});
