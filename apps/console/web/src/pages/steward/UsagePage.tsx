/**
 * "Who used my data": deliveries, events, tokens and refusals over time, by consumer and by purpose.
 * Every chart has its table: the same numbers as text for screen readers and for copying.
 */
import { AreaChart, BarChart } from '@mantine/charts';
import {
  Alert,
  Card,
  Group,
  SegmentedControl,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../auth/context';
import { ApiError } from '../../api/problem';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import { ParticipantId, readable } from './common';
import type { Usage, UsageSeries, UsageSeriesRow } from './types';
import { bucketsBetween, metrics, rowsFromItems, totalsBy, type Metric } from './usageData';

const ranges = { '48h': 48 * 3_600_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
type Range = keyof typeof ranges;
const palette = ['indigo.7', 'teal.7', 'orange.7', 'grape.7', 'cyan.8', 'red.7', 'lime.8', 'pink.7'];

export function UsagePage() {
  const { t } = useTranslation();
  const api = useApi();
  const f = useFormat();
  const [dataset, setDataset] = useState<string | null>(null);
  const [range, setRange] = useState<Range>('48h');
  const [metric, setMetric] = useState<Metric>('events');
  const bucket = range === '48h' ? 'hour' : 'day';
  // A stable window per choice: refetching does not move it every render.
  const [now] = useState(() => new Date());
  const to = useMemo(() => new Date(now.getTime() + 3_600_000), [now]);
  const from = useMemo(() => new Date(to.getTime() - ranges[range]), [to, range]);

  const usage = useQuery({
    queryKey: ['steward', 'usage', dataset, from.toISOString()],
    queryFn: ({ signal }) =>
      api.get<Usage>('clearing', '/audit/usage', {
        query: { dataset, from: from.toISOString(), to: to.toISOString(), limit: 500 },
        signal,
      }),
  });
  const series = useQuery({
    queryKey: ['steward', 'usage-series', dataset, bucket, from.toISOString()],
    queryFn: async ({ signal }) => {
      try {
        return await api.get<UsageSeries>('clearing', '/audit/usage/series', {
          query: { dataset, bucket, from: from.toISOString(), to: to.toISOString() },
          signal,
        });
      } catch (e) {
        if (e instanceof ApiError && e.status === 404 && e.code.startsWith('HTTP.')) return null; // not deployed
        throw e;
      }
    },
    retry: false,
  });
  // Every dataset seen so far stays choosable (a filtered answer names only the one chosen).
  const [known, setKnown] = useState<string[]>([]);
  const seen = [...(usage.data?.datasets ?? []), ...(series.data?.datasets ?? [])];
  if (seen.some((d) => !known.includes(d))) setKnown((k) => [...new Set([...k, ...seen])].sort());
  const rows: UsageSeriesRow[] | undefined =
    series.data?.rows ??
    (series.data === null && usage.data ? rowsFromItems(usage.data.items, bucket) : undefined);

  const consumers = useMemo(() => [...new Set((rows ?? []).map((r) => r.consumer))], [rows]);
  const label = (id: string) => id.slice(0, 8);
  const timeline = useMemo(() => {
    if (!rows) return [];
    const byBucket = new Map<string, Record<string, number | string>>();
    for (const b of bucketsBetween(from, to, bucket)) byBucket.set(b, { bucket: b });
    for (const r of rows) {
      const point = byBucket.get(r.bucket) ?? { bucket: r.bucket };
      const key = `c${consumers.indexOf(r.consumer)}`;
      point[key] = ((point[key] as number | undefined) ?? 0) + r[metric];
      byBucket.set(r.bucket, point);
    }
    return [...byBucket.values()]
      .sort((a, b) => String(a.bucket).localeCompare(String(b.bucket)))
      .map((p) => {
        for (let i = 0; i < consumers.length; i++) p[`c${i}`] ??= 0;
        return p;
      });
  }, [rows, consumers, metric, from, to, bucket]);
  const when = (iso: string) =>
    new Intl.DateTimeFormat(f.lng, {
      month: 'short',
      day: 'numeric',
      ...(bucket === 'hour' ? { hour: '2-digit', minute: '2-digit' } : {}),
    }).format(new Date(iso));
  const byConsumer = useMemo(() => totalsBy(rows ?? [], (r) => r.consumer), [rows]);
  const byPurpose = useMemo(
    () => totalsBy(rows ?? [], (r) => r.purpose ?? t('steward:usage.noPurpose')),
    [rows, t],
  );
  const consumerSeries = consumers.map((c, i) => ({
    name: `c${i}`,
    label: label(c),
    color: palette[i % palette.length]!,
  }));
  const metricLabel = t(`steward:usage.metric.${metric}`);

  return (
    <>
      <PageHeader title={t('steward:usage.title')} description={t('steward:usage.description')} />
      <Group mb="md" align="flex-end">
        <Select
          label={t('steward:usage.dataset')}
          placeholder={t('steward:usage.allDatasets')}
          data={known}
          value={dataset}
          onChange={setDataset}
          clearable
          data-testid="usage-dataset"
        />
        <div>
          <Text size="sm" fw={500} id="usage-range">
            {t('steward:usage.range')}
          </Text>
          <SegmentedControl
            aria-labelledby="usage-range"
            value={range}
            onChange={(v) => setRange(v as Range)}
            data={Object.keys(ranges).map((r) => ({ value: r, label: t(`steward:usage.ranges.${r}`) }))}
          />
        </div>
        <Select
          label={t('steward:usage.measure')}
          data={metrics.map((m) => ({ value: m, label: t(`steward:usage.metric.${m}`) }))}
          value={metric}
          onChange={(v) => v && setMetric(v)}
          allowDeselect={false}
        />
      </Group>
      <ProblemAlert error={usage.error ?? series.error} />
      {series.data === null && (
        <Alert styles={readable} color="blue" mb="md" data-testid="usage-fallback">
          {t('steward:usage.fromEntries')}
        </Alert>
      )}
      {series.data?.truncated && (
        <Alert styles={readable} color="yellow" mb="md">
          {t('steward:usage.truncated')}
        </Alert>
      )}
      {!rows ? (
        <Skeleton h={300} />
      ) : (
        <Stack gap="lg">
          <ChartCard
            id="over-time"
            title={t('steward:usage.overTime', { metric: metricLabel })}
            empty={rows.length === 0 ? t('steward:usage.empty') : undefined}
            chart={
              <AreaChart
                h={280}
                data={timeline.map((p) => ({ ...p, label: when(String(p.bucket)) }))}
                dataKey="label"
                series={consumerSeries}
                type="stacked"
                withLegend
                curveType="monotone"
                withDots={false}
                valueFormatter={(v) => f.number(v)}
              />
            }
            table={
              <Table withTableBorder data-testid="table-over-time">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">{t('steward:usage.bucket')}</Table.Th>
                    {consumers.map((c) => (
                      <Table.Th scope="col" key={c}>
                        <ParticipantId id={c} />
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {timeline
                    .filter((p) => consumers.some((_, i) => Number(p[`c${i}`]) > 0))
                    .map((p) => (
                      <Table.Tr key={String(p.bucket)}>
                        <Table.Th scope="row">{f.dateTime(String(p.bucket))}</Table.Th>
                        {consumers.map((c, i) => (
                          <Table.Td key={c}>{f.number(Number(p[`c${i}`]))}</Table.Td>
                        ))}
                      </Table.Tr>
                    ))}
                </Table.Tbody>
              </Table>
            }
          />
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <ChartCard
              id="by-consumer"
              title={t('steward:usage.byConsumer')}
              empty={byConsumer.length === 0 ? t('steward:usage.empty') : undefined}
              chart={
                <BarChart
                  h={240}
                  data={byConsumer.map((c) => ({ ...c, label: label(c.key) }))}
                  dataKey="label"
                  series={[
                    { name: 'events', label: t('steward:usage.metric.events'), color: 'indigo.7' },
                    { name: 'deliveries', label: t('steward:usage.metric.deliveries'), color: 'teal.7' },
                    { name: 'denied', label: t('steward:usage.metric.denied'), color: 'red.7' },
                  ]}
                  withLegend
                />
              }
              table={<TotalsTable rows={byConsumer} head={t('steward:usage.consumer')} participant />}
            />
            <ChartCard
              id="by-purpose"
              title={t('steward:usage.byPurpose')}
              empty={byPurpose.length === 0 ? t('steward:usage.empty') : undefined}
              chart={
                <BarChart
                  h={240}
                  data={byPurpose}
                  dataKey="key"
                  series={[
                    { name: 'events', label: t('steward:usage.metric.events'), color: 'indigo.7' },
                    { name: 'deliveries', label: t('steward:usage.metric.deliveries'), color: 'teal.7' },
                    { name: 'denied', label: t('steward:usage.metric.denied'), color: 'red.7' },
                  ]}
                  withLegend
                />
              }
              table={<TotalsTable rows={byPurpose} head={t('steward:usage.purpose')} />}
            />
          </SimpleGrid>
          {usage.data && <ConsumersTable usage={usage.data} />}
        </Stack>
      )}
    </>
  );
}

/** A chart with a switch to its table (the text alternative). */
function ChartCard({
  id,
  title,
  chart,
  table,
  empty,
}: {
  id: string;
  title: string;
  chart: ReactNode;
  table: ReactNode;
  empty?: string;
}) {
  const { t } = useTranslation();
  const [asTable, setAsTable] = useState(false);
  return (
    <Card withBorder component="section" aria-labelledby={`${id}-title`} data-testid={`chart-${id}`}>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id={`${id}-title`}>
          {title}
        </Title>
        <Switch
          label={t('steward:usage.showTable')}
          checked={asTable}
          onChange={(e) => setAsTable(e.currentTarget.checked)}
          data-testid={`table-toggle-${id}`}
        />
      </Group>
      {empty ? (
        <Text c="dimmed">{empty}</Text>
      ) : asTable ? (
        <Table.ScrollContainer minWidth={300}>{table}</Table.ScrollContainer>
      ) : (
        <div role="img" aria-label={t('steward:usage.chartLabel', { title })}>
          {chart}
        </div>
      )}
    </Card>
  );
}

function TotalsTable({
  rows,
  head,
  participant,
}: {
  rows: ReturnType<typeof totalsBy>;
  head: string;
  participant?: boolean;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <Table withTableBorder>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">{head}</Table.Th>
          {metrics.map((m) => (
            <Table.Th scope="col" key={m}>
              {t(`steward:usage.metric.${m}`)}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.key}>
            <Table.Th scope="row">{participant ? <ParticipantId id={r.key} /> : r.key}</Table.Th>
            {metrics.map((m) => (
              <Table.Td key={m}>{f.number(r[m])}</Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Who, under which grants and purposes, first and last seen: the usage report's own summary. */
function ConsumersTable({ usage }: { usage: Usage }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <Card withBorder component="section" aria-labelledby="consumers-title">
      <Title order={2} size="h4" id="consumers-title" mb="sm">
        {t('steward:usage.consumers')}
      </Title>
      {usage.consumers.length === 0 ? (
        <Text c="dimmed">{t('steward:usage.empty')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={700}>
          <Table striped data-testid="usage-consumers">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('steward:usage.consumer')}</Table.Th>
                <Table.Th scope="col">{t('steward:usage.dataset')}</Table.Th>
                <Table.Th scope="col">{t('steward:usage.purposes')}</Table.Th>
                <Table.Th scope="col">{t('steward:usage.metric.tokens')}</Table.Th>
                <Table.Th scope="col">{t('steward:usage.metric.deliveries')}</Table.Th>
                <Table.Th scope="col">{t('steward:usage.metric.events')}</Table.Th>
                <Table.Th scope="col">{t('steward:usage.metric.denied')}</Table.Th>
                <Table.Th scope="col">{t('steward:usage.lastSeen')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {usage.consumers.map((c) => (
                <Table.Tr key={`${c.dataset}-${c.consumer}`}>
                  <Table.Td>
                    <ParticipantId id={c.consumer} />
                  </Table.Td>
                  <Table.Td>{c.dataset ?? '—'}</Table.Td>
                  <Table.Td>{c.purposes.join(', ') || '—'}</Table.Td>
                  <Table.Td>{f.number(c.tokensIssued)}</Table.Td>
                  <Table.Td>{f.number(c.deliveries)}</Table.Td>
                  <Table.Td>{f.number(c.eventsDelivered)}</Table.Td>
                  <Table.Td>{f.number(c.denied)}</Table.Td>
                  <Table.Td>{f.dateTime(c.lastAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
