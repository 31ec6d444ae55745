/**
 * The regression guard for the OpenAPI documents: every operation of the four services documents a
 * success body schema, the refusals every operation can get (with the shared Problem schema and its
 * codes), and every example in the documents is valid against the schema it illustrates, so the
 * documents cannot drift into promising less, or more, than the services do. Schemathesis
 * (test/security/schemathesis.test.ts) then checks the running services against the same documents.
 */
import { Ajv, type AnySchema } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { OpenAPIObject } from '@nestjs/swagger';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { EDGE_PROBLEMS, operationsOf, PROBLEM_MEDIA_TYPE } from '@renkei/platform';
import { errorCodeInfo } from '@renkei/domain';
import { fromOpenApi30 } from '../test/support/openapi-conformance.js';
import { serviceDocuments } from './documents.js';

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

type Media = {
  schema?: Record<string, unknown>;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
};
type Response = { description?: string; content?: Record<string, Media> };

let documents: { name: string; document: OpenAPIObject }[];

beforeAll(async () => {
  documents = await serviceDocuments();
}, 60_000);

/** Every operation of every service, as "service METHOD path". */
function each<T>(
  fn: (op: ReturnType<typeof operationsOf>[number], service: string, doc: OpenAPIObject) => T[],
) {
  return documents.flatMap(({ name, document }) =>
    operationsOf(document).flatMap((op) => fn(op, name, document)),
  );
}

describe('OpenAPI documents', () => {
  it('cover the four services and every operation they route', () => {
    expect(documents.map((d) => d.name)).toEqual(['registry', 'clearing', 'exchange', 'cps-sim']);
    // A floor, so the walk below can never pass on empty documents.
    expect(each((op) => [op]).length).toBeGreaterThanOrEqual(74);
  });

  it('give every success response a body schema for each media type', () => {
    const missing = each((op, service) => {
      const responses = op.op.responses as Record<string, Response>;
      const ok = Object.keys(responses).filter((s) => s.startsWith('2'));
      if (ok.length === 0) return [`${service} ${op.method} ${op.path}: no success response`];
      return ok.flatMap((status) => {
        const content = responses[status]!.content ?? {};
        if (Object.keys(content).length === 0)
          return [`${service} ${op.method} ${op.path} ${status}: no body`];
        return Object.entries(content)
          .filter(([, media]) => !media.schema)
          .map(([type]) => `${service} ${op.method} ${op.path} ${status} ${type}: no schema`);
      });
    });
    expect(missing).toEqual([]);
  });

  it('document the refusals every operation can get, as problem+json with their codes', () => {
    const missing = each((op, service) => {
      const where = `${service} ${op.method} ${op.path}`;
      const responses = op.op.responses as Record<string, Response>;
      const codes = (op.op as { 'x-error-codes'?: Record<string, string[]> })['x-error-codes'] ?? {};
      const expected = Object.keys(EDGE_PROBLEMS);
      if (op.op.security && op.op.security.length > 0) expected.push('401', '403');
      if ((op.op.parameters ?? []).length > 0 || op.op.requestBody) expected.push('400');
      const errors = Object.keys(responses).filter((s) => Number(s) >= 400);
      return [
        ...expected.filter((s) => !responses[s]).map((s) => `${where}: ${s} not documented`),
        ...errors.flatMap((status) => {
          const problems: string[] = [];
          const media = responses[status]!.content?.[PROBLEM_MEDIA_TYPE];
          if (media?.schema?.$ref !== '#/components/schemas/Problem')
            problems.push(`${where} ${status}: not problem+json with the Problem schema`);
          if (!codes[status] || codes[status].length === 0)
            problems.push(`${where} ${status}: no error codes in x-error-codes`);
          return problems;
        }),
      ];
    });
    expect(missing).toEqual([]);
  });

  it('give every request body a schema', () => {
    const missing = each((op, service) => {
      const body = op.op.requestBody as { content?: Record<string, Media> } | undefined;
      if (!body) return [];
      return Object.entries(body.content ?? {})
        .filter(([, media]) => !media.schema)
        .map(([type]) => `${service} ${op.method} ${op.path} request ${type}: no schema`);
    });
    expect(missing).toEqual([]);
  });

  it('only show examples that are valid against the schema they illustrate', () => {
    let checked = 0;
    const invalid = documents.flatMap(({ name, document }) => {
      const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
      ajv.addSchema(fromOpenApi30({ components: document.components }) as AnySchema, 'doc');
      const resolve = (schema: Record<string, unknown>) =>
        fromOpenApi30(
          JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/')),
        ) as AnySchema;
      return operationsOf(document).flatMap((op) => {
        const bodies: [string, Media][] = [];
        for (const [status, response] of Object.entries(op.op.responses as Record<string, Response>))
          for (const [type, media] of Object.entries(response.content ?? {}))
            bodies.push([`${status} ${type}`, media]);
        const request = op.op.requestBody as { content?: Record<string, Media> } | undefined;
        for (const [type, media] of Object.entries(request?.content ?? {}))
          bodies.push([`request ${type}`, media]);
        return bodies.flatMap(([where, media]) => {
          if (!media.schema) return [];
          const samples = [
            ...(media.example !== undefined ? [media.example] : []),
            ...Object.values(media.examples ?? {}).map((e) => e.value),
          ];
          const validate = ajv.compile(resolve(media.schema));
          // A YAML body's schema describes the parsed document (as clients and Schemathesis read it).
          const read = (sample: unknown) =>
            where.endsWith('yaml') && typeof sample === 'string' ? (parseYaml(sample) as unknown) : sample;
          return samples.flatMap((sample) => {
            checked++;
            return validate(read(sample))
              ? []
              : [`${name} ${op.method} ${op.path} ${where}: ${ajv.errorsText(validate.errors)}`];
          });
        });
      });
    });
    expect(invalid).toEqual([]);
    expect(checked).toBeGreaterThan(100);
    // Compiling every schema of four documents takes a few seconds on a loaded machine.
  }, 30_000);

  it('list each error code, and show each error example, under the status the catalogue gives it', () => {
    // Stand-ins for codes decided elsewhere (the policy's reasons, another service's answer).
    const placeholders = new Set(['<policy reason>', '<upstream refusal>']);
    let checked = 0;
    const wrong = each((op, service) => {
      const where = `${service} ${op.method} ${op.path}`;
      const listed = Object.entries(op.op['x-error-codes'] ?? {}).flatMap(([status, codes]) =>
        codes.map((code) => [status, code] as const),
      );
      const examples = Object.entries(op.op.responses as Record<string, Response>)
        .filter(([status]) => Number(status) >= 400)
        .flatMap(([status, response]) =>
          Object.values(response.content ?? {}).flatMap((media) =>
            [media.example, ...Object.values(media.examples ?? {}).map((e) => e.value)]
              .map((sample) => (sample as { code?: unknown } | undefined)?.code)
              .filter((code): code is string => typeof code === 'string')
              .map((code) => [status, code] as const),
          ),
        );
      return [...listed, ...examples].flatMap(([status, code]) => {
        if (placeholders.has(code)) return [];
        checked++;
        return errorCodeInfo(code)?.status === Number(status) ? [] : [`${where}: ${code} under ${status}`];
      });
    });
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(500);
  });
});
