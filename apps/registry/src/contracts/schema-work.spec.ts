import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEMA_LIMITS, DomainError } from '@renkei/domain';
import { SchemaWork } from './schema-work.js';
import { rebuildError, runSchemaTask } from './schema-work.task.js';

const schema = (pattern: string) => ({
  type: 'object',
  properties: { code: { type: 'string', pattern } },
});

describe('schema work (the tasks the worker pool runs)', () => {
  it('compiles a schema within the limits', () => {
    expect(
      runSchemaTask({
        kind: 'compile',
        schema: schema('^a+$'),
        path: '/schema',
        limits: DEFAULT_SCHEMA_LIMITS,
      }),
    ).toEqual({ ok: true, value: null });
  });

  it('returns a refusal as data that crosses the thread boundary and becomes the same DomainError', () => {
    const result = runSchemaTask({
      kind: 'compile',
      schema: schema('^(a)\\1$'),
      path: '/schema',
      limits: DEFAULT_SCHEMA_LIMITS,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(structuredClone(result)).toEqual(result);
    const error = rebuildError(result.error);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'CONTRACT.PATTERN_NOT_SUPPORTED', kind: 'bad-request' });
    expect(error.details).toEqual([
      {
        path: '/schema/properties/code/pattern',
        message: 'backreferences cannot be matched in linear time and are not supported',
      },
    ]);
    expect(error.hint).toContain('RE2');
  });

  it('runs the compatibility check and reports what it checked against', () => {
    const result = runSchemaTask({
      kind: 'compatibility',
      mode: 'BACKWARD',
      history: [{ version: '1.0.0', schema: schema('^a+$') }],
      version: '1.1.0',
      schema: schema('^b+$'),
    });
    expect(result).toMatchObject({
      ok: true,
      value: { checkedAgainst: ['1.0.0'], breaks: [expect.objectContaining({ kind: 'PATTERN_CHANGED' })] },
    });
  });

  it('applies the configured limits to an ODCS import', () => {
    const result = runSchemaTask({
      kind: 'import-odcs',
      document: 'not: [an, odcs, document',
      limits: DEFAULT_SCHEMA_LIMITS,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'ODCS.INVALID_DOCUMENT' } });
  });

  it('inline (from the TypeScript sources) throws the same errors the pool does', async () => {
    const work = new SchemaWork({ limits: { ...DEFAULT_SCHEMA_LIMITS, maxBytes: 50 } }, true);
    await expect(work.assertCompilable(schema('^a+$'))).rejects.toMatchObject({
      code: 'CONTRACT.SCHEMA_TOO_LARGE',
    });
    await work.close();
  });
});

describe('schema work in the pool', () => {
  it('refuses a schema over the limits on the calling thread, without a worker', async () => {
    const work = new SchemaWork({ limits: { ...DEFAULT_SCHEMA_LIMITS, maxDepth: 3 } }, true);
    const run = (work as unknown as { run: (task: unknown) => Promise<unknown> }).run.bind(work);
    let tasks = 0;
    (work as unknown as { run: (task: unknown) => Promise<unknown> }).run = (task) => {
      tasks++;
      return run(task);
    };
    await expect(
      work.assertCompilable({ properties: { a: { properties: { b: {} } } } }),
    ).rejects.toMatchObject({
      code: 'CONTRACT.SCHEMA_TOO_DEEP',
    });
    expect(tasks).toBe(0);
    await work.assertCompilable({ type: 'object' });
    expect(tasks).toBe(1);
  });
});
