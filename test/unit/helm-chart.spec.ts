/**
 * The Helm chart (infra/helm/renkei) against the code it deploys: what `helm template` renders must give
 * each service every setting its config schema requires, only settings it knows, probes on the health
 * endpoints it serves, TLS to PostgreSQL with the server's name checked, and Kafka principals with the
 * least privilege the issue asks for (only the exchange writes data topics, only the owning service its
 * outbox topic). scripts/helm-check.sh validates the same renderings against the Kubernetes schemas.
 *
 * helm comes from scripts/helm.sh (built from the Go module proxy once, then cached in ~/.cache/renkei;
 * scripts/test-all.sh builds it before the tests run).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { baseConfigSchema, shutdownConfigSchema } from '@renkei/platform';
import { clearingConfigSchema } from '../../apps/clearing/src/clearing.config.js';
import { cpsConfigSchema } from '../../apps/cps-sim/src/cps-sim.config.js';
import { exchangeConfigSchema } from '../../apps/exchange/src/exchange.config.js';
import { registryConfigSchema } from '../../apps/registry/src/registry.config.js';

const root = new URL('../..', import.meta.url).pathname;
const chart = join(root, 'infra/helm/renkei');

/** The parts of the rendered manifests the tests read. */
interface Container {
  command: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: { configMapRef: { name: string } }[];
  livenessProbe: { httpGet: Record<string, unknown> };
  readinessProbe: { httpGet: Record<string, unknown> };
  securityContext: Record<string, unknown>;
  resources: { limits: { memory?: string } };
}
interface PodSpec {
  securityContext: Record<string, unknown>;
  containers: Container[];
}
interface Acl {
  resource: { type: string; name: string; patternType: string };
  operations: string[];
}
interface Spec {
  replicas?: number;
  maxUnavailable?: number;
  template?: { spec: PodSpec };
  topicName?: string;
  config?: Record<string, unknown>;
  authorization?: { acls?: Acl[] };
  kafka?: { config: Record<string, unknown>; listeners: unknown[] };
  managed?: { roles: { name: string }[] };
  postgresql?: { pg_hba?: string[] };
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: Spec;
  data?: Record<string, string>;
}
const pod = (m: Manifest): PodSpec => m.spec.template!.spec;

let helm = '';
function render(...args: string[]): Manifest[] {
  const out = execFileSync(helm, ['template', 'renkei', chart, '--namespace', 'renkei', ...args], {
    encoding: 'utf8',
    maxBuffer: 32 * 1024 * 1024,
  });
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}
const find = (ms: Manifest[], kind: string, name: string) => {
  const m = ms.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`${kind}/${name} not rendered`);
  return m;
};

/** Settings each service reads, as its config schema declares them. */
const schemas: Record<string, z.ZodObject> = {
  registry: registryConfigSchema,
  clearing: clearingConfigSchema,
  exchange: exchangeConfigSchema,
  'cps-sim': cpsConfigSchema,
};
/**
 * Settings the chart sets that no service schema declares: read by a library or by Node itself, or the
 * transport-security settings named in the brief (TLS_*, KAFKA_SSL*, KAFKA_SASL_*), whose schema
 * entries come with the TLS and Kafka security work.
 */
const readElsewhere = new Set([
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'NODE_EXTRA_CA_CERTS',
  'DATABASE_PASSWORD', // only to build DATABASE_URL ($(DATABASE_PASSWORD))
]);

/** Every environment variable a Deployment's container gets: its ConfigMap plus its env entries. */
function environment(ms: Manifest[], service: string): Map<string, unknown> {
  const container = pod(find(ms, 'Deployment', `renkei-${service}`)).containers[0]!;
  const vars = new Map<string, unknown>();
  for (const from of container.envFrom ?? []) {
    const cm = find(ms, 'ConfigMap', from.configMapRef.name);
    for (const [k, v] of Object.entries(cm.data ?? {})) vars.set(k, v);
  }
  for (const e of container.env ?? []) vars.set(e.name, e.value ?? e.valueFrom);
  return vars;
}

