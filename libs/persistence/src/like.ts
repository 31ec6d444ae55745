/**
 * Prisma's `contains` / `startsWith` / `endsWith` on PostgreSQL become `LIKE '%' || $1 || '%'` without
 * escaping, so a member's `%` or `_` would act as a wildcard (and `\` as PostgreSQL's default LIKE escape
 * character). Escaping the three makes a search term match only itself.
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
