import { it, expect } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { checkCompatibility } from './compatibility.js';

type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((ajvFormats as unknown as { default?: FormatsPlugin }).default ?? ajvFormats) as unknown as FormatsPlugin;
const ajv = addFormats(new Ajv2020({ strict: false, allowUnionTypes: true, validateFormats: true }));

let seed = Number(process.env.SEED ?? 1); console.log("seed", seed);
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const chance = (p: number) => rnd() < p;

const NAMES = ['a', 'b', 'c'];
const STRS = ['', 'A', 'LFP', 'NMC', 'x-1', 'abcdefghij', '2024-01-01', '12'];
const NUMS = [-1, 0, 0.5, 1, 2, 3, 10, 100, 2.5];
const PATTERNS = ['^A', '^[0-9]+$', '^.{0,3}$'];

function genSchema(depth: number): any {
  if (chance(0.05)) return pick([true, false]);
  const s: any = {};
  const t = pick(['string', 'number', 'integer', 'object', 'array', 'boolean', 'null', 'multi', 'none', 'enum', 'anyOf']);
  if (t === 'multi') s.type = [pick(['string', 'number', 'integer']), 'null'];
  else if (t === 'enum') { s.enum = [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick([...STRS, ...NUMS, null])))]; return s; }
  else if (t === 'anyOf' && depth > 0) { s[pick(['anyOf', 'oneOf'])] = [genSchema(depth - 1), genSchema(depth - 1)]; return s; }
  else if (t !== 'none' && t !== 'anyOf') s.type = t;
  const ty = Array.isArray(s.type) ? s.type[0] : s.type;
  if (ty === 'number' || ty === 'integer' || t === 'none') {
    if (chance(0.3)) s.minimum = pick(NUMS);
    if (chance(0.3)) s.maximum = pick(NUMS);
    if (chance(0.15)) s.exclusiveMinimum = pick(NUMS);
    if (chance(0.1)) s.multipleOf = pick([0.5, 1, 2]);
  }
  if (ty === 'string' || t === 'none') {
    if (chance(0.3)) s.maxLength = pick([0, 1, 2, 3, 5]);
    if (chance(0.2)) s.minLength = pick([0, 1, 2]);
    if (chance(0.15)) s.pattern = pick(PATTERNS);
    if (chance(0.1)) s.format = 'date';
  }
  if ((ty === 'array' || t === 'none') && depth > 0) {
    if (chance(0.7)) s.items = genSchema(depth - 1);
    if (chance(0.2)) s.prefixItems = [genSchema(depth - 1)];
    if (chance(0.3)) s.maxItems = pick([0, 1, 2, 3]);
    if (chance(0.2)) s.minItems = pick([0, 1, 2]);
    if (chance(0.2)) s.uniqueItems = true;
  }
  if ((ty === 'object' || t === 'none') && depth > 0) {
    s.properties = {};
    for (const n of NAMES) if (chance(0.5)) s.properties[n] = genSchema(depth - 1);
    if (chance(0.4)) s.required = NAMES.filter(() => chance(0.4));
    if (chance(0.4)) s.additionalProperties = chance(0.6) ? false : genSchema(depth - 1);
    if (chance(0.1)) s.maxProperties = pick([0, 1, 2]);
  }
  if (chance(0.05)) s.not = { type: 'null' };
  return s;
}

function mutate(s: any, depth: number): any {
  if (typeof s === 'boolean' || chance(0.1)) return genSchema(depth);
  const c = structuredClone(s);
  const keys = Object.keys(c);
  const op = rnd();
  if (op < 0.3 && keys.length) {
    const k = pick(keys);
    if (['properties'].includes(k)) { const n = pick(NAMES); if (c.properties[n] !== undefined && chance(0.5)) delete c.properties[n]; else c.properties[n] = c.properties[n] === undefined ? genSchema(depth - 1) : mutate(c.properties[n], depth - 1); }
    else if (['items', 'additionalProperties'].includes(k)) c[k] = mutate(c[k], depth - 1);
    else if (['anyOf', 'oneOf', 'prefixItems'].includes(k)) { const i = Math.floor(rnd() * c[k].length); c[k][i] = mutate(c[k][i], depth - 1); if (chance(0.3)) c[k].push(genSchema(depth - 1)); }
    else delete c[k];
  } else if (op < 0.6) {
    const fresh = genSchema(depth);
    if (typeof fresh === 'object') for (const k of Object.keys(fresh)) if (chance(0.4)) c[k] = fresh[k];
  } else if (op < 0.8) {
    if (c.enum) { if (chance(0.5)) c.enum.push(pick([...STRS, ...NUMS])); else c.enum.pop(); c.enum = [...new Set(c.enum)]; }
    if (c.maximum !== undefined) c.maximum = pick(NUMS);
    if (c.maxLength !== undefined) c.maxLength = pick([0, 1, 2, 3, 5]);
    if (c.required) c.required = NAMES.filter(() => chance(0.4));
    if (c.type && !Array.isArray(c.type) && chance(0.3)) c.type = [c.type, 'null'];
    else if (Array.isArray(c.type)) c.type = c.type[0];
  } else {
    return { $defs: { d: c }, $ref: '#/$defs/d' };
  }
  return c;
}

function genValue(depth: number): unknown {
  const r = rnd();
  if (r < 0.12) return null;
  if (r < 0.2) return chance(0.5);
  if (r < 0.45) return pick(NUMS);
  if (r < 0.7) return pick(STRS);
  if (r < 0.85 || depth <= 0) return Array.from({ length: Math.floor(rnd() * 4) }, () => genValue(depth - 1));
  const o: Record<string, unknown> = {};
  for (const n of [...NAMES, 'zz']) if (chance(0.5)) o[n] = genValue(depth - 1);
  return o;
}

it('never claims compatibility when a payload proves otherwise', () => {
  const values = Array.from({ length: 3000 }, () => genValue(3));
  let compatibleClaims = 0;
  let falseAlarms = 0;
  for (let i = 0; i < Number(process.env.N ?? 3000); i++) {
    const prev = genSchema(2);
    const next = chance(0.15) ? structuredClone(prev) : mutate(prev, 2);
    let vp, vn;
    try { vp = ajv.compile(typeof prev === 'boolean' ? prev : { ...prev }); vn = ajv.compile(typeof next === 'boolean' ? next : { ...next }); } catch { continue; }
    for (const direction of ['BACKWARD', 'FORWARD'] as const) {
      const breaks = checkCompatibility(direction, [{ version: '1', schema: prev }], { version: '2', schema: next });
      const [narrow, wide] = direction === 'BACKWARD' ? [vp, vn] : [vn, vp];
      const witness = values.find((x) => narrow(x) && !wide(x));
      if (breaks.length === 0) {
        compatibleClaims++;
        if (witness !== undefined) {
          throw new Error(`UNSOUND ${direction}\nprev=${JSON.stringify(prev)}\nnext=${JSON.stringify(next)}\nwitness=${JSON.stringify(witness)}`);
        }
      } else if (witness === undefined) falseAlarms++;
    }
  }
  console.log({ compatibleClaims, falseAlarms });
  expect(true).toBe(true);
}, 600_000);
