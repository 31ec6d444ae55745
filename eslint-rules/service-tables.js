// ESLint rule `renkei/service-tables`: a service touches only the tables of its own PostgreSQL schema
// (ADR 0022). There is one Prisma schema and one generated client, so the client's type offers every model
// to every service; this rule takes that offer back. It flags, in apps/<service>/:
//   - a model accessor of the Prisma client (`prisma.participant`, `tx.grant`) whose model lives in another
//     schema (`@@schema(...)` in prisma/schema.prisma), found through the type checker, so a local variable
//     or property with the same name is not mistaken for one;
//   - raw SQL (`$queryRaw`, `$executeRaw`…) that names another service's schema (`registry.participants`).
// Options: { schemaFile, owners: { <service>: [<schema>…] } }; a service not listed owns no tables.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

/** model accessor (`dataContract`) -> schema, and the list of schemas, read from the Prisma schema. */
function readSchema(file) {
  const text = readFileSync(file, 'utf8');
  const models = new Map();
  for (const [, name, body] of text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const schema = /@@schema\("([^"]+)"\)/.exec(body)?.[1];
    if (schema) models.set(name.charAt(0).toLowerCase() + name.slice(1), schema);
  }
  const schemas =
    /schemas\s*=\s*\[([^\]]*)\]/
      .exec(text)?.[1]
      .match(/"([^"]+)"/g)
      ?.map((s) => s.slice(1, -1)) ?? [];
  return { models, schemas };
}

const cache = new Map();

export default {
  meta: {
    type: 'problem',
    docs: { description: 'A service reads and writes only the tables of its own PostgreSQL schema.' },
    schema: [
      {
        type: 'object',
        properties: {
          schemaFile: { type: 'string' },
          owners: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      model:
        "'{{model}}' is a table of the {{schema}} schema; {{service}} owns {{owned}}. Learn about other services' " +
        'records from their events on Kafka (ADR 0022).',
      sql: 'Raw SQL names the {{schema}} schema; {{service}} owns {{owned}} (ADR 0022).',
    },
  },
  create(context) {
    const options = context.options[0] ?? {};
    const cwd = context.cwd;
    const file = relative(cwd, context.filename).split(sep).join('/');
    const service = /(?:^|\/)apps\/([^/]+)\//.exec(file)?.[1];
    if (!service) return {};
    const schemaFile = options.schemaFile ?? 'prisma/schema.prisma';
    const path = isAbsolute(schemaFile) ? schemaFile : join(cwd, schemaFile);
    if (!cache.has(path)) cache.set(path, readSchema(path));
    const { models, schemas } = cache.get(path);
    const owned = new Set(options.owners?.[service] ?? []);
    const ownedText = owned.size ? [...owned].join(', ') : 'no tables';
    const services = context.sourceCode.parserServices;
    const checker = services?.program?.getTypeChecker();

    /** True when `symbol` is a model delegate declared by the generated Prisma client class. */
    const declaredByClient = (symbol) =>
      (symbol?.declarations ?? []).some((d) =>
        d
          .getSourceFile()
          .fileName.split(sep)
          .join('/')
          .endsWith('/persistence/src/generated/prisma/internal/class.ts'),
      );
    /** `property` as a client's model delegate, not just any `grant` or a row's `dataset` column. */
    const isPrismaModel = (property) =>
      checker != null &&
      declaredByClient(checker.getSymbolAtLocation(services.esTreeNodeToTSNodeMap.get(property)));
    const foreignSchemaIn = (text) =>
      schemas.find(
        (schema) => !owned.has(schema) && new RegExp(`\\b"?${schema}"?\\s*\\.\\s*"?\\w`).test(text),
      );
    const report = (node, model, schema) =>
      context.report({ node, messageId: 'model', data: { model, schema, service, owned: ownedText } });

    return {
      MemberExpression(node) {
        if (node.computed || node.property.type !== 'Identifier') return;
        const schema = models.get(node.property.name);
        if (!schema || owned.has(schema) || !isPrismaModel(node.property)) return;
        report(node.property, node.property.name, schema);
      },
      // `const { participant } = prisma` takes the same delegate without a member expression.
      ObjectPattern(node) {
        if (!checker) return;
        const wanted = node.properties.filter(
          (p) =>
            p.type === 'Property' && !p.computed && p.key.type === 'Identifier' && models.has(p.key.name),
        );
        if (wanted.length === 0) return;
        const type = checker.getTypeAtLocation(services.esTreeNodeToTSNodeMap.get(node));
        for (const p of wanted) {
          const schema = models.get(p.key.name);
          if (!owned.has(schema) && declaredByClient(type.getProperty(p.key.name)))
            report(p.key, p.key.name, schema);
        }
      },
      TaggedTemplateExpression(node) {
        const tag = node.tag.type === 'MemberExpression' ? node.tag.property : node.tag;
        if (tag.type !== 'Identifier' || !/^\$(query|execute)Raw/.test(tag.name)) return;
        const schema = foreignSchemaIn(node.quasi.quasis.map((q) => q.value.raw).join(' '));
        if (schema) context.report({ node, messageId: 'sql', data: { schema, service, owned: ownedText } });
      },
    };
  },
};
