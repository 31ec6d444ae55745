/**
 * Charts of benchmark and operations figures, rendered headless to SVG with vega-lite (the same library
 * and route as the CPS simulation's charts: vega-lite → vega → View.toSVG() with no canvas).
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Renders a vega-lite specification to an SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Lines over time, one per `series` value, in one chart per `panel` value (stacked vertically). */
export function linePanels(options: {
  title: string;
  rows: Record<string, string | number | null>[];
  x: { field: string; title: string };
  y: { field: string; title: string };
  series: string;
  panel: string;
  width?: number;
  height?: number;
}): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    data: { values: options.rows },
    facet: { row: { field: options.panel, type: 'nominal', title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: options.width ?? 640,
      height: options.height ?? 180,
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: options.x.field, type: 'quantitative', title: options.x.title },
        y: { field: options.y.field, type: 'quantitative', title: options.y.title },
        color: { field: options.series, type: 'nominal', title: null },
      },
    },
    config: { font: 'DejaVu Sans, sans-serif' },
  };
}
