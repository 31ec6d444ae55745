import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A chart-ready table: one row per point, long format (what vega-lite and most chart libraries take). */
export interface ChartSeries {
  title: string;
  mark: 'line' | 'bar';
  x: { field: string; title: string; type: 'quantitative' | 'nominal' };
  y: { field: string; title: string };
  /** The field that splits the rows into lines (or bar colours). */
  series: string;
  /** A second split drawn as the line's dash pattern (e.g. p50 / p90). */
  dash?: string;
  rows: Record<string, string | number>[];
}

/** The vega-lite specification of a chart series (also returned to clients that draw it themselves). */
export function vegaLiteSpec(chart: ChartSeries): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chart.title,
    width: 640,
    height: 320,
    data: { values: chart.rows },
    mark: chart.mark === 'line' ? { type: 'line', interpolate: 'step-after' } : { type: 'bar' },
    encoding: {
      x: { field: chart.x.field, type: chart.x.type, title: chart.x.title },
      y: { field: chart.y.field, type: 'quantitative', title: chart.y.title },
      color: { field: chart.series, type: 'nominal' },
      ...(chart.dash ? { strokeDash: { field: chart.dash, type: 'nominal' } } : {}),
    },
  };
}

/** Renders the chart to SVG headless: vega-lite → vega → View.toSVG() with no canvas. */
export async function renderSvg(chart: ChartSeries): Promise<string> {
  const view = new View(parse(compile(vegaLiteSpec(chart)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
