import { z } from 'zod';
import { isSemver, SEMVER_MESSAGE } from './semver.js';

/**
 * One grammar per kind of identifier, used by every service that accepts one (registry registration,
 * clearing's token, grant, key and consent endpoints, the exchange's path parameters, cps-sim, the SDK).
 * A value any endpoint would refuse is refused where it is first registered, never accepted there and
 * refused later.
 *
 * Dataset ids become Kafka topic names: `<TOPIC_PREFIX>.data.<dataset>` and `<TOPIC_PREFIX>.dlq.<dataset>`.
 * A topic name is at most 249 characters of [a-zA-Z0-9._-], so the dataset id's maximum is what is left
 * after the longest prefix the platform allows and the longest infix.
 */
export const TOPIC_NAME_MAX = 249;
export const TOPIC_NAME_PATTERN = /^[a-zA-Z0-9._-]+$/;
/** The deployment's topic prefix (`TOPIC_PREFIX`, default `renkei`; e2e runs use `e2e-<6 hex>`). */
export const TOPIC_PREFIX_MAX = 40;
export const TOPIC_PREFIX_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)?$/;
export const TopicPrefix = z
  .string()
  .max(
    TOPIC_PREFIX_MAX,
    `at most ${TOPIC_PREFIX_MAX} characters (dataset topic names must stay within Kafka's 249)`,
  )
  .regex(TOPIC_PREFIX_PATTERN, 'lower-case name, optionally with one dot, e.g. renkei or e2e-3f2a1b');
/** What the platform puts between the prefix and a dataset id (Topics.data, Topics.deadLetter). */
export const DATASET_TOPIC_INFIXES = ['.data.', '.dlq.'] as const;
export const DATASET_ID_MAX =
  TOPIC_NAME_MAX - TOPIC_PREFIX_MAX - Math.max(...DATASET_TOPIC_INFIXES.map((i) => i.length));

/** Dataset ids are dotted lower-case names, e.g. `battery.cfp` (2 to 5 segments). */
export const DATASET_ID_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){1,4}$/;
export const PURPOSE_PATTERN = /^[a-z][a-z0-9-]{1,60}$/;
export const PURPOSE_MAX = 61;
export const VERSION_MAX = 256;
export const SUBJECT_REF_MAX = 200;
export const KID_MAX = 200;
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9.-]{0,99}$/;
// Printable characters only: no control characters (NUL included), no line breaks.
// eslint-disable-next-line no-control-regex
const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/;

export const DatasetId = z
  .string()
  .max(DATASET_ID_MAX, `at most ${DATASET_ID_MAX} characters (it becomes part of Kafka topic names)`)
  .regex(DATASET_ID_PATTERN, 'dotted lower-case name of 2 to 5 segments, e.g. battery.cfp');
/** A dataset id, or `*` for all of the caller's datasets (consents, erasure). */
export const DatasetSelector = z.union([z.literal('*'), DatasetId]);
/** Participants (and so OAuth client ids and assertion subjects) are identified by UUIDs. */
export const ParticipantId = z.uuid();
export const GrantId = z.uuid();
export const Purpose = z
  .string()
  .regex(PURPOSE_PATTERN, 'lower-case words joined by hyphens, 2 to 61 characters');
/** A semantic version exactly as the `semver` package reads it (and no longer than it reads). */
export const Version = z.string().max(VERSION_MAX).refine(isSemver, SEMVER_MESSAGE);
/** A person's pseudonymous reference chosen by the originator (e.g. `pt-7f3a91`). */
export const SubjectRef = z
  .string()
  .min(1)
  .max(SUBJECT_REF_MAX)
  .regex(NO_CONTROL, 'no control characters')
  .refine((s) => s.trim() === s, 'no leading or trailing spaces');
export const Kid = z
  .string()
  .min(1)
  .max(KID_MAX)
  .regex(/^[A-Za-z0-9._:~-]+$/, 'letters, digits and . _ : ~ -');
export const EventType = z.string().regex(EVENT_TYPE_PATTERN, 'lower-case dotted name, e.g. lot.measured');

export const IdSchemas = {
  dataset: DatasetId,
  participant: ParticipantId,
  grant: GrantId,
  purpose: Purpose,
  version: Version,
  subjectRef: SubjectRef,
  kid: Kid,
  eventType: EventType,
} as const;

export const isDatasetId = (value: string): boolean => DatasetId.safeParse(value).success;

/** The data topic name a dataset id makes, checked against Kafka's rule (a programming error if not). */
export function checkedTopicName(name: string): string {
  if (name.length > TOPIC_NAME_MAX || !TOPIC_NAME_PATTERN.test(name) || name === '.' || name === '..') {
    throw new Error(`'${name.slice(0, 60)}…' is not a valid Kafka topic name`);
  }
  return name;
}

/**
 * The longest identifier that may appear as a path segment. Fastify's default (100 characters) answered
 * 414 for dataset ids registration accepts; every service's router allows this many instead.
 */
export const PATH_PARAM_MAX = Math.max(DATASET_ID_MAX, SUBJECT_REF_MAX, VERSION_MAX, KID_MAX);
