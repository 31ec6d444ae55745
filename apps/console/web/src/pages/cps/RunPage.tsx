/**
 * One run: its live progress (pushed by the service as Server-Sent Events, not polled), then the result
 * chart with a table alternative, its lineage (the inputs it was built from and its seed), and publishing
 * the result as a derived dataset.
 */
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  Group,
  Loader,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconPlayerPlay, IconPlugConnectedX, IconRefresh } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { useApi } from '../../auth/context';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { alertStyles, errorContrast } from './contrast';
import { useFormat } from '../../format';
import {
  finished,
  keys,
  SIM,
  useInvalidateCps,
  useResult,
  useRun,
  type Published,
  type Run,
  type Started,
} from './api';
import { RunState } from './Status';
import { useRunEvents, type RunEvents } from './useRunEvents';

/** The charts library is the largest part of the page: it loads while the run's progress already streams. */
const ResultChart = lazy(() => import('./ResultChart').then((m) => ({ default: m.ResultChart })));

export function RunPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const run = useRun(id);
  const events = useRunEvents(id);
  const status = events.live?.status ?? run.data?.status;
  // The stream's word is the latest: once it says succeeded, the result is there to read.
  const result = useResult(id, status === 'succeeded');
  const stale = finished(events.live?.status) && run.data !== undefined && !finished(run.data.status);
  const { refetch } = run;
  useEffect(() => {
    // The run's record (finish time) still says running: read it again (once per change, not a poll).
    if (stale) void refetch();
  }, [stale, refetch]);
  // Fetch the chart's code while the run is still going, after the page and its stream have started.
  useEffect(() => {
    void import('./ResultChart');
  }, []);

  if (run.isPending)
    return (
      <>
        <PageHeader title={t('cps:run.title')} />
        <Loader size="sm" aria-label={t('cps:loading')} />
      </>
    );
  if (!run.data)
    return (
      <>
        <PageHeader title={t('cps:run.title')} />
        <ProblemAlert error={run.error} />
      </>
    );
  const r = run.data;
  return (
    <>
      <PageHeader
        title={r.name}
        description={t('cps:run.description', { kind: t(`cps:kinds.${r.kind}`) })}
        actions={
          <Anchor component={Link} to="/cps/scenarios">
            {t('cps:run.back')}
          </Anchor>
        }
      />
      <Stack gap="lg">
        <LiveProgress run={r} events={events} onRefresh={() => void run.refetch()} />
        {status === 'failed' && (
          <Alert
            styles={alertStyles}
            color="red"
            role="alert"
            title={t('cps:run.failedTitle')}
            data-testid="run-failed"
          >
            {events.live?.error ?? r.error ?? t('cps:run.failedUnknown')}
          </Alert>
        )}
        {result.error ? <ProblemAlert error={result.error} /> : null}
        {result.data && (
          <Card withBorder>
            <Suspense fallback={<Loader size="sm" aria-label={t('cps:loading')} />}>
              <ResultChart chart={result.data.chart} runId={r.id} name={r.name} kind={r.kind} />
            </Suspense>
          </Card>
        )}
        <Lineage run={r} />
        {status === 'succeeded' && <Publish run={r} />}
      </Stack>
    </>
  );
}

