import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseConfigSchema, loadConfig } from '@renkei/platform';
import { aclEntries, platformAccessRules } from './kafka-acls.js';
import { kafkaConnection, kafkaConnectionFromEnv } from './kafka-security.js';

const env = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/renkei' };
const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
const passwordFile = join(dir, 'exchange.password');
writeFileSync(passwordFile, 's3cret-from-a-file\n', { mode: 0o600 });
const caFile = join(dir, 'ca.crt');
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

describe('Kafka connection settings', () => {
  it('default to a plaintext listener without login', () => {
    expect(kafkaConnection(loadConfig(baseConfigSchema, env))).toEqual({});
  });

  it('give kafkajs TLS with the CA and a SCRAM login whose password comes from its file', () => {
    const connection = kafkaConnectionFromEnv({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'exchange',
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
    });
    expect(connection).toEqual({
      ssl: { ca: [expect.stringContaining('BEGIN CERTIFICATE')] },
      sasl: { mechanism: 'scram-sha-512', username: 'exchange', password: 's3cret-from-a-file' },
    });
  });

  it.each([
    [{ KAFKA_SASL_MECHANISM: 'plain' }, 'KAFKA_SASL_MECHANISM'],
    [{ KAFKA_SSL: 'yes' }, 'KAFKA_SSL'],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 'x' }, 'KAFKA_SASL_USERNAME'],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'exchange' }, 'KAFKA_SASL_PASSWORD'],
    [
      {
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: 'exchange',
        KAFKA_SASL_PASSWORD: 'x',
        KAFKA_SASL_PASSWORD_FILE: passwordFile,
      },
      'KAFKA_SASL_PASSWORD',
    ],
    [
      {
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'exchange',
        KAFKA_SASL_PASSWORD_FILE: join(dir, 'missing'),
      },
      'KAFKA_SASL_PASSWORD_FILE',
    ],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'missing.crt') }, 'KAFKA_SSL_CA_FILE'],
    [{ KAFKA_SSL_CA_FILE: caFile }, 'KAFKA_SSL_CA_FILE'],
    [{ KAFKA_SASL_USERNAME: 'exchange' }, 'KAFKA_SASL_USERNAME'],
  ])('stop the service at boot naming the setting: %j', (wrong, setting) => {
    expect(() => loadConfig(baseConfigSchema, { ...env, ...wrong })).toThrow(new RegExp(`\\n  ${setting}: `));
  });

  it('never put a password in the message', () => {
    let message = '';
    try {
      loadConfig(baseConfigSchema, {
        ...env,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_PASSWORD: 'hunter2',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/KAFKA_SASL_USERNAME/);
    expect(message).not.toMatch(/hunter2/);
  });
});

describe('the ACL matrix (least privilege)', () => {
  const rules = platformAccessRules('p');
  const can = (principal: string, op: string, topic: string) =>
    rules.some(
      (r) =>
        r.resource === 'topic' &&
        r.principal === principal &&
        r.operations.includes(op as never) &&
        (r.pattern === 'literal' ? r.name === topic : topic.startsWith(r.name)),
    );
  const principals = ['registry', 'clearing', 'exchange'];
  const writers = (topic: string) => principals.filter((p) => can(p, 'write', topic));
  const readers = (topic: string) => principals.filter((p) => can(p, 'read', topic));

  it('lets only the exchange write and read data and dead-letter topics', () => {
    expect(writers('p.data.battery.cfp')).toEqual(['exchange']);
    expect(readers('p.data.battery.cfp')).toEqual(['exchange']);
    expect(writers('p.dlq.battery.cfp')).toEqual(['exchange']);
    expect(readers('p.dlq.battery.cfp')).toEqual([]);
    // Another deployment's topics (another prefix) are nobody's.
    expect(writers('q.data.battery.cfp')).toEqual([]);
  });

  it('lets only the owning service write its outbox topics, and the consumers read what they follow', () => {
    expect(writers('p.registry.events')).toEqual(['registry']);
    expect(writers('p.clearing.events')).toEqual(['clearing']);
    expect(writers('p.audit.checkpoints')).toEqual(['clearing']);
    expect(writers('p.exchange.positions')).toEqual(['exchange']);
    expect(readers('p.registry.events')).toEqual(['clearing', 'exchange']);
    expect(readers('p.clearing.events')).toEqual(['exchange']);
    expect(readers('p.audit.decisions')).toEqual(['clearing']);
    expect(readers('p.audit.refusals')).toEqual(['clearing']);
    expect(writers('p.audit.decisions')).toEqual(['exchange']);
    expect(writers('p.audit.refusals')).toEqual(['registry', 'exchange']);
  });

  it('becomes ALLOW bindings for User:<service>, prefixed where the rule says so', () => {
    const entries = aclEntries(rules);
    expect(entries.every((e) => Number(e.permissionType) === 3 && e.host === '*')).toBe(true);
    expect(entries).toContainEqual(
      expect.objectContaining({
        resourceType: 2,
        resourceName: 'p.data.',
        resourcePatternType: 4,
        principal: 'User:exchange',
        operation: 4,
      }),
    );
    expect(entries.some((e) => e.principal === 'User:admin')).toBe(false);
  });
});
