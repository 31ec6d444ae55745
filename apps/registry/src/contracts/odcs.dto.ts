import { z } from 'zod';

/** POST /contracts/odcs?status=: register as this status instead of the document's. */
export const ImportQuerySchema = z.object({ status: z.enum(['draft', 'active']).optional() });

/**
 * An ODCS v3 document, as YAML or JSON: the same structure either way (a schema describes the parsed
 * document); only the frame is fixed here, the rest is the ODCS v3 JSON Schema's.
 */
export const OdcsDocumentSchema = z
  .object({ apiVersion: z.string(), kind: z.literal('DataContract'), id: z.string(), version: z.string() })
  .catchall(z.unknown());

/** GET …/odcs?format=: the document as YAML (default) or JSON. */
export const ExportQuerySchema = z.object({ format: z.enum(['yaml', 'json']).default('yaml') });
