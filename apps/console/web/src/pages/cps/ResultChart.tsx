/**
 * A run's main series, drawn from the chart-ready rows the service gives (GET /runs/{id}/result), with the
 * same numbers as a table for screen readers and keyboard users, and the service's own SVG to download.
 */
import { BarChart, LineChart } from '@mantine/charts';
import { Box, Button, Group, Table, Tabs, Text, Title } from '@mantine/core';
import { IconChartLine, IconDownload, IconTable } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../auth/context';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import { SIM, type ChartSpec, type ScenarioKind } from './api';

const palette = [
  'indigo.6',
  'teal.7',
  'orange.7',
  'grape.6',
  'cyan.7',
  'red.7',
  'lime.8',
  'pink.6',
  'blue.7',
  'yellow.8',
];

interface Pivot {
  xKey: string;
  xTitle: string;
  yTitle: string;
  series: { name: string; color: string; strokeDasharray?: string }[];
  data: Record<string, string | number>[];
}

const text = (v: unknown): string => {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
};

/** Rows of (x, series, dash, y) into one row per x with a column per series (what the charts take). */
export function pivot(
  chart: ChartSpec,
  label: (kind: 'axis' | 'value', key: string, fallback: string) => string = (_k, _key, f) => f,
): Pivot {
  const first = chart.rows[0] ?? {};
  const xKey = chart.x?.field ?? Object.keys(first)[0] ?? 'x';
  const yKey =
    chart.y?.field ?? Object.keys(first).find((k) => k !== xKey && typeof first[k] === 'number') ?? 'y';
  const seriesKey = chart.series && chart.series !== xKey ? chart.series : undefined;
  const dashKey = chart.dash;
  const byX = new Map<string, Record<string, string | number>>();
  const names = new Map<string, { dash: boolean }>();
  for (const row of chart.rows) {
    const rawX = row[xKey];
    const x = typeof rawX === 'number' ? rawX : label('value', text(rawX), text(rawX));
    const parts = [seriesKey ? text(row[seriesKey]) : '', dashKey ? text(row[dashKey]) : ''].filter(Boolean);
    const name = parts.length ? parts.join(' ') : label('axis', yKey, chart.y?.title ?? yKey);
    const dashed = !!dashKey && text(row[dashKey]) !== text(chart.rows[0]?.[dashKey]);
    if (!names.has(name)) names.set(name, { dash: dashed });
    const key = String(x);
    const entry = byX.get(key) ?? { [xKey]: x };
    const y = row[yKey];
    entry[name] = typeof y === 'number' ? y : Number(y);
    byX.set(key, entry);
  }
  // Series that share their first part (e.g. a hospital's p50 and p90) share a colour; the dash tells them apart.
  const colours = new Map<string, string>();
  const series = [...names.entries()].map(([name, { dash }]) => {
    const group = dashKey ? name.split(' ').slice(0, -1).join(' ') || name : name;
    if (!colours.has(group)) colours.set(group, palette[colours.size % palette.length]!);
    return { name, color: colours.get(group)!, ...(dash ? { strokeDasharray: '6 4' } : {}) };
  });
  return {
    xKey,
    xTitle: label('axis', xKey, chart.x?.title ?? xKey),
    yTitle: label('axis', yKey, chart.y?.title ?? yKey),
    series,
    data: [...byX.values()],
  };
}

export function ResultChart({
  chart,
  runId,
  name,
  kind,
}: {
  chart: ChartSpec;
  runId: string;
  name: string;
  kind: ScenarioKind;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const api = useApi();
  const [downloadError, setDownloadError] = useState<unknown>();
  const p = useMemo(
    () =>
      pivot(chart, (what, key, fallback) =>
        t(what === 'axis' ? `cps:axis.${key}` : `cps:values.${key}`, { defaultValue: fallback }),
      ),
    [chart, t],
  );
  // The service titles the chart in English; the same title in the reader's language.
  const title = t(`cps:chartTitle.${kind}`, { name, defaultValue: chart.title });
  const number = (v: unknown) =>
    typeof v === 'number'
      ? new Intl.NumberFormat(format.lng, { maximumFractionDigits: 3 }).format(v)
      : text(v);

  const downloadSvg = async () => {
    setDownloadError(undefined);
    try {
      const res = await api.send('GET', SIM, `/runs/${encodeURIComponent(runId)}/chart.svg`);
      const href = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = href;
      a.download = `run-${runId}.svg`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
    } catch (error) {
      setDownloadError(error);
    }
  };

  const common = {
    h: 360,
    data: p.data,
    dataKey: p.xKey,
    series: p.series,
    xAxisLabel: p.xTitle,
    yAxisLabel: p.yTitle,
    withLegend: true,
    legendProps: { verticalAlign: 'bottom' as const, height: 50 },
    valueFormatter: (v: number) => number(v),
    // A quantitative x (days) is an axis of numbers, ticks evenly spaced; a nominal one a category per row.
    ...(chart.x?.type === 'quantitative'
      ? { xAxisProps: { type: 'number' as const, domain: ['dataMin', 'dataMax'], allowDecimals: false } }
      : {}),
  };
  return (
    <section aria-labelledby="cps-chart-title" data-testid="result-chart">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id="cps-chart-title">
          {title}
        </Title>
        <Button
          variant="default"
          size="xs"
          leftSection={<IconDownload size={14} />}
          onClick={() => void downloadSvg()}
        >
          {t('cps:run.downloadSvg')}
        </Button>
      </Group>
      <ProblemAlert error={downloadError} />
      <Tabs defaultValue="chart" keepMounted={false}>
        <Tabs.List aria-label={t('cps:run.chartViews')}>
          <Tabs.Tab value="chart" leftSection={<IconChartLine size={14} />}>
            {t('cps:run.chart')}
          </Tabs.Tab>
          <Tabs.Tab value="table" leftSection={<IconTable size={14} />} data-testid="chart-table-tab">
            {t('cps:run.table')}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="chart" pt="sm">
          {p.data.length === 0 ? (
            <Text c="dimmed">{t('cps:run.noRows')}</Text>
          ) : (
            <Box component="figure" m={0} aria-label={t('cps:run.chartLabel', { title })}>
              {/* Drawn at once, without animation: nothing moves on the page but the progress bar. */}
              {chart.mark === 'bar' ? (
                <BarChart {...common} barProps={{ isAnimationActive: false }} />
              ) : (
                <LineChart
                  {...common}
                  withDots={false}
                  curveType="linear"
                  lineProps={{ isAnimationActive: false }}
                />
              )}
            </Box>
          )}
          <Text size="xs" c="dimmed" mt="xs">
            {chart.dash ? t('cps:run.chartHintDash') : t('cps:run.chartHint')}
          </Text>
        </Tabs.Panel>
        <Tabs.Panel value="table" pt="sm">
          <Table striped withTableBorder data-testid="chart-table">
            <Table.Caption>{title}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{p.xTitle}</Table.Th>
                {p.series.map((s) => (
                  <Table.Th scope="col" key={s.name}>
                    {s.name}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {p.data.map((row) => (
                <Table.Tr key={String(row[p.xKey])}>
                  <Table.Th scope="row">{number(row[p.xKey])}</Table.Th>
                  {p.series.map((s) => (
                    <Table.Td key={s.name}>{number(row[s.name])}</Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text size="xs" c="dimmed" mt="xs">
            {t('cps:run.yUnit', { unit: p.yTitle })}
          </Text>
        </Tabs.Panel>
      </Tabs>
    </section>
  );
}
