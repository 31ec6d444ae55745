import type {
  AclEntry,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  ResourcePatternTypes,
} from 'kafkajs';
import { topicsFor } from '@renkei/domain';
import { ensureTopics, platformTopics } from './kafka-client.js';
import { singleBrokerTopics, type TopicSettings } from './topic-settings.js';

/** The services that speak Kafka, each its own SCRAM principal (User:<name>); admin is the super user. */
export const KAFKA_SERVICE_PRINCIPALS = ['registry', 'clearing', 'exchange'] as const;
export type KafkaServicePrincipal = (typeof KAFKA_SERVICE_PRINCIPALS)[number];

type Operation = 'read' | 'write' | 'create' | 'describe' | 'delete';

/** One line of the matrix: what a principal may do on topics or consumer groups named (or starting with) `name`. */
export interface AccessRule {
  principal: KafkaServicePrincipal;
  resource: 'topic' | 'group';
  /** 'prefixed': every name that starts with `name` (data topics, throw-away consumer groups). */
  pattern: 'literal' | 'prefixed';
  name: string;
  operations: Operation[];
}

/**
 * Who may do what on Kafka, for the deployment whose topics start with `prefix` (TOPIC_PREFIX); docs/
 * operations.md ("Kafka security") has it as a table and ADR 0035 the reasons. Least privilege:
 * - only the exchange writes (and creates) data and dead-letter topics, and only it reads them;
 * - each outbox/event topic is written (and created) by its owning service only: registry.events by the
 *   registry; clearing.events and audit.checkpoints by clearing (audit.decisions and audit.refusals are the
 *   chain's inputs: clearing creates them, the services that record decisions or refusals write them);
 * - consumers read exactly the topics their composition subscribes to, through the consumer groups their
 *   code names (READ and DELETE where the service deletes its throw-away groups, DESCRIBE for offsets).
 * READ and WRITE imply DESCRIBE (readiness probes and barriers ask for offsets). Consumer groups that do
 * not start with the topic prefix are the services' own names and the same in every deployment.
 */
export function platformAccessRules(prefix: string): AccessRule[] {
  const t = topicsFor(prefix);
  const topic = (
    principal: KafkaServicePrincipal,
    name: string,
    operations: Operation[],
    pattern: AccessRule['pattern'] = 'literal',
  ): AccessRule => ({ principal, resource: 'topic', pattern, name, operations });
  const group = (principal: KafkaServicePrincipal, name: string, operations: Operation[]): AccessRule => ({
    principal,
    resource: 'group',
    pattern: 'prefixed',
    name,
    operations,
  });
  return [
    // registry: its outbox topic, and its security refusals onto the audit chain.
    topic('registry', t.registryEvents, ['create', 'write']),
    topic('registry', t.auditRefusals, ['write']),
    // clearing: its outbox topics, the audit inputs it creates and reads, the registry's events.
    topic('clearing', t.clearingEvents, ['create', 'write']),
    topic('clearing', t.auditCheckpoints, ['create', 'write', 'read']),
    topic('clearing', t.auditDecisions, ['create', 'read']),
    topic('clearing', t.auditRefusals, ['create', 'read']),
    topic('clearing', t.registryEvents, ['read']),
    group('clearing', 'renkei-clearing.', ['read']), // projection and checkpoints (EventConsumer)
    group('clearing', `${prefix}.audit.`, ['read']), // decision and refusal ingest
    // exchange: the data plane, its stream positions, decisions and refusals, the platform's events.
    topic('exchange', t.dataPrefix, ['create', 'write', 'read'], 'prefixed'),
    topic('exchange', t.deadLetterPrefix, ['create', 'write'], 'prefixed'),
    topic('exchange', t.exchangePositions, ['create', 'write', 'read']),
    topic('exchange', t.auditDecisions, ['write']),
    topic('exchange', t.auditRefusals, ['write']),
    topic('exchange', t.registryEvents, ['read']),
    topic('exchange', t.clearingEvents, ['read']),
    group('exchange', 'renkei-exchange.', ['read']), // platform events (EventConsumer)
    group('exchange', `${t.dataPrefix}`, ['read', 'delete']), // a dataset's shared feed (topic-feed.ts)
    group('exchange', 'renkei.exchange.positions.', ['read', 'delete']), // positions read-back
    group('exchange', 'renkei.grant.', ['describe', 'delete']), // legacy per-grant groups, read once
  ];
}

// kafkajs's enums are not named exports of its CommonJS build under ESM: their protocol values, as typed.
const operationOf = { read: 3, write: 4, create: 5, describe: 8, delete: 6 } as Record<
  Operation,
  AclOperationTypes
>;
const TOPIC = 2 as AclResourceTypes;
const GROUP = 3 as AclResourceTypes;
const LITERAL = 3 as ResourcePatternTypes;
const PREFIXED = 4 as ResourcePatternTypes;
const ALLOW = 3 as AclPermissionTypes;

/** The rules as Kafka ACL bindings (ALLOW, any host); anything else is denied (allow.everyone.if.no.acl.found=false). */
export function aclEntries(rules: AccessRule[]): AclEntry[] {
  return rules.flatMap((rule) =>
    rule.operations.map((operation) => ({
      resourceType: rule.resource === 'topic' ? TOPIC : GROUP,
      resourceName: rule.name,
      resourcePatternType: rule.pattern === 'prefixed' ? PREFIXED : LITERAL,
      principal: `User:${rule.principal}`,
      host: '*',
      operation: operationOf[operation],
      permissionType: ALLOW,
    })),
  );
}

/**
 * Provisions a deployment on a secure cluster, as the super user (`kafka` logs in as admin): creates the
 * platform topics (a service may create only its own, yet reads others' from its start) and adds the
 * ACLs of platformAccessRules. Idempotent: existing topics and identical ACLs are left as they are.
 */
export async function provisionKafka(
  kafka: Kafka,
  prefix: string,
  settings: TopicSettings = singleBrokerTopics,
): Promise<{ acls: number }> {
  await ensureTopics(kafka, platformTopics(settings, topicsFor(prefix)), settings);
  const acl = aclEntries(platformAccessRules(prefix));
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createAcls({ acl });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return { acls: acl.length };
}
