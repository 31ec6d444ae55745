/**
 * What every import step shares: the context collecting warnings and property issues, the 400 it throws
 * (naming the JSON Pointer into the ODCS document), and readers of `customProperties` values.
 */
import { z } from 'zod';
import { badRequest, type ErrorDetail } from '@renkei/domain';
import { OdcsErrorCodes } from './types.js';

const COUNTRY = /^[A-Z]{2}$/;

export const CustomPropertySchema = z.looseObject({ property: z.string().min(1), value: z.unknown() });

export interface Issue extends ErrorDetail {
  code: (typeof OdcsErrorCodes)[keyof typeof OdcsErrorCodes];
}

export interface Ctx {
  warnings: string[];
  issues: Issue[];
}

export const invalid = (path: string, message: string, hint: string) =>
  badRequest(OdcsErrorCodes.invalidDocument, 'The ODCS document is not valid', [{ path, message }], hint);

export function throwIssues(issues: Issue[], hint: string): never {
  const first = issues[0];
  if (!first) throw new Error('throwIssues needs at least one issue');
  throw badRequest(
    first.code,
    first.code === OdcsErrorCodes.unknownLogicalType
      ? 'The ODCS document uses a logicalType outside ODCS v3'
      : 'The ODCS document is not valid',
    issues.map(({ path, message }) => ({ path, message })),
    hint,
  );
}

/** Custom properties by name, with the pointer of each value; a repeated `renkei.*` name is a 400. */
export function customPropertyMap(
  list: { property: string; value: unknown }[] | undefined,
  basePath: string,
): Map<string, { value: unknown; path: string }> {
  const map = new Map<string, { value: unknown; path: string }>();
  (list ?? []).forEach((cp, i) => {
    const path = `${basePath}/${i}/value`;
    if (cp.property.startsWith('renkei.') && map.has(cp.property)) {
      throw invalid(
        `${basePath}/${i}/property`,
        `'${cp.property}' appears more than once`,
        'Keep one entry per renkei.* custom property',
      );
    }
    map.set(cp.property, { value: cp.value, path });
  });
  return map;
}

export function readEnum<T extends string>(
  entry: { value: unknown; path: string } | undefined,
  allowed: readonly T[],
  name: string,
): T | undefined {
  if (!entry) return undefined;
  if (typeof entry.value === 'string' && (allowed as readonly string[]).includes(entry.value)) {
    return entry.value as T;
  }
  throw invalid(
    entry.path,
    `must be one of ${allowed.join(', ')}`,
    `Set the custom property ${name} to one of: ${allowed.join(', ')}`,
  );
}

export function readCountry(
  entry: { value: unknown; path: string } | undefined,
  name: string,
): string | null {
  if (!entry || entry.value === null) return null;
  if (typeof entry.value === 'string' && COUNTRY.test(entry.value)) return entry.value;
  throw invalid(
    entry.path,
    'must be an ISO 3166-1 alpha-2 country code (e.g. JP) or null',
    `Set ${name} to a two-letter upper-case country code`,
  );
}

/** Records an issue unless `ok`; returns `ok`. */
export function check(ctx: Ctx, ok: boolean, path: string, message: string): boolean {
  if (!ok) ctx.issues.push({ code: OdcsErrorCodes.invalidDocument, path, message });
  return ok;
}