function LiveProgress({ run, events, onRefresh }: { run: Run; events: RunEvents; onRefresh: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const api = useApi();
  const navigate = useNavigate();
  const invalidate = useInvalidateCps();
  const live = events.live;
  const status = live?.status ?? run.status;
  const progress = live?.progress ?? run.progress;
  const percent = Math.round(progress * 100);
  const again = useMutation({
    mutationFn: () =>
      api.post<Started>(SIM, `/scenarios/${encodeURIComponent(run.scenario)}/runs`, {
        ...(run.seed !== null ? { seed: run.seed } : {}),
      }),
    onSuccess: async (started) => {
      await invalidate(keys.runs);
      void navigate(`/cps/runs/${started.runId}`);
    },
  });
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Group gap="sm">
          <Title order={2} size="h4">
            {t('cps:run.progress')}
          </Title>
          <RunState status={status} />
          {events.connected && !finished(status) && (
            <Badge variant="dot" color="teal" data-testid="live">
              {t('cps:run.live')}
            </Badge>
          )}
        </Group>
        <Button
          variant="default"
          size="xs"
          leftSection={<IconPlayerPlay size={14} />}
          onClick={() => again.mutate()}
          loading={again.isPending}
          disabled={!finished(status)}
        >
          {run.seed !== null ? t('cps:run.againSeed', { seed: run.seed }) : t('cps:run.again')}
        </Button>
      </Group>
      <Progress
        value={percent}
        size="xl"
        color={status === 'failed' ? 'red' : status === 'succeeded' ? 'teal' : 'indigo'}
        striped={!finished(status)}
        animated={!finished(status)}
        aria-label={t('cps:run.progressLabel')}
        data-testid="run-progress"
      />
      <Group justify="space-between" mt={6}>
        <Text size="sm" aria-live="polite" data-testid="progress-text">
          {t('cps:run.percent', { percent })}
          {live?.step
            ? ` · ${t('cps:run.step', { done: format.number(live.step.done), total: format.number(live.step.total) })}`
            : ''}
        </Text>
        <Text size="sm" c="dimmed">
          {t('cps:run.started', { at: format.dateTime(run.startedAt) })}
          {run.finishedAt ? ` · ${t('cps:run.finished', { at: format.dateTime(run.finishedAt) })}` : ''}
        </Text>
      </Group>
      <ProblemAlert error={again.error} />
      {events.unavailable && (
        <Alert
          styles={alertStyles}
          mt="sm"
          color="yellow"
          icon={<IconPlugConnectedX />}
          title={t('cps:run.noStreamTitle')}
          data-testid="no-stream"
        >
          <Stack gap={6}>
            <Text size="sm">{t('cps:run.noStream')}</Text>
            <Group>
              <Button size="xs" variant="default" leftSection={<IconRefresh size={14} />} onClick={onRefresh}>
                {t('cps:run.refresh')}
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      {events.problem !== undefined && !finished(status) && (
        <Stack mt="sm" gap={6}>
          {events.problem instanceof Error && events.problem.message === 'stream-ended' ? (
            <Alert styles={alertStyles} color="yellow" title={t('cps:run.streamEnded')} />
          ) : (
            <ProblemAlert error={events.problem} title={t('cps:run.streamFailed')} />
          )}
          <Group>
            <Button
              size="xs"
              variant="default"
              leftSection={<IconRefresh size={14} />}
              onClick={events.reconnect}
            >
              {t('cps:run.reconnect')}
            </Button>
          </Group>
        </Stack>
      )}
    </Card>
  );
}

function Lineage({ run }: { run: Run }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Card withBorder data-testid="lineage">
      <Title order={2} size="h4" mb="xs">
        {t('cps:lineage.title')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('cps:lineage.description')}
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 3 }} mb="sm">
        <div>
          <Text size="xs" c="dimmed">
            {t('cps:lineage.seed')}
          </Text>
          <Text fw={600} data-testid="run-seed">
            {run.seed ?? t('cps:lineage.noSeed')}
          </Text>
        </div>
        <div>
          <Text size="xs" c="dimmed">
            {t('cps:lineage.twin')}
          </Text>
          <Code>{run.twin.digest.slice(0, 16)}…</Code>
        </div>
        <div>
          <Text size="xs" c="dimmed">
            {t('cps:lineage.asOf')}
          </Text>
          <Text size="sm">{format.dateTime(run.twin.asOf)}</Text>
        </div>
      </SimpleGrid>
      {run.inputs.length === 0 ? (
        <Text c="dimmed">{t('cps:lineage.none')}</Text>
      ) : (
        <Table data-testid="lineage-inputs">
          <Table.Caption>{t('cps:lineage.caption')}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('cps:lineage.dataset')}</Table.Th>
              <Table.Th scope="col">{t('cps:lineage.version')}</Table.Th>
              <Table.Th scope="col">{t('cps:lineage.events')}</Table.Th>
              <Table.Th scope="col">{t('cps:lineage.lastEvent')}</Table.Th>
              <Table.Th scope="col">{t('cps:lineage.originators')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {run.inputs.map((i) => (
              <Table.Tr key={i.dataset}>
                <Table.Th scope="row" fw={500}>
                  {i.dataset}
                </Table.Th>
                <Table.Td>{i.version}</Table.Td>
                <Table.Td>{format.number(i.events)}</Table.Td>
                <Table.Td>
                  <Code>{i.lastEventId ?? '—'}</Code>
                </Table.Td>
                <Table.Td>
                  {i.originators.map((o) => (
                    <Code key={o} mr={4}>
                      {o}
                    </Code>
                  ))}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Text size="xs" c="dimmed" mt="sm">
        {t('cps:lineage.params')}
      </Text>
      <Code block>{JSON.stringify(run.params, null, 2)}</Code>
    </Card>
  );
}

function Publish({ run }: { run: Run }) {
  const { t } = useTranslation();
  const api = useApi();
  const invalidate = useInvalidateCps();
  const [dataset, setDataset] = useState('');
  const [aggregate, setAggregate] = useState(false);
  const publish = useMutation({
    mutationFn: () =>
      api.post<Published>(SIM, `/runs/${encodeURIComponent(run.id)}/publish`, {
        ...(dataset.trim() ? { dataset: dataset.trim() } : {}),
        aggregate,
      }),
    onSuccess: () => invalidate(keys.run(run.id)),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    publish.mutate();
  };
  const published = publish.data;
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        {t('cps:publish.title')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('cps:publish.description')}
      </Text>
      {run.published && !published && (
        <Alert styles={alertStyles} color="teal" mb="sm" data-testid="already-published">
          {t('cps:publish.already', { dataset: run.published.dataset, version: run.published.version })}
        </Alert>
      )}
      <form onSubmit={submit} aria-label={t('cps:publish.title')} style={errorContrast}>
        <Group align="flex-end">
          <TextInput
            label={t('cps:publish.dataset')}
            description={t('cps:publish.datasetHelp')}
            placeholder={`cps.${run.kind}-forecast`}
            value={dataset}
            onChange={(e) => setDataset(e.currentTarget.value)}
            w={320}
          />
          <Checkbox
            label={t('cps:publish.aggregate')}
            description={t('cps:publish.aggregateHelp')}
            checked={aggregate}
            onChange={(e) => setAggregate(e.currentTarget.checked)}
            maw={420}
          />
          <Button type="submit" loading={publish.isPending} data-testid="publish">
            {t('cps:publish.submit')}
          </Button>
        </Group>
      </form>
      <ProblemAlert error={publish.error} title={t('cps:publish.refused')} />
      {published && (
        <Alert
          styles={alertStyles}
          color="teal"
          mt="sm"
          title={t('cps:publish.done')}
          data-testid="published"
        >
          <Stack gap={4}>
            <Text size="sm">
              {t('cps:publish.as', { dataset: published.dataset, version: published.version })}
            </Text>
            <Text size="sm">
              {t('cps:publish.lineage', {
                datasets: published.lineage.map((l) => `${l.dataset} ${l.version}`).join(', '),
              })}
            </Text>
            {published.derived && (
              <Text size="sm">
                {t(published.derived.aggregate ? 'cps:publish.aggregateYes' : 'cps:publish.aggregateNo', {
                  count: published.derived.contributors,
                })}
              </Text>
            )}
          </Stack>
        </Alert>
      )}
    </Card>
  );
}