describe('Helm chart', () => {
  let defaults: Manifest[];
  let production: Manifest[];
  beforeAll(() => {
    helm = execFileSync('bash', [join(root, 'scripts/helm.sh')], { encoding: 'utf8' }).trim();
    defaults = render();
    production = render('-f', join(chart, 'values-production.yaml'));
  }, 900_000);

  it('gives every service each setting its schema requires, and only settings it knows', () => {
    for (const ms of [defaults, production]) {
      for (const [service, schema] of Object.entries(schemas)) {
        const env = environment(ms, service);
        // Every service also reads the shutdown settings (runService checks them for each).
        const known = new Set([...Object.keys(schema.shape), ...Object.keys(shutdownConfigSchema.shape)]);
        for (const [key, field] of Object.entries(schema.shape)) {
          const required = !(field as z.ZodType).safeParse(undefined).success;
          if (required) expect(env.has(key), `${service} needs ${key}`).toBe(true);
        }
        for (const key of env.keys())
          expect(known.has(key) || readElsewhere.has(key), `${service} does not read ${key}`).toBe(true);
        // The chart's literal values pass the service's own validation (secrets come from Secrets).
        const literal = Object.fromEntries(
          [...env].filter(([k, v]) => typeof v === 'string' && k !== 'DATABASE_URL'),
        ) as Record<string, string>;
        const partial = schema.partial().safeParse(literal);
        expect(partial.success, `${service}: ${JSON.stringify(partial.error?.issues)}`).toBe(true);
      }
    }
  });

  it('probes the health endpoints the services serve: liveness /health/live, readiness /health/ready', () => {
    const controller = readFileSync(join(root, 'libs/platform/src/health.controller.ts'), 'utf8');
    expect(controller).toContain("@Controller('health')");
    expect(controller).toContain("@Get('live')");
    expect(controller).toContain("@Get('ready')");
    for (const service of Object.keys(schemas)) {
      const c = pod(find(defaults, 'Deployment', `renkei-${service}`)).containers[0]!;
      expect(c.livenessProbe.httpGet).toMatchObject({ path: '/health/live', scheme: 'HTTPS' });
      expect(c.readinessProbe.httpGet).toMatchObject({ path: '/health/ready', scheme: 'HTTPS' });
    }
    const console = pod(find(defaults, 'Deployment', 'renkei-console')).containers[0]!;
    expect(readFileSync(join(root, 'apps/console/src/server.ts'), 'utf8')).toContain("app.get('/health'");
    expect(console.readinessProbe.httpGet).toMatchObject({ path: '/health', scheme: 'HTTP' });
  });

  it('runs every container as non-root on a read-only root file system', () => {
    const pods = defaults.filter((m) => m.kind === 'Deployment' || m.kind === 'Job').map(pod);
    expect(pods).toHaveLength(6);
    for (const pod of pods) {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.resources.limits.memory).toBeTruthy();
      }
    }
  });

  it('connects to PostgreSQL over TLS, verifying the server, with one role per service', () => {
    const urls = Object.fromEntries(
      ['registry', 'clearing', 'exchange', 'cps-sim'].map((s) => [
        s,
        environment(defaults, s).get('DATABASE_URL'),
      ]),
    );
    expect(urls.registry).toMatch(
      /^postgresql:\/\/renkei_registry:\$\(DATABASE_PASSWORD\)@renkei-pg-rw:5432\/renkei\?/,
    );
    expect(urls.clearing).toMatch(/^postgresql:\/\/renkei_clearing:/);
    for (const url of [urls.registry, urls.clearing]) expect(url).toContain('sslmode=verify-full');
    // The exchange and the twin keep no state in PostgreSQL: no credentials at all.
    expect(urls.exchange).toBeUndefined();
    expect(urls['cps-sim']).toBeUndefined();
    const migrate = pod(find(defaults, 'Job', 'renkei-migrate')).containers[0]!;
    expect(migrate.command).toEqual(['node', 'scripts/prisma-migrate.mjs', 'deploy']);
    expect(migrate.env?.find((e) => e.name === 'DATABASE_URL')?.value).toMatch(
      /^postgresql:\/\/renkei:.*sslmode=verify-full/,
    );
    const cluster = find(defaults, 'Cluster', 'renkei-pg');
    expect(cluster.spec.managed?.roles.map((r) => r.name)).toEqual(['renkei_registry', 'renkei_clearing']);
    expect(cluster.spec.postgresql?.pg_hba).toContain('hostnossl all all all reject');
  });

  describe('Kafka', () => {
    const acls = (user: string): Acl[] => find(defaults, 'KafkaUser', user).spec.authorization?.acls ?? [];
    /** Principals allowed `operation` on a topic, by the ACLs' literal and prefix rules. */
    const allowed = (topic: string, operation: string) =>
      ['registry', 'clearing', 'exchange'].filter((user) =>
        acls(user).some(
          (a) =>
            a.resource.type === 'topic' &&
            a.operations.includes(operation) &&
            (a.resource.patternType === 'prefix'
              ? topic.startsWith(a.resource.name)
              : topic === a.resource.name),
        ),
      );

    it('lets only the exchange write (and create) data and dead-letter topics', () => {
      for (const topic of ['renkei.data.battery.cfp', 'renkei.dlq.battery.cfp']) {
        expect(allowed(topic, 'Write')).toEqual(['exchange']);
        expect(allowed(topic, 'Create')).toEqual(['exchange']);
      }
      expect(allowed('renkei.data.battery.cfp', 'Read')).toEqual(['exchange']);
      // Dead letters are for operators (the admin principal); no service reads them.
      expect(allowed('renkei.dlq.battery.cfp', 'Read')).toEqual([]);
    });

    it('lets only the owning service write its outbox topic, and the readers read it', () => {
      expect(allowed('renkei.registry.events', 'Write')).toEqual(['registry']);
      expect(allowed('renkei.clearing.events', 'Write')).toEqual(['clearing']);
      expect(allowed('renkei.registry.events', 'Read')).toEqual(['clearing', 'exchange']);
      expect(allowed('renkei.clearing.events', 'Read')).toEqual(['clearing', 'exchange']);
      expect(allowed('renkei.audit.checkpoints', 'Write')).toEqual(['clearing']);
      expect(allowed('renkei.audit.decisions', 'Read')).toEqual(['clearing']);
      expect(allowed('renkei.exchange.positions', 'Write')).toEqual(['exchange']);
      // Nobody but the exchange creates topics; no one has cluster-wide rights.
      for (const user of ['registry', 'clearing'])
        expect(acls(user).filter((a) => a.operations.includes('Create'))).toEqual([]);
      for (const user of ['registry', 'clearing', 'exchange'])
        expect(acls(user).filter((a) => a.resource.type === 'cluster' || a.resource.name === '*')).toEqual(
          [],
        );
    });

    it('declares the platform topics replicated (RF 3, min ISR 2) with the settings the code creates them with', async () => {
      const { Topics } = await import('@renkei/domain');
      const platform = [
        Topics.registryEvents,
        Topics.clearingEvents,
        Topics.auditDecisions,
        Topics.auditRefusals,
        Topics.auditCheckpoints,
        Topics.exchangePositions,
      ];
      const topics = defaults.filter((m) => m.kind === 'KafkaTopic');
      expect(topics.map((t) => t.spec.topicName).sort()).toEqual([...platform].sort());
      for (const t of topics) {
        expect(t.spec.replicas).toBe(3);
        expect(t.spec.config).toMatchObject({
          'min.insync.replicas': 2,
          'unclean.leader.election.enable': false,
        });
      }
      const kafka = find(defaults, 'Kafka', 'renkei-kafka');
      expect(kafka.spec.kafka?.config).toMatchObject({
        'auto.create.topics.enable': false,
        'min.insync.replicas': 2,
      });
      expect(kafka.spec.kafka?.listeners).toEqual([
        expect.objectContaining({ tls: true, authentication: { type: 'scram-sha-512' } }),
      ]);
      // The services create topics with the same replication (data topics, when a dataset is first used).
      const env = environment(defaults, 'exchange');
      expect(env.get('KAFKA_REPLICATION_FACTOR')).toBe('3');
      expect(env.get('KAFKA_MIN_INSYNC_REPLICAS')).toBe('2');
      expect(baseConfigSchema.shape.KAFKA_REPLICATION_FACTOR).toBeDefined();
    });
  });

  it("lets only the release's own pods and the listed namespaces connect, in the production example", () => {
    expect(defaults.filter((m) => m.kind === 'NetworkPolicy')).toEqual([]);
    const policies = production.filter((m) => m.kind === 'NetworkPolicy');
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(
      ['cps-sim', 'clearing', 'console', 'exchange', 'registry'].map((s) => `renkei-${s}`).sort(),
    );
    for (const p of policies)
      expect(p.spec).toMatchObject({
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'renkei' } } }, {}, {}] },
        ],
      });
  });

  it('keeps two replicas of the exchange and clearing by default, each with a disruption budget', () => {
    for (const service of ['exchange', 'clearing']) {
      expect(find(defaults, 'Deployment', `renkei-${service}`).spec.replicas).toBe(2);
      expect(find(defaults, 'PodDisruptionBudget', `renkei-${service}`).spec.maxUnavailable).toBe(1);
    }
  });
});

