/**
 * Checks answers against the schemas of the OpenAPI documents the services serve. Schemathesis fuzzes the
 * documents mostly into refusals and empty lists; an e2e test holding a real grant, usage or receipt proves
 * with this that the populated answer is the one the document (and so the SDK's generated types) promises.
 */
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

/** OpenAPI 3.0's schema dialect as JSON Schema for Ajv: `nullable` and boolean exclusive bounds. */
export function fromOpenApi30(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fromOpenApi30);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = fromOpenApi30(value);
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (out[flag] === true) {
      out[flag] = out[bound];
      delete out[bound];
    } else if (out[flag] === false) delete out[flag];
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  }
  return out;
}

type Served = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
  >;
  components?: unknown;
};

const validators = new Map<string, Promise<ValidateFunction>>();

async function validatorFor(
  baseUrl: string,
  operation: string,
  status: number,
  mediaType: string,
): Promise<ValidateFunction> {
  const key = `${baseUrl} ${operation} ${status} ${mediaType}`;
  let validator = validators.get(key);
  if (!validator) {
    validator = (async () => {
      const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as Served;
      const [method, path] = operation.split(' ') as [string, string];
      const schema =
        document.paths[path]?.[method.toLowerCase()]?.responses[String(status)]?.content?.[mediaType]?.schema;
      if (!schema) throw new Error(`${baseUrl}: no ${mediaType} schema for ${operation} ${status}`);
      const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
      ajv.addSchema(fromOpenApi30({ components: document.components }) as AnySchema, 'doc');
      const local = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/'));
      return ajv.compile(fromOpenApi30(local) as AnySchema);
    })();
    validators.set(key, validator);
  }
  return validator;
}

/**
 * Fails unless `body` follows the schema the service at `baseUrl` documents for `operation` ("GET /path",
 * the path as the document names it) and `status`.
 */
export async function expectDocumented(
  baseUrl: string,
  operation: string,
  body: unknown,
  status = 200,
  mediaType = 'application/json',
): Promise<void> {
  const validate = await validatorFor(baseUrl, operation, status, mediaType);
  if (!validate(body)) {
    throw new Error(
      `${operation} ${status}: the answer is not what the document promises: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body)}`,
    );
  }
}
