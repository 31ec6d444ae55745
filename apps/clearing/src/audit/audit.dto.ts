import { z } from 'zod';

export const AuditQuerySchema = z.object({
  kind: z.enum(['decision', 'token.issued', 'grant.changed']).optional(),
  dataset: z.string().optional(),
  participant: z.string().optional().describe('The participant that asked (actor)'),
  grant: z.uuid().optional(),
  allow: z.enum(['true', 'false']).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  after: z.coerce.number().int().min(0).optional().describe('Cursor: the last seq of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;
