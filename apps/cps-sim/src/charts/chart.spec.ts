import { describe, expect, it } from 'vitest';
import { renderSvg, vegaLiteSpec, type ChartSeries } from './chart.js';

const chart: ChartSeries = {
  title: 'Fluorite stop: output per product',
  mark: 'line',
  x: { field: 'day', title: 'Day', type: 'quantitative' },
  y: { field: 'units', title: 'Units per day' },
  series: 'product',
  rows: [
    { day: 0, product: 'euv-lens', units: 2 },
    { day: 1, product: 'euv-lens', units: 1 },
    { day: 0, product: 'exposure-tool', units: 1 },
    { day: 1, product: 'exposure-tool', units: 0 },
  ],
};

describe('charts', () => {
  it('describes the series as a vega-lite line chart split by the series field', () => {
    expect(vegaLiteSpec({ ...chart, dash: 'quantile' })).toMatchObject({
      encoding: {
        x: { field: 'day' },
        y: { field: 'units' },
        color: { field: 'product' },
        strokeDash: { field: 'quantile' },
      },
    });
  });

  it('renders SVG headless, with no canvas', async () => {
    const svg = await renderSvg(chart);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Fluorite stop: output per product');
    expect(svg).toContain('euv-lens');
  });

  it('renders bar charts and empty series', async () => {
    const bars = await renderSvg({
      ...chart,
      mark: 'bar',
      x: { field: 'product', title: 'Product', type: 'nominal' },
    });
    expect(bars).toContain('</svg>');
    expect(await renderSvg({ ...chart, rows: [] })).toContain('</svg>');
  });
});