/** docker-compose.yml (one machine) must keep up with the same services and settings as the chart. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { command?: string[]; environment?: Record<string, unknown> }>;
  };
  const mains: Record<string, string> = {
    registry: 'dist/apps/registry/src/main.js',
    clearing: 'dist/apps/clearing/src/main.js',
    exchange: 'dist/apps/exchange/src/main.js',
    'cps-sim': 'dist/apps/cps-sim/src/main.js',
    console: 'dist/apps/console/src/server.js',
  };

  it('runs the four services and the console with the entry points the chart uses', () => {
    for (const [service, main] of Object.entries(mains))
      expect(compose.services[service]?.command, service).toEqual(['node', main]);
  });

  it('gives every service each setting its schema requires, and only settings it knows', () => {
    for (const [service, schema] of Object.entries(schemas)) {
      const env = compose.services[service]?.environment ?? {};
      for (const [key, field] of Object.entries(schema.shape))
        if (!(field as z.ZodType).safeParse(undefined).success)
          expect(Object.hasOwn(env, key), `${service} needs ${key}`).toBe(true);
      for (const key of Object.keys(env))
        expect(Object.hasOwn(schema.shape, key), `${service} does not read ${key}`).toBe(true);
    }
  });
});

/** The alerting rules: each links a runbook section that exists, over series the services record. */
describe('infra/prometheus/alerts.yml', () => {
  const rules = (
    parse(readFileSync(join(root, 'infra/prometheus/alerts.yml'), 'utf8')) as {
      groups: { rules: { alert: string; expr: string; annotations: { runbook_url: string } }[] }[];
    }
  ).groups.flatMap((g) => g.rules);
  /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
  const anchors = new Set(
    [...readFileSync(join(root, 'docs/operations.md'), 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) =>
      m[1]!
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    ),
  );

  it('links every alert to a runbook section of docs/operations.md', () => {
    expect(rules.length).toBeGreaterThanOrEqual(8);
    for (const rule of rules) {
      const [file, anchor] = rule.annotations.runbook_url.split('#');
      expect(file, rule.alert).toBe('docs/operations.md');
      expect(anchors.has(anchor!), `${rule.alert}: no section #${anchor}`).toBe(true);
    }
  });

  it('alerts only on series the code records', () => {
    const code = execFileSync(
      'grep',
      [
        '-rhoE',
        '--include=*.ts',
        '--exclude=*.spec.ts',
        "'renkei_[a-z_]+'",
        join(root, 'libs'),
        join(root, 'apps'),
      ],
      { encoding: 'utf8' },
    );
    for (const rule of rules)
      for (const [series] of rule.expr.matchAll(/renkei_[a-z_]+/g)) {
        const base = series.replace(/_(count|bucket|sum)$/, '');
        expect(code.includes(`'${base}'`), `${rule.alert}: ${series} is recorded nowhere`).toBe(true);
      }
  });
});
