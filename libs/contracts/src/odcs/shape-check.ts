/**
 * `renkei.jsonSchema` vs the ODCS properties next to it: when a document carries both, the JSON Schema wins
 * and every property that disagrees with it is named in a warning.
 */
import { isRecord } from './json.js';

interface Shape {
  logicalType?: string;
  required?: boolean;
  properties?: Map<string, Shape>;
  items?: Shape;
}

function shapeOf(raw: unknown): Shape {
  if (!isRecord(raw)) return {};
  const shape: Shape = {};
  if (typeof raw.logicalType === 'string') shape.logicalType = raw.logicalType.toLowerCase();
  if (typeof raw.required === 'boolean') shape.required = raw.required;
  if (Array.isArray(raw.properties)) shape.properties = shapesOf(raw.properties);
  if (raw.items !== undefined) shape.items = shapeOf(raw.items);
  return shape;
}

export function shapesOf(list: unknown[]): Map<string, Shape> {
  const map = new Map<string, Shape>();
  for (const raw of list) {
    if (isRecord(raw) && typeof raw.name === 'string') map.set(raw.name, shapeOf(raw));
  }
  return map;
}

export function compareShapes(
  ours: Map<string, Shape>,
  theirs: Map<string, Shape>,
  rawList: unknown[],
  path: string,
  warnings: string[],
) {
  const index = new Map(rawList.map((raw, i) => [isRecord(raw) ? raw.name : undefined, i]));
  for (const [name, expected] of ours) {
    const actual = theirs.get(name);
    if (!actual) {
      warnings.push(`${path}: property '${name}' of renkei.jsonSchema is missing; the JSON Schema is used`);
      continue;
    }
    const i = index.get(name) ?? 0;
    const raw = rawList[i];
    compareShape(expected, actual, raw, `${path}/${i}`, warnings);
  }
  for (const name of theirs.keys()) {
    if (!ours.has(name)) {
      warnings.push(
        `${path}/${index.get(name) ?? 0}: property '${name}' is not in renkei.jsonSchema; the JSON Schema is used`,
      );
    }
  }
}

function compareShape(expected: Shape, actual: Shape, raw: unknown, path: string, warnings: string[]) {
  const differs = (what: string, a: unknown, e: unknown) =>
    warnings.push(
      `${path}/${what} is ${JSON.stringify(a)} but renkei.jsonSchema says ${JSON.stringify(e)}; the JSON Schema is used`,
    );
  const actualType =
    actual.logicalType === 'timestamp' || actual.logicalType === 'time' ? 'date' : actual.logicalType;
  if (actualType !== expected.logicalType) differs('logicalType', actual.logicalType, expected.logicalType);
  if (expected.required !== undefined && (actual.required ?? false) !== expected.required) {
    differs('required', actual.required ?? false, expected.required);
  }
  const record = isRecord(raw) ? raw : {};
  if (expected.properties) {
    compareShapes(
      expected.properties,
      actual.properties ?? new Map<string, Shape>(),
      Array.isArray(record.properties) ? record.properties : [],
      `${path}/properties`,
      warnings,
    );
  }
  if (expected.items && actual.items)
    compareShape(expected.items, actual.items, record.items, `${path}/items`, warnings);
}
