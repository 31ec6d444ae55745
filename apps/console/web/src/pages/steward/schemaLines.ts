/**
 * A JSON document pretty-printed line by line, each line knowing the JSON Pointer of the value it shows:
 * the compatibility report's schema paths then land on the lines they name.
 */
export interface JsonLine {
  text: string;
  path: string;
}

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

export function jsonLines(value: unknown): JsonLine[] {
  const out: JsonLine[] = [];
  const walk = (v: unknown, path: string, indent: string, prefix: string, comma: string) => {
    if (Array.isArray(v)) {
      if (v.length === 0) return void out.push({ text: `${indent}${prefix}[]${comma}`, path });
      out.push({ text: `${indent}${prefix}[`, path });
      v.forEach((item, i) => walk(item, `${path}/${i}`, `${indent}  `, '', i < v.length - 1 ? ',' : ''));
      return void out.push({ text: `${indent}]${comma}`, path });
    }
    if (v && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 0) return void out.push({ text: `${indent}${prefix}{}${comma}`, path });
      out.push({ text: `${indent}${prefix}{`, path });
      entries.forEach(([k, item], i) =>
        walk(
          item,
          `${path}/${escape(k)}`,
          `${indent}  `,
          `${JSON.stringify(k)}: `,
          i < entries.length - 1 ? ',' : '',
        ),
      );
      return void out.push({ text: `${indent}}${comma}`, path });
    }
    out.push({ text: `${indent}${prefix}${JSON.stringify(v)}${comma}`, path });
  };
  walk(value, '', '', '', '');
  return out;
}

/**
 * The line a pointer lands on: the first line of that value, else of its nearest ancestor that exists
 * (a removed property's path names something the new schema no longer has).
 */
export function lineOf(lines: JsonLine[], pointer: string): number {
  let p = pointer;
  for (;;) {
    const i = lines.findIndex((l) => l.path === p);
    if (i >= 0) return i;
    if (p === '') return 0;
    p = p.slice(0, p.lastIndexOf('/'));
  }
}
